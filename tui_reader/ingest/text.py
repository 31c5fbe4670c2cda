"""The reader of text dumps: a Hugging Face papers listing page copied as text.

Layouts seen: compact (title and abstract lines alternating, no blank lines), blocks (title,
blank, abstract, blank) and blocks with metadata (author count, organisation, separator, date
with upvotes, in any order, any of them missing). The reader does not depend on a layout: it
classifies each line (header, metadata, prose, short line) and pairs a short line with the
prose line after it (a title with its abstract). A short line that is not followed by prose is
the organisation of the paper before it when it sits among that paper's metadata, else a title
without an abstract. Site chrome (navigation, footer) is skipped, a line of several fields
("Meta AI · Published on Jun 2, 2026") read as its parts, and an arXiv id in a link or a bare
URL line is kept for the paper it follows (the Markdown reader hands its plain-line captures
here, with each line's link URLs).
"""

from __future__ import annotations

from datetime import date

from ..models import Paper
from .clean import clean_text
from .dates import Capture, PageDate, year_rule
from .ids import arxiv_id_in_url
from .listing import (
    Draft,
    Meta,
    build_papers,
    classify_meta,
    is_chrome,
    is_header,
    is_prose,
    is_title,
    looks_like_organization,
    split_fields,
    strip_glued_header,
)


def parse_text(text: str, *, year: int | None, mtime_year: int, warnings: list[str],
               capture: Capture | None = None) -> list[Paper]:
    """The papers of a copied listing page, in page order (warnings appended to `warnings`,
    the capture date, when the page gives it, set in `capture`)."""
    lines: list[tuple[str, list[str]]] = [(line, []) for line in text.split("\n")]
    return parse_lines(lines, year=year, mtime_year=mtime_year, warnings=warnings,
                       capture=capture)


def parse_lines(
    lines_with_urls: list[tuple[str, list[str]]],
    *,
    year: int | None,
    mtime_year: int,
    warnings: list[str],
    stated: date | None = None,
    capture: Capture | None = None,
) -> list[Paper]:
    """The papers of a listing page given as lines, each with the URLs of its links; `stated`
    is a capture date the page states (for the year of yearless dates); the capture date
    found is set in `capture`."""
    lines: list[str] = []
    ids: list[str | None] = []
    for raw, urls in lines_with_urls:
        line = strip_glued_header(clean_text(raw))
        paper = next((p for u in [*urls, line] if (p := arxiv_id_in_url(u))), None)
        for part in split_fields(line) if not is_chrome(line) else [""]:
            lines.append(part)
            ids.append(paper)
    first = _first_title(lines)
    if first is None:
        return []
    header_date = _read_header(lines, first)
    drafts = _read_papers(lines, ids, first, warnings)
    rule = year_rule(
        [d.date for d in drafts if d.date],
        override=year,
        mtime_year=mtime_year,
        stated=stated,
        header=header_date,
    )
    if capture is not None:
        capture.date = rule.captured()
    return build_papers(drafts, rule, warnings)


def _first_title(lines: list[str]) -> int | None:
    """The index of the first title: the last non-blank line before the first prose line,
    metadata lines (an author count, a URL) between them skipped."""
    previous = None
    for i, line in enumerate(lines):
        if not line or (previous is not None and classify_meta(line)):
            continue
        if is_prose(line) and previous is not None and is_title(lines[previous]):
            return previous
        previous = i
    return None


def _read_header(lines: list[str], first: int) -> PageDate | None:
    """Strip the page header glued to the first title; the page date of the header, if any."""
    lines[first] = strip_glued_header(lines[first])
    header_date = None
    for line in lines[:first]:
        meta = classify_meta(strip_glued_header(line))
        if meta and meta.kind == "date":
            header_date = meta.date
    return header_date


def _read_papers(
    lines: list[str], ids: list[str | None], first: int, warnings: list[str]
) -> list[Draft]:
    """The drafts of the lines from the first title on (`ids`: the arXiv id each line links to)."""
    metas = [classify_meta(line) if line else None for line in lines]
    drafts: list[Draft] = []
    current: Draft | None = None
    pending: str | None = None  # an id linked after a paper that has another: the next one's
    role = ""  # what the previous non-blank line was: header, meta, title, abstract, organization

    def follow(paper: str | None) -> None:
        """A link after the current paper's title: its id, or (another id) the next paper's."""
        nonlocal pending
        if paper and current is not None and paper != current.arxiv_id:
            if current.arxiv_id is None and paper != pending:
                current.arxiv_id = paper
            else:
                pending = paper

    for i in range(first, len(lines)):
        line, meta = lines[i], metas[i]
        if not line:
            continue
        nxt = _next_non_blank(lines, i)
        if is_header(line):
            role = "header"
            continue
        if meta:
            # A date right after a header is the page date of another capture, not the paper's.
            if (
                current is not None
                and meta.kind not in ("separator", "ignored")
                and role != "header"
            ):
                if current.conflicts(meta):
                    warnings.append(
                        f"line {i + 1}: {line!r} repeats a field of {current.title!r}; ignored"
                    )
                else:
                    current.add(meta)
            follow(ids[i])
            role = "meta"
        elif is_prose(line):
            if role == "abstract" and current is not None:
                current.abstract += f"\n\n{line}"
            elif current is not None and not current.abstract and role in ("title", "meta"):
                current.abstract = line
            else:
                warnings.append(f"line {i + 1}: text without a title; skipped")
                continue
            follow(ids[i])
            role = "abstract"
        elif nxt is not None and is_prose(lines[nxt]) and is_title(line):
            current, role = Draft(title=line, line=i + 1, arxiv_id=ids[i] or pending), "title"
            drafts.append(current)
            pending = None
        elif current is not None and _is_organization(lines, metas, current, i, role, nxt):
            current.organization, role = line, "organization"
            follow(ids[i])
        elif is_title(line):
            current, role = Draft(title=line, line=i + 1, arxiv_id=ids[i] or pending), "title"
            drafts.append(current)
            pending = None
        else:
            warnings.append(f"line {i + 1}: neither a title nor an abstract; skipped")
            follow(ids[i])
            role = "para"
    for d in drafts:
        if not d.abstract:
            warnings.append(
                f"line {d.line}: no abstract after the title {d.title!r}; imported without one"
            )
    return drafts


def _is_organization(
    lines: list[str], metas: list[Meta | None], current: Draft, i: int, role: str, nxt: int | None
) -> bool:
    """Whether the short line `i` (not followed by prose) is the organisation of `current`: it
    sits among the paper's metadata (before a metadata line, right after one, or right after
    the abstract with more of the page to come) and the metadata after it is not another paper's."""
    if (
        current.organization is not None
        or not current.abstract
        or not looks_like_organization(lines[i])
    ):
        return False
    if any(current.conflicts(meta) for meta in _metadata_run(lines, metas, nxt)):
        return False
    before_meta = nxt is not None and metas[nxt] is not None
    right_after_meta = role == "meta" and bool(lines[i - 1])
    after_abstract = role == "abstract" and nxt is not None
    return before_meta or right_after_meta or after_abstract


def _metadata_run(lines: list[str], metas: list[Meta | None], start: int | None) -> list[Meta]:
    """The metadata lines from `start` on (blank lines skipped), up to the next other line."""
    run: list[Meta] = []
    for j in range(start if start is not None else len(lines), len(lines)):
        if not lines[j]:
            continue
        meta = metas[j]
        if meta is None:
            break
        run.append(meta)
    return run


def _next_non_blank(lines: list[str], i: int) -> int | None:
    """The index of the first non-blank line after `i`, or None at the end."""
    for j in range(i + 1, len(lines)):
        if lines[j]:
            return j
    return None
