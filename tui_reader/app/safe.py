"""Text inputs that never hold a control character, however the text arrives.

Textual's Input and TextArea render what they hold as is: a title pasted from elsewhere with
an ESC sequence in it, or a saved search made by a script, would reach the terminal. These
keep typed, pasted and programmatically set text free of C0/C1 controls and bidi overrides.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import Input, TextArea

from .text import clean, one_line

_SURROGATE = re.compile("[\ud800-\udfff]")  # cannot be written to a terminal at all


class SafeInput(Input):
    """An Input whose value holds no control characters and no line breaks."""

    def validate_value(self, value: str) -> str:
        return one_line(_SURROGATE.sub("\ufffd", value))


class SafeTextArea(TextArea):
    """A TextArea into which no control character is pasted (newlines and tabs are kept)."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(clean(_SURROGATE.sub("\ufffd", text)), **kwargs)

    async def _on_paste(self, event: events.Paste) -> None:
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        event.text = clean(_SURROGATE.sub("\ufffd", text))
        await super()._on_paste(event)
