"""The search box, and the line under the status that says how a search was repaired."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from ..safe import SafeInput
from ..text import one_line

if TYPE_CHECKING:
    from ..searching import Outcome
    from .paper_list import Listing


class Suggestion(Static):
    """How a search that found nothing as typed was repaired: the results of a correction,
    with "search instead" for the text as typed (a click or ctrl+t), or partial matches."""

    class Instead(Message):
        """Search for exactly what was typed."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.instead = False  # a correction is shown: the text as typed can be searched

    def set(self, listing: Listing | None = None, outcome: Outcome | None = None) -> None:
        """Show how `outcome` (of `listing`) was repaired; nothing when it was not."""
        text = None
        if listing is not None and outcome is not None and outcome.total:
            if outcome.corrected:
                text = Text("Showing results for ")
                text.append(f"“{one_line(outcome.corrected)}”", "bold")
                text.append(" · search instead for ")
                text.append(f"“{one_line(listing.query)}”", "bold underline")
                text.append("  (ctrl+t or click)", "dim")
            elif outcome.partial:
                text = Text(f"No paper has all {outcome.partial_of} words: "
                            f"showing papers with {outcome.partial} of them")
        self.instead = bool(text is not None and outcome.corrected)
        self.display = text is not None
        if text is not None:
            self.update(text)

    def on_click(self, event: events.Click) -> None:
        if self.instead:
            event.stop()
            self.post_message(self.Instead())


class SearchBox(SafeInput):
    """The search box.

    Enter is handled at once, while the box handles the key (not by a message handled later),
    and a key that reaches the box after enter moved the focus away (typed quickly, already on
    its way) goes on to where the focus is now: "enter b" bookmarks the first result.
    """

    async def action_submit(self) -> None:
        from ..searching import Searching

        screen = self.screen
        if isinstance(screen, Searching):
            screen.submit_search()
        else:
            await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if not self.has_focus and focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused._forward_event(events.Key(event.key, event.character))
            return
        await super()._on_key(event)
