"""Recommendation quality: do "For you" and the similar-papers pane stay on the user's topic?

    python benchmarks/recommend.py DATA_DIR [--topics 12] [--seed 7]

DATA_DIR: an imported library of the arXiv corpus (bench.py builds one: data_74728), used as
it is but for its bookmarks (set and removed again: use a copy). Topics of two kinds:

* arXiv categories of 1-5% of the corpus with 500 papers or more (the big ones, cs.CV,
  cs.AI, cs.CL, cs.LG, hold most papers and would be found by chance); a paper belongs to
  one when its categories include it;
* title words (seeded choice among words in the titles of 0.3-2% of the papers, 5 letters or
  more); a paper belongs to one when its title has the word. The rankers that use the papers'
  categories cannot lean on the topic's own label here.

For each topic, 10 of its papers chosen at random (seeded) are the liked ones, and:

* For you: precision@20, the share of the first 20 recommendations in the topic, against the
  topic's share of the corpus (what a random list scores); the latency of the view's first
  page (`Library.browse("foryou", limit=50)` after bookmarking the 10, as the reader asks it:
  the profile, the ranking, the page's papers and their reasons) p50/p95;
* similar papers: precision@5 of each liked paper's five similar papers, and its latency.

Every variant in this run, in this process (the rankers of index/recommend.py; "text": the
words alone, not the papers' categories; "cat xN": a category weighs as a word written N
times; the similar pane as it was: key terms, 12 of them): one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIKED = 10
TOP = 20
SIMILAR = 5
PAGE = 50
# name -> (ranker, profile terms, with categories, category count)
RECOMMENDERS = {
    "key_terms_40 text": ("key_terms", 40, False, 1),
    "centroid_40 text": ("centroid", 40, False, 1),
    "centroid_40 cat x1": ("centroid", 40, True, 1),
    "centroid_40 cat x3 (served)": ("centroid", 40, True, 3),
}
SIMILARS = {
    "key_terms_12 text (before)": ("key_terms", 12, False, 1),
    "centroid_25 text": ("centroid", 25, False, 1),
    "centroid_25 cat x1": ("centroid", 25, True, 1),
    "centroid_25 cat x3 (served)": ("centroid", 25, True, 3),
}
WORD = re.compile(r"[a-z]{5,}")


def load(db: sqlite3.Connection) -> list[tuple[str, str, list[str]]]:
    return [(i, t, json.loads(c)) for i, t, c in
            db.execute("SELECT id, title, categories FROM papers ORDER BY id")]


def category_topics(papers, count: int) -> dict[str, set[str]]:
    """The papers of each category of 1-5% of the corpus (500 papers or more)."""
    sizes = Counter(c for _, _, cats in papers for c in set(cats))
    total = len(papers)
    chosen = [c for c, n in sizes.most_common() if n >= 500 and 0.01 * total <= n <= 0.05 * total]
    return {c: {i for i, _, cats in papers if c in cats} for c in chosen[:count]}


def word_topics(papers, count: int, rng: random.Random) -> dict[str, set[str]]:
    """The papers of title words of 0.3-2% of the corpus, `count` of them chosen at random."""
    words = {i: set(WORD.findall(t.lower())) for i, t, _ in papers}
    sizes = Counter(w for ws in words.values() for w in ws)
    total = len(papers)
    eligible = sorted(w for w, n in sizes.items() if 0.003 * total <= n <= 0.02 * total)
    chosen = rng.sample(eligible, count)
    return {f"title:{w}": {i for i, ws in words.items() if w in ws} for w in chosen}


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * ordered[min(len(ordered) - 1,
                                               int(0.95 * len(ordered)))], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir")
    parser.add_argument("--topics", type=int, default=12, help="of each kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from tui_reader.index.recommend import Liked
    from tui_reader.library import Library

    rng = random.Random(args.seed)
    papers = load(sqlite3.connect(Path(args.data_dir) / "library.sqlite3"))
    kinds = {"category": category_topics(papers, args.topics),
             "title_word": word_topics(papers, args.topics, rng)}
    lib = Library(args.data_dir)
    lib.warm_up()
    for b in lib.bookmarks():
        lib.bookmark(b.id, False)
    report: dict = {"papers": len(papers), "liked_per_topic": LIKED, "seed": args.seed}
    for kind, topics in kinds.items():
        found = {name: [] for name in RECOMMENDERS}
        similar = {name: [] for name in SIMILARS}
        seconds: dict[str, list[float]] = {"for_you_first_page": [],
                                           **{name: [] for name in SIMILARS}}
        per_topic = {}
        for topic, members in topics.items():
            liked_ids = rng.sample(sorted(members), LIKED)
            stored = lib.store.papers(liked_ids)
            row = per_topic[topic] = {"share": round(len(members) / len(papers), 4)}
            for name, (ranker, terms, categories, count) in RECOMMENDERS.items():
                liked = [Liked(p.id, p.title, f"{p.readable_title}\n{p.readable_abstract}",
                               tuple(p.categories) if categories else ())
                         for p in stored.values()]
                _, matches = lib.index.recommend(liked, set(liked_ids), TOP, number=terms,
                                                 ranker=ranker, category_count=count)
                row[name] = sum(m.id in members for m in matches) / TOP
                found[name].append(row[name])
            for paper_id in liked_ids:
                lib.bookmark(paper_id, True)
            lib._recommended = None
            started = time.perf_counter()
            lib.browse("foryou", limit=PAGE)  # the first page, as the view asks it
            seconds["for_you_first_page"].append(time.perf_counter() - started)
            for paper_id in liked_ids:
                lib.bookmark(paper_id, False)
            for name, (ranker, terms, categories, count) in SIMILARS.items():
                hits = 0
                for p in stored.values():
                    started = time.perf_counter()
                    text = f"{p.readable_title}\n{p.readable_abstract}"
                    ids = lib.index.similar(p.id, text, SIMILAR, ranker=ranker, number=terms,
                                            category_count=count,
                                            categories=p.categories if categories else ())
                    seconds[name].append(time.perf_counter() - started)
                    hits += sum(i in members for i in ids)
                row[f"similar {name}"] = hits / (SIMILAR * len(stored))
                similar[name].append(row[f"similar {name}"])
            print(kind, topic, row, file=sys.stderr)
        report[kind] = {
            "topics": len(per_topic),
            "base_rate": round(statistics.mean(t["share"] for t in per_topic.values()), 4),
            "for_you_precision@20": {n: round(statistics.mean(v), 3) for n, v in found.items()},
            "for_you_first_page": percentiles(seconds["for_you_first_page"]),
            "similar_precision@5": {n: {"mean": round(statistics.mean(v), 3),
                                        **percentiles(seconds[n])}
                                    for n, v in similar.items()},
            "per_topic": per_topic,
        }
    lib.close()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
