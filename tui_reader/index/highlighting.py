"""Highlights as data: the spans of a text's words that a query matched, and fragments."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..models import Highlight
from .schema import analyzers, fast_analyses


def _spans(text: str, terms: set[str], field: str) -> Iterator[tuple[int, int]]:
    """The spans of the tokens of `text` whose analysed form is in `terms`, lazily."""
    if not terms or not text:
        return iter(())
    fast = fast_analyses().get(field)
    if fast is not None:
        return fast.spans(text, terms)
    return ((t.startchar, t.endchar)
            for t in analyzers()[field](text, chars=True, removestops=False, mode="index")
            if t.text in terms)


def highlight(text: str, terms: set[str], field: str = "abstract") -> Highlight:
    """`text` with the spans of the tokens whose analysed form is in `terms`."""
    return Highlight(text=text, spans=list(_spans(text, terms, field)))


def fragment(text: str, terms: set[str] = frozenset(), field: str = "abstract",
             width: int = 240) -> Highlight:
    """The part of `text` around its first match of `terms`, at most `width` characters,
    highlighted (the text is analysed only up to the end of that part)."""
    if len(text) <= width:
        return highlight(text, terms, field)
    spans = _spans(text, terms, field)
    first = next(spans, None)
    start = max(0, first[0] - width // 4) if first else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = []
    for a, b in itertools.chain([first] if first else [], spans):
        if a >= end:
            break
        if a >= start and b <= end:
            inside.append((a + shift, b + shift))
    return Highlight(text=prefix + text[start:end] + suffix, spans=inside)
