"""The reader's start (app/starting.py): the first screen comes from the store alone; the
search index is opened and checked after it, in the background, and the views are counted
then. A search typed at once waits for the index; the counts and the notices come once ready."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import pytest

from tui_reader.library import Library

from tests.conftest import CORPUS, FIXTURES, settle, until
from tests.reader_pilot import BY_DATE, PROTEIN, SIZE, detail_text, main, make_app, titles


def deferred(data_dir) -> Library:
    """The library as `tui-reader` opens it for the reader: the index left for later."""
    return Library(data_dir, defer_checks=True)


def test_a_deferred_library_lists_papers_without_whoosh(corpus_lib, data_dir):
    corpus_lib.close()
    code = ("import sys; from tui_reader.library import Library;"
            f" lib = Library({str(data_dir)!r}, defer_checks=True);"
            " total, papers = lib.browse('all', limit=2);"
            " print(total, papers[0].title, 'whoosh' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == str(len(CORPUS)) and out[-1] == "False"


def test_a_deferred_library_opens_its_index_at_first_use(corpus_lib, data_dir):
    corpus_lib.close()
    lib = deferred(data_dir)
    try:
        assert lib._index is None
        assert [h.paper.title for h in lib.search("protein").hits] == [PROTEIN]
        assert lib._index is not None
    finally:
        lib.close()


@pytest.mark.asyncio
async def test_the_index_opens_after_the_first_list_is_shown(corpus_lib, data_dir):
    corpus_lib.close()
    lib = deferred(data_dir)
    shown_when_opened = []
    opening = lib.open_index

    def open_index(*args, **kwargs):
        shown_when_opened.append(main(app).papers.total)
        return opening(*args, **kwargs)

    lib.open_index = open_index
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert titles(app) == BY_DATE
        assert shown_when_opened and shown_when_opened[0] == len(CORPUS)
        assert lib._index is not None  # opened in the background, without a key pressed
        counts = main(app).sidebar.counts
        assert counts["all"] == len(CORPUS) and counts["unread"] == len(CORPUS)
    lib.close()


@pytest.mark.asyncio
async def test_a_search_typed_before_the_index_is_open_waits_for_it(corpus_lib, data_dir):
    corpus_lib.save_search("proteins", "protein")
    corpus_lib.close()
    lib = deferred(data_dir)
    release = threading.Event()
    opening = lib.open_index

    def slow_open(*args, **kwargs):  # an index that takes long to open and check
        release.wait(30)
        return opening(*args, **kwargs)

    lib.open_index = slow_open
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: titles(app) == BY_DATE)
        assert lib._index is None
        await pilot.press("slash", *"protein")
        await pilot.pause()
        release.set()
        await settle(pilot)
        assert titles(app) == [PROTEIN]
        assert PROTEIN in detail_text(app)
        # the saved search's count needs the index too: right once it is open
        assert main(app).sidebar.counts["saved:proteins"] == 1
    lib.close()


@pytest.mark.asyncio
async def test_what_opening_the_index_found_is_told_after_the_start(corpus_lib, data_dir):
    corpus_lib.close()
    shutil.rmtree(data_dir / "index")  # lost: rebuilt from the store when it opens
    lib = deferred(data_dir)
    app = make_app(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any("rebuilt" in str(n.message)
                                       for n in app._notifications))
        assert titles(app) == BY_DATE
        await pilot.press("slash", *"protein")
        await settle(pilot)
        assert titles(app) == [PROTEIN]
    lib.close()


@pytest.mark.asyncio
async def test_the_note_widget_is_made_with_the_first_note_shown(corpus_lib):
    ids = {h.paper.title: h.paper.id for h in corpus_lib.search("", limit=10).hits}
    corpus_lib.note(ids[BY_DATE[1]], "*read* this")
    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert not screen.query("#detail-note")  # the first paper has no note
        assert "No note yet" in detail_text(app)
        await pilot.press("j")
        await settle(pilot)
        note = screen.query_one("#detail-note")
        assert note.display and note.source == "*read* this"
        await pilot.press("j")
        await settle(pilot)
        assert not note.display and "No note yet" in detail_text(app)
        await pilot.press("k")
        await settle(pilot)
        assert note.display and len(screen.query("#detail-note")) == 1


def test_an_import_at_once_waits_for_the_index_check_of_the_start(corpus_lib, data_dir):
    """The reader's start checks the index in the background, holding the import lock: an
    import the user starts meanwhile waits for it (it was refused as "another import")."""
    corpus_lib.close()
    lib = deferred(data_dir)
    checking, release = threading.Event(), threading.Event()
    check = lib._check_index_locked

    def slow_check(*args, **kwargs):
        checking.set()
        release.wait(30)
        return check(*args, **kwargs)

    lib._check_index_locked = slow_check
    opener = threading.Thread(target=lib.open_index)
    opener.start()
    try:
        assert checking.wait(30)
        threading.Timer(0.2, release.set).start()
        report = lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        assert report.new == 100 and not report.failed
        assert lib.stats()["papers"] == len(CORPUS) + 100
    finally:
        release.set()
        opener.join(30)
        lib.close()
