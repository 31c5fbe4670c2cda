"""Tagging from the main screen: `t` changes the tags of the marked papers (marking.py), else
of the highlighted paper, `T` those of every paper of the list shown (a prompt with completion
of the existing tags, screens/tags.py); `z` undoes either. (A tag's papers are a view:
views.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual import work
from textual.message import Message

from ..models import PaperView, counted
from .gate import guarded
from .marking import Marks
from .screens.tags import TagEdit, TagPrompt
from .text import one_line
from .undo import UndoStack
from .widgets.paper_list import Listing


def tag_words(edit: TagEdit) -> str:
    """"+x -y" of a change of tags."""
    return " ".join([*("+" + t for t in edit.add), *("-" + t for t in edit.remove)])


def reverts(before: dict[str, list[str]], changed: list[PaperView]) -> list[tuple[list[str],
                                                                                  TagEdit]]:
    """The tag changes that put these papers' tags back as they were `before`: (paper ids,
    the change) for each group of papers that needs the same change."""
    groups: dict[tuple, list[str]] = {}
    for paper in changed:
        had, has = set(before.get(paper.id, [])), set(paper.tags)
        key = (tuple(sorted(had - has)), tuple(sorted(has - had)))
        groups.setdefault(key, []).append(paper.id)
    return [(ids, TagEdit(list(add), list(remove))) for (add, remove), ids in groups.items()]


class Tagging:
    """The MainScreen's part of tagging (a mixin: MainScreen provides `library`, `papers`,
    `need_paper`, `changed`, `after_change`, `ask`, `say`, `marks` and `clear_marks`)."""

    undo_stack: UndoStack
    marks: Marks

    @dataclass
    class Tagged(Message):
        """Papers of a list were tagged: `changed` of them; `undo`: the changes that put
        their tags back."""

        edit: TagEdit
        changed: int
        undo: list[tuple[list[str], TagEdit]]

    def action_tag(self) -> None:
        """t: change the tags of the marked papers (marking.py), else of the highlighted
        one."""
        if self.marks:
            ids = self.marks.ids()
            own = sorted({t for tags in self.library.tags_of(ids).values() for t in tags})
            target = Text(f"the {counted(len(ids), 'marked paper')}", "bold")
            self.app.push_screen(TagPrompt(target, self.library.tags(), own),
                                 partial(self._start_tag_marked, ids))
            return
        paper = self.need_paper()
        if paper is None:
            return
        target = Text("“" + one_line(paper.title) + "”", "bold")
        self.app.push_screen(TagPrompt(target, self.library.tags(), list(paper.tags)),
                             partial(self._tag_paper, paper))

    @guarded("Tagging")
    def _tag_paper(self, paper: PaperView, edit: TagEdit | None) -> None:
        if edit is None:
            return
        before = self.library.tags_of([paper.id])
        changed = self.library.tag([paper.id], edit.add, edit.remove)
        if not changed:
            self.say(f"Nothing changed: {one_line(paper.title)} has these tags already.")
            return
        self._record(edit, f"the tags {tag_words(edit)} of “{one_line(paper.title)}”",
                     reverts(before, changed))
        self.changed(changed[0])
        self.notify(f"Tags of {one_line(paper.title)}: "
                    + (" ".join("#" + t for t in changed[0].tags) or "none") + " (z undoes)",
                    markup=False, timeout=3)

    def action_tag_list(self) -> None:
        """T: change the tags of every paper of the list shown."""
        listing, total = self.papers.listing, self.papers.total
        if listing is None or not total:
            self.notify("No papers here to tag.", severity="warning", timeout=2)
            return
        target = Text(f"every paper of this list ({counted(total, 'paper')})", "bold")
        self.app.push_screen(TagPrompt(target, self.library.tags(), []),
                             partial(self._start_tag_list, listing, total))

    def _start_tag_list(self, listing: Listing, total: int, edit: TagEdit | None) -> None:
        if edit is not None:
            self.say(f"Tagging {counted(total, 'paper')}…")
            self._tag_list(listing, total, edit)

    def _start_tag_marked(self, ids: list[str], edit: TagEdit | None) -> None:
        if edit is not None:
            self.clear_marks()
            self.say(f"Tagging {counted(len(ids), 'paper')}…")
            self._tag_ids(ids, edit)

    @work(thread=True, exclusive=True, group="tag-list", exit_on_error=False,
          description="Tagging the list")
    def _tag_list(self, listing: Listing, total: int, edit: TagEdit) -> None:
        self._apply_tags([row.paper.id for row in self.ask(listing, 0, total).rows], edit)

    @work(thread=True, exclusive=True, group="tag-list", exit_on_error=False,
          description="Tagging the marked papers")
    def _tag_ids(self, ids: list[str], edit: TagEdit) -> None:
        self._apply_tags(ids, edit)

    def _apply_tags(self, ids: list[str], edit: TagEdit) -> None:
        """Change the tags of these papers (in a worker) and say so."""
        before = self.library.tags_of(ids)
        changed = self.library.tag(ids, edit.add, edit.remove)
        self.post_message(self.Tagged(edit, len(changed), reverts(before, changed)))

    def on_tagging_tagged(self, message: Tagged) -> None:
        if message.changed:
            self._record(message.edit, f"the tags {tag_words(message.edit)} of"
                         f" {counted(message.changed, 'paper')}", message.undo)
        self.say(f"Tags {tag_words(message.edit)}: {counted(message.changed, 'paper')}"
                 " changed" + (" (z undoes)." if message.changed else "."))
        self.after_change()

    def _record(self, edit: TagEdit, what: str, undo: list[tuple[list[str], TagEdit]]) -> None:
        def revert() -> None:
            for ids, change in undo:
                self.library.tag(ids, change.add, change.remove)

        self.undo_stack.record(what, revert)
