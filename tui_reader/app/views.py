"""The views and sort orders as the reader names them (their ids: models.VIEWS, models.SORTS)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import SORTS, VIEWS, facet_filter, one_for_each

SAVED = "saved:"  # the view of a saved search is SAVED + its name
TAG = "tag:"  # the view of a tag is TAG + its name (its papers: the search `tag:NAME`)
FOR_YOU_TAG = "foryou:"  # "For you: NAME", papers like those of one tag: FOR_YOU_TAG + its name


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


def view_ids(searches: list[str], tags: list[str]) -> list[str]:
    """Every view in the sidebar's order: the built-in ones ("For you: TAG" after "For you"),
    the saved searches (their names), the tags."""
    return [*VIEWS, *(FOR_YOU_TAG + t for t in tags), *(SAVED + s for s in searches),
            *(TAG + t for t in tags)]


def fixed_query(view: str) -> str | None:
    """The query a tag's view always shows (`tag:NAME`); None for other views (a saved
    search's is the library's)."""
    return facet_filter("tag", view[len(TAG):]) if view.startswith(TAG) else None


def view_label(view: str) -> str:
    """The name of a view as the user reads it."""
    if view.startswith(SAVED):
        return view[len(SAVED):]
    if view.startswith(TAG):
        return "#" + view[len(TAG):]
    if view.startswith(FOR_YOU_TAG):
        return "For you: " + view[len(FOR_YOU_TAG):]
    text = VIEW_TEXTS.get(view)
    return text.label if text is not None else view
