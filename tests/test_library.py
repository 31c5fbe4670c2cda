"""Import, merge, incremental re-import and user data, through the Library on a real store and index."""

from __future__ import annotations

import json
import shutil
import sqlite3

from tests.conftest import CORPUS, FIXTURES, SAMPLE_DUMPS, write_jsonl
from tui_reader.library import Library
from tui_reader.models import paper_id

SIGMA = "Sigma: Differential Rescaling of Query, Key and Value for Efficient Language Models"
SSM_TITLE = ("Transformers are SSMs: Generalized Models and Efficient Algorithms Through "
             "Structured State Space Duality")


def test_sample_dumps_import_and_merge_across_dumps(lib):
    report = lib.import_paths([SAMPLE_DUMPS])
    assert len(report.files) == 3 and not report.failed
    assert report.papers == sum(f.papers for f in report.files)
    # Papers seen in several dumps are stored once.
    assert lib.stats()["papers"] == report.new < report.papers
    sigma = lib.paper(paper_id(SIGMA))
    assert sorted(s.path.rsplit("/", 1)[-1][:3] for s in sigma.sources) == ["000", "003"]
    # The richest values survive the merge: 000 (compact) has no metadata, 003 has it.
    assert sigma.authors_count == 34
    assert sigma.published.isoformat() == "2025-01-23"
    assert sigma.upvotes == 2


def test_ids_are_stable_across_reimports_and_formats(tmp_path):
    first = Library(tmp_path / "a")
    first.import_paths([SAMPLE_DUMPS])
    ids_a = {p.id for p in first.browse("all", limit=10_000)[1]}
    first.close()
    second = Library(tmp_path / "b")
    second.import_paths(sorted(SAMPLE_DUMPS.iterdir(), reverse=True))
    ids_b = {p.id for p in second.browse("all", limit=10_000)[1]}
    second.close()
    assert ids_a == ids_b


def test_same_paper_from_json_and_jsonl_merges_by_arxiv_id(lib, tmp_path):
    lib.import_paths([FIXTURES / "hf_api" / "2024-06-03.json"])
    before = lib.stats()["papers"]
    # The same arXiv paper, its title worded a little differently, from an arXiv JSONL dump.
    jsonl = write_jsonl(tmp_path / "arxiv.jsonl", [{
        "id": "2405.21060v2", "title": SSM_TITLE + " (extended)", "abstract": "Short.",
        "authors": ["Tri Dao", "Albert Gu"], "categories": ["cs.LG"],
        "update_date": "2024-05-31"}])
    report = lib.import_paths([jsonl])
    assert report.new == 0 and report.updated == 1
    assert lib.stats()["papers"] == before
    paper = lib.paper("2405.21060")
    # the later title replaces the stored one (a corrected title, issue 10 item 6)
    assert (paper.id, paper.title) == (paper_id(SSM_TITLE + " (extended)"), SSM_TITLE + " (extended)")
    assert paper.categories == ["cs.LG"]
    assert paper.upvotes == 27  # kept from the JSON dump: the JSONL has none
    assert {s.format for s in paper.sources} == {"hf-json", "arxiv-jsonl"}


def test_unchanged_file_is_skipped_and_changed_file_updates(lib, tmp_path):
    path = tmp_path / "hf.json"
    records = [{"paper": {"id": "2406.00001", "title": "Sparse Autoencoders Everywhere",
                          "summary": "We train them.", "upvotes": 5,
                          "publishedAt": "2024-06-01T00:00:00.000Z"}}]
    path.write_text(json.dumps(records))
    assert lib.import_paths([path]).new == 1
    again = lib.import_paths([path])
    assert again.files[0].skipped and again.new == 0 and again.updated == 0
    records[0]["paper"]["upvotes"] = 50
    path.write_text(json.dumps(records))
    changed = lib.import_paths([path])
    assert not changed.files[0].skipped and changed.updated == 1 and changed.new == 0
    assert lib.paper("2406.00001").upvotes == 50
    assert lib.search("upvotes:>40").total == 1


def test_failed_files_are_reported_and_the_rest_imported(lib, tmp_path, corpus_file):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02binary\xff" * 100)
    report = lib.import_paths([bad, corpus_file, tmp_path / "missing.json"])
    assert report.new == len(CORPUS)
    failed = {f.path.rsplit("/", 1)[-1]: f.error for f in report.failed}
    assert set(failed) == {"bad.bin", "missing.json"}
    assert "not a recognised dump" in failed["bad.bin"]
    assert "no such file" in failed["missing.json"]
    assert report.summary() == f"{len(CORPUS)} papers from 3 files: {len(CORPUS)} new, 0 updated; 2 files failed"


def test_user_data_survives_reindex_reimport_and_removed_dumps(data_dir, tmp_path):
    dump = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    lib = Library(data_dir)
    lib.import_paths([dump])
    target = paper_id(CORPUS[2]["title"])
    lib.bookmark(target)
    lib.note(target, "read the appendix")
    lib.save_search("gnn", "graph", "date")
    lib.mark_read(target)
    lib.reindex()
    lib.import_paths([dump])
    lib.close()
    # The index is thrown away and the dump deleted: user data and papers remain.
    shutil.rmtree(data_dir / "index")
    dump.unlink()
    lib = Library(data_dir)
    assert lib.index_rebuilt
    paper = lib.paper(target)
    assert paper.bookmarked and paper.note == "read the appendix" and paper.read
    assert [h.paper.id for h in lib.search("note:appendix").hits] == [target]
    assert [(s.name, s.query, s.sort) for s in lib.saved_searches()] == [("gnn", "graph", "date")]
    # Even when the papers themselves are gone, the bookmark keeps its title.
    with sqlite3.connect(data_dir / "library.sqlite3") as db:
        db.execute("DELETE FROM papers")
    assert [(p.id, p.title) for p in lib.bookmarks()] == [(target, CORPUS[2]["title"])]
    lib.close()


def test_corrupt_index_is_rebuilt_from_the_store(data_dir, corpus_file):
    lib = Library(data_dir)
    lib.import_paths([corpus_file])
    lib.close()
    for f in (data_dir / "index").iterdir():
        if f.suffix in (".seg", ".toc"):
            f.write_bytes(b"garbage")
    lib = Library(data_dir)
    assert lib.index_rebuilt
    assert lib.search("diffusion").total == 2
    lib.close()


def test_views_and_new(corpus_lib, tmp_path):
    total, papers = corpus_lib.browse("new")
    assert total == len(CORPUS)
    extra = write_jsonl(tmp_path / "extra.jsonl", [{"id": "2501.00009", "title": "A Fresh Paper",
                                                    "abstract": "x", "authors": [],
                                                    "categories": []}])
    corpus_lib.import_paths([extra])
    assert [p.title for p in corpus_lib.browse("new")[1]] == ["A Fresh Paper"]
    assert corpus_lib.last_import() == (1, 0)
    first = corpus_lib.browse("all", sort="title")[1][0]
    corpus_lib.mark_read(first.id)
    assert first.id not in {p.id for p in corpus_lib.browse("unread", limit=100)[1]}
    corpus_lib.bookmark(first.id)
    assert [p.id for p in corpus_lib.browse("bookmarks")[1]] == [first.id]


def test_first_start_imports_the_bundled_samples(lib):
    report = lib.import_samples_if_new()
    assert report is not None and len(report.files) == 3 and report.new > 100
    assert lib.import_samples_if_new() is None


def test_many_papers_are_marked_read_or_unread_at_once(corpus_lib):
    ids = [p.id for p in corpus_lib.browse("all")[1]]
    generation = corpus_lib.store.generation()
    assert corpus_lib.mark_read_many([*ids[:3], ids[0], "nosuchpaper"]) == 3
    assert corpus_lib.store.generation() == generation + 1  # one transaction
    assert corpus_lib.browse("unread")[0] == 1
    assert corpus_lib.stats()["read"] == 3
    assert corpus_lib.mark_read_many(ids[:2], read=False) == 2
    assert [p.id for p in corpus_lib.browse("unread")[1]] == [ids[0], ids[1], ids[3]]


def test_import_progress_counts_the_bytes_of_a_file_as_it_is_read(lib, monkeypatch):
    monkeypatch.setattr("tui_reader.importing.BATCH", 10)
    monkeypatch.setattr("tui_reader.ingest.SAMPLE", 5)  # the papers read ahead (the guard's)
    plain, packed = FIXTURES / "arxiv_100.jsonl", FIXTURES / "arxiv_100.jsonl.gz"
    sizes = plain.stat().st_size, packed.stat().st_size
    seen = []
    lib.import_paths([plain, packed], progress=seen.append)
    assert {p.bytes_total for p in seen} == {sum(sizes)}
    done = [p.bytes_done for p in seen]
    assert done == sorted(done) and done[-1] == sum(sizes)
    # Both files counted their bytes while they were read (the gzip one: compressed bytes).
    assert any(0 < p.bytes_done < sizes[0] and p.files_done == 0 for p in seen), done
    assert any(sizes[0] < p.bytes_done < sum(sizes) and p.files_done == 1 for p in seen), done
    assert [p.papers for p in seen] == sorted(p.papers for p in seen)


def test_the_new_view_walks_the_sort_order_when_most_papers_are_new(sample_lib, tmp_path):
    """After an import that brought most of the library, a page of "new" walks the sort
    order's index (no sorting of every new paper: 2 s at a million); after a small one it
    finds them by their import. The same pages either way."""
    statements: list[str] = []
    sample_lib.store.db.set_trace_callback(statements.append)

    def plan_of_page(view: str) -> str:
        statements.clear()
        sample_lib.browse(view, sort="date", limit=5)
        page = next(s for s in statements if "LIMIT" in s)
        return " ".join(str(row[-1]) for row in sample_lib.store.db.execute(
            "EXPLAIN QUERY PLAN " + page))

    everything = [p.id for p in sample_lib.browse("all", sort="date", limit=5)[1]]
    assert [p.id for p in sample_lib.browse("new", sort="date", limit=5)[1]] == everything
    plan = plan_of_page("new")
    assert "TEMP B-TREE" not in plan and "papers_by_date" in plan, plan
    small = tmp_path / "two.jsonl"
    write_jsonl(small, CORPUS[:2])
    assert sample_lib.import_paths([small]).new == 2
    new = sample_lib.browse("new", sort="date", limit=5)[1]
    assert len(new) == 2 and "papers_import" in plan_of_page("new")


def test_a_page_of_papers_is_read_by_several_connections_at_once(sample_lib, monkeypatch):
    """A page of papers is read in parts by the store's reading threads, each with its own
    connection (from a cold cache their reads of the disk overlap): the same papers as one
    connection reads. Inside a transaction one connection reads them all, and sees the
    transaction's own change."""
    import threading

    from tui_reader.store import papers as store_papers
    store = sample_lib.store
    ids = [row[0] for row in store.db.execute("SELECT id FROM papers ORDER BY id LIMIT 50")]
    alone = {p.id: p for p in store._papers_by_ids(ids)}
    readers, real = set(), store_papers.PaperTables._papers_by_ids
    together = threading.Barrier(store_papers.READERS, timeout=10)  # broken unless at once

    def reading(self, part):
        readers.add(threading.current_thread().name)
        if not self.db.in_transaction:
            together.wait()
        return real(self, part)

    monkeypatch.setattr(store_papers.PaperTables, "_papers_by_ids", reading)
    assert store.papers(ids) == alone and len(alone) == 50
    assert len(readers) == store_papers.READERS
    assert all(name.startswith("store-read") for name in readers)
    readers.clear()
    with store.transaction() as db:
        db.execute("UPDATE papers SET title = 'Changed within' WHERE id = ?", (ids[7],))
        assert store.papers(ids)[ids[7]].title == "Changed within"
        assert readers == {threading.current_thread().name}
        db.execute("ROLLBACK")
        db.execute("BEGIN")  # (the transaction ends with a COMMIT of nothing)
    assert store.papers(ids)[ids[7]].title == alone[ids[7]].title
