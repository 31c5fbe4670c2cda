"""arXiv identifiers: recognising them (bare, or in Hugging Face and arXiv links), their URLs."""

from __future__ import annotations

import re

_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_BARE_ID = re.compile(rf"(?:arxiv:\s*)?{_ID}", re.IGNORECASE)
_ID_IN_URL = re.compile(
    rf"(?:/papers/|%2Fpapers%2F|arxiv\.org/(?:abs|pdf)/){_ID}(?![\w.])", re.IGNORECASE
)


# A new-style id read as a number somewhere: "704.0001" (leading zero lost), "704.001" (and a
# trailing zero: 0704.0010).
_NUMERIC_ID = re.compile(r"(\d{3,4})\.(\d{1,5})")


def arxiv_id(s: object) -> str | None:
    """The arXiv id `s` is ("2405.21060v2", "arXiv:2405.21060", "hep-th/9901001"), without its
    version suffix, or None. An id that lost zeros to a spreadsheet or a float ("704.0001",
    "704.001") gets them back: yymm (April 2007 on) has 4 digits, the number 4 before 2015
    and 5 since."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    if m := _NUMERIC_ID.fullmatch(s):
        yymm = m[1].zfill(4)
        width = 4 if yymm < "1501" else 5
        if yymm >= "0704" and 1 <= int(yymm[2:]) <= 12 and len(m[2]) <= width:
            s = f"{yymm}.{m[2].ljust(width, '0')}"
    m = _BARE_ID.fullmatch(s)
    return m[1] if m else None


def arxiv_id_in_url(url: str) -> str | None:
    """The arXiv id in a `/papers/ID`, `arxiv.org/abs/ID` or `login?next=%2Fpapers%2FID` link."""
    m = _ID_IN_URL.search(url)
    return m[1] if m else None


def hf_url(paper: str) -> str:
    """The Hugging Face page of a paper."""
    return f"https://huggingface.co/papers/{paper}"


def arxiv_url(paper: str) -> str:
    """The arXiv abstract page of a paper."""
    return f"https://arxiv.org/abs/{paper}"
