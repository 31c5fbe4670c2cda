"""The reader of arXiv JSONL: one JSON object a line, streamed (a snapshot has millions of lines).

Fields: `id`, `title`, `abstract` (hard-wrapped: unwrapped here), `authors` (a list, or one
string "A, B and C" as in the Kaggle snapshot, whose `authors_parsed` is preferred),
`categories` (a list, a space-separated string, or a string that looks like a list), optional
`versions`, `update_date`, `abs`/`url` (and, from CSV tables, `published`, `upvotes`,
`organization`). A line holding a Hugging Face daily-paper object (`{"paper": {...}}`) is read
as the API JSON is.

`published` is the date of the first version (`versions[0].created`), else `update_date`, else
the month of a new-style arXiv id (yymm: "2405.21060" -> 2024-05-01, and likewise for old-style
ids such as "hep-th/9901001" -> 1999-01-01); these years are all printed, so `year_inferred` is
False. Ids lose their version suffix; `url` is the arXiv abstract page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from ..models import Paper, counted
from .authors import author_names, literal, parsed_authors
from .clean import clean_abstract, clean_text
from .dates import make_date, parse_email_date, parse_iso_date, parse_us_date
from .hf_json import entry_to_paper
from .ids import arxiv_id, arxiv_id_in_url, arxiv_url

MAX_WARNINGS = 50
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
_CATEGORY_SEPARATOR = re.compile(r"[\s,;]+")
_ID_MONTH = re.compile(r"(?:.*/)?(\d\d)(\d\d)[.\d]")
# A link kept only when it is a plain web address: `o` in the reader hands it to a browser.
_WEB_URL = re.compile(r"https?://[^\s\x00-\x20\x7f-\x9f\u202a-\u202e\u2066-\u2069]+",
                      re.IGNORECASE)


def parse_jsonl(lines: Iterable[bytes | str], *, warnings: list[str]) -> Iterator[Paper]:
    """The papers of JSONL lines, one by one. A bad line is a warning ("line 17: not valid
    JSON"); at most MAX_WARNINGS are kept, then one line counts the rest."""
    problems = 0

    def problem(message: str) -> None:
        nonlocal problems
        problems += 1
        if problems <= MAX_WARNINGS:
            warnings.append(message)

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                problem(f"line {number}: not UTF-8; read as cp1252")
                line = line.decode("cp1252", errors="replace")
        try:
            record = json.loads(line, strict=False)  # raw control characters: cleaned later
        except (ValueError, RecursionError) as e:
            problem(f"line {number}: not valid JSON ({_reason(e)})")
            continue
        if not isinstance(record, dict):
            problem(f"line {number}: a JSON {type(record).__name__}, not an object")
            continue
        try:
            paper = (
                entry_to_paper(record)
                if isinstance(record.get("paper"), dict)
                else record_to_paper(record)
            )
        except (TypeError, ValueError) as e:
            problem(f"line {number}: unusable record ({e})")
            continue
        if paper is None:
            problem(f"line {number}: no title")
            continue
        yield paper
    if problems > MAX_WARNINGS:
        warnings.append(f"{counted(problems - MAX_WARNINGS, 'more line')} with problems not listed")


def _reason(e: Exception) -> str:
    """A short reason for a JSON error."""
    if isinstance(e, RecursionError):
        return "nested too deeply"
    return getattr(e, "msg", None) or str(e)


def record_to_paper(record: dict[str, Any]) -> Paper | None:
    """The paper of one arXiv record, or None when it has no title."""
    title = clean_text(_text(record.get("title")))
    if not title:
        return None
    link = _text(record.get("abs")) or _text(record.get("url"))
    paper_id = arxiv_id(_text(record.get("id"))) or (arxiv_id_in_url(link) if link else None)
    return Paper.from_title(
        title,
        abstract=clean_abstract(_text(record.get("abstract")) or _text(record.get("summary"))),
        authors=(
            authors := parsed_authors(record.get("authors_parsed"))
            or author_names(record.get("authors"))
        ),
        authors_count=len(authors) or None,
        organization=clean_text(_text(record.get("organization"))) or None,
        published=_published(record, paper_id),
        upvotes=_count(record.get("upvotes")),
        arxiv_id=paper_id,
        url=arxiv_url(paper_id) if paper_id else (link if _WEB_URL.fullmatch(link) else None),
        categories=_categories(record.get("categories")),
    )


def _text(value: Any) -> str:
    """`value` if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def _count(value: Any) -> int | None:
    """A count given as a number or a string of digits, else None."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _categories(value: Any) -> list[str]:
    """Categories from a list, a space-separated string, or a string that looks like a list."""
    if isinstance(value, list):
        items: Iterable[Any] = value
    elif isinstance(value, str):
        text = value.strip()
        items = _QUOTED.findall(text) if text.startswith("[") else _CATEGORY_SEPARATOR.split(text)
    else:
        return []
    return [c for item in items if isinstance(item, str) and (c := clean_text(item))]


def _published(record: dict[str, Any], paper_id: str | None) -> date | None:
    """The first version's date, else `published`, else `update_date`, else the month of the id
    (see the module)."""
    versions = record.get("versions")
    if isinstance(versions, str) and versions.lstrip().startswith("["):  # a CSV cell: its repr
        versions = literal(versions)
    first = versions[0] if isinstance(versions, list) and versions else None
    if isinstance(first, dict) and (found := parse_email_date(first.get("created"))):
        return found
    for key in ("published", "update_date"):
        if found := parse_iso_date(record.get(key)) or parse_us_date(record.get(key)):
            return found
    m = _ID_MONTH.match(paper_id) if paper_id else None
    if not m:
        return None
    yy, mm = int(m[1]), int(m[2])
    return make_date(1900 + yy if yy >= 91 else 2000 + yy, mm, 1)
