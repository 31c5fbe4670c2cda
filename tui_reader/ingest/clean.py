"""Text repair for imported text: terminal escapes, control and bidi characters, mojibake, wrapping.

Everything shown in the terminal is text: escape sequences and control characters are removed
here. Rich markup such as "[bold]x[/bold]" is left exactly as typed (escaping it is the display's
job).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Whole escape sequences, not just the ESC byte: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST;
# unterminated: to the end of the line), DCS/SOS/PM/APC strings, and two-character escapes.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C1 controls, bidi embeddings/overrides/isolates, stray byte-order marks.
_INVISIBLE = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# C0 controls but tab, newline and carriage return (whitespace, handled by the caller's mode).
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C0_BYTES = bytes(range(9)) + b"\x0b\x0c" + bytes(range(14, 32)) + b"\x7f"
_NEWLINE = re.compile("\r\n?|[\x85\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n)")
_BLANK_LINES = re.compile(r"\n{3,}")
# A paragraph break in wrapped text: a blank line, or a new line that starts indented (arXiv and
# the Hugging Face API indent the first line of a new paragraph by two spaces).
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n(?=[ \t]{2,}\S|\t)")

# Cheap signs of mojibake: UTF-8 read as cp1252/latin-1 ("Ã©", "â€™", "Â "), C1 controls, or
# CJK characters glued to Latin letters (UTF-8 read as GBK: "T脺LU").
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_MOJIBAKE_HINT = re.compile(
    rf"[ÃÂ][\x80-\xbf\u0152-\u2122]|â€|â„|[\x80-\x9f]|[A-Za-z][{_CJK}]|[{_CJK}][A-Za-z]"
)
_GBK_WORD = re.compile(rf"[^\s{_CJK}]*[{_CJK}]+[^\s]*")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
)


def clean_text(s: str | None, *, multiline: bool = False) -> str:
    """`s` made safe and tidy: escape sequences, control and bidi characters removed, mojibake
    repaired, NFC. Single-line (the default): all whitespace collapsed to single spaces.
    Multi-line: newlines normalised, indentation kept (for `unwrap`), lines right-stripped."""
    if not s or (not multiline and _is_plain_line(s)):
        return s or ""
    if "\x1b" in s:
        s = _ESCAPE_SEQUENCE.sub("", s)
    if not s.isascii():
        if _MOJIBAKE_HINT.search(s):
            s = repair_mojibake(s)
        s = _C0.sub("", _INVISIBLE.sub("", _NEWLINE.sub("\n", s)))
        if not unicodedata.is_normalized("NFC", s):
            s = unicodedata.normalize("NFC", s)
    elif len(s.encode("ascii").translate(None, _C0_BYTES)) != len(s):  # fast check for ASCII
        s = _C0.sub("", s)
    if not multiline:
        return " ".join(s.split())
    if "\r" in s:
        s = _NEWLINE.sub("\n", s)
    if " \n" in s or "\t\n" in s:
        s = _TRAILING_SPACE.sub("", s)
    if "\n\n\n" in s:
        s = _BLANK_LINES.sub("\n\n", s)
    return s.strip("\n").rstrip()


def strip_escape_sequences(s: str) -> str:
    """`s` without terminal escape sequences (whole sequences: an ESC [ ... inside a Markdown
    link must not leave its "[" behind to break the link). Newlines and other text are kept,
    for the readers to parse; `clean_text` does the rest later."""
    return _ESCAPE_SEQUENCE.sub("", s) if "\x1b" in s else s


def unwrap(s: str) -> str:
    """Hard-wrapped text as one line per paragraph, paragraphs separated by a blank line."""
    paragraphs = _PARAGRAPH_BREAK.split(s) if "\n\n" in s or "\n " in s or "\n\t" in s else [s]
    return "\n\n".join(line for p in paragraphs if (line := _one_line(p)))


def _one_line(paragraph: str) -> str:
    """`paragraph` on one line, whitespace collapsed (with a fast path for plain ASCII)."""
    line = paragraph.replace("\n", " ")
    return line if _is_plain_line(line) else " ".join(line.split())


def _is_plain_line(s: str) -> bool:
    """Whether `s` is printable ASCII with single spaces only: nothing to clean (a fast check)."""
    return s.isascii() and s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " "


def clean_abstract(s: str | None) -> str:
    """A wrapped, possibly dirty abstract as clean paragraphs (`clean_text` then `unwrap`)."""
    return unwrap(clean_text(s, multiline=True))


def repair_mojibake(s: str) -> str:
    """`s` with mojibake repaired where the repair is certain: UTF-8 read as cp1252/latin-1
    (by ftfy, changing nothing else) and UTF-8 read as GBK ("T脺LU 3" -> "TÜLU 3")."""
    s = ftfy.fix_text(s, _FTFY_CONFIG)
    return _GBK_WORD.sub(_repair_gbk_word, s) if _CJK_RUN.search(s) else s


def _repair_gbk_word(match: re.Match[str]) -> str:
    """One word with CJK characters mixed into Latin letters, repaired if each CJK run is UTF-8
    that was read as GBK and decodes to Latin letters with diacritics; else unchanged."""
    word = match.group(0)
    if not any(c.isascii() and c.isalpha() for c in word):
        return word
    repaired = []
    last = 0
    for run in _CJK_RUN.finditer(word):
        try:
            decoded = run.group(0).encode("gbk").decode("utf-8")
        except UnicodeError:
            return word
        if not all(_is_latin_with_diacritic(c) for c in decoded):
            return word
        repaired.append(word[last : run.start()] + decoded)
        last = run.end()
    return "".join(repaired) + word[last:]


def _is_latin_with_diacritic(c: str) -> bool:
    """Whether `c` is a letter of Latin-1 Supplement / Latin Extended-A/B (é, Ü, ł, ...)."""
    return "\u00c0" <= c <= "\u024f" and c.isalpha()
