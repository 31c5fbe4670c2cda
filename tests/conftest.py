"""Shared fixtures: real data dirs in tmp_path, the real CLI through click's runner; `settle` and
`until`, the waits for a state of a running app (never a fixed pause)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.worker import WorkerCancelled, WorkerFailed

from tui_reader.cli import main
from tui_reader.library import Library

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_DUMPS = ROOT / "sample_dumps"

# A small hand-made arXiv JSONL dump whose search results can be stated exactly.
CORPUS = [
    {"id": "2401.00001", "title": "Diffusion Models for Protein Design",
     "abstract": "We design proteins with a denoising\nprocess and evaluate folding.",
     "authors": ["Ada Lovelace", "Alan Turing"], "categories": ["q-bio.BM", "cs.LG"],
     "update_date": "2024-01-05"},
    {"id": "2402.00002", "title": "Transformers Without Attention",
     "abstract": "A study of language models where diffusion of information replaces attention.",
     "authors": "Grace Hopper and Edsger Dijkstra", "categories": "cs.CL cs.LG",
     "update_date": "2024-02-10"},
    {"id": "2303.00003", "title": "Graph Neural Networks at Scale",
     "abstract": "Scaling message passing to billions of edges with sampling.",
     "authors": ["Barbara Liskov"], "categories": "['cs.LG', 'cs.DC']",
     "update_date": "2023-03-15"},
    {"id": "2505.00004", "title": "Reinforcement Learning from Human Feedback",
     "abstract": "Large language models aligned with human preferences via reward models.",
     "authors": ["Alan Kay", "Ada Lovelace"], "categories": ["cs.CL"],
     "update_date": "2025-05-20"},
]


async def settle(pilot, rounds: int = 40) -> None:
    """Wait until no worker is pending or running and the messages they posted are handled."""
    quiet = 0
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if not w.is_finished]
        if busy:
            quiet = 0
            try:
                await pilot.app.workers.wait_for_complete(busy)
            except (WorkerCancelled, WorkerFailed):  # replaced by a newer one, or failed
                pass
        else:
            quiet += 1
            if quiet >= 2:
                return


async def until(pilot, condition, timeout: float = 60.0) -> None:
    """Wait (the app running meanwhile) until `condition()` holds; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.02)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "corpus.jsonl", CORPUS)


@pytest.fixture
def lib(data_dir: Path):
    library = Library(data_dir)
    yield library
    library.close()


@pytest.fixture
def corpus_lib(lib: Library, corpus_file: Path) -> Library:
    report = lib.import_paths([corpus_file])
    assert report.new == len(CORPUS), report
    return lib


@pytest.fixture
def sample_lib(lib: Library) -> Library:
    """A library of the bundled sample dumps, as a new user's first start makes it."""
    report = lib.import_samples_if_new()
    assert report is not None and report.new == 146, report
    return lib


@pytest.fixture
def cli(data_dir: Path):
    """Run the real command line on the test's data dir: cli("search", "x") -> Result."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, ["--data-dir", str(data_dir), *map(str, args)], input=input,
                             catch_exceptions=False)

    return run


@pytest.fixture
def samples(cli, tmp_path: Path) -> Path:
    """The bundled sample dumps (a copy, to be changed) imported into the test's data dir."""
    dumps = tmp_path / "dumps"
    shutil.copytree(SAMPLE_DUMPS, dumps)
    assert cli("import", dumps).exit_code == 0
    return dumps
