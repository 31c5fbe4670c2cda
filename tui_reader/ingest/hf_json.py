"""The reader of Hugging Face API JSON: daily-paper objects (`{"paper": {...}, "title", ...}`),
paper objects (`{"id", "title", "summary", ...}`), or an object wrapping a list of either. Some
tools save each entry as the Python repr of the object (`"{'paper': {'id': ...}}"`): such a
string is read with `ast.literal_eval` (literals only, never code).

The schema grows over the years: every field is read where it is, missing or unknown keys are
fine, and a malformed entry is a warning while the others are imported.
"""

from __future__ import annotations

from typing import Any

from ..models import Paper
from .authors import author_names, literal
from .clean import clean_abstract, clean_text
from .dates import parse_iso_date
from .ids import arxiv_id, hf_url

_LIST_KEYS = ("papers", "dailyPapers", "data", "items", "results")


def paper_list(data: Any) -> list[Any] | None:
    """The list of entries in a Hugging Face API response, or None when there is none."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    if "paper" in data or ("title" in data and ("summary" in data or "id" in data)):
        return [data]  # a single entry
    keys = [k for k in _LIST_KEYS if k in data] + [k for k in data if k not in _LIST_KEYS]
    for key in keys:
        value = data[key]
        if isinstance(value, list) and any(isinstance(e, dict) or _is_repr(e) for e in value):
            return value
    return None


def describe(data: Any) -> str:
    """Why parsed JSON holds no papers, in a few words ("an object with keys status, date")."""
    if isinstance(data, dict):
        keys = ", ".join(list(map(str, data))[:6]) or "none"
        return f"JSON without a list of papers (an object with keys {keys})"
    if isinstance(data, list):
        kinds = sorted({type(e).__name__ for e in data}) or ["nothing"]
        return f"JSON list of {'/'.join(kinds)}, not paper objects"
    return f"JSON {type(data).__name__}, not a list of papers"


def _is_repr(entry: Any) -> bool:
    """Whether `entry` is a string that looks like the Python repr of an object."""
    return isinstance(entry, str) and entry.lstrip()[:2] in ("{'", '{"')


def _from_repr(entry: Any) -> Any:
    """The object of a repr-string entry (ValueError when it is not a literal); else `entry`."""
    if not _is_repr(entry):
        return entry
    value = literal(entry)
    if value is None:
        raise ValueError("a string that is not a Python literal")
    return value


def parse_hf_json(data: Any, *, warnings: list[str]) -> list[Paper]:
    """The papers of a parsed Hugging Face API response (warnings appended to `warnings`)."""
    entries = paper_list(data)
    if entries is None:
        return []
    papers = []
    for n, entry in enumerate(entries, 1):
        try:
            paper = entry_to_paper(_from_repr(entry))
        except (TypeError, ValueError, AttributeError) as e:
            warnings.append(f"entry {n}: malformed ({e}); skipped")
            continue
        if paper is None:
            warnings.append(f"entry {n}: no title; skipped")
        else:
            papers.append(paper)
    return papers


def entry_to_paper(entry: Any) -> Paper | None:
    """The paper of one entry (a daily-paper or a paper object), None when it has no title;
    TypeError when it is not an object."""
    if not isinstance(entry, dict):
        raise TypeError(f"a {type(entry).__name__}, not an object")
    inner = entry.get("paper")
    paper: dict[str, Any] = inner if isinstance(inner, dict) else entry

    def get(key: str) -> Any:
        value = paper.get(key)
        return value if value not in (None, "") else entry.get(key)

    title = clean_text(_text(get("title")))
    if not title:
        return None
    paper_id = arxiv_id(_text(paper.get("id")))
    listed = paper.get("authors")  # the API gives a list; anything else is not read
    authors = author_names(listed) if isinstance(listed, list) else []
    upvotes = get("upvotes")
    return Paper.from_title(
        title,
        abstract=clean_abstract(_text(get("summary"))),
        authors=authors,
        authors_count=len(authors) or None,
        organization=_organization(paper.get("organization"))
        or _organization(entry.get("organization")),
        published=parse_iso_date(get("publishedAt")),
        upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
        arxiv_id=paper_id,
        url=hf_url(paper_id) if paper_id else None,
    )


def _text(value: Any) -> str:
    """`value` if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def _organization(org: Any) -> str | None:
    """The name of an organisation entry (`{"fullname", "name"}` or a plain string)."""
    if isinstance(org, dict):
        org = org.get("fullname") or org.get("name")
    return clean_text(org) or None if isinstance(org, str) else None
