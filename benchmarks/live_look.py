"""What the reader's live look costs (app/live.py: Library.changes twice a second), beside what
other ways of telling "did the library change?" would cost, on the same library in the same run.

    python benchmarks/live_look.py                    # 20,000 papers of ../shared/corpus
    python benchmarks/live_look.py DUMP --papers 5000

Prints one JSON object of microseconds per call (median of --calls calls):
* changes_unchanged_us: Library.changes when nothing changed (two SQLite pragmas);
* changes_after_change_us: the same right after another connection bookmarked a paper (the
  pragmas, then the user data's generation);
* peers: stats_us (Library.stats: counting every table, a naive poll), browse_count_us
  (Library.browse("all", limit=0): the count the list shows), index_up_to_date_us (the Whoosh
  searcher's up_to_date: polling the index's files).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui_reader.library import Library  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv_cs_listings.jsonl.gz"


def per_call_us(call, calls: int) -> float:
    """The median time of `call()` in microseconds."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", nargs="?", default=str(CORPUS))
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=2000)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tui-reader-live-look-"))
    dump = work / "papers.jsonl"
    opener = gzip.open if opts.dump.endswith(".gz") else open
    with opener(opts.dump, "rt", encoding="utf-8") as source, open(dump, "w") as out:
        for number, line in enumerate(source):
            if number >= opts.papers:
                break
            out.write(line)
    library = Library(work / "data")
    library.import_paths([dump])
    other = Library(work / "data")  # another process's connections
    ids = [p.id for p in library.browse("all", limit=opts.calls)[1]]
    seen = library.version()

    def look() -> None:
        nonlocal seen
        seen, _ = library.changes(seen)

    unchanged = per_call_us(look, opts.calls)
    after = []
    for paper in ids[:200]:
        other.bookmark(paper)
        start = time.perf_counter()
        seen, changed = library.changes(seen)
        after.append(time.perf_counter() - start)
        assert changed == {"user"}, changed
    searcher = library.index.searcher()
    result = {
        "papers": library.stats()["papers"],
        "changes_unchanged_us": unchanged,
        "changes_after_change_us": round(statistics.median(after) * 1e6, 1),
        "stats_us": per_call_us(library.stats, min(opts.calls, 200)),
        "browse_count_us": per_call_us(lambda: library.browse("all", limit=0), opts.calls),
        "index_up_to_date_us": per_call_us(searcher.up_to_date, opts.calls),
    }
    other.close()
    library.close()
    shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
