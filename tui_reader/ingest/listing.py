"""What the text and Markdown readers share: the lines of a listing page that are not papers
(page header, site chrome, metadata) and the draft papers they fill before the year rule is
known."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Paper
from .dates import PageDate, YearRule, parse_page_date
from .ids import hf_url

HEADER_LINES = frozenset(
    s.casefold()
    for s in (
        "new",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "by AK and the research community",
        "Trending Papers",
        "Daily",
        "Weekly",
        "Monthly",
    )
)
# Header phrases that a copy can glue to the next line ("SubscribeBayesian active learning ...").
_GLUED_HEADERS = (
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "byAK and the research community",
    "Daily Papers",
    "Subscribe",
)
# Site chrome: navigation, pagination and footer items of huggingface.co and the tools that
# capture it. A line made of nothing but these (one, or a row of links) is never a paper or a field.
# "Hugging Face" is not one: it is also an organisation that publishes papers.
_CHROME_PHRASES = tuple(
    sorted(
        (
            "previous", "next", "next page", "previous page", "load more", "show more",
            "view all", "see all", "back to top", "skip to content", "toggle navigation",
            "system theme", "light theme", "dark theme", "sign up", "log in", "login", "sign in",
            "log out", "company", "website", "models", "datasets", "spaces", "posts", "docs",
            "documentation", "pricing", "enterprise", "solutions", "community", "papers",
            "collections", "learn", "blog", "forum", "discord", "github", "twitter", "linkedin",
            "terms of service", "tos", "privacy", "privacy policy", "about", "jobs", "careers",
            "status", "changelog", "inference endpoints",
            "hf chat", "search", "menu", "share", "copy link", "upvote", "edit", "delete",
            "hugging face's logo", "press", "brand assets", "cookies", "settings",
        ),
        key=len,
        reverse=True,
    )
)
_CHROME = re.compile(
    r"(?:\s*[*•·|/-]?\s*(?:" + "|".join(re.escape(p) for p in _CHROME_PHRASES) + r")\b)+\s*",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"<?(?:https?://|www\.)\S+>?", re.IGNORECASE)
# Counts shown as links after a date ("Mar 8, 2024 [ 6][39] [ 1 ][40]"): comments, not upvotes.
_BRACKETED_COUNTS = re.compile(r"(?:\s*\[\s*\d+\s*\](?:\[\d+\]|\([^)\s]*\))?)+\s*$")
# A metadata line that holds several fields: "Ultralytics · Published on Jun 2, 2026".
_FIELD_SEPARATOR = re.compile(r"\s+[·•|]\s+|\s*[·•]\s*")
_AUTHORS = re.compile(r"(?:[•·*\u2013-]\s*)*(\d{1,5})\s+authors?", re.IGNORECASE)
_SEPARATOR = re.compile(r"[·•|*/\u2013\u2014-]+")
_UPVOTES = re.compile(r"(?:Upvote\s*)?\[?\s*(\d{1,7})\s*\]?(?:\s+upvotes?)?", re.IGNORECASE)
_IGNORED = re.compile(r"Submitted by\b.*|\d+\s+comments?|View arXiv page|View PDF", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.[\"')\]]?$")


@dataclass(frozen=True)
class Meta:
    """A metadata line of a paper: an author count, a separator, a date (with upvotes), upvotes."""

    kind: str  # "authors", "separator", "date", "upvotes" or "ignored"
    count: int | None = None  # authors or upvotes
    date: PageDate | None = None


def is_header(line: str) -> bool:
    """Whether `line` is a line of the page header ("Subscribe", "Daily Papers", ...)."""
    return line.casefold() in HEADER_LINES


def is_chrome(line: str) -> bool:
    """Whether `line` is site chrome: nothing but navigation or footer items ("Previous",
    "Models Datasets Spaces", "System theme", "Company")."""
    return len(line) <= 200 and bool(_CHROME.fullmatch(line))


def strip_glued_header(line: str) -> str:
    """`line` without the header phrases a copy glued to its start ("SubscribeBayesian ..."; not
    "Subscribers ...": the phrase must end where a new word starts)."""
    stripped = True
    while stripped:
        stripped = False
        for phrase in _GLUED_HEADERS:
            rest = line[len(phrase) :]
            if line.startswith(phrase) and rest and not rest[0].islower():
                line, stripped = rest.lstrip(), True
    return line


def split_fields(line: str) -> list[str]:
    """The parts of a line that holds several metadata fields separated by "·" or "|" ("Meta AI
    · 5 authors · Published on Jun 2, 2026"): every part but at most one (an organisation) is
    metadata. [line] for any other line."""
    parts = [p for p in _FIELD_SEPARATOR.split(line) if p]
    if len(parts) < 2:
        return [line]
    others = [p for p in parts if classify_meta(p) is None]
    if len(others) == len(parts) or len(others) > 1:
        return [line]
    if others and not looks_like_organization(others[0]):
        return [line]
    return parts


def classify_meta(line: str) -> Meta | None:
    """The metadata `line` is ("• 5 authors", "·", "Jan 23, 2025 2", ...), or None."""
    if m := _AUTHORS.fullmatch(line):
        return Meta("authors", count=int(m[1]))
    if _SEPARATOR.fullmatch(line):
        return Meta("separator")
    if parsed := parse_page_date(line):
        return Meta("date", count=parsed[1], date=parsed[0])
    counts = _BRACKETED_COUNTS.search(line)
    if counts and (parsed := parse_page_date(line[: counts.start()])):
        return Meta("date", count=parsed[1], date=parsed[0])
    if m := _UPVOTES.fullmatch(line):
        return Meta("upvotes", count=int(m[1]))
    if _IGNORED.fullmatch(line) or _BARE_URL.fullmatch(line):
        return Meta("ignored")
    return None


def is_prose(line: str) -> bool:
    """Whether `line` reads as an abstract rather than a title or an organisation name."""
    return len(line) >= 200 or (bool(_SENTENCE_END.search(line)) and len(line.split()) >= 10)


def is_title(line: str) -> bool:
    """Whether `line` could be a title: not prose, not a sentence (titles do not end with ".")."""
    return not line.endswith(".") and not is_prose(line)


def looks_like_organization(line: str) -> bool:
    """Whether `line` could be an organisation ("facebook AI at Meta"): short, not a sentence."""
    return len(line) <= 100 and len(line.split()) <= 12 and not line.endswith((".", "?", "!", ":"))


@dataclass
class Draft:
    """A paper being read from a listing page; its date gets a year when the page is done."""

    title: str
    line: int  # 1-based line number, for warnings
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    authors_count: int | None = None
    organization: str | None = None
    date: PageDate | None = None
    upvotes: int | None = None
    arxiv_id: str | None = None
    url: str | None = None  # default: the Hugging Face page of `arxiv_id`

    def conflicts(self, meta: Meta) -> bool:
        """Whether `meta` gives a field this paper already has (so it belongs to another paper)."""
        if meta.kind == "authors":
            return self.authors_count is not None
        if meta.kind == "date":
            return self.date is not None
        if meta.kind == "upvotes":
            return self.upvotes is not None
        return False

    def add(self, meta: Meta) -> None:
        """Take the fields `meta` gives (the caller checked `conflicts`)."""
        if meta.kind == "authors":
            self.authors_count = meta.count
        elif meta.kind == "date":
            self.date = meta.date
            if meta.count is not None and self.upvotes is None:
                self.upvotes = meta.count
        elif meta.kind == "upvotes":
            self.upvotes = meta.count


def build_papers(drafts: list[Draft], rule: YearRule, warnings: list[str]) -> list[Paper]:
    """The papers of `drafts`, dates resolved by `rule` (with a warning when the rule guessed)."""
    papers = []
    guessed = False
    for d in drafts:
        published, inferred = rule.resolve(d.date) if d.date else (None, False)
        if d.date and published is None:
            warnings.append(
                f"line {d.line}: no such date {d.date.month}/{d.date.day}; date left out"
            )
        guessed |= inferred
        papers.append(
            Paper.from_title(
                d.title,
                abstract=d.abstract,
                authors=d.authors,
                authors_count=d.authors_count or (len(d.authors) if d.authors else None),
                organization=d.organization,
                published=published,
                year_inferred=inferred,
                upvotes=d.upvotes,
                arxiv_id=d.arxiv_id,
                url=d.url or (hf_url(d.arxiv_id) if d.arxiv_id else None),
            )
        )
    if guessed and (warning := rule.warning()):
        warnings.append(warning)
    return papers
