"""Search quality: does a search find the paper a person has in mind?

    python benchmarks/quality.py DATA_DIR [--per-kind 200]

Known-item queries drawn from the papers of an imported library (seeded, so every run asks
the same), of the kinds people type:

* pasted_title: the title as it is (colons, question marks, stop words and all);
* typed_title: the title in lower case, punctuation left out;
* three_words: three words of the title (not stop words), in their order;
* three_words_typo: the same with one typo in one word (two neighbouring letters swapped, a
  letter left out, doubled or replaced), never in the first letter;
* typo_category: that query with the paper's first category as a filter
  (`category:cs.CV`, as the facet panel adds it): the typo corrected within the filter;
* surname_word: the first author's surname (as papers are cited: "Vaswani et al.") and a
  word of the title;
* abstract_words: four consecutive words of the abstract, at least three of them not stop
  words (a phrase one remembers, not "In this work we");
* typing_title: the typed title cut inside one of its words of six letters or more, at a
  letter past the fourth, as the reader searches it while it is typed (its last word a
  prefix; FTS5: a prefix query of it).

A library grown by `bench.py --papers N` past the corpus holds copies of its papers (the same
title but for a mark " (r3)", the same abstract and authors: twins). A query that does not
name the mark cannot tell twins apart, so for every kind but the two title kinds (which carry
the mark) a twin found counts as the paper found; the real corpus has no twins.

For each kind: success@1 (the paper first), success@10 and MRR@10, for tui-reader
(`Library.search`, as the reader and `tui-reader search` call it) and for SQLite FTS5 over the
same papers (porter unicode61, bm25, each word of the query quoted: FTS5's defaults; a
category filter as SQL beside the match). Both in this run, in this process: one JSON object
on stdout.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ("pasted_title", "typed_title", "three_words", "three_words_typo", "typo_category",
         "surname_word", "abstract_words", "typing_title")
TYPING = ("typing_title",)  # the kinds searched as the reader does while they are typed
CATEGORY = re.compile(r"\s*category:(\S+)")
STOP = {"a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if",
        "in", "is", "it", "may", "not", "of", "on", "or", "that", "the", "this", "to", "us",
        "we", "when", "will", "with", "yet", "you", "your", "via", "its", "our", "into"}
TOP = 10


def content_words(text: str) -> list[str]:
    """The words of a text a person would remember (letters, not stop words, 3+ long)."""
    return [w for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)
            if len(w) >= 3 and w.lower() not in STOP]


def typo(word: str, rng: random.Random) -> str:
    """One typo, not in the first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    letters = "abcdefghijklmnopqrstuvwxyz".replace(word[i].lower(), "")
    return word[:i] + rng.choice(letters) + word[i + 1:]


def make_queries(rows: list[tuple], per_kind: int, seed: int = 20261201) -> dict[str, list]:
    """{kind: [(query, paper id)]} from (id, title, abstract, authors json, categories
    json) rows."""
    rng = random.Random(seed)
    picked = rng.sample(rows, min(len(rows), per_kind * 3))
    cuts = random.Random(seed + 1)  # its own: the other kinds ask what they asked before
    out: dict[str, list] = {kind: [] for kind in KINDS}
    for pid, title, abstract, authors_json, categories_json in picked:
        words = content_words(title)
        add = {"pasted_title": title,
               "typed_title": " ".join(re.findall(r"\w+", title.lower()))}
        if len(words) >= 3:
            three = sorted(rng.sample(range(len(words)), 3))
            chosen = [words[i] for i in three]
            add["three_words"] = " ".join(chosen)
            long_ones = [i for i, w in enumerate(chosen) if len(w) >= 5]
            if long_ones:
                j = rng.choice(long_ones)
                chosen[j] = typo(chosen[j], rng)
                add["three_words_typo"] = " ".join(chosen)
                categories = json.loads(categories_json or "[]")
                if categories:
                    add["typo_category"] = f"{add['three_words_typo']} category:{categories[0]}"
        authors = json.loads(authors_json or "[]")
        if authors and words:
            names = re.findall(r"[^\W\d_]+", authors[0])
            if names and len(names[-1]) >= 2:
                add["surname_word"] = f"{names[-1]} {rng.choice(words)}"
        tokens = abstract.split()
        if len(tokens) >= 8:
            for _ in range(5):
                start = rng.randrange(0, len(tokens) - 4)
                run = [t.strip(".,;:()[]\"'") for t in tokens[start:start + 4]]
                if len([w for w in run if w.lower() not in STOP and len(w) >= 3]) >= 3:
                    add["abstract_words"] = " ".join(run)
                    break
        typed = re.findall(r"\w+", title.lower())
        long_ones = [i for i, w in enumerate(typed) if len(w) >= 6 and w.isalpha()]
        if long_ones:
            i = cuts.choice(long_ones)
            cut = typed[i][:cuts.randrange(5, len(typed[i]))]
            add["typing_title"] = " ".join(typed[:i] + [cut])
        for kind, query in add.items():
            if len(out[kind]) < per_kind:
                out[kind].append((query, pid))
    return out


def score(ranks: list[int | None]) -> dict:
    """success@1, success@10 and MRR@10 of the ranks (1-based; None: not in the top 10)."""
    n = len(ranks) or 1
    return {"n": len(ranks),
            "success_at_1": round(sum(r == 1 for r in ranks) / n, 3),
            "success_at_10": round(sum(r is not None for r in ranks) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3)}


TWIN_MARK = re.compile(r" \(r\d+\)$")  # bench.py's copies of the corpus: "Title (r3)"
NAMES_THE_MARK = ("pasted_title", "typed_title")  # the kinds whose queries tell twins apart


def rank_of(ids: list[str], wanted: str, twins: dict[str, str] | None = None) -> int | None:
    """The rank of `wanted` among `ids` (1-based, None: not there); with `twins` (id -> the
    title without its copy mark), the rank of the first of its twins."""
    if twins is not None:
        key = twins.get(wanted)
        ids = [wanted if twins.get(i) == key else i for i in ids]
    return ids.index(wanted) + 1 if wanted in ids else None


def build_fts5(rows: list[tuple], path: Path) -> sqlite3.Connection:
    """The same papers in SQLite FTS5 with porter stemming."""
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, abstract, authors,"
               " categories UNINDEXED, tokenize='porter unicode61')")
    with db:
        db.executemany("INSERT INTO papers VALUES (?,?,?,?,?)",
                       ((pid, title, abstract, ", ".join(json.loads(authors or "[]")),
                         " " + " ".join(json.loads(categories or "[]")) + " ")
                        for pid, title, abstract, authors, categories in rows))
    return db


def fts5_match(query: str) -> str:
    """A query FTS5 accepts: each word quoted (its syntax would reject colons, hyphens...)."""
    return " ".join(f'"{w}"' for w in re.findall(r"\w+", query))


def measure(data_dir: Path, per_kind: int, workdir: Path) -> dict:
    """Both engines on the same known-item queries: quality and time per query."""
    from tui_reader.library import Library
    db = sqlite3.connect(data_dir / "library.sqlite3")
    rows = db.execute("SELECT id, title, abstract, authors, categories FROM papers").fetchall()
    db.close()
    queries = make_queries(rows, per_kind)
    copies = {pid: TWIN_MARK.sub("", title) for pid, title, *_ in rows}
    has_twins = any(TWIN_MARK.search(title) for _, title, *_ in rows)
    lib = Library(data_dir)
    fts = build_fts5(rows, workdir / "quality_fts5.sqlite3")
    out: dict = {"papers": len(rows), "twins_count_as_found": has_twins, "tui_reader": {},
                 "fts5": {}, "misses": {}}
    for kind, items in queries.items():
        twins = copies if has_twins and kind not in NAMES_THE_MARK else None
        ours, theirs, ms, fts_ms, misses = [], [], [], [], []
        for query, pid in items:
            t0 = time.perf_counter()
            result = lib.search(query, limit=TOP, typing=kind in TYPING)
            ms.append((time.perf_counter() - t0) * 1000)
            found = rank_of([h.paper.id for h in result.hits], pid, twins)
            ours.append(found)
            if found is None and len(misses) < 5:
                misses.append(query)
            t0 = time.perf_counter()
            category = CATEGORY.search(query)
            match = fts5_match(CATEGORY.sub("", query))
            if match and kind in TYPING:
                match += "*"
            try:
                ids = [r[0] for r in fts.execute(
                    "SELECT id FROM papers WHERE papers MATCH ? AND categories LIKE ?"
                    " ORDER BY rank LIMIT ?",
                    (match, f"% {category.group(1)} %" if category else "%", TOP))
                       ] if match else []
            except sqlite3.OperationalError:
                ids = []
            fts_ms.append((time.perf_counter() - t0) * 1000)
            theirs.append(rank_of(ids, pid, twins))
        out["tui_reader"][kind] = score(ours) | {"p50_ms": _p(ms, 50), "p95_ms": _p(ms, 95)}
        out["fts5"][kind] = score(theirs) | {"p50_ms": _p(fts_ms, 50),
                                             "p95_ms": _p(fts_ms, 95)}
        out["misses"][kind] = misses
    lib.close()
    fts.close()
    (workdir / "quality_fts5.sqlite3").unlink()
    return out


def _p(values: list[float], pct: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="an imported tui-reader data dir")
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tui-reader-bench"))
    opts = parser.parse_args()
    opts.workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(measure(opts.data_dir, opts.per_kind, opts.workdir), indent=1))


if __name__ == "__main__":
    main()
