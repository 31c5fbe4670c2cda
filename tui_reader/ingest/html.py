"""The reader of saved HTML pages: the page reduced to Markdown (markdownify), then read by the
Markdown reader."""

from __future__ import annotations

from bs4 import BeautifulSoup
from markdownify import ATX, MarkdownConverter

from ..models import Paper
from .dates import Capture
from .markdown import parse_markdown

_NOT_CONTENT = ["script", "style", "svg", "noscript", "head", "template", "iframe"]


def html_to_markdown(html: str) -> str:
    """The Markdown of an HTML page, without its scripts, styles, SVG and head."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_NOT_CONTENT):
        tag.decompose()
    return MarkdownConverter(heading_style=ATX).convert_soup(soup)


def parse_html(html: str, *, year: int | None, mtime_year: int, warnings: list[str],
               capture: Capture | None = None) -> list[Paper]:
    """The papers of a saved HTML page (a listing or a single-paper page); its capture date,
    when it gives it, set in `capture`."""
    return parse_markdown(
        html_to_markdown(html), year=year, mtime_year=mtime_year, warnings=warnings,
        capture=capture,
    )
