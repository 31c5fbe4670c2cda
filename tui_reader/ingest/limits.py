"""Bounds on what one dump may make tui-reader hold: the size of every field of a paper, of a
line, of a dump read whole, and how far a gzip file may expand. A dump past them (a
decompression bomb, a 200 MB "title") costs seconds and megabytes, never gigabytes.

- a field too long is cut (a warning names the record); a URL too long is dropped;
- a line longer than MAX_LINE is skipped (a warning names the line);
- a text, Markdown, HTML or JSON dump is read whole: one of more than MAX_WHOLE is not read;
- gzip data is read as a stream and stops (TooLarge) past max(EXPANSION_FREE,
  EXPANSION_RATIO x the file's size), and past MAX_EXPANDED in any case.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from ..models import Paper, counted, paper_id

MB = 1 << 20
MAX_TITLE = 500  # characters
MAX_ABSTRACT = 50_000
MAX_NAME = 300  # an author, an organisation, a category
MAX_AUTHORS = 5_000  # names kept (collaborations in physics sign with about 3,000)
MAX_CATEGORIES = 100
MAX_URL = 2_000
MAX_LINE = 4 * MB  # bytes (characters where the file is decoded as it is read)
MAX_WHOLE = 32 * MB  # bytes of a dump that is read whole (JSONL and CSV are streamed)
EXPANSION_RATIO = 100  # gzip data may expand to this many times the file's size ...
EXPANSION_FREE = 64 * MB  # ... or to this, whichever is more ...
MAX_EXPANDED = 16 << 30  # ... and never past this
MAX_CUT_WARNINGS = 50  # then one line counts the rest


class TooLarge(ValueError):
    """A dump past one of the bounds above: the message says which, for the user."""


def size_text(n: int) -> str:
    """A byte count for people: "199 KB", "64 MB", "16 GB"."""
    for unit, size in (("GB", 1 << 30), ("MB", MB), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:,.0f} {unit}"
    return counted(n, "byte")


class _Expansion(io.RawIOBase):
    """The bytes a decompressing stream gives, counted; TooLarge past `limit`."""

    def __init__(self, stream: IO[bytes], limit: int, why: str):
        self.stream, self.limit, self.why, self.count = stream, limit, why, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.stream.readinto(buffer)
        self.count += n
        if self.count > self.limit:
            raise TooLarge(self.why)
        return n

    def close(self) -> None:
        self.stream.close()
        super().close()


def bounded_expansion(stream: IO[bytes], compressed: int) -> IO[bytes]:
    """`stream` (gzip data decompressed, from a file of `compressed` bytes), stopping with
    TooLarge where it expands past the bounds."""
    limit = min(MAX_EXPANDED, max(EXPANSION_FREE, EXPANSION_RATIO * compressed))
    why = f"the gzip data expands past {size_text(limit)}"
    if limit < MAX_EXPANDED:
        why += f", more than {EXPANSION_RATIO} times the file's {size_text(compressed)}"
    return io.BufferedReader(_Expansion(stream, limit, why + ": not read further"))


def read_whole(stream: IO[bytes], head: bytes, fmt: str) -> bytes:
    """The rest of a dump read whole after its first bytes `head`; TooLarge past MAX_WHOLE."""
    data = head + stream.read(MAX_WHOLE + 1 - len(head))
    if len(data) > MAX_WHOLE:
        raise TooLarge(f"more than {size_text(MAX_WHOLE)}: a dump read as {fmt} is read whole,"
                       f" up to {size_text(MAX_WHOLE)} (JSONL and CSV are read as streams)")
    return data


def bounded_lines(stream: IO, warnings: list[str]) -> Iterator[bytes | str]:
    """The lines of `stream` (bytes or text, line ends kept); a line longer than MAX_LINE is
    skipped with a warning, never held whole, and an empty line stands in its place (the
    lines after it keep their numbers)."""
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        newline = "\n" if isinstance(line, str) else b"\n"
        if len(line) > MAX_LINE and not line.endswith(newline):
            while (rest := stream.readline(MAX_LINE)) and not rest.endswith(newline):
                pass
            warnings.append(f"line {number}: longer than {size_text(MAX_LINE)}: skipped")
            line = newline
        yield line


def bounded(paper: Paper) -> tuple[Paper, list[str]]:
    """`paper` with every field within its bound, and what was cut ("the title (209,715,200
    characters)"); its id follows a cut title."""
    cut: list[str] = []
    changes: dict = {}

    def text(name: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            changes[name] = value[:limit - 1].rstrip() + "…"
            cut.append(f"the {name} ({len(value):,} characters)")

    text("title", paper.title, MAX_TITLE)
    text("abstract", paper.abstract, MAX_ABSTRACT)
    text("organization", paper.organization, MAX_NAME)
    if "title" in changes:
        changes["id"] = paper_id(changes["title"])
    if paper.url is not None and len(paper.url) > MAX_URL:
        changes["url"] = None
        cut.append(f"the url ({len(paper.url):,} characters, dropped)")
    for name, values, most in (("authors", paper.authors, MAX_AUTHORS),
                               ("categories", paper.categories, MAX_CATEGORIES)):
        kept = [v if len(v) <= MAX_NAME else v[:MAX_NAME - 1] + "…" for v in values[:most]]
        if len(values) > most:
            cut.append(f"the {name} ({len(values):,}, {most:,} kept)")
        elif kept != values:
            cut.append(f"{name} longer than {MAX_NAME} characters")
        if kept != values:
            changes[name] = kept
    return (paper.model_copy(update=changes) if changes else paper), cut
