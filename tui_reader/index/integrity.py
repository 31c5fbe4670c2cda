"""Whether the index's files are whole: checksums recorded at commit, checked on demand.

Every segment the fast writer commits gets `<segment>.sums`: the size and CRC-32 of each of its
files (segment files never change once written; Whoosh deletes the record with its segment).
`verify` compares them (reading the whole index: about 2 GB/s) and reads whole the segments
that have none (made by plain Whoosh, or before this check existed). A read that fails with
one of `DAMAGE` is damage too: the index is marked (`DAMAGE_FILE`) and rebuilt from the store.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
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
        _write_private(temporary, json.dumps(sums))
        os.replace(temporary, path)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _checksum(path: str) -> list[int]:
    """[size, CRC-32] of a file."""
    crc = size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return [size, crc]


def verify(ix, read_unsealed: bool = True) -> list[str]:
    """What is wrong with the files of the index's segments, one line each (none: whole).
    `read_unsealed`: read whole the segments without checksums (slow: a second for 3,000
    papers), else leave them."""
    storage, problems = ix.storage, []
    unsealed = set()
    for segment in internals.segments(ix):
        name = segment.segment_id()
        try:
            with open(internals.file_path(storage, name + SUMS)) as f:
                sums = json.load(f)
        except FileNotFoundError:
            unsealed.add(name)
            continue
        except (OSError, ValueError) as exc:
            problems.append(f"{name}{SUMS}: the checksums cannot be read ({exc})")
            continue
        for file, (size, crc) in sorted(sums.items()):
            try:
                found_size, found_crc = _checksum(internals.file_path(storage, file))
            except OSError as exc:
                problems.append(f"{file}: cannot be read ({exc.strerror or exc})")
                continue
            if found_size != size:
                problems.append(f"{file}: {counted(found_size, 'byte')} where {size:,}"
                                f" {'was' if size == 1 else 'were'} written")
            elif found_crc != crc:
                problems.append(f"{file}: damaged (its checksum is not the one written)")
    if read_unsealed and unsealed:
        problems += _read_whole(ix, unsealed)
    return problems


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
        _write_private(folder / DAMAGE_FILE, reason + "\n")
    except OSError:
        pass


def damage_mark(folder: Path) -> str | None:
    """Why the index in `folder` was marked for a rebuild, or None."""
    try:
        return (folder / DAMAGE_FILE).read_text().strip() or "damaged"
    except OSError:
        return None
