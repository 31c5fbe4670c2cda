"""Index damage that reads without an error is found (checksums written at commit), damage met
while reading is mended, and `tui-reader check [--repair] [--json]` says what is wrong.
Real files damaged as a disk would (a 4 KB block of zeros), the real CLI in a process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_hardening_support import cli, copy_library, rows, write_corpus
from tui_reader.library import Library

PAPERS = 600


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[str]]:
    """A data dir with PAPERS papers (two segments), a bookmark and a note."""
    root = tmp_path_factory.mktemp("check-template")
    first, second = root / "first.jsonl", root / "second.jsonl"
    ids = write_corpus(first, PAPERS // 2) + write_corpus(second, PAPERS // 2, "Other", 23)
    lib = Library(root / "data")
    lib.import_paths([first])
    lib.import_paths([second])
    lib.bookmark(ids[1])
    lib.note(ids[3], "walrus thoughts")
    lib.close()
    return root / "data", ids


@pytest.fixture
def library_dir(template, tmp_path) -> Path:
    return copy_library(template[0], tmp_path / "data")


def zero_block(data_dir: Path, suffix: str) -> str:
    """A 4 KB block of zeros (or the whole file, when smaller) where the biggest segment file
    ending in `suffix` has data, as a bad sector leaves it; returns the file's name."""
    path = max((f for f in (data_dir / "index").iterdir() if f.name.endswith(suffix)),
               key=lambda f: f.stat().st_size)
    data = bytearray(path.read_bytes())
    start = (len(data) // 2) // 4096 * 4096
    while not any(data[start:start + 4096]):
        start = (start + 4096) % max(len(data), 1)
    data[start:start + 4096] = bytes(len(data[start:start + 4096]))
    path.write_bytes(bytes(data))
    return path.name


def user_rows(data_dir: Path) -> list[tuple]:
    db = data_dir / "user.sqlite3"
    return rows(db, "SELECT * FROM bookmarks") + rows(db, "SELECT paper_id, text FROM notes")


SUFFIXES = ["_stored.col", ".trm", ".pst", ".pax", ".title_sort.col", ".date.col"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_check_finds_a_zeroed_block_in_any_segment_file_and_repair_rebuilds(library_dir,
                                                                           suffix):
    before = user_rows(library_dir)
    assert cli(library_dir, "check").returncode == 0
    name = zero_block(library_dir, suffix)
    found = cli(library_dir, "check")
    assert found.returncode == 1 and found.stderr == b"", found.stderr
    lines = found.stdout.decode().splitlines()
    assert lines[0] == f"problem: index/{name}: damaged (its checksum is not the one written)"
    assert all(line.startswith("problem: index") for line in lines)  # and what cannot be read
    as_json = json.loads(cli(library_dir, "check", "--json").stdout)
    assert not as_json["ok"] and as_json["papers"] == PAPERS
    assert [f"problem: {p}" for p in as_json["problems"]] == lines

    repaired = cli(library_dir, "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    lines = repaired.stdout.decode().splitlines()
    assert lines[0] == f"repaired: rebuilt the search index from the library ({PAPERS} papers)"
    assert lines[1].startswith(f"OK: {PAPERS} papers in the library and {PAPERS} in the search")
    again = cli(library_dir, "check", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["problems"] == []
    assert user_rows(library_dir) == before


def test_a_start_finds_damage_that_reads_without_an_error_and_rebuilds(template, library_dir):
    ids = template[1]
    name = zero_block(library_dir, ".trm")
    done = cli(library_dir, "search", "walrus", "--json")
    assert done.returncode == 0, done.stderr
    said = done.stderr.decode()
    assert f"the search index was damaged ({name}: damaged" in said and "rebuilt" in said
    assert [r["id"] for r in json.loads(done.stdout)["results"]] == [ids[3]]
    for query, total in (("number", PAPERS), ("category:cs.LG", PAPERS), ("other", PAPERS // 2)):
        assert json.loads(cli(library_dir, "search", query, "--json").stdout)["total"] == total


def _unsealed_with_damaged_stored_fields(data_dir: Path) -> None:
    """An index made before checksums (as by an older version), then damaged."""
    for sums in (data_dir / "index").glob("*.sums"):
        sums.unlink()
    zero_block(data_dir, "_stored.col")


def test_the_command_line_rebuilds_an_index_a_search_finds_damaged_and_answers(library_dir):
    _unsealed_with_damaged_stored_fields(library_dir)
    done = cli(library_dir, "search", "number", "--limit", str(PAPERS), "--json")
    assert done.returncode == 0, done.stderr
    said = done.stderr.decode().splitlines()
    assert len(said) == 1 and said[0].startswith("tui-reader: the search index is damaged (zlib"
                                                 ".error: Error -3 while decompressing"), said
    assert said[0].endswith("; rebuilding it from the library")
    assert json.loads(done.stdout)["total"] == PAPERS
    again = cli(library_dir, "search", "number", "--limit", str(PAPERS), "--json")
    assert again.stderr == b"" and json.loads(again.stdout)["total"] == PAPERS


def test_the_reader_rebuilds_a_damaged_index_in_the_background(library_dir):
    _unsealed_with_damaged_stored_fields(library_dir)
    lib = Library(library_dir)
    try:
        assert lib.notices == []  # the damage does not show until it is read
        lib.repair_in_background = True  # as the reader sets it
        result = lib.search("number", limit=PAPERS)
        assert result.error.startswith("the search index is damaged (zlib.error")
        assert "being rebuilt" in result.error
        lib._rebuilding.join(120)
        assert lib.search("number", limit=PAPERS).total == PAPERS
        assert lib.index_damage is None
    finally:
        lib.close()
    lib = Library(library_dir)
    try:
        assert lib.notices == [] and not lib.index_rebuilt
    finally:
        lib.close()


def test_a_damaged_index_found_by_a_search_is_rebuilt_at_the_next_start(library_dir):
    _unsealed_with_damaged_stored_fields(library_dir)
    lib = Library(library_dir)
    try:
        error = lib.search("number", limit=PAPERS).error
        assert "tui-reader check --repair" in error and "next start" in error
    finally:
        lib.close()
    lib = Library(library_dir)
    try:
        assert lib.index_rebuilt and "damaged (zlib.error" in lib.notices[0]
        assert lib.search("number", limit=PAPERS).total == PAPERS
    finally:
        lib.close()


def test_check_finds_an_index_that_disagrees_with_the_store(template, library_dir):
    ids = template[1]
    lib = Library(library_dir)
    try:
        writer = lib.index.writer()
        writer.delete_by_term("id", ids[5])
        writer.add_document(id="feedfacecafe", title="A paper the library never had")
        writer.commit()
    finally:
        lib.close()
    found = cli(library_dir, "check")
    assert found.returncode == 1
    assert found.stdout.decode().splitlines() == [
        f"problem: index: lacks 1 of the library's {PAPERS} papers (e.g. {ids[5]})",
        "problem: index: has 1 paper the library does not (e.g. feedfacecafe)"]
    assert cli(library_dir, "check", "--repair").returncode == 0
    assert cli(library_dir, "check").returncode == 0


def test_check_finds_a_damaged_store_file_and_repair_mends_it_as_a_start_does(library_dir):
    from tests.test_hardening_support import checkpoint, damage_page, root_page
    db = library_dir / "library.sqlite3"
    checkpoint(db)
    damage_page(db, root_page(db, "sources"))
    done = cli(library_dir, "check", "--repair")
    lines = done.stdout.decode().splitlines()
    assert any(line.startswith("repaired: rebuilt the search index") for line in lines), lines
    assert done.stderr.decode().count("\n") == 1 and "library.sqlite3" in done.stderr.decode()


def _sealed(data_dir: Path) -> list[tuple[str, int]]:
    """(name, size) of every file the index's checksums cover, in name order."""
    files = {}
    for sums in (data_dir / "index").glob("*.sums"):
        files.update({name: size for name, (size, _) in json.loads(sums.read_text()).items()})
    return sorted(files.items())


def _start(data_dir: Path) -> list[str]:
    """A start of the library (as a command's); its notices."""
    lib = Library(data_dir)
    try:
        return lib.notices
    finally:
        lib.close()


def test_a_big_index_is_checked_a_part_at_each_start(library_dir, monkeypatch):
    """Above VERIFY_EVERY_START_BYTES a start reads at most VERIFY_PART_BYTES of checksums,
    going on where the last one stopped: damage in a late file is found a few starts on."""
    from tui_reader.index import paper_index
    sealed = _sealed(library_dir)
    target = max(name for name, _ in sealed if name.endswith(".pax"))
    before = sum(size for name, size in sealed if name < target)
    monkeypatch.setattr(paper_index, "VERIFY_EVERY_START_BYTES", 0)  # as if the index were big
    monkeypatch.setattr(paper_index, "VERIFY_PART_BYTES", before // 3 + 1)
    monkeypatch.setattr(paper_index, "VERIFY_PART_SECONDS", 600)  # the bytes count here
    checked = library_dir / "index" / "CHECKED"
    _zero_middle(library_dir / "index" / target)
    cursors = []
    while len(cursors) < 6 and (not cursors or cursors[-1][0] < target):
        assert _start(library_dir) == []
        cursors.append(json.loads(checked.read_text())["cursor"])
    assert len(cursors) == 3  # a third of what comes before it a start
    assert all(a[0] < b[0] or a[1] < b[1] for a, b in zip(cursors, cursors[1:]))
    said = next(s for s in (_start(library_dir) for _ in range(2)) if s)
    assert len(said) == 1 and f"the search index was damaged ({target}: damaged" in said[0]
    assert _start(library_dir) == []


def _zero_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 512] = bytes(len(data[middle:middle + 512]))
    path.write_bytes(bytes(data))


def test_a_big_index_checks_sizes_at_every_start_and_checksums_once_a_day(library_dir,
                                                                          monkeypatch):
    from tui_reader.index import paper_index
    monkeypatch.setattr(paper_index, "VERIFY_EVERY_START_BYTES", 0)  # as if the index were big
    assert _start(library_dir) == []  # a whole pass (the part is bigger than this index)
    checked = library_dir / "index" / "CHECKED"
    state = json.loads(checked.read_text())
    assert state["cursor"] is None
    name = zero_block(library_dir, ".pst")
    assert _start(library_dir) == []  # the pass of the day is done: checksums wait
    state["begun"] -= paper_index.VERIFY_EVERY + 60  # a day later
    checked.write_text(json.dumps(state))
    said = _start(library_dir)
    assert len(said) == 1 and f"the search index was damaged ({name}: damaged" in said[0]
    assert _start(library_dir) == []  # rebuilt, and a new pass of the day done
    cut = _sealed(library_dir)[-1][0]
    path = library_dir / "index" / cut
    path.write_bytes(path.read_bytes()[:-1])
    said = _start(library_dir)  # a file's size is checked at every start
    assert len(said) == 1 and f"the search index was damaged ({cut}: " in said[0]
    assert "bytes where" in said[0]


def test_a_start_on_a_slow_disk_reads_checksums_for_a_bounded_time(library_dir, monkeypatch):
    """VERIFY_PART_SECONDS bounds the reading too (a slow disk): with no time at all, each
    start still reads a little (here: one file, all smaller than a megabyte) and goes on."""
    from tui_reader.index import paper_index
    sealed = [name for name, _ in _sealed(library_dir)]
    monkeypatch.setattr(paper_index, "VERIFY_EVERY_START_BYTES", 0)  # as if the index were big
    monkeypatch.setattr(paper_index, "VERIFY_PART_SECONDS", 0)
    checked = library_dir / "index" / "CHECKED"
    for i in range(3):
        assert _start(library_dir) == []
        assert json.loads(checked.read_text())["cursor"] == [sealed[i + 1], 0, 0]
