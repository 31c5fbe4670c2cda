"""Captures of the bundled sample papers on later days, with more upvotes: a paper's upvote
history and the sort "rising" on exact data (tests/test_discover.py, tests/test_app_discover.py)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

from tests.conftest import SAMPLE_DUMPS

SIGMA = "10f07be960d2"  # Sigma: Differential Rescaling of Query, Key and Value ...
FERRET = "1710266769e1"  # Ferret: Federated Full-Parameter Tuning at Scale ...
SIGMA_TITLE = "Sigma: Differential Rescaling of Query, Key and Value for Efficient Language Models"
FERRET_TITLE = "Ferret: Federated Full-Parameter Tuning at Scale for Large Language Models"
HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
          "byAK and the research community\n\n")


def _capture(day: str, votes: dict[str, int]) -> str:
    """A text dump captured on `day` ("Mar 9, 2026") with these sample papers (title: upvotes),
    cut from the sample dump that shows them with upvotes."""
    source = (SAMPLE_DUMPS / "003_94c168d4f8ce26e7.txt").read_text(encoding="utf-8")
    blocks = []
    for title, count in votes.items():
        start = source.index(title + "\n")
        end = source.index("\n\n", source.index("·", start))
        block = source[start:end + 2]
        blocks.append(re.sub(r"(\n[A-Z][a-z]{2} \d{1,2}, \d{4}) \d+\n",
                             lambda m: f"{m.group(1)} {count}\n", block))
    return HEADER + day + "\n\n" + "".join(blocks)


def write_captures(folder: Path) -> Path:
    """`folder`: the samples (003 captured Mar 6 2026: Sigma and Ferret at 2 upvotes) and
    two later captures: Mar 9 (Sigma 14, Ferret 5) and Mar 12 (Sigma 31)."""
    shutil.copytree(SAMPLE_DUMPS, folder)
    (folder / "later.txt").write_text(_capture("Mar 9, 2026", {SIGMA_TITLE: 14, FERRET_TITLE: 5}))
    (folder / "latest.txt").write_text(_capture("Mar 12, 2026", {SIGMA_TITLE: 31}))
    stamp = date(2026, 3, 1)
    seconds = (stamp - date(1970, 1, 1)).days * 86400 + 43200
    for path in folder.iterdir():
        os.utime(path, (seconds, seconds))  # a dump without dates: captured on its file's day
    return folder
