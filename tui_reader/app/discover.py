"""The reader's "For you" view: unread papers like the bookmarked ones, each row with why
(the key terms it shares with them, or the bookmarked paper it resembles most)."""

from __future__ import annotations

from ..models import Highlight
from .gate import ReaderLibrary
from .widgets.paper_list import Row

FOR_YOU = "foryou"  # the view's id (models.VIEWS)
FOR_YOU_ORDER = "most like your bookmarks first"  # its order, in the status line


def for_you_rows(library: ReaderLibrary, offset: int, limit: int) -> tuple[int, list[Row]]:
    """A page of "For you" as rows of the list (with why), and how many there are."""
    found = library.recommend(offset=offset, limit=limit)
    return found.total, [Row(r.paper, Highlight(text=r.paper.title), why=r.why())
                         for r in found.results]
