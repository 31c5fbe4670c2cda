"""Ask for the name of a saved search."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..safe import SafeInput
from ..text import one_line


class SaveSearch(ModalScreen[str | None]):
    """The name under which to keep a query (enter saves, escape cancels)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save-search.cancel")]

    def __init__(self, query: str, name: str = "", existing: set[str] | None = None) -> None:
        super().__init__()
        self.search_query = query
        self.default = name
        self.existing = existing or set()

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog", classes="dialog"):
            prompt = Text("Save the search ")
            prompt.append(one_line(self.search_query), "bold")
            prompt.append(" as:")
            yield Static(prompt)
            yield SafeInput(self.default, placeholder="a name", id="save-name")
            yield Static(Text("enter saves, escape cancels", style="dim"), id="save-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        hint = self.query_one("#save-hint", Static)
        if event.value.strip() in self.existing:
            hint.update(Text("enter replaces the saved search of that name", style="dim"))
        else:
            hint.update(Text("enter saves, escape cancels", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self.query_one("#save-hint", Static).update(
                Text("a saved search needs a name", style="bold red"))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
