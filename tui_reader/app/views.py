"""The views and sort orders as the reader names them (their ids: models.VIEWS, models.SORTS)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import SORTS, VIEWS, one_for_each

SAVED = "saved:"  # the view of a saved search is SAVED + its name
TAG = "tag:"  # a tag in the sidebar is TAG + its name (choosing it searches `tag:NAME`)


@dataclass(frozen=True)
class ViewText:
    """What the reader says of a built-in view."""

    label: str  # in the sidebar and the status line
    command: str  # in the command palette
    empty: str  # in the list when the view has no papers


VIEW_TEXTS = one_for_each(VIEWS, {
    "all": ViewText("All papers", "Show all papers",
                    "No papers yet. Import dumps with: tui-reader import PATH...\n"
                    "(files or folders of Hugging Face Daily Papers pages or arXiv JSONL)"),
    "bookmarks": ViewText("Bookmarks", "Show bookmarks",
                          "No bookmarks yet — press b on a paper to bookmark it."),
    "notes": ViewText("With notes", "Show papers with notes",
                      "No notes yet — press n on a paper to write one."),
    "unread": ViewText("Unread", "Show unread papers",
                       "Nothing unread: every paper has been read.\n"
                       "Press r on a paper to mark it unread again."),
    "new": ViewText("New", "Show new papers (the latest import)",
                    "No new papers: no import has added any yet.\n"
                    "Import more with: tui-reader import PATH..."),
    "foryou": ViewText("For you", "Show papers for you (like the bookmarked ones)",
                       "Nothing for you yet — bookmark papers you like (b): unread papers\n"
                       "like them are listed here, each with why."),
})
SORT_LABELS = one_for_each(SORTS, {
    "relevance": "by relevance",
    "date": "newest first",
    "upvotes": "most upvoted first",
    "title": "by title",
    "rising": "rising fastest first",
})


def view_label(view: str) -> str:
    """The name of a view as the user reads it."""
    if view.startswith(SAVED):
        return view[len(SAVED):]
    if view.startswith(TAG):
        return "#" + view[len(TAG):]
    text = VIEW_TEXTS.get(view)
    return text.label if text is not None else view
