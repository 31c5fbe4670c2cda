"""The reader of CSV (and TSV) tables of papers: a header row naming a title and an abstract (or
summary) column, e.g. a CSV export of the Kaggle arXiv metadata snapshot (`id, submitter,
authors, title, comments, ..., abstract, versions, update_date, authors_parsed`).

Rows are streamed (a snapshot has millions) with the standard `csv` module, so quoted fields
may hold commas and newlines. Columns are mapped to the arXiv record fields by name and each row
is read as a JSONL record is: `authors_parsed` is preferred to `authors`, ids that lost their
leading zero are restored, `versions` (its repr) gives the first version's date.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator

from ..models import Paper, counted
from .jsonl import MAX_WARNINGS, record_to_paper
from .limits import MAX_LINE

# Column names (casefolded, runs of non-letters as "_") -> the record field they fill.
_COLUMNS = {
    "title": "title",
    "paper_title": "title",
    "abstract": "abstract",
    "summary": "abstract",
    "paper_abstract": "abstract",
    "authors": "authors",
    "author": "authors",
    "authors_parsed": "authors_parsed",
    "id": "id",
    "arxiv_id": "id",
    "arxiv": "id",
    "paper_id": "id",
    "url": "url",
    "link": "url",
    "abs": "url",
    "categories": "categories",
    "category": "categories",
    "versions": "versions",
    "update_date": "update_date",
    "published": "published",
    "published_at": "published",
    "publishedat": "published",
    "date": "published",
    "upvotes": "upvotes",
    "organization": "organization",
    "organisation": "organization",
}
_DELIMITERS = (",", "\t", ";")
_NAME = re.compile(r"[^\W\d_]+(?:[\W_]+\w+)*[\W_]*", re.UNICODE)
_NOT_LETTERS = re.compile(r"[\W_]+")


def header_of(head: str) -> tuple[str, list[str]] | None:
    """The delimiter and column names of a table whose first line (in `head`) is a header row:
    a title and an abstract column named, or at least three columns named by short words and
    the next row as many fields; None when `head` does not start like a table."""
    for delimiter in _DELIMITERS:
        rows = _first_rows(head, delimiter)
        if not rows or len(rows[0]) < 2:
            continue
        names = [n.strip() for n in rows[0]]
        named = [n for n in names if n]  # a pandas index column has no name
        if len(named) < 2 or not all(len(n) <= 40 and _NAME.fullmatch(n) for n in named):
            continue
        if {"title", "abstract"} <= set(_fields(names)):
            return delimiter, names
        words = sum(" " not in n for n in named)  # column names, unlike a title's parts
        same_width = len(rows) > 1 and len(rows[1]) == len(names)
        if len(names) >= 3 and 2 * words >= len(named) and same_width:
            return delimiter, names
    return None


def missing_columns(names: list[str]) -> str | None:
    """What a table with these column names lacks to be read as papers, or None."""
    if {"title", "abstract"} <= set(_fields(names)):
        return None
    return "looks like a CSV without title/abstract columns"


def parse_table(
    lines: Iterable[str], delimiter: str, *, warnings: list[str]
) -> Iterator[Paper]:
    """The papers of a table's lines (the header row first), row by row; a row without a title
    is a warning, at most MAX_WARNINGS of them, then one line counts the rest."""
    csv.field_size_limit(MAX_LINE)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        fields = _fields([n.strip() for n in next(reader, [])])
    except csv.Error as e:
        warnings.append(f"not a readable table: {e}")
        return
    problems = 0
    while True:
        try:
            row = next(reader, None)
        except csv.Error as e:
            warnings.append(f"row {reader.line_num}: {e}; the rest of the table is not read")
            return
        if row is None:
            break
        if not any(cell.strip() for cell in row):
            continue
        record = {f: cell for f, cell in zip(fields, row) if f and cell.strip()}
        paper = record_to_paper(record)
        if paper is not None:
            yield paper
            continue
        problems += 1
        if problems <= MAX_WARNINGS:
            warnings.append(f"row ending on line {reader.line_num}: no title")
    if problems > MAX_WARNINGS:
        warnings.append(f"{counted(problems - MAX_WARNINGS, 'more row')} without a title not listed")


def _fields(names: list[str]) -> list[str | None]:
    """The record field of each column name (None for columns not read)."""
    return [_COLUMNS.get(_NOT_LETTERS.sub("_", n.casefold()).strip("_")) for n in names]


def _first_rows(head: str, delimiter: str) -> list[list[str]]:
    """The first two rows of `head` as a table with `delimiter` ([] when it is not one)."""
    try:
        reader = csv.reader(head.lstrip("\ufeff").splitlines(keepends=True), delimiter=delimiter)
        return [row for _, row in zip(range(2), reader)]
    except csv.Error:
        return []
