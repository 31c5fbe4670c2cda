"""The reader's "For you" views: unread papers like the bookmarked ones ("For you"), or like
the papers of one tag ("For you: TAG", one under "For you" in the sidebar for each tag), each
row with why (the key terms it shares with them, or the liked paper it resembles most)."""

from __future__ import annotations

from ..models import Highlight, counted
from .gate import ReaderLibrary
from .views import FOR_YOU_TAG, VIEW_TEXTS
from .widgets.paper_list import Row

FOR_YOU = "foryou"  # the view's id (models.VIEWS)


def for_you_tag(view: str) -> str | None:
    """The tag of a "For you: TAG" view (None for any other view)."""
    return view[len(FOR_YOU_TAG):] if view.startswith(FOR_YOU_TAG) else None


def is_for_you(view: str) -> bool:
    """Whether a view is "For you" or "For you: TAG" (ranked: no sort order applies)."""
    return view == FOR_YOU or view.startswith(FOR_YOU_TAG)


def for_you_order(view: str) -> str:
    """The order of a For you view, as the status line says it."""
    tag = for_you_tag(view)
    return "most like your bookmarks first" if tag is None else f"most like #{tag} first"


def for_you_rows(library: ReaderLibrary, view: str, offset: int,
                 limit: int) -> tuple[int, list[Row], str]:
    """A page of a For you view as rows of the list (with why), how many there are, and what
    the list says when there are none."""
    tag = for_you_tag(view)
    found = library.recommend(tag, offset=offset, limit=limit)
    rows = [Row(r.paper, Highlight(text=r.paper.title), why=r.why()) for r in found.results]
    return found.total, rows, _empty(tag, found.liked)


def _empty(tag: str | None, liked: int) -> str:
    if tag is None:
        return VIEW_TEXTS[FOR_YOU].empty
    if not liked:
        return (f"No paper is tagged #{tag}: tag papers you like #{tag} (t), and unread\n"
                "papers like them are listed here, each with why.")
    return (f"Nothing unread is like the {counted(liked, 'paper')} tagged #{tag} yet:"
            f" tag more papers #{tag} (t)\nto find more like them.")
