"""What a dump is, from its first bytes (never its file name): compression, encoding, format."""

from __future__ import annotations

import json
import re

from .table import header_of

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 64 * 1024
FORMATS = ("text", "markdown", "html", "hf-json", "arxiv-jsonl", "csv")

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one. The codecs drop the mark.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_DOCTYPE = re.compile(r"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:html|head|body|div|p|a|span|h[1-6]|ul|ol|li|table|article|section|main)\b", re.I
)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_MD_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+\)|^ {0,3}\[[^\]\n]+\]:\s*\S", re.MULTILINE)
# A JSON array starts with a value ("[Title](url)" and "[1]Hugging Face" are Markdown or text).
_JSON_ARRAY = re.compile(r"\[\s*(?:[\[{\"\]\d-]|true\b|false\b|null\b)")
_BRACKETED_TEXT = re.compile(r"\[[^\[\]{}\"\n]*\][\[(\w]")


def sniff_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark names (or UTF-16 without one, by its NUL bytes); None for
    the default (UTF-8, falling back to cp1252/latin-1)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[:8192]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def is_binary(head: bytes, encoding: str | None) -> bool:
    """Whether the first bytes of a file that is not UTF-16/32 hold a NUL byte."""
    return not (encoding or "").startswith(("utf-16", "utf-32")) and b"\x00" in head[:8192]


def decode(data: bytes, encoding: str | None) -> tuple[str, str | None]:
    """`data` as text, and a warning when it was not UTF-8 and was read as cp1252 or latin-1."""
    if encoding:
        return data.decode(encoding, errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: read as cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8: read as latin-1"


def detect_format(head: str) -> str | None:
    """The format of a dump from its first characters: "arxiv-jsonl", "hf-json", "html", "csv",
    "markdown" or "text"; None when there is nothing but whitespace."""
    s = head.lstrip("\ufeff \t\r\n")
    if not s:
        return None
    if _JSON_ARRAY.match(s) and not _BRACKETED_TEXT.match(s):
        return "hf-json"
    if s[0] == "{":
        return "arxiv-jsonl" if _is_json_lines(s) else "hf-json"
    if _DOCTYPE.search(s[:2048]) or (s[0] == "<" and len(_HTML_TAG.findall(s)) >= 5):
        return "html"
    if header_of(s):
        return "csv"
    if s.startswith("---") or _MD_HEADING.search(s) or _MD_LINK.search(s):
        return "markdown"
    return "text"


def _is_json_lines(s: str) -> bool:
    """Whether `s` starts like JSONL: among its first lines, a paper object (with a "title" or a
    "paper"), or several whole objects. An object wrapping a list on one line is not JSONL."""
    objects = [o for line in s.split("\n", 6)[:6] if isinstance(o := _json_object(line), dict)]
    return any(_is_record(o) for o in objects) or len(objects) >= 2


def _is_record(o: dict) -> bool:
    """Whether `o` is one paper record, not an object wrapping a list of papers."""
    wraps = any(
        isinstance(v, list)
        and v
        and isinstance(v[0], dict)
        and ("title" in v[0] or "paper" in v[0])
        for v in o.values()
    )
    return not wraps and ("title" in o or isinstance(o.get("paper"), dict))


def _json_object(line: str) -> object:
    """The JSON value of `line`, or None."""
    try:
        return json.loads(line, strict=False)
    except (ValueError, RecursionError):
        return None
