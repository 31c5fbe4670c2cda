"""Snapshots of the reader (pytest-textual-snapshot): the main screen, the help, the note editor.

Deterministic: the hand-made corpus of conftest.py, a fixed terminal size, no read timer, the
workers settled before the picture is taken, no blinking cursor. Update the baselines after a
deliberate change of the look with `pytest tests/test_app_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from textual.widgets import TextArea

from tests.conftest import settle
from tests.reader_pilot import SIZE, make_app


def test_main_screen(corpus_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"language models", "enter")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(make_app(corpus_lib), terminal_size=SIZE, run_before=run_before)


def test_help_screen(corpus_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(corpus_lib), terminal_size=SIZE, run_before=run_before)


def test_note_editor(corpus_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.press(*"Read **section 3** again.", "enter", *"- compare with RLHF")
        await settle(pilot)

    assert snap_compare(make_app(corpus_lib), terminal_size=SIZE, run_before=run_before)


def test_corrected_search(corpus_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.main_screen.search_box.cursor_blink = False  # its cursor always shown
        await pilot.press("slash", *"difusion")
        await settle(pilot)

    assert snap_compare(make_app(corpus_lib), terminal_size=SIZE, run_before=run_before)


# -- the bundled samples at a wide and a narrow size (README "The reader") ----------------------

NARROW = (80, 24)


async def _settled(pilot) -> None:
    await settle(pilot)


def test_samples_at_120x40(sample_lib, snap_compare):
    assert snap_compare(make_app(sample_lib), terminal_size=SIZE, run_before=_settled)


def test_samples_at_80x24_the_sidebar_folded(sample_lib, snap_compare):
    assert snap_compare(make_app(sample_lib), terminal_size=NARROW, run_before=_settled)


def test_samples_at_80x24_the_sidebar_shown_over_the_list(sample_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("backslash")
        await settle(pilot)

    assert snap_compare(make_app(sample_lib), terminal_size=NARROW, run_before=run_before)


def test_help_at_80x24(sample_lib, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(make_app(sample_lib), terminal_size=NARROW, run_before=run_before)
