"""How import time, index size, query latency and memory grow with the collection.

    python benchmarks/growth.py                      # 10k, 30k, 100k and 300k papers
    python benchmarks/growth.py 10000 50000 --queries 20

Runs benchmarks/bench.py for each size (the corpus cut, or repeated with changed ids and titles
past its 74,728 papers) with SQLite FTS5 as the peer (its import and queries, same papers, same
run; no plain-Whoosh baseline: it would take an hour at 1M), and prints a Markdown table, then
the JSON of every run. The known-item quality and the reader (cold start, keystrokes, memory)
are measured at the largest size only (`--quality-at-every-size` for all).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent / "bench.py"
KINDS = ("term", "two_terms", "phrase", "prefix", "fuzzy", "field", "year_range",
         "sorted_by_date", "second_page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 30_000, 100_000, 300_000])
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--workdir", default="/tmp/tui-reader-growth")
    parser.add_argument("--dump", default=None)
    parser.add_argument("--optimize", action="store_true",
                        help="also merge every segment into one and query again (slow)")
    parser.add_argument("--quality-at-every-size", action="store_true",
                        help="the quality and reader phases at every size, not the largest only")
    opts = parser.parse_args()
    runs = []
    for size in opts.sizes:
        skip = ["baseline"] + ([] if opts.optimize else ["optimize"])
        if size != max(opts.sizes) and not opts.quality_at_every_size:
            skip += ["quality", "app"]
        cmd = [sys.executable, str(BENCH), *([opts.dump] if opts.dump else []),
               "--papers", str(size), "--queries", str(opts.queries), "--workdir",
               opts.workdir, "--skip", ",".join(skip)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        run = json.loads(out)
        runs.append(run)
        print(f"{size}: {run['import_s']} s", file=sys.stderr, flush=True)
        # the data dirs of the bigger runs are large: keep only the last one
        for old in Path(opts.workdir).glob("data_*"):
            if old.name != f"data_{run['papers']}":
                subprocess.run(["rm", "-rf", str(old)])
    print("| papers | import s | papers/s (FTS5 peer) | import peak RSS MB (largest process / all)"
          " | index MB (bytes/paper) | store MB (bytes/paper) | segments | optimize s |"
          " search RSS MB | " + " | ".join(f"{k} p95 ms (FTS5)" for k in KINDS) + " |")
    print("|" + " --- |" * (9 + len(KINDS)))
    for r in runs:
        q, f = r["query_ms"], r.get("fts5_query_ms", {})
        print(f"| {r['papers']:,} | {r['import_s']} | {r['import_papers_per_s']:.0f}"
              f" ({r.get('fts5_papers_per_s', 0):.0f}) |"
              f" {r['import_peak_rss_mb']:.0f} / {r.get('import_peak_rss_total_mb', 0):.0f} |"
              f" {r['index_mb']:.0f} ({r['index_mb'] * 1e6 / r['papers']:,.0f}) |"
              f" {r['store_mb']:.0f} ({r['store_mb'] * 1e6 / r['papers']:,.0f}) |"
              f" {r['index_segments']} | {r.get('optimize_s', '')} |"
              f" {r['search_process_rss_mb']:.0f} | "
              + " | ".join(f"{q.get(k, {}).get('p95', '')}"
                           f" ({f.get(k, {}).get('p95', '-')})" for k in KINDS) + " |")
    for r in runs:
        if "cold_start_s" in r:
            print(f"\nReader at {r['papers']:,} papers: cold start {r['cold_start_s']} s (runs"
                  f" {r['cold_start_runs_s']}), keystroke p50 / p95"
                  f" {r['keystroke_ms']['p50']} / {r['keystroke_ms']['p95']} ms, peak RSS"
                  f" {r['app_peak_rss_mb']:.0f} MB")
        if "quality" in r:
            print(f"\nKnown-item quality at {r['papers']:,} papers (success@1 / @10, FTS5 in"
                  " brackets):")
            for kind, by in r["quality"].items():
                t, p = by["tui_reader"], by["fts5"]
                print(f"* {kind}: {t['success_at_1']} / {t['success_at_10']}"
                      f" ({p['success_at_1']} / {p['success_at_10']})")
    print(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
