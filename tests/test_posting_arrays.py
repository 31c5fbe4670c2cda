"""Posting arrays packed (the file's third version) read back as written, in fewer bytes,
and files of the second version (plain arrays) still read."""

from __future__ import annotations

import pickle
import struct
import sys

import numpy as np
from whoosh.filedb.filestore import FileStorage

from tui_reader.index.posting_arrays import EXT, PostingArrays, PostingArraysWriter


class _Segment:
    """What the writer asks of a segment: a file of its own."""

    def create_file(self, storage, ext):
        return storage.create_file("segment" + ext)


def _write(folder, terms: dict) -> PostingArrays:
    writer = PostingArraysWriter(FileStorage(str(folder)), _Segment())
    for (field, btext), arrays in terms.items():
        writer.add_arrays(field, btext, *arrays)
    writer.close()
    return PostingArrays.open_file(str(folder / ("segment" + EXT)))


def _terms() -> dict:
    rng = np.random.default_rng(7)
    dense = np.flatnonzero(rng.random(200_000) < 0.5).astype(np.uint32)  # steps < 256
    middling = np.cumsum(rng.integers(1, 60_000, 500)).astype(np.uint32)  # < 65,536
    sparse = np.array([3, 70_000, 4_000_000_000], dtype=np.uint32)  # a step past 65,535
    counts = np.ones(len(middling), dtype=np.uint16)
    return {
        ("abstract", b"model"): (dense, rng.integers(1, 9, len(dense)).astype(np.float32)),
        ("abstract", b"rare"): (middling, np.full(len(middling), 2.5, dtype=np.float32),
                                counts, np.arange(len(middling), dtype=np.uint16)),
        ("title", b"far"): (sparse, np.array([1.0, 300.0, 2.0], dtype=np.float32),
                            np.array([1, 2, 1], dtype=np.uint16),
                            np.array([0, 5, 70_000, 9], dtype=np.uint32)),
    }


def test_packed_arrays_read_back_as_written(tmp_path):
    terms = _terms()
    arrays = _write(tmp_path, terms)
    for (field, btext), (ids, weights, *positions) in terms.items():
        got = arrays.arrays(field, btext)
        assert got[0].tolist() == ids.tolist() and got[1].tolist() == weights.tolist()
        assert got[1].dtype == np.float32
        assert arrays.ids(field, btext).tolist() == ids.tolist()
        assert [a.tolist() for a in arrays.get(field, btext)] == [ids.tolist(),
                                                                   weights.tolist()]
        if positions:
            assert [a.tolist() for a in got[2:]] == [p.tolist() for p in positions]
            assert [a.tolist() for a in arrays.positions(field, btext)] == [
                ids.tolist(), *(p.tolist() for p in positions)]
        else:
            assert got[2] is None and arrays.positions(field, btext) is None
    assert arrays.get("abstract", b"unknown") is None


def _size(folder, ids: np.ndarray) -> int:
    """The bytes of a file holding one term of these ids (each weight 1.0)."""
    _write(folder, {("abstract", b"word"): (ids, np.ones(len(ids), dtype=np.float32))})
    return (folder / ("segment" + EXT)).stat().st_size


def test_a_common_word_takes_a_byte_and_a_bit_a_posting(tmp_path):
    """A word of one document in two: its ids a bitmap, its weights (counts of the word)
    a byte each; one of one document in twenty: steps of a byte."""
    common = np.flatnonzero(np.random.default_rng(5).random(200_000) < 0.5).astype(np.uint32)
    size = _size(tmp_path, common)
    assert len(common) * 1.25 <= size < len(common) * 1.25 + 500  # and the directory
    (tmp_path / "twenty").mkdir()
    every_twentieth = np.arange(0, 200_000, 20, dtype=np.uint32)
    size = _size(tmp_path / "twenty", every_twentieth)
    assert len(every_twentieth) * 2 <= size < len(every_twentieth) * 2 + 500


def test_files_of_the_second_version_are_read(tmp_path):
    """Plain uint32 ids and float32 weights, as libraries written before hold them."""
    terms = _terms()
    order = b"L" if sys.byteorder == "little" else b"B"
    data, directory = bytearray(b"TRPAX2" + order), {}
    for key, (ids, weights, *positions) in terms.items():
        directory[key] = (len(data), len(ids))
        data += ids.tobytes() + weights.tobytes()
        if positions:
            directory[key] += (len(positions[1]), positions[1].itemsize == 4)
            data += positions[0].tobytes() + positions[1].tobytes()
    start = len(data)
    data += pickle.dumps(directory) + struct.pack("<Q", start)
    path = tmp_path / ("old" + EXT)
    path.write_bytes(bytes(data))
    arrays = PostingArrays.open_file(str(path))
    assert arrays is not None and arrays.with_positions
    for (field, btext), (ids, weights, *positions) in terms.items():
        got = arrays.arrays(field, btext)
        assert got[0].tolist() == ids.tolist() and got[1].tolist() == weights.tolist()
        if positions:
            assert [a.tolist() for a in got[2:]] == [p.tolist() for p in positions]
