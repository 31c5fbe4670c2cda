"""Turning paper data into Rich Text: never markup, never control characters.

Everything a dump holds reaches the terminal through these helpers: plain strings appended to
`rich.text.Text` objects (so "[bold]x[/bold]" shows as typed) with C0/C1 control characters and
bidi overrides removed (so an ESC in a title cannot move the cursor or set the clipboard).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

from ..models import CONTROL_CHARACTERS, Highlight

_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def clean(text: str | None) -> str:
    """Text without control characters (newlines and tabs kept)."""
    return CONTROL_CHARACTERS.sub("", text or "")


def one_line(text: str | None) -> str:
    """Text on one line: line breaks and tabs become spaces, control characters go."""
    return clean(_LINE_BREAKS.sub(" ", text or ""))


def highlighted(hl: Highlight, match_style: Style | str, style: Style | str = "",
                single_line: bool = False,
                italic: Iterable[tuple[int, int]] = ()) -> Text:
    """A Text of `hl.text` with its matched spans in `match_style` and the `italic` ones in
    italics (when tidying the text moved no character)."""
    tidy = one_line if single_line else clean
    out = Text(style=style)
    last = 0
    for start, end in sorted(hl.spans):
        if start < last or start >= end:
            continue
        out.append(tidy(hl.text[last:start]))
        out.append(tidy(hl.text[start:end]), match_style)
        last = end
    out.append(tidy(hl.text[last:]))
    if len(out.plain) == len(hl.text):
        for start, end in italic:
            out.stylize("italic", start, end)
    return out


def plain(text: str | None, style: Style | str = "", single_line: bool = False) -> Text:
    """A Text of data, shown as typed."""
    return Text(one_line(text) if single_line else clean(text), style=style)
