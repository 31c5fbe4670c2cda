"""The reader of Markdown dumps (and of saved HTML, converted to Markdown first).

Two shapes:
- a listing (a Hugging Face papers or search page, or plain Markdown): each paper is a heading
  (`### [Title](https://huggingface.co/papers/2401.01234)` or `## Title`) followed by its abstract
  (a paragraph, possibly a link) and metadata lines as in text dumps (an upvote link before the
  heading, an organisation link, "- 3 authors", "·", a date with a comment-count link after it);
- a single-paper page: a `# Title` heading followed later by `## Abstract` (one paper per such
  heading).

Lines are read after Markdown syntax is reduced to text: reference-style links (`[text][3]` with
`[3]: URL`) resolved, links and images dropped to their text (their URLs kept for arXiv ids; a
link whose text is a number is a count, kept in brackets), escapes undone, hard breaks joined,
a heading wrapped over two lines joined, site chrome skipped. A page whose titles are plain lines
(a note-taking tool's export: no paper headings) is read line by line by the text reader, with
each line's link URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..models import Paper
from .clean import clean_text
from .dates import Capture, PageDate, parse_iso_date, year_rule
from .ids import arxiv_id, arxiv_id_in_url, arxiv_url
from .listing import (
    Draft,
    Meta,
    build_papers,
    classify_meta,
    is_chrome,
    is_header,
    is_prose,
    looks_like_organization,
    split_fields,
)
from .text import parse_lines

_FRONT_MATTER_FIELD = re.compile(r"(\w[\w-]*)\s*:\s*(.*)")
_CAPTURE_KEYS = (
    "retrieved", "captured", "saved", "fetched", "scraped", "created", "clipped", "date"
)
_REFERENCE = re.compile(r"^ {0,3}\[([^\]\n]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(].*)?[ \t]*$", re.M)
_REFERENCE_LINK = re.compile(r"\[((?:\\.|[^\[\]\\]|\[[^\[\]]*\])*)\][ \t]?\[([^\[\]\n]*)\]")
_NUMBER = re.compile(r"\s*\d{1,7}\s*")
_HEADING_MARK = re.compile(r"^[ \t]*#{1,6}[ \t]+")
_HEADING = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?\s*", re.DOTALL)
_LIST_ITEM = re.compile(r"(?:[*+-]|\d{1,3}[.)])\s+(.*)")
_RULE = re.compile(r"(?:\*\s*){3,}|(?:_\s*){3,}|(?:-\s*){3,}")
_HARD_BREAK = re.compile(r"\\+\n|\n")
_IMAGE = re.compile(r"!\[(?:\\.|[^\]\\])*\]\([^)]*\)")
_LINK = re.compile(r"\[((?:\\.|[^\[\]\\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_EMPHASIS = re.compile(r"(?<![\w*\\])(\*\*|__|\*|_)(?=\S)(.+?)(?<=[^\s\\])\1(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~ ])")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])(?=\s|$)")
_PROFILE_URL = re.compile(r"(?:https?://huggingface\.co)?/[A-Za-z0-9][\w.-]*/?")
_CAPTURE_LINK = re.compile(r"papers\?date=(\d{4}-\d{2}-\d{2})")
_LINK_ONLY = re.compile(r"\s*\[.*\]\([^)]*\)\s*", re.DOTALL)
_PAGE_END = ("View arXiv page", "View PDF", "Add to collection")


@dataclass
class _Block:
    """A heading, a metadata line or a paragraph of the Markdown, reduced to text."""

    kind: str  # "heading", "meta" or "para"
    text: str
    line: int
    level: int = 0
    urls: list[str] = field(default_factory=list)
    meta: Meta | None = None
    # A link with an avatar image to a profile page: an organisation (or a submitter).
    profile_link: bool = False


def parse_markdown(
    text: str, *, year: int | None, mtime_year: int, warnings: list[str],
    capture: Capture | None = None,
) -> list[Paper]:
    """The papers of a Markdown dump, in page order (warnings appended to `warnings`, the
    capture date, when the page gives it, set in `capture`)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, body_start = _front_matter(lines)
    lines = lines[:body_start] + resolve_references("\n".join(lines[body_start:])).split("\n")
    stated = next((d for k in _CAPTURE_KEYS if (d := parse_iso_date(front.get(k)))), None)
    stated = stated or next((d for v in front.values() if (d := _capture_date(v))), None)
    blocks = _blocks(lines, body_start)
    if stated is None:
        stated = next((d for b in blocks for u in b.urls if (d := _capture_date(u))), None)
    pages = [
        i
        for i, b in enumerate(blocks)
        if b.kind == "heading" and b.level == 1 and _has_abstract(blocks, i)
    ]
    if pages:
        drafts, header_date = [_paper_page(blocks, i) for i in pages], None
    else:
        drafts, header_date = _listing(blocks, warnings)
    if not drafts:  # titles as plain lines: the text reader, with the links' URLs
        reduced = [_reduce(raw) for _, _, raw in _logical_lines(lines, body_start)]
        return parse_lines(
            reduced, year=year, mtime_year=mtime_year, warnings=warnings, stated=stated,
            capture=capture,
        )
    dates = [d.date for d in drafts if d.date]
    rule = year_rule(dates, override=year, mtime_year=mtime_year, stated=stated, header=header_date)
    if capture is not None:
        capture.date = rule.captured()
    return build_papers(drafts, rule, warnings)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """The `key: value` fields of a front matter between `---` lines, and where the body starts."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            fields = {}
            for line in lines[1:end]:
                if m := _FRONT_MATTER_FIELD.fullmatch(line.strip()):
                    fields[m[1].lower()] = m[2].strip().strip("\"'")
            return fields, end + 1
    return {}, 0


def resolve_references(text: str) -> str:
    """`text` with reference-style links (`[text][3]`, `[text][]` with a `[3]: URL` line) made
    inline links, and the definition lines removed; unknown references are left as they are."""
    urls = {m[1].casefold(): m[2] for m in _REFERENCE.finditer(text)}
    if not urls:
        return text

    def inline(m: re.Match[str]) -> str:
        url = urls.get((m[2] or m[1]).casefold())
        return f"[{m[1]}]({url})" if url else m[0]

    text = _REFERENCE.sub("", text)
    for _ in range(3):  # a link around an image reference: "[![][33]Speech Lab][34]"
        text, changed = _REFERENCE_LINK.subn(inline, text)
        if not changed:
            break
    return text


def _reduce(raw: str) -> tuple[str, list[str]]:
    """A line as text and the URLs of its links: heading marks and list bullets dropped."""
    stripped = _HEADING_MARK.sub("", raw.strip())
    item = _LIST_ITEM.fullmatch(stripped)
    return _inline(item[1] if item else stripped)


def _capture_date(url: str) -> date | None:
    """The day of a `papers?date=2025-10-01` link (the page was captured on or after it)."""
    m = _CAPTURE_LINK.search(url)
    return parse_iso_date(m[1]) if m else None


def _blocks(lines: list[str], start: int) -> list[_Block]:
    """The headings, metadata lines and paragraphs of the body, reduced to text."""
    blocks: list[_Block] = []
    para: list[tuple[str, list[str]]] = []
    para_line = 0

    def flush() -> None:
        if para:
            text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(t for t, _ in para))
            blocks.append(_Block("para", text, para_line, urls=[u for _, us in para for u in us]))
            para.clear()

    heading_end = 0  # the last line of the last heading, to join a heading wrapped over two
    for number, end, raw in _logical_lines(lines, start):
        stripped = raw.strip()
        if not stripped or _RULE.fullmatch(stripped):
            flush()
            continue
        if heading := _HEADING.fullmatch(stripped):
            flush()
            text, urls = _inline(heading[2])
            last = blocks[-1] if blocks else None
            if (
                last is not None
                and last.kind == "heading"
                and last.level == len(heading[1])
                and heading_end == number - 1
                and not (last.urls and urls and last.urls != urls)
            ):
                last.text, last.urls = f"{last.text} {text}", last.urls or urls
            else:
                blocks.append(_Block("heading", text, number, level=len(heading[1]), urls=urls))
            heading_end = end
            continue
        item = _LIST_ITEM.fullmatch(stripped)
        text, urls = _inline(item[1] if item else stripped)
        # Chrome: a line of its own or a link ("previous" ending a wrapped line is text).
        if not text or (is_chrome(text) and (not para or _LINK_ONLY.fullmatch(stripped))):
            flush()
            continue
        if len(parts := split_fields(text)) > 1:  # "Org · Published on Jun 2, 2026"
            flush()
            for part in parts:
                meta = classify_meta(part)
                kind = "meta" if meta else "para"  # the part that is not metadata: the organisation
                blocks.append(
                    _Block(kind, part, number, urls=urls, meta=meta, profile_link=not meta)
                )
            continue
        meta = classify_meta(text)
        profile = (
            bool(_LINK_ONLY.fullmatch(stripped))
            and "![" in stripped
            and bool(urls and _PROFILE_URL.fullmatch(urls[-1]))
        )
        if meta or item or profile:
            flush()
            kind = "meta" if meta else "para"
            blocks.append(_Block(kind, text, number, urls=urls, meta=meta, profile_link=profile))
        else:
            if not para:
                para_line = number
            para.append((text, urls))
    flush()
    return blocks


def _logical_lines(lines: list[str], start: int) -> list[tuple[int, int, str]]:
    """The lines from `start` on as (first and last line number, text), with a link whose text
    spans lines joined into one line (the heading marks of a wrapped heading's second line
    dropped)."""
    out = []
    i = start
    while i < len(lines):
        end = i
        depth = _bracket_depth(lines[i])
        while depth > 0 and end + 1 < len(lines) and end - i < 80:
            end += 1
            depth += _bracket_depth(lines[end])
        if depth != 0:
            end = i
        text = lines[i]
        if end > i:
            rest = lines[i + 1 : end + 1]
            if _HEADING_MARK.match(text):
                rest = [_HEADING_MARK.sub("", line) for line in rest]
            text = "\n".join([text, *rest])
        out.append((i + 1, end + 1, text))
        i = end + 1
    return out


def _bracket_depth(line: str) -> int:
    """Unescaped "[" minus unescaped "]" in `line`."""
    line = line.replace("\\\\", "").replace("\\[", "").replace("\\]", "")
    return line.count("[") - line.count("]")


def _inline(s: str) -> tuple[str, list[str]]:
    """Markdown inline syntax reduced to clean text, and the URLs of its links."""
    urls: list[str] = []

    def link(m: re.Match[str]) -> str:
        if m[2].endswith("#community"):  # a comment count, not text
            return ""
        urls.append(m[2])
        return f"[{m[1].strip()}]" if _NUMBER.fullmatch(m[1]) else m[1]

    s = _HARD_BREAK.sub(" ", s)
    s = _IMAGE.sub("", s)
    s = _LINK.sub(link, s)
    s = _AUTOLINK.sub(lambda m: urls.append(m[1]) or m[1], s)
    s = _CODE.sub(r"\1", _EMPHASIS.sub(r"\2", s))
    return clean_text(_ESCAPE.sub(r"\1", s)), urls


def _paper_id(urls: list[str]) -> str | None:
    """The first arXiv id among `urls`."""
    return next((p for u in urls if (p := arxiv_id_in_url(u))), None)


def _next_content(blocks: list[_Block], i: int) -> _Block | None:
    """The first heading or paragraph after block `i` (metadata skipped)."""
    return next((b for b in blocks[i + 1 :] if b.kind != "meta"), None)


def _listing(blocks: list[_Block], warnings: list[str]) -> tuple[list[Draft], PageDate | None]:
    """The drafts of a listing page and the page date of its header."""
    drafts: list[Draft] = []
    current: Draft | None = None
    header_date: PageDate | None = None
    pending_upvotes: dict[str, int | None] = {}  # upvote links before the heading of their paper
    role = ""  # what the previous block was: heading, title, meta, abstract, para
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            current, role = None, "heading"
            paper = _paper_id(b.urls)
            nxt = _next_content(blocks, i)
            followed_by_prose = nxt is not None and nxt.kind == "para" and is_prose(nxt.text)
            if b.text and not is_header(b.text) and (paper or followed_by_prose):
                current, role = Draft(title=b.text, line=b.line, arxiv_id=paper), "title"
                current.upvotes = pending_upvotes.pop(paper, None) if paper else None
                if paper and any("arxiv.org/" in u for u in b.urls):
                    current.url = arxiv_url(paper)
                drafts.append(current)
        elif b.kind == "meta":
            assert b.meta is not None
            if not drafts and b.meta.kind == "date":
                header_date = b.meta.date
            else:
                _add_meta(b, current, pending_upvotes, warnings)
            role = "meta"
        elif current is not None:
            if role == "title" and not b.profile_link:
                current.abstract, role = b.text, "abstract"
            elif role == "abstract" and is_prose(b.text):
                current.abstract += f"\n\n{b.text}"
            elif (
                current.organization is None
                and current.abstract
                and _is_organization(blocks, i, role)
            ):
                current.organization, role = b.text, "organization"
            else:
                role = "para"
    return drafts, header_date


def _add_meta(
    b: _Block, current: Draft | None, pending_upvotes: dict[str, int | None], warnings: list[str]
) -> None:
    """Give the metadata line `b` to its paper: the current one, or (an upvote link naming
    another paper) the paper whose heading comes next."""
    assert b.meta is not None
    paper = _paper_id(b.urls)
    if paper and current and not current.arxiv_id and b.meta.kind not in ("upvotes", "separator"):
        current.arxiv_id = paper  # "[2 authors](https://huggingface.co/papers/ID)"
    if paper and (current is None or current.arxiv_id != paper):
        # "[12](https://huggingface.co/login?next=%2Fpapers%2FID)" or "[-](...)" (none)
        if b.meta.kind in ("upvotes", "separator"):
            pending_upvotes[paper] = b.meta.count
        return
    if current is None or b.meta.kind in ("separator", "ignored"):
        return
    if current.conflicts(b.meta):
        warnings.append(f"line {b.line}: {b.text!r} repeats a field of {current.title!r}; ignored")
    else:
        current.add(b.meta)


def _is_organization(blocks: list[_Block], i: int, role: str) -> bool:
    """Whether paragraph `i` is the organisation of the paper before it: an avatar link to a
    profile, or a short line among the paper's metadata."""
    b = blocks[i]
    if b.profile_link:
        return True
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    return looks_like_organization(b.text) and (
        role == "meta" or (nxt is not None and nxt.kind == "meta")
    )


def _has_abstract(blocks: list[_Block], i: int) -> bool:
    """Whether the level-1 heading `i` is followed by an "Abstract" heading before the next one."""
    for b in blocks[i + 1 :]:
        if b.kind == "heading" and b.level == 1:
            return False
        if b.kind == "heading" and b.level == 2 and b.text.casefold() == "abstract":
            return True
    return False


def _paper_page(blocks: list[_Block], start: int) -> Draft:
    """The paper of a single-paper page whose `# Title` is block `start`: metadata up to
    "## Abstract", then the abstract (after the "AI-generated summary" label when there is one)."""
    heading = blocks[start]
    draft = Draft(title=heading.text, line=heading.line)
    ids = [arxiv_id(blocks[start - 1].text)] if start else []
    authors: list[str] | None = None
    after_submitter = False
    i = start + 1
    while not (blocks[i].kind == "heading" and blocks[i].text.casefold() == "abstract"):
        b = blocks[i]
        ids.append(_paper_id(b.urls))
        if b.kind == "meta" and b.meta is not None:
            after_submitter = b.text.casefold().startswith("submitted by")
            if b.meta.kind in ("date", "upvotes") and not draft.conflicts(b.meta):
                draft.add(b.meta)
        elif b.kind == "para":
            if authors is not None:
                authors.append(b.text)
            elif b.text.casefold().startswith("authors:"):
                authors = [b.text[len("authors:") :]]
            elif b.profile_link and not after_submitter and draft.organization is None:
                draft.organization = b.text
            after_submitter = False
        i += 1
    paragraphs: list[str] = []
    for b in blocks[i + 1 :]:
        ids.append(_paper_id(b.urls))
        if b.kind == "heading" or b.text.startswith(_PAGE_END):
            break
        if b.kind != "para":
            continue
        if b.text.casefold() == "ai-generated summary":
            paragraphs.clear()  # what came before it was the summary, not the abstract
        else:
            paragraphs.append(b.text)
    draft.abstract = "\n\n".join(paragraphs)
    draft.authors = [name.strip() for name in ",".join(authors or []).split(",") if name.strip()]
    draft.arxiv_id = next((p for p in ids if p), None)
    return draft
