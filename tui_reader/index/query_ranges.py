"""Numbers, dates and ranges in the query language: `year:2024`, `year:2023..2025`,
`upvotes:>10`, `date:2024-05`, `[a TO b]` (query_language.py parses the rest)."""

from __future__ import annotations

import re

from whoosh import query as wq

from .schema import NUMERIC_FIELDS, TEXT_FIELDS

_BAD_NUMBER = ("year, date and upvotes take a number or a range, e.g. year:2024,"
               " year:2023..2025, upvotes:>10, date:2024-05-01..2024-06-30")
_TERM_RANGE_FIELDS = (*TEXT_FIELDS, "id", "arxiv", "tag")


class QueryError(ValueError):
    """A query that cannot be used; the message is for the user."""


def numeric(field: str, value: str) -> wq.Query:
    """The query of `field:value` for a numeric field: a number, `>N`, `<=N`, `A..B`."""
    m = re.fullmatch(r"(<=|>=|<|>)?([\w-]+)", value)
    if m and m.group(1):
        op, number = m.group(1), _number(field, m.group(2), high=m.group(1).startswith("<"))
        if op in (">", ">="):
            return term_range(field, "{" if op == ">" else "[", str(number), "", "]")
        return term_range(field, "[", "", str(number), "}" if op == "<" else "]")
    if ".." in value:
        low, _, high = value.partition("..")
        return term_range(field, "[", low, high, "]")
    return term_range(field, "[", value, value, "]")


def _number(field: str, text: str, *, high: bool) -> int:
    """A number of a field; a date's year or month stands for its first or last day."""
    if field == "date":
        m = re.fullmatch(r"(\d{4})(?:-?(\d{2}))?(?:-?(\d{2}))?", text)
        if not m:
            raise QueryError(_BAD_NUMBER)
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if day:
            return year * 10000 + int(month) * 100 + int(day)
        if month:
            return year * 10000 + int(month) * 100 + (31 if high else 1)
        return year * 10000 + (1231 if high else 101)
    if not re.fullmatch(r"\d{1,9}", text):
        raise QueryError(_BAD_NUMBER)
    return int(text)


def term_range(field: str, opening: str, low: str, high: str, closing: str) -> wq.Query:
    """A range of a field: numbers (and dates) for a numeric field, else terms."""
    if field not in NUMERIC_FIELDS:
        if field in _TERM_RANGE_FIELDS:
            return wq.TermRange(field, low.lower() or None, high.lower() or None,
                                startexcl=opening == "{", endexcl=closing == "}")
        raise QueryError(_BAD_NUMBER)
    if not low and not high:
        raise QueryError(_BAD_NUMBER)
    start = _number(field, low, high=False) if low else None
    end = _number(field, high, high=True) if high else None
    return wq.NumericRange(field, start, end, startexcl=opening == "{",
                           endexcl=closing == "}", constantscore=True)
