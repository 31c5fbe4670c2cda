"""The arXiv metadata snapshot's own shape (Kaggle's `arxiv-metadata-oai-snapshot.json`:
authors as one string plus `authors_parsed`, `versions`, `update_date`, categories as one
space-separated string), gzip or plain, streamed with progress inside the file."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from pathlib import Path

from conftest import FIXTURES

from tui_reader.library import Library

SNAPSHOT = FIXTURES / "kaggle" / "arxiv-metadata-oai-snapshot.json"


def _check(lib: Library) -> None:
    found = lib.search("diphoton", limit=5).hits
    assert len(found) == 1
    p = found[0].paper
    assert p.title == ("Calculation of prompt diphoton production cross sections at Tevatron"
                       " and LHC energies")
    assert p.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert str(p.published) == "2007-04-02"  # the first version's date, not update_date
    assert p.categories == ["hep-ph"] and p.arxiv_id == "0704.0001"
    assert p.abstract.startswith("A fully differential calculation in perturbative quantum"
                                 " chromodynamics is presented")  # unwrapped
    other = lib.search("sparse attention long documents", limit=1).hits[0].paper
    assert other.categories == ["cs.CL", "cs.LG"]
    assert other.authors == ["Ada Lovelace", "Alan Turing"]


def test_the_snapshot_imports_plain_and_gzip_alike(tmp_path):
    plain = Library(tmp_path / "plain")
    assert plain.import_paths([SNAPSHOT]).new == 2
    _check(plain)
    packed = tmp_path / "snapshot.json.gz"
    with open(SNAPSHOT, "rb") as f, gzip.open(packed, "wb") as g:
        shutil.copyfileobj(f, g)
    zipped = Library(tmp_path / "zipped")
    assert zipped.import_paths([packed]).new == 2
    _check(zipped)


def _big_snapshot(path: Path, count: int) -> Path:
    """`count` snapshot records (random words: gzip cannot shrink them to nothing)."""
    rng = random.Random(7)
    words = [f"w{n}" for n in range(5000)]
    record = json.loads(SNAPSHOT.read_text().splitlines()[1])
    with gzip.open(path, "wt") as f:
        for n in range(count):
            record.update(id=f"2301.{n:05d}", title=f"Paper {n} " + " ".join(rng.sample(words, 6)),
                          abstract=" ".join(rng.choices(words, k=60)))
            f.write(json.dumps(record) + "\n")
    return path


def test_a_big_gzip_snapshot_moves_the_bar_while_it_is_read(tmp_path):
    dump = _big_snapshot(tmp_path / "snapshot.json.gz", 6000)
    size = dump.stat().st_size
    seen = []
    report = Library(tmp_path / "data").import_paths([dump], progress=seen.append)
    assert report.new == 6000
    inside = sorted({p.bytes_done for p in seen if p.files_done == 0 and 0 < p.bytes_done < size})
    assert len(inside) >= 3  # the bar moved within the one file, not only at its end
    assert all(p.bytes_total == size for p in seen) and seen[-1].bytes_done == size
    papers = [p.papers for p in seen]
    assert papers == sorted(papers) and papers[-1] == 6000
