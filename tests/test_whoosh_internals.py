"""The boundary on Whoosh's private names: a Whoosh without one of them turns the fast paths
off at start-up, and plain Whoosh then imports and searches with the same results."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.writing import SegmentWriter

from tests.conftest import FIXTURES
from tui_reader.index import whoosh_internals as internals
from tui_reader.library import Library

DUMP = FIXTURES / "arxiv_100.jsonl"
QUERIES = [("model", "relevance"), ("language models", "date"), ('"neural network"', "relevance"),
           ("learn*", "relevance"), ("reasoning AND NOT vision", "upvotes"),
           ("year:2020..2025", "title"), ("netwrok", "relevance"), ("title:graph", "relevance")]

# In a fresh interpreter: Whoosh without one of the names the fast paths use (its own plain
# paths do not need it), then an import, searches of this index and of one written with the
# fast paths on, and `tui-reader stats`. (Whoosh scores an OR of 3+ terms, a prefix here, in a
# segment of <= 5,000 documents with its "preloaded" matcher; a real collection gets BM25F
# sums, as the fast search does everywhere: tests/test_performance_paths.py asks for those.)
SCRIPT = """
import json, sys
from whoosh import query
from whoosh.query import qcore
del qcore._NullQuery
query.Or.matcher_type = query.Or.DEFAULT_MATCHER
from click.testing import CliRunner
from tui_reader.cli import main
from tui_reader.index import whoosh_internals
from tui_reader.library import Library
from tests.test_whoosh_internals import results
plain, fast_dir, dump = sys.argv[1:]
lib = Library(plain)
report = lib.import_paths([dump])
out = {"problem": whoosh_internals.PROBLEM, "papers": report.papers, "plain": results(lib),
       "fast_search": lib.index.fast_search}
lib.close()
lib = Library(fast_dir)
out["fast_index"] = results(lib)
lib.close()
runner = CliRunner()
out["stats"] = runner.invoke(main, ["--data-dir", plain, "stats"]).output
out["stats_json"] = json.loads(runner.invoke(main, ["--data-dir", plain, "stats", "--json"]).output)
print(json.dumps(out))
"""


def results(lib: Library) -> dict:
    """Each query's total and ids, in order (no error)."""
    out = {}
    for text, sort in QUERIES:
        found = lib.search(text, sort=sort, limit=100)
        assert found.error is None, text
        out[f"{text} {sort}"] = [found.total, [h.paper.id for h in found.hits]]
    return out


def test_the_installed_whoosh_is_supported():
    assert internals.check() is None and internals.SUPPORTED


@pytest.mark.parametrize("cls,name", [(whoosh3.W3LeafMatcher, "_next_block"),
                                      (SegmentWriter, "_finalize_segment"),
                                      (whoosh3.W3PerDocReader, "_cached_reader")])
def test_a_missing_name_is_reported(monkeypatch, cls, name):
    monkeypatch.delattr(cls, name)
    assert name in internals.check()


def test_a_changed_block_layout_is_reported(monkeypatch):
    """A writer that stores a block's postings differently (here: its ids not delta-coded)."""
    monkeypatch.setattr(whoosh3.W3PostingsWriter, "_mini_ids", lambda self: list(self._ids))
    assert "not" in internals.check()


def test_postings_decoded_from_blocks_are_the_matchers(tmp_path):
    """read_postings against Whoosh's matcher for every term of a segment Whoosh wrote:
    one block, several blocks (blocks of 4), each compressed (the check at import reads the
    fast writer's uncompressed small blocks too). None is inlined: Whoosh's writer fails on
    inlining, calling a `set_inline` W3TermInfo does not have."""
    from whoosh import fields
    from whoosh.filedb.filestore import FileStorage
    schema = fields.Schema(body=fields.TEXT, tag=fields.KEYWORD)
    ix = FileStorage(str(tmp_path)).create_index(schema)
    writer = SegmentWriter(ix, blocklimit=4)
    words = ["common", "rare", "middle"]
    for n in range(40):
        writer.add_document(body=" ".join(words[:1 + n % 3] * (1 + n % 5)) + f" only{n}",
                            tag="x" if n % 9 else "y")
    writer.commit()
    reader = ix.reader()
    shapes = set()
    postfile = internals.postings_file(reader)
    for field, btext in reader.all_terms():
        info = reader.term_info(field, btext)
        ids, weights = [], []
        internals.read_postings(postfile, internals.extent(info), ids, weights)
        m, expected = reader.postings(field, btext), []
        while m.is_active():
            expected.append((m.id(), m.weight()))
            m.next()
        assert list(zip(ids, weights)) == expected, (field, btext)
        shapes.add(len(ids) > 4)
    assert shapes == {False, True}
    reader.close()


def test_without_a_name_plain_whoosh_imports_and_searches_the_same(tmp_path):
    fast = Library(tmp_path / "fast")
    try:
        assert fast.import_paths([DUMP]).papers == 100
        expected = results(fast)
    finally:
        fast.close()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "plain"),
                           str(tmp_path / "fast"), str(DUMP)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "_NullQuery" in out["problem"] and out["fast_search"] is False
    assert out["papers"] == 100
    assert out["plain"] == expected  # imported by Whoosh's writer, searched by its matchers
    assert out["fast_index"] == expected  # the fast writer's index, searched by Whoosh
    assert all(total > 0 for total, _ in expected.values())
    off = [line for line in out["stats"].splitlines() if "fast search off" in line]
    assert len(off) == 1 and "_NullQuery" in off[0]
    assert out["stats_json"]["fast_paths"] is False and out["stats_json"]["papers"] == 100
    assert not list((tmp_path / "plain" / "index").glob("*.pax"))  # no posting arrays


def test_a_fast_path_failing_at_run_time_falls_back_to_whoosh(tmp_path, monkeypatch):
    """An AttributeError inside the fast search (a Whoosh that changed under the check) is
    "unsupported" for that query: Whoosh's matchers answer, no failed search."""
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([DUMP])
        expected = results(lib)

        calls = []

        def renamed(weighting, field):
            calls.append(field)
            raise AttributeError("'BM25F' object has no attribute '_field_B'")
        monkeypatch.setattr(internals, "field_B", renamed)
        monkeypatch.setattr(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER)  # see SCRIPT
        lib.index.close()  # a new searcher: nothing remembered
        assert results(lib) == expected and calls
    finally:
        lib.close()


def test_a_compact_terms_index_writes_the_file_whoosh_writes():
    """The terms file's hash entries kept in arrays and its tables written a bucket at a time
    (compact_terms_index): byte for byte Whoosh's file, entries added by Whoosh's own `add` and
    by the fast writer's, buckets empty, full and colliding; every key read back."""
    from io import BytesIO

    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    from tui_reader.index.whoosh_internals import _add_term_entry

    keys = sorted({f"k{i * 7919 % 100003:06d}".encode() for i in range(3000)}
                  | {b"a", b"b" * 300, "é".encode()})
    files = []
    for compact in (False, True):
        out = StructFile(BytesIO())
        writer = OrderedHashWriter(out)
        if compact:
            internals.compact_terms_index(type("FieldWriter", (), {"_tindex": writer})())
        for i, key in enumerate(keys):
            value = key[::-1] * (i % 3)
            if compact and i % 2:
                _add_term_entry(writer, key, value)
            else:
                writer.add(key, value)
        out.file.close = lambda: None  # keep the bytes readable
        writer.close()
        files.append(out.file.getvalue())
    assert files[0] == files[1]
    reader = OrderedHashReader(StructFile(BytesIO(files[1])), len(files[1]))
    assert [reader[key] for key in keys] == [key[::-1] * (i % 3) for i, key in enumerate(keys)]
