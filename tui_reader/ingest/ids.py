"""arXiv identifiers: recognising them (bare, or in Hugging Face and arXiv links), their URLs."""

from __future__ import annotations

import re

_ID = r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_BARE_ID = re.compile(rf"(?:arxiv:\s*)?{_ID}", re.IGNORECASE)
_ID_IN_URL = re.compile(
    rf"(?:/papers/|%2Fpapers%2F|arxiv\.org/(?:abs|pdf)/){_ID}(?![\w.])", re.IGNORECASE
)


def arxiv_id(s: object) -> str | None:
    """The arXiv id `s` is ("2405.21060v2", "arXiv:2405.21060", "hep-th/9901001"), without its
    version suffix, or None."""
    m = _BARE_ID.fullmatch(s.strip()) if isinstance(s, str) else None
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
