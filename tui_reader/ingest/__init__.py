"""Ingest: read a dump file (any supported format, detected by content) into Paper records.

Pure: bytes in, records and warnings out. Never raises on bad content; a file that cannot be
read at all gives a `ParsedDump` with `error` set.

    dump = read_dump("papers.jsonl.gz")
    if dump.error: ...            # one sentence: "not a recognised dump: binary file"
    for paper in dump.papers: ... # a generator for JSONL (streamed); warnings fill as it runs
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from datetime import date
from pathlib import Path
from typing import IO

from ..models import Paper, Source, path_text
from .detect import (
    FORMATS,
    GZIP_MAGIC,
    SNIFF_BYTES,
    decode,
    detect_format,
    is_binary,
    sniff_encoding,
)
from .guard import SAMPLE, implausible
from .hf_json import describe, paper_list, parse_hf_json
from .clean import strip_escape_sequences
from .html import parse_html
from .jsonl import parse_jsonl
from .markdown import parse_markdown
from .table import header_of, missing_columns, parse_table
from .text import parse_text

__all__ = ["FORMATS", "ParsedDump", "read_dump"]

_READ_ERRORS = (OSError, EOFError, zlib.error)
_NAMED_FIELDS = ("hf-json", "arxiv-jsonl", "csv")


@dataclass
class ParsedDump:
    """What reading one dump file gave."""

    path: str
    format: str | None  # one of FORMATS, None when not recognised
    papers: Iterator[Paper]  # each with sources=[Source(path, position, format)]
    warnings: list[str] = field(default_factory=list)  # filled while `papers` is consumed
    error: str | None = None  # the file cannot be read at all: one sentence


def read_dump(path: Path | str, *, year: int | None = None) -> ParsedDump:
    """Read the dump at `path`; `year` is the capture year of dates printed without one
    (overriding the year rule of `dates.py`). Never raises."""
    warnings: list[str] = []
    try:
        return _guarded(_read(Path(path), year, warnings))
    except _READ_ERRORS as e:
        return _failed(path, f"cannot read: {_describe(e)}", warnings)
    except RecursionError:
        return _failed(path, "not a recognised dump: nested too deeply", warnings)
    except Exception as e:  # a bug in a reader must not stop an import of many files
        return _failed(path, f"cannot read: unexpected {type(e).__name__}: {e}", warnings)


def _read(path: Path, year: int | None, warnings: list[str]) -> ParsedDump:
    mtime_year = date.fromtimestamp(path.stat().st_mtime).year
    with _open(path) as stream:
        head = stream.read(SNIFF_BYTES)
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" and b"\n" not in head:
            head += stream.readline()  # the whole first line, to tell JSONL from one JSON object
        if not head:
            return _failed(path, "not a recognised dump: empty file", warnings)
        encoding = sniff_encoding(head)
        if is_binary(head, encoding):
            return _failed(path, "not a recognised dump: binary file", warnings)
        fmt = detect_format(head.decode(encoding or "utf-8", errors="replace"))
        if fmt is None:
            return _failed(path, "not a recognised dump: empty file", warnings)
        if fmt == "arxiv-jsonl":
            lines = _lines(path, encoding, warnings)
            return ParsedDump(
                str(path),
                fmt,
                _with_sources(parse_jsonl(lines, warnings=warnings), path, fmt),
                warnings,
            )
        if fmt == "csv":
            delimiter, names = header_of(head.decode(encoding or "utf-8", errors="replace"))
            if why := missing_columns(names):
                return _failed(path, f"not a recognised dump: {why}", warnings)
            rows = parse_table(_text_lines(path, encoding), delimiter, warnings=warnings)
            return ParsedDump(str(path), fmt, _with_sources(rows, path, fmt), warnings)
        text, note = decode(head + stream.read(), encoding)
    if note:
        warnings.append(note)
    if fmt != "hf-json":  # escape sequences go before the structure is read (JSON: per field)
        text = strip_escape_sequences(text.replace("\r\n", "\n").replace("\r", "\n"))
    if fmt == "hf-json":
        try:
            data = json.loads(text, strict=False)  # raw control characters: cleaned per field
        except json.JSONDecodeError as e:
            return _failed(
                path, f"not a recognised dump: invalid JSON (line {e.lineno}: {e.msg})", warnings
            )
        entries = paper_list(data)
        papers = parse_hf_json(data, warnings=warnings)
        if not papers:
            why = describe(data) if entries is None else "no paper objects in the JSON list"
            return _failed(path, f"not a recognised dump: {why}", warnings)
    elif fmt == "html":
        papers = parse_html(text, year=year, mtime_year=mtime_year, warnings=warnings)
    elif fmt == "markdown":
        papers = parse_markdown(text, year=year, mtime_year=mtime_year, warnings=warnings)
    else:
        papers = parse_text(text, year=year, mtime_year=mtime_year, warnings=warnings)
    if not papers:
        return _failed(path, "not a recognised dump: no papers found", warnings)
    return ParsedDump(str(path), fmt, _with_sources(papers, path, fmt), warnings)


def _guarded(dump: ParsedDump) -> ParsedDump:
    """`dump`, or a failure when its first records do not look like papers (see `guard`)."""
    if dump.error is not None:
        return dump
    head = list(islice(dump.papers, SAMPLE))
    if why := implausible(head, named_fields=dump.format in _NAMED_FIELDS):
        return _failed(dump.path, f"not a recognised dump: {why}", dump.warnings)
    dump.papers = chain(head, dump.papers)
    return dump


def _open(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its magic bytes)."""
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else open(path, "rb")


def _lines(path: Path, encoding: str | None, warnings: list[str]) -> Iterator[bytes | str]:
    """The lines of a file, streamed (bytes when UTF-8, else decoded); a read error ends them
    with a warning."""
    try:
        with _open(path) as stream:
            if encoding in (None, "utf-8-sig"):
                for n, line in enumerate(stream):
                    yield line[3:] if n == 0 and line.startswith(b"\xef\xbb\xbf") else line
            else:
                yield from io.TextIOWrapper(stream, encoding=encoding, errors="replace")
    except _READ_ERRORS as e:
        warnings.append(f"the rest of the file cannot be read: {_describe(e)}")


def _text_lines(path: Path, encoding: str | None) -> Iterator[str]:
    """The lines of a file as text, line endings kept (for `csv`, whose quoted fields may hold
    them)."""
    with _open(path) as stream:
        yield from io.TextIOWrapper(
            stream, encoding=encoding or "utf-8-sig", errors="replace", newline=""
        )


def _with_sources(papers: Iterable[Paper], path: Path, fmt: str) -> Iterator[Paper]:
    """`papers` with their source: this file (its name as `path_text`), their 0-based
    position in it, the format."""
    name = path_text(path)
    for position, paper in enumerate(papers):
        paper.sources = [Source(path=name, position=position, format=fmt)]
        yield paper


def _failed(path: Path | str, error: str, warnings: list[str]) -> ParsedDump:
    return ParsedDump(str(path), None, iter(()), warnings, error)


def _describe(e: BaseException) -> str:
    """An I/O error as a short phrase: "[Errno 13] Permission denied"."""
    if isinstance(e, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"damaged gzip data ({e})"
    if isinstance(e, OSError) and e.strerror:
        return f"[Errno {e.errno}] {e.strerror}" if e.errno else e.strerror
    return str(e) or type(e).__name__
