"""Tagging when the library says no or changes meanwhile: a locked store on `t`/`T`, marked
papers replaced by another process, a tag view whose tag goes (Textual's Pilot on a real
Library)."""

from __future__ import annotations

import pytest

from tests.conftest import settle
from tests.reader_pilot import SIZE, main, make_app

pytestmark = pytest.mark.asyncio


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


@pytest.mark.parametrize("key", ["t", "T"])
async def test_a_locked_store_on_t_or_T_is_told_not_a_crash(corpus_lib, monkeypatch, key):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is locked")

    app = make_app(corpus_lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(corpus_lib, "tags", refuse)
        monkeypatch.setattr(corpus_lib, "tags_of", refuse)
        if key == "t":
            await pilot.press("v")  # a marked paper: its tags are asked for too
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running and app.screen is main(app)
        assert "Tagging failed: database is locked" in notifications(app)
