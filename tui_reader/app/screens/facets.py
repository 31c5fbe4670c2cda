"""The facet panel: the papers of the list counted by year, organisation, category and tag;
choosing a value adds its filter to the query, choosing a value whose filter is in the query
removes it (app/facets.py does either)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...models import FacetCounts, counted
from ..text import one_line

FACET_LABELS = {"year": "Year", "org": "Organisation", "category": "Category", "tag": "Tag"}
LABEL_WIDTH = 44  # cells of a value before its count


class FacetPanel(ModalScreen[tuple[str, int | str] | None]):
    """The top values of each facet with their counts; `active`: the (facet, value) pairs
    whose filter the query has (marked ✓). Enter or a click chooses one; escape closes."""

    BINDINGS = [Binding("escape,f,q", "close", "Close", id="facets.close")]

    def __init__(self, facets: FacetCounts, where: str, active: set[tuple[str, int | str]]
                 ) -> None:
        super().__init__()
        self.facets = facets
        self.where = where
        self.active = active
        self.choices: dict[str, tuple[str, int | str]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="facets-dialog", classes="dialog"):
            heading = Text("Facets of ")
            heading.append(one_line(self.where), "bold")
            heading.append(f" · {counted(self.facets.total, 'paper')}", "dim")
            yield Static(heading)
            yield OptionList(*self._options(), id="facets-list")
            yield Static(Text("enter adds its filter (✓: removes it) · escape closes",
                              style="dim"), id="facets-hint")

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        for facet, values in self.facets.counts.items():
            if options:
                options.append(None)
            options.append(Option(Text(FACET_LABELS.get(facet, facet), "bold"),
                                  id=f"heading-{facet}", disabled=True))
            if not values:
                options.append(Option(Text("  none", "dim"), id=f"none-{facet}", disabled=True))
            for value, count in values:
                key = f"{facet}-{len(self.choices)}"
                self.choices[key] = (facet, value)
                chosen = (facet, value) in self.active
                label = one_line(str(value))
                if len(label) > LABEL_WIDTH:
                    label = label[:LABEL_WIDTH - 1] + "…"
                text = Text("✓ " if chosen else "  ", "bold")
                text.append(label.ljust(LABEL_WIDTH), "bold" if chosen else "")
                text.append(f"{count:>8,}", "dim")
                options.append(Option(text, id=key))
        return options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        first = next(iter(self.choices), None)
        if first is not None:
            options.highlighted = options.get_option_index(first)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = self.choices.get(event.option.id or "")
        if choice is not None:
            self.dismiss(choice)

    def action_close(self) -> None:
        self.dismiss(None)
