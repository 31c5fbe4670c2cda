"""The plausibility guard: whether what a reader made of a file looks like papers at all.

A file read in the wrong way (a table read as text, a page of links) gives thousands of junk
records; none is better. Records are paper-shaped when the title is a title (not a URL, not a
table row, not a number, not a page of text) and, where the reader found the fields by their
place on a page (text, Markdown, HTML), the abstract has more than a few words: the fields of
JSON and CSV are named, and a paper without its abstract there is still a paper. A file whose
sampled records are mostly not paper-shaped imports nothing.
"""

from __future__ import annotations

import re

from ..models import Paper

SAMPLE = 200
MIN_ABSTRACT_WORDS = 8
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*$", re.IGNORECASE)
_TABLE_ROW = re.compile(r'[^,\t]*(?:[,\t][^,\t]*){4,}|.*"\s*[,;\t]\s*"')
_NUMBER = re.compile(r"[\d\s.,:/+-]+")


def implausible(papers: list[Paper], *, named_fields: bool) -> str | None:
    """Why these records (a sample of a file's) are not papers, in a few words, or None when most
    of them are paper-shaped; `named_fields`: the format names its fields (JSON, CSV), so a
    missing abstract does not count against a record."""
    if not papers:
        return None
    junk_titles = sum(_junk_title(p.title) for p in papers)
    no_abstract = 0 if named_fields else sum(_short(p.abstract) for p in papers)
    shaped = sum(
        not _junk_title(p.title) and (named_fields or not _short(p.abstract)) for p in papers
    )
    n = len(papers)
    if 2 * (n - shaped) <= n:  # not most of them junk
        return None
    if junk_titles >= no_abstract:
        return (
            f"no paper-shaped records ({junk_titles} of {n} titles are URLs, table rows or numbers)"
        )
    return f"no paper-shaped records ({no_abstract} of {n} without an abstract of a few words)"


def _short(abstract: str) -> bool:
    """Whether `abstract` is missing or a few words long."""
    return len(abstract.split()) < MIN_ABSTRACT_WORDS


def _junk_title(title: str) -> bool:
    """Whether `title` is not a title: a URL, a table row, a number, or longer than a paragraph."""
    return (
        len(title) > 400
        or bool(_URL.match(title))
        or bool(_NUMBER.fullmatch(title))
        or bool(_TABLE_ROW.fullmatch(title))
    )
