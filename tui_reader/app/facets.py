"""Facets from the main screen: `f` counts the papers of the list shown by year,
organisation, category and tag (screens/facets.py shows them); choosing a value adds its filter
to the query (`year:2025 org:"AI at Meta"`), choosing it again removes it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual import work
from textual.message import Message

from ..models import VIEWS, FacetCounts, facet_filter
from .discover import for_you_tag
from .views import view_label
from .widgets.paper_list import Listing


def _filter_pattern(part: str) -> re.Pattern:
    return re.compile(r"(?:^|\s)" + re.escape(part) + r"(?=\s|$)")


def has_filter(query: str, part: str) -> bool:
    """Whether a query holds this filter (a whole part of it)."""
    return _filter_pattern(part).search(query) is not None


def toggled(query: str, part: str) -> str:
    """The query with this filter added at its end, or removed where it holds it."""
    if has_filter(query, part):
        return " ".join(_filter_pattern(part).sub(" ", query).split())
    return f"{query.rstrip()} {part}".strip()


class Faceting:
    """The MainScreen's part of facets (a mixin: MainScreen provides `library`, `papers`,
    `view`, `query_text` and `show_query`)."""

    @dataclass
    class FacetsCounted(Message):
        """The facets of `listing` (the list shown when `f` was pressed)."""

        listing: Listing
        facets: FacetCounts

    def action_facets(self) -> None:
        """f: the facet panel of the list shown."""
        listing = self.papers.listing
        if listing is None:
            return
        self._count_facets(listing)

    @work(thread=True, exclusive=True, group="facets", exit_on_error=False,
          description="Counting the facets")
    def _count_facets(self, listing: Listing) -> None:
        tag = for_you_tag(listing.view)  # For you of a tag: the papers it ranks
        view = "foryou" if tag else listing.view if listing.view in VIEWS else "all"
        facets = self.library.facets(listing.query, view=view, tag=tag, typing=listing.typing,
                                     repair=not listing.exact)
        self.post_message(self.FacetsCounted(listing, facets))

    def on_faceting_facets_counted(self, message: FacetsCounted) -> None:
        from .screens.facets import FacetPanel

        facets, query = message.facets, message.listing.query
        if facets.error:
            self.notify(f"No facets: {facets.error}", severity="warning", markup=False,
                        timeout=4)
            return
        active = {(name, value) for name, values in facets.counts.items()
                  for value, _ in values if has_filter(query, facet_filter(name, value))}
        where = query.strip() or view_label(message.listing.view)
        self.app.push_screen(FacetPanel(facets, where, active),
                             lambda choice: choice and self._toggle_facet(query, *choice))

    def _toggle_facet(self, query: str, facet: str, value: int | str) -> None:
        self.show_query(toggled(query, facet_filter(facet, value)))
        self.papers.focus()
