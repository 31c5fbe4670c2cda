"""The sidebar of views: All papers, Bookmarks, With notes, Unread, New, For you (and under it
"For you: TAG" for each tag), the saved searches, and the tags with their counts."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...models import VIEWS, SavedSearch
from ..text import one_line
from ..views import FOR_YOU_TAG, SAVED, TAG, view_ids, view_label


class ViewList(OptionList):
    """The views, saved searches and tags with their counts; enter or a click opens one;
    `j`/`k` move as the arrows do (as in the list). "For you: TAG" shows as "like #TAG" under
    "For you", without a count (each would rank the library anew)."""

    BINDINGS = [Binding("j", "cursor_down", "Down", show=False),
                Binding("k", "cursor_up", "Up", show=False)]

    DEFAULT_CSS = """
    ViewList { width: 30; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.counts: dict[str, int | None] = {}
        self.searches: list[SavedSearch] = []
        self.tags: list[str] = []
        self.current = "all"

    def on_mount(self) -> None:
        self.rebuild()

    def view_ids(self) -> list[str]:
        """Every view in the sidebar's order (views.view_ids)."""
        return view_ids([s.name for s in self.searches], self.tags)

    def _prompt(self, view: str) -> Text:
        label = one_line(view_label(view))
        if view.startswith(FOR_YOU_TAG):
            label = "  like #" + one_line(view[len(FOR_YOU_TAG):])
        count = self.counts.get(view)
        count_text = "" if count is None else f"{count:,}"
        marker = "▸ " if view == self.current else "  "
        width = max(self.scrollable_content_region.width, 20) - 2
        text = Text(marker, style="bold" if view == self.current else "")
        room = max(4, width - len(marker) - len(count_text) - 1)
        shown = label if len(label) <= room else label[:room - 1] + "…"
        text.append(shown, "bold" if view == self.current else "")
        text.append(" " * max(1, width - len(marker) - len(shown) - len(count_text)))
        text.append(count_text, "dim")
        return text

    def rebuild(self) -> None:
        """Rebuild the options (after saved searches changed), keeping the highlight."""
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.clear_options()
        options: list[Option | None] = [Option(self._prompt(v), id=v) for v in VIEWS]
        options += [Option(self._prompt(FOR_YOU_TAG + t), id=FOR_YOU_TAG + t) for t in self.tags]
        options.append(None)
        options.append(Option(Text("Saved searches", style="dim italic"), id="heading",
                              disabled=True))
        if not self.searches:
            options.append(Option(Text("  none yet: s saves a search", style="dim"),
                                  id="none", disabled=True))
        options += [Option(self._prompt(SAVED + s.name), id=SAVED + s.name)
                    for s in self.searches]
        options += [None, Option(Text("Tags", style="dim italic"), id="tags-heading",
                                 disabled=True)]
        if not self.tags:
            options.append(Option(Text("  none yet: t tags a paper", style="dim"),
                                  id="no-tags", disabled=True))
        options += [Option(self._prompt(TAG + name), id=TAG + name) for name in self.tags]
        self.add_options(options)
        target = highlighted if highlighted in self.view_ids() else self.current
        try:
            self.highlighted = self.get_option_index(target)
        except Exception:
            self.highlighted = 0

    def set_searches(self, searches: list[SavedSearch]) -> None:
        self.searches = list(searches)
        self.rebuild()

    def set_tags(self, tags: list[tuple[str, int]]) -> None:
        """The tags and their counts, the most used first (rebuilt only when they changed)."""
        counts = {TAG + name: count for name, count in tags}
        if [name for name, _ in tags] == self.tags and all(
                self.counts.get(k) == v for k, v in counts.items()):
            return
        self.tags = [name for name, _ in tags]
        self.counts = {k: v for k, v in self.counts.items() if not k.startswith(TAG)} | counts
        self.rebuild()

    def set_counts(self, counts: dict[str, int | None]) -> None:
        """Show these counts, and every entry again at the sidebar's width (which is 0 while
        it is folded away on a narrow terminal)."""
        self.counts.update(counts)
        for view in self.view_ids():
            try:
                self.replace_option_prompt(view, self._prompt(view))
            except Exception:
                pass

    def set_current(self, view: str) -> None:
        old, self.current = self.current, view
        for v in {old, view}:
            try:
                self.replace_option_prompt(v, self._prompt(v))
            except Exception:
                pass
        try:
            self.highlighted = self.get_option_index(view)
        except Exception:
            pass

    def on_resize(self) -> None:
        self.set_counts({})
