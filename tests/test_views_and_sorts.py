"""The names of the views and sorts are declared once (models.VIEWS, models.SORTS): every map
from them (the store's SQL, the index's orders, the reader's words) is made with
models.one_for_each, so a name added to the declaration and forgotten in one of them stops the
program at import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tui_reader.models import SORTS, VIEWS, one_for_each


def test_one_for_each_keeps_the_declared_order_and_refuses_a_gap():
    assert list(one_for_each(("a", "b"), {"b": 2, "a": 1})) == ["a", "b"]
    with pytest.raises(ValueError, match=r"missing \['b'\], unknown \['c'\]"):
        one_for_each(("a", "b"), {"a": 1, "c": 3})


@pytest.mark.parametrize(("declared", "module"), [
    ("SORTS", "tui_reader.store"),
    ("VIEWS", "tui_reader.store"),
    ("SORTS", "tui_reader.index.paper_index"),  # (the package loads it when first used)
    ("SORTS", "tui_reader.app.views"),
    ("VIEWS", "tui_reader.app.views"),
])
def test_a_new_name_forgotten_by_a_part_stops_it_at_import(declared, module):
    """A sort or view declared in models but not known to the store, the index or the reader."""
    script = (f"import tui_reader.models as m\n"
              f"m.{declared} = (*m.{declared}, 'hot')\n"
              f"import {module}\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert "ValueError: not one value for each of" in done.stderr
    assert "missing ['hot']" in done.stderr, done.stderr


def test_the_declared_names_are_the_ones_everyone_offers(cli):
    from tui_reader.app.views import SORT_LABELS, VIEW_TEXTS

    assert tuple(SORT_LABELS) == SORTS and tuple(VIEW_TEXTS) == VIEWS
    assert f"[{'|'.join(SORTS)}]" in cli("search", "--help").output  # --sort's choices
