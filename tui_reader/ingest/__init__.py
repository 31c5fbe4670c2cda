"""Ingest: read a dump file (any supported format, detected by content) into Paper records.

Pure: bytes in, records and warnings out. Never raises on bad content; a file that cannot be
read at all gives a `ParsedDump` with `error` set, and so does one whose reading stopped part
way (past a bound of `limits`: the papers before were given).

    dump = read_dump("papers.jsonl.gz")
    if dump.error: ...            # one sentence: "not a recognised dump: binary file"
    for paper in dump.papers: ... # a generator for JSONL (streamed); warnings fill as it runs
    if dump.error: ...            # stopped part way: "the gzip data expands past 64 MB, ..."
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from datetime import date
from pathlib import Path
from typing import IO

from ..models import Paper, Source, counted, path_text
from .dates import Capture, parse_iso_date
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
from .limits import (MAX_CUT_WARNINGS, MAX_LINE, TooLarge, bounded, bounded_expansion,
                     bounded_lines, read_whole)
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
    error: str | None = None  # the file cannot be read (at all, or past a point): one sentence
    # the day of the capture of a listing page: the date the dump states, else the latest date
    # printed in it, else the file's modification day (None: a JSONL or CSV of metadata)
    captured: date | None = None
    bytes_read: int = 0  # of the file (compressed, if it is), as a stream is read: progress


def read_dump(path: Path | str, *, year: int | None = None) -> ParsedDump:
    """Read the dump at `path`; `year` is the capture year of dates printed without one
    (overriding the year rule of `dates.py`). Never raises."""
    warnings: list[str] = []
    try:
        return _guarded(_read(Path(path), year, warnings))
    except _READ_ERRORS as e:
        return _failed(path, f"cannot read: {_describe(e)}", warnings)
    except TooLarge as e:
        return _failed(path, str(e), warnings)
    except RecursionError:
        return _failed(path, "not a recognised dump: nested too deeply", warnings)
    except Exception as e:  # a bug in a reader must not stop an import of many files
        return _failed(path, f"cannot read: unexpected {type(e).__name__}: {e}", warnings)


def _read(path: Path, year: int | None, warnings: list[str]) -> ParsedDump:
    file_day = date.fromtimestamp(path.stat().st_mtime)
    mtime_year = file_day.year
    capture = Capture()
    with open(path, "rb") as raw, _open(path, raw) as stream:
        head = stream.read(SNIFF_BYTES)
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" and b"\n" not in head:
            head += stream.readline(MAX_LINE)  # the first line, to tell JSONL from one object
        if not head:
            return _failed(path, "not a recognised dump: empty file", warnings)
        encoding = sniff_encoding(head)
        if is_binary(head, encoding):
            return _failed(path, "not a recognised dump: binary file", warnings)
        fmt = detect_format(head.decode(encoding or "utf-8", errors="replace"))
        if fmt is None:
            return _failed(path, "not a recognised dump: empty file", warnings)
        if fmt in ("arxiv-jsonl", "csv"):
            return _streamed(path, fmt, head, encoding, warnings)
        text, note = decode(read_whole(stream, head, fmt), encoding)
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
        capture.date = parse_iso_date(data.get("date")) if isinstance(data, dict) else None
        papers = parse_hf_json(data, warnings=warnings)
        if not papers:
            why = describe(data) if entries is None else "no paper objects in the JSON list"
            return _failed(path, f"not a recognised dump: {why}", warnings)
    elif fmt == "html":
        papers = parse_html(text, year=year, mtime_year=mtime_year, warnings=warnings,
                            capture=capture)
    elif fmt == "markdown":
        papers = parse_markdown(text, year=year, mtime_year=mtime_year, warnings=warnings,
                                capture=capture)
    else:
        papers = parse_text(text, year=year, mtime_year=mtime_year, warnings=warnings,
                            capture=capture)
    if not papers:
        return _failed(path, "not a recognised dump: no papers found", warnings)
    captured = (capture.date or max((p.published for p in papers if p.published), default=None)
                or file_day)
    return ParsedDump(str(path), fmt, _with_sources(papers, path, fmt, warnings, captured),
                      warnings, captured=captured)


def _guarded(dump: ParsedDump) -> ParsedDump:
    """`dump`, or a failure when its first records do not look like papers (see `guard`)."""
    if dump.error is not None:
        return dump
    head = list(islice(dump.papers, SAMPLE))
    if why := implausible(head, named_fields=dump.format in _NAMED_FIELDS):
        return _failed(dump.path, f"not a recognised dump: {why}", dump.warnings)
    dump.papers = chain(head, dump.papers)
    return dump


def _streamed(path: Path, fmt: str, head: bytes, encoding: str | None,
              warnings: list[str]) -> ParsedDump:
    """A dump read as a stream, record by record: JSONL or CSV (metadata, not the capture of
    a listing page: no capture day)."""
    dump = ParsedDump(str(path), fmt, iter(()), warnings)
    if fmt == "arxiv-jsonl":
        records = parse_jsonl(_lines(path, encoding, dump), warnings=warnings)
    else:
        delimiter, names = header_of(head.decode(encoding or "utf-8", errors="replace"))
        if why := missing_columns(names):
            return _failed(path, f"not a recognised dump: {why}", warnings)
        records = parse_table(_lines(path, encoding, dump, table=True), delimiter,
                              warnings=warnings)
    dump.papers = _with_sources(records, path, fmt, warnings, None)
    return dump


def _open(path: Path, raw: IO[bytes] | None = None) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (by its magic bytes), as a stream that
    stops where gzip data expands past the bounds of `limits`; `raw`: the file itself, open
    (its position is how far the reading got)."""
    raw = raw or open(path, "rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == GZIP_MAGIC:
        return bounded_expansion(gzip.GzipFile(fileobj=raw, mode="rb"),
                                 os.fstat(raw.fileno()).st_size)
    return raw


def _lines(path: Path, encoding: str | None, dump: ParsedDump, *, table: bool = False
           ) -> Iterator[bytes | str]:
    """The lines of a file, streamed and bounded (`limits.bounded_lines`): bytes when UTF-8,
    else decoded; `table`: decoded, line endings kept (for `csv`, whose quoted fields may
    hold them). A read error ends them with a warning, a bound with the dump's error."""
    try:
        with open(path, "rb") as raw, _open(path, raw) as stream:
            if table or encoding not in (None, "utf-8-sig"):
                stream = io.TextIOWrapper(stream, encoding=encoding or "utf-8-sig",
                                          errors="replace", newline="" if table else None)
            lines = bounded_lines(stream, dump.warnings)
            first = next(lines, b"")
            yield first[3:] if first[:3] == b"\xef\xbb\xbf" else first  # (text: no mark)
            for n, line in enumerate(lines):
                if not n % 256:
                    dump.bytes_read = raw.tell()
                yield line
    except _READ_ERRORS as e:
        dump.warnings.append(f"the rest of the file cannot be read: {_describe(e)}")
    except TooLarge as e:
        dump.error = str(e)


def _with_sources(papers: Iterable[Paper], path: Path, fmt: str, warnings: list[str],
                  captured: date | None) -> Iterator[Paper]:
    """`papers` with their source: this file (its name as `path_text`), their 0-based
    position in it, the format, the capture's day and the upvotes it showed; each within
    the bounds of `limits` (what was cut: a warning naming the record)."""
    name = path_text(path)
    cuts = 0
    for position, paper in enumerate(papers):
        paper, cut = bounded(paper)
        if cut:
            cuts += 1
            if cuts <= MAX_CUT_WARNINGS:
                warnings.append(f"record {position + 1} ({paper.title[:40]!r}): cut"
                                f" {' and '.join(cut)}")
        paper.sources = [Source(path=name, position=position, format=fmt,
                                upvotes=paper.upvotes, captured=captured)]
        yield paper
    if cuts > MAX_CUT_WARNINGS:
        warnings.append(f"{counted(cuts - MAX_CUT_WARNINGS, 'more record')} cut, not listed")


def _failed(path: Path | str, error: str, warnings: list[str]) -> ParsedDump:
    return ParsedDump(str(path), None, iter(()), warnings, error)


def _describe(e: BaseException) -> str:
    """An I/O error as a short phrase: "[Errno 13] Permission denied"."""
    if isinstance(e, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"damaged gzip data ({e})"
    if isinstance(e, OSError) and e.strerror:
        return f"[Errno {e.errno}] {e.strerror}" if e.errno else e.strerror
    return str(e) or type(e).__name__
