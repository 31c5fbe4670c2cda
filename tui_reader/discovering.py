"""Finding papers the user has not met: "For you", papers like the bookmarked ones (or the
papers of one tag), ranked by the index (index/recommend.py), each with why."""

from __future__ import annotations

from .models import Recommendation, Recommendations, tag_name

RECOMMEND_MAX = 100  # papers "For you" lists at most


class Discovering:
    """The Library's recommendations (a part of Library: uses its store, index, `_fresh`
    and `_views`)."""

    # the last ranking: (key, the papers it left out as seen, (profile, matches))
    _recommended: tuple[tuple, frozenset[str], tuple] | None = None

    def liked_ids(self, tag: str | None = None) -> list[str]:
        """The papers "For you" starts from: the bookmarked ones, or those with `tag` (a tag
        name as `tag` keeps it: `To Read` is `to-read`)."""
        if tag is None:
            return [b.paper_id for b in self.store.bookmarks()]
        return self.store.tagged(tag_name(tag))

    def recommend(self, tag: str | None = None, *, offset: int = 0, limit: int = 20,
                  ranker: str | None = None) -> Recommendations:
        """A page of the unread, unbookmarked papers most like the bookmarked ones (or the
        papers tagged `tag`), best first, each with the key terms it shares and the liked
        paper it resembles most (`ranker`: one of index/recommend.py's, else its RANKER)."""
        from .index.recommend import reason  # (Whoosh: not needed at start)

        ranking = self._ranking(tag, ranker)
        if ranking is None:
            return Recommendations(tag=tag)
        stored, profile, matches = ranking
        page = matches[offset:offset + limit]
        papers = self.store.papers([m.id for m in page])
        views = {v.id: v for v in self._views([papers[m.id] for m in page if m.id in papers])}
        results = []
        for m in page:
            if m.id not in views:
                continue
            paper = views[m.id]
            why = reason(profile, f"{paper.readable_title}\n{paper.readable_abstract}")
            results.append(Recommendation(
                paper=paper, score=m.score, terms=why.terms, like_id=why.like,
                like_title=stored[why.like].title if why.like in stored else None))
        return Recommendations(tag=tag, liked=len(stored), total=len(matches), results=results)

    def recommended_ids(self, tag: str | None = None) -> list[str]:
        """The ids of every paper `recommend` ranks, best first (no page, no reasons)."""
        ranking = self._ranking(tag)
        return [m.id for m in ranking[2]] if ranking is not None else []

    def _ranking(self, tag: str | None, ranker: str | None = None):
        """(the liked papers by id, the ranker's profile of them, the ranked matches not yet
        seen), or None: nothing liked. The ranking is kept while the liked papers and the
        index stay and no paper it left out is unread again: reading a paper drops it from
        the list, it does not rank the collection again."""
        from .index.recommend import RANKER, Liked  # (Whoosh: not needed at start)

        ranker = ranker or RANKER
        liked_ids = self.liked_ids(tag)
        stored = self.store.papers(liked_ids)
        liked = [Liked(p.id, p.title, f"{p.readable_title}\n{p.readable_abstract}",
                       tuple(p.categories)) for p in stored.values()]
        if not liked:
            return None
        seen = frozenset(self.store.seen_ids() | set(liked_ids))
        key = (tag, ranker, tuple(sorted(stored)), self.index.ix.latest_generation())
        kept = self._recommended
        if kept is None or kept[0] != key or not seen >= kept[1]:
            kept = self._recommended = (key, seen, self._fresh(
                lambda: self.index.recommend(liked, set(seen), RECOMMEND_MAX, ranker=ranker)))
        profile, ranked = kept[2]
        return stored, profile, [m for m in ranked if m.id not in seen]
