"""Ask which tags to add and remove: `+name` (or a bare name) adds, `-name` removes, several at
once; the existing tags complete the word being typed (tab or → takes the completion)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from ...models import tag_name
from ..safe import SafeInput

SHOWN_TAGS = 12  # existing tags listed under the prompt


@dataclass(frozen=True)
class TagEdit:
    """The tags to add and to remove (names as typed)."""

    add: list[str]
    remove: list[str]


def tag_edit(text: str) -> TagEdit:
    """The words of the prompt: `-name` removes, `+name` or `name` adds."""
    add, remove = [], []
    for word in text.split():
        if word.startswith("-"):
            remove.append(word[1:])
        else:
            add.append(word.removeprefix("+"))
    return TagEdit([w for w in add if w], [w for w in remove if w])


def _last_word(value: str) -> tuple[str, str]:
    """(its sign: "+", "-" or "", the tag started) of the word being typed."""
    word = value.split(" ")[-1]
    sign = word[:1] if word[:1] in "+-" else ""
    return sign, word[len(sign):]


class TagCompleter(Suggester):
    """Completes the word being typed with an existing tag: for `-`, the targets' own tags
    first; for `+`, the most used tags first."""

    def __init__(self, known: list[str], own: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.known, self.own = known, own

    def candidates(self, value: str) -> list[str]:
        """The tags the word being typed may become, best first."""
        sign, start = _last_word(value)
        start = tag_name(start) if start.strip() else ""
        pool = self.own + [t for t in self.known if t not in self.own] if sign == "-" \
            else self.known
        return [t for t in pool if t.startswith(start)]

    async def get_suggestion(self, value: str) -> str | None:
        sign, start = _last_word(value)
        if not start or value.endswith(" "):
            return None
        found = [t for t in self.candidates(value) if t != start]
        return value[:len(value) - len(start)] + found[0] if found else None


class TagPrompt(ModalScreen[TagEdit | None]):
    """The tags to change on `target` (a paper's title, or "12 papers of this list");
    `known`: every tag with its count; `own`: the tags the target has (one paper)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tags.cancel"),
        Binding("tab", "complete", "Complete the tag", priority=True, id="tags.complete"),
    ]

    def __init__(self, target: Text, known: list[tuple[str, int]], own: list[str]) -> None:
        super().__init__()
        self.target = target
        self.counts = dict(known)
        self.own = own
        self.completer = TagCompleter([name for name, _ in known], own)

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog", classes="dialog"):
            prompt = Text("Tags of ")
            prompt.append_text(self.target)
            if self.own:
                prompt.append("  now: " + " ".join("#" + t for t in self.own), "dim")
            yield Static(prompt)
            yield SafeInput(placeholder="+name adds, -name removes (several at once)",
                            suggester=self.completer, id="tags-input")
            yield Static(id="tags-known")
            yield Static(Text("tab completes · enter applies · escape cancels", style="dim"),
                         id="tags-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show_candidates("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show_candidates(event.value)

    def _show_candidates(self, value: str) -> None:
        """The existing tags the word being typed may become, with their counts."""
        found = self.completer.candidates("" if value.endswith(" ") else value)
        text = Text()
        for name in found[:SHOWN_TAGS]:
            text.append(f"#{name}", "bold")
            text.append(f" {self.counts.get(name, 0)}  ", "dim")
        if not self.counts:
            text.append("no tags yet: type a name to make one", "dim")
        elif not found:
            text.append("a new tag", "dim")
        self.query_one("#tags-known", Static).update(text)

    def action_complete(self) -> None:
        """Take the completion shown, with a space for the next tag."""
        box = self.query_one(Input)
        candidates = self.completer.candidates(box.value)
        sign, start = _last_word(box.value)
        if start and candidates:
            box.value = box.value[:len(box.value) - len(start)] + candidates[0] + " "
            box.cursor_position = len(box.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        edit = tag_edit(event.value)
        bad = [w for w in edit.add + edit.remove if not tag_name(w)]
        if bad:
            self.query_one("#tags-hint", Static).update(
                Text(f"{bad[0]!r} is not a tag name: letters, digits, - _ . / only",
                     style="bold red"))
            return
        self.dismiss(edit if edit.add or edit.remove else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
