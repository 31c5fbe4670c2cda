"""Whether the index's files are whole: checksums recorded at commit, checked on demand.

Every segment the fast writer commits gets `<segment>.sums`: the size and CRC-32 of each of its
files (segment files never change once written; Whoosh deletes the record with its segment).
`verify` compares them (reading the whole index: about 2 GB/s) and reads whole the segments
that have none (made by plain Whoosh, or before this check existed); `verify_part` compares
the sizes and a bounded part of the checksums, going on from where it last stopped (a start's
check of a big index). A read that fails with one of `DAMAGE` is damage too: the index is
marked (`DAMAGE_FILE`) and rebuilt from the store.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import struct
import time
import zlib
from pathlib import Path

from ..models import counted
from . import whoosh_internals as internals

SUMS = ".sums"
DAMAGE_FILE = "DAMAGED"  # in the index folder: why it must be rebuilt (cleared by a rebuild)
# What Whoosh raises when it reads damaged bytes (zeros in a compressed block, a cut file).
DAMAGE = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, UnicodeDecodeError,
          OverflowError, MemoryError)


def seal(storage, segments) -> None:
    """Record the sizes and checksums of the files of the segments that have no record yet
    (called before the table of contents that lists them is written)."""
    for segment in segments:
        name = segment.segment_id() + SUMS
        if storage.file_exists(name):
            continue
        sums = {f: _checksum(internals.file_path(storage, f))
                for f in segment.list_files(storage) if not f.endswith(SUMS)}
        path = Path(internals.file_path(storage, name))
        temporary = path.with_name(path.name + ".new")
        write_private(temporary, json.dumps(sums))
        os.replace(temporary, path)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, in place (small files: a record, a mark)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _checksum(path: str) -> list[int]:
    """[size, CRC-32] of a file."""
    size, crc = _crc_part(path, 0, 0, None)
    return [size, crc]


def _crc_part(path: str, offset: int, crc: int, budget: int | None,
              deadline: float = math.inf) -> tuple[int, int]:
    """(where the read stopped, the CRC-32 so far) of a file read on from `offset` with the
    CRC of the bytes before it: at most `budget` bytes (None: to its end), a megabyte at a
    time until `deadline` (time.monotonic) has passed."""
    with open(path, "rb") as f:
        f.seek(offset)
        while budget is None or budget > 0:
            chunk = f.read(1 << 20 if budget is None else min(1 << 20, budget))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            offset += len(chunk)
            if budget is not None:
                budget -= len(chunk)
            if time.monotonic() >= deadline:
                break
    return offset, crc


def verify(ix, read_unsealed: bool = True) -> list[str]:
    """What is wrong with the files of the index's segments, one line each (none: whole).
    `read_unsealed`: read whole the segments without checksums (slow: a second for 3,000
    papers), else leave them."""
    sums, unsealed, problems = _recorded(ix)
    for file, (size, crc) in sorted(sums.items()):
        path = internals.file_path(ix.storage, file)
        try:
            found_size, found_crc = _checksum(path)
        except OSError as exc:
            problems.append(f"{file}: cannot be read ({exc.strerror or exc})")
            continue
        problems += _compared(file, size, crc, found_size, found_crc)
    if read_unsealed and unsealed:
        problems += _read_whole(ix, unsealed)
    return problems


def verify_part(ix, cursor: list | None, budget: int, seconds: float
                ) -> tuple[list[str], list | None]:
    """A part of `verify` that takes a bounded time on any index: every sealed file's size,
    and the checksums of at most `budget` bytes of the files (at least a megabyte, at most
    what `seconds` reads: a disk may be slow), taken in name order from `cursor` on (None:
    from the first; else [file, offset, CRC so far], as this returned it: the files never
    change once written). Returns the problems and where to go on (None: the last file was
    reached). Segments without checksums are left."""
    sums, _, problems = _recorded(ix)
    resume, deadline, spent = None, time.monotonic() + seconds, 0
    for file, (size, crc) in sorted(sums.items()):
        path = internals.file_path(ix.storage, file)
        try:
            found_size = os.path.getsize(path)
        except OSError as exc:
            problems.append(f"{file}: cannot be read ({exc.strerror or exc})")
            continue
        if found_size != size:
            problems += _compared(file, size, crc, found_size, crc)
            continue
        if (cursor is not None and file < cursor[0]) or resume is not None:
            continue  # read earlier in this pass, or after the budget
        offset, found_crc = cursor[1:] if cursor is not None and file == cursor[0] else (0, 0)
        if spent and time.monotonic() >= deadline:
            resume = [file, offset, found_crc]
            continue
        try:
            end, found_crc = _crc_part(path, offset, found_crc, budget, deadline)
        except OSError as exc:
            problems.append(f"{file}: cannot be read ({exc.strerror or exc})")
            continue
        budget, spent = budget - (end - offset), spent + end - offset
        if end < size:
            resume = [file, end, found_crc]
        else:
            problems += _compared(file, size, crc, end, found_crc)
    return problems, resume


def _recorded(ix) -> tuple[dict[str, list[int]], set[str], list[str]]:
    """The recorded [size, CRC-32] of each sealed file of the index's segments, the names of
    the segments without a record, and the records that cannot be read."""
    sums, unsealed, problems = {}, set(), []
    for segment in internals.segments(ix):
        name = segment.segment_id()
        try:
            with open(internals.file_path(ix.storage, name + SUMS)) as f:
                sums.update(json.load(f))
        except FileNotFoundError:
            unsealed.add(name)
        except (OSError, ValueError) as exc:
            problems.append(f"{name}{SUMS}: the checksums cannot be read ({exc})")
    return sums, unsealed, problems


def _compared(file: str, size: int, crc: int, found_size: int, found_crc: int) -> list[str]:
    """What differs between a file's record and what was read (none: whole)."""
    if found_size != size:
        return [f"{file}: {counted(found_size, 'byte')} where {size:,}"
                f" {'was' if size == 1 else 'were'} written"]
    if found_crc != crc:
        return [f"{file}: damaged (its checksum is not the one written)"]
    return []


def _read_whole(ix, names: set[str]) -> list[str]:
    """Read every stored document, column and posting of these segments."""
    problems = []
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            name = leaf.segment().segment_id()
            if name not in names:
                continue
            try:
                for docnum in range(leaf.doc_count_all()):
                    leaf.stored_fields(docnum)
                for field in leaf.indexed_field_names():
                    for term in leaf.lexicon(field):
                        for _ in leaf.postings(field, term).all_items():
                            pass
                    if leaf.has_column(field):
                        list(leaf.column_reader(field))
            except Exception as exc:  # Whoosh fails in many ways on damaged files
                problems.append(f"segment {name}: cannot be read ({describe(exc)})")
    return problems


def describe(exc: BaseException) -> str:
    """A failure to read the index, in a few words."""
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    name = type(exc).__name__
    if name == "error":  # zlib.error, struct.error
        name = f"{type(exc).__module__}.error"
    return f"{name}: {exc}".strip(": ")


def mark_damaged(folder: Path, reason: str) -> None:
    """Say that the index in `folder` must be rebuilt (best effort: a read-only data dir)."""
    try:
        write_private(folder / DAMAGE_FILE, reason + "\n")
    except OSError:
        pass


def damage_mark(folder: Path) -> str | None:
    """Why the index in `folder` was marked for a rebuild, or None."""
    try:
        return (folder / DAMAGE_FILE).read_text().strip() or "damaged"
    except OSError:
        return None
