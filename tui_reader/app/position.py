"""Where the reader was: the view open and, in each view, its search, sort order and paper.

Kept outside the widgets (as frogmouth keeps its history): the main screen records a view's
place when it leaves it and finds it again when it comes back; the places are kept through
the Library's settings, so a restart opens where the reader was left.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..models import SORTS
from .gate import ReaderLibrary

SETTING = "reader.position"


@dataclass
class Place:
    """A view as it was left: its query (a saved search keeps its own), sort order, and the
    paper highlighted (its id, and its row, for a paper not loaded yet)."""

    query: str = ""
    sort: str = "relevance"
    paper: str | None = None
    row: int = 0


@dataclass
class Positions:
    """The view open and the place of each view."""

    view: str = "all"
    places: dict[str, Place] = field(default_factory=dict)

    @classmethod
    def load(cls, library: ReaderLibrary) -> Positions:
        """The positions kept in the library (none kept or unreadable: the top of All papers)."""
        try:
            data = json.loads(library.setting(SETTING) or "{}")
            places = {str(view): Place(query=str(p.get("query", "")),
                                       sort=p["sort"] if p.get("sort") in SORTS
                                       else "relevance",
                                       paper=p.get("paper") if isinstance(p.get("paper"), str)
                                       else None,
                                       row=max(0, int(p.get("row", 0))))
                      for view, p in dict(data.get("places", {})).items()}
            return cls(str(data.get("view", "all")), places)
        except (ValueError, TypeError, AttributeError):
            return cls()

    def save(self, library: ReaderLibrary, views: list[str]) -> None:
        """Keep the positions in the library, for the views there are (`views`)."""
        places = {view: asdict(place) for view, place in self.places.items() if view in views}
        library.set_setting(SETTING, json.dumps({"view": self.view, "places": places}))
