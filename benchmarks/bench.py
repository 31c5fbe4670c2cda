"""The tui-reader benchmark: import, search, start-up and typing on a real arXiv collection.

    python benchmarks/bench.py                       # the 74,728-paper corpus in ../shared/corpus
    python benchmarks/bench.py DUMP --papers 10000   # the first 10,000 papers of any JSONL dump
    python benchmarks/bench.py --papers 300000       # more than the dump has: repeated, new ids

It prints one JSON object; every figure comes from this run, each phase in a fresh process (so
its peak RSS is its own) on a fresh data dir under --workdir:

* import_papers_per_s: `tui-reader import` of the dump, the whole process (parse, store,
  index); baseline_whoosh_papers_per_s: a plain Whoosh import of the same papers (parse them
  the same way, default schema with title, abstract and authors stored, one add_document per
  paper, one commit); fts5_papers_per_s: the same into SQLite FTS5; the ratios.
* query_ms: p50/p95 of Library.search (what the app calls: parse, search, total, store,
  highlights) for --queries queries of each kind drawn from the collection, one searcher
  reused; fts5_query_ms for the kinds FTS5 has (MATCH, bm25 order, count).
* cold_start_s: `tui-reader --data-dir D` in a pseudo-terminal until the first screen shows the
  newest paper; app_peak_rss_mb: that process's peak RSS after a few searches.
* keystroke_ms: the app under Pilot (debounce 0): a key typed into the search box until the
  list shows the results of the new text.
* facets_ms: p50/p95 of Library.facets (counts by year, organisation, category, tag) of the
  blank query (SQL in the store), `*` and queries of a few kinds (the index's arrays);
  facets_first_ms: the first call after the reader's warm-up at start (which reads the facet
  columns in the background: facets_warm_up_ms, the posting arrays' reading included);
  facets_sql_on_ids_ms: the peer, the same counts in SQL on the matching papers' ids.
* reimport_unchanged_s: `tui-reader import` of the same dump again (whole process).
* quality: known-item search quality (success@1, success@10, MRR) of tui-reader and of FTS5
  over the same papers, per kind of query (benchmarks/quality.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUALITY_PER_KIND = 200  # known-item queries of each kind (benchmarks/quality.py)
CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv_cs_listings.jsonl.gz"
KINDS = ("term", "two_terms", "phrase", "prefix", "fuzzy", "field", "year_range",
         "sorted_by_date", "second_page")
STOP = {"with", "from", "that", "this", "their", "using", "based", "into", "over", "via",
        "towards", "toward", "through", "under", "when", "what", "which", "while", "for",
        "and", "the", "are", "not", "can", "its", "all", "beyond", "between", "without"}


def tui_reader() -> str:
    found = shutil.which("tui-reader", path=str(Path(sys.executable).parent))
    return found or "tui-reader"


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {}

    def at(p: float) -> float:
        return values[min(len(values) - 1, max(0, round(p * len(values) + 0.5) - 1))]

    return {"p50": round(statistics.median(values), 1), "p95": round(at(0.95), 1),
            "max": round(values[-1], 1), "n": len(values)}


def run_measured(cmd: list[str], **kwargs) -> tuple[float, float, str]:
    """Run a command; (wall seconds, peak RSS in MB, stdout). `tree_peak_mb` is then the
    peak of the RSS summed over the command and its child processes (sampled 4 times a
    second), the RSS the largest of them."""
    import threading
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    run_measured.tree_peak_mb = peak[0]
    return wall, _child_rss_mb(), out.decode()


def _tree_rss_mb(root: int) -> float:
    """The RSS of a process and its descendants, in MB (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total / 2**20


_last_children_rss = 0.0


def _child_rss_mb() -> float:
    """Peak RSS of the last waited-for child: RUSAGE_CHILDREN is the max over all of them, so
    each measured phase runs in its own grandchild through `phase()`."""
    import resource
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def phase(name: str, *args: str) -> dict:
    """Run one phase of this script in a fresh process; its JSON output."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, *args]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def own_rss_mb() -> float:
    import resource
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- the dump ---------------------------------------------------------------------------------
def prepare_dump(source: Path, papers: int | None, workdir: Path) -> tuple[Path, int]:
    """The dump to import: `source` itself, or its first `papers` lines (repeated with new
    ids and titles when it has fewer), written as plain JSONL."""
    if papers is None:
        with gzip.open(source, "rt") if _is_gzip(source) else open(source) as f:
            return source, sum(1 for line in f if line.strip())
    target = workdir / f"dump_{papers}.jsonl"
    if target.exists():
        return target, papers
    written = 0
    part = target.with_name(target.name + ".part")  # a dump cut short is never taken whole
    with open(part, "w", encoding="utf-8") as out:
        round_ = 0
        while written < papers:
            with gzip.open(source, "rt") if _is_gzip(source) else open(source) as f:
                for line in f:
                    if not line.strip():
                        continue
                    if round_:
                        line = _copy(line, round_)
                    out.write(line)
                    written += 1
                    if written >= papers:
                        break
            round_ += 1
    part.replace(target)
    return target, written


def _copy(line: str, round_: int) -> str:
    """A paper of the dump as another paper: a new title (the id comes from it), an id that
    is no arXiv id (nor an `abs` link) so that it does not merge, the same month."""
    record = json.loads(line)
    old = str(record.get("id", ""))
    month = re.match(r"(\d\d)(\d\d)\.", old)
    record["id"] = f"{old}r{round_}"
    record.pop("abs", None)
    record.pop("url", None)
    if month and not record.get("update_date"):
        record["update_date"] = f"20{month[1]}-{month[2]}-01"
    record["title"] = f"{record.get('title', '')} (r{round_})"
    return json.dumps(record, ensure_ascii=False) + "\n"


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


# -- phases (each in its own process) ---------------------------------------------------------
def phase_baseline(dump: str, directory: str) -> dict:
    """A plain Whoosh import: parse as tui-reader does, default schema, one commit."""
    from whoosh import fields, index

    from tui_reader.ingest import read_dump
    start = time.perf_counter()
    papers = list(read_dump(dump).papers)
    parsed = time.perf_counter()
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(stored=True), abstract=fields.TEXT(stored=True),
                           authors=fields.TEXT(stored=True))
    ix = index.create_in(directory, schema)
    writer = ix.writer()
    for p in papers:
        writer.add_document(id=p.id, title=p.title, abstract=p.abstract,
                            authors=", ".join(p.authors))
    writer.commit()
    done = time.perf_counter()
    return {"papers": len(papers), "parse_s": round(parsed - start, 2),
            "index_s": round(done - parsed, 2), "total_s": round(done - start, 2),
            "index_mb": round(_size_mb(Path(directory)), 1), "rss_mb": own_rss_mb()}


def phase_fts5(dump: str, path: str, queries_file: str) -> dict:
    """The same papers into SQLite FTS5 (porter stemming), then its kinds of queries."""
    import sqlite3

    from tui_reader.ingest import read_dump
    start = time.perf_counter()
    papers = read_dump(dump).papers
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, abstract, authors,"
               " categories, published UNINDEXED, year UNINDEXED,"
               " tokenize='porter unicode61')")
    count = 0
    with db:
        batch = []
        for p in papers:
            batch.append((p.id, p.title, p.abstract, ", ".join(p.authors),
                          " ".join(p.categories), p.published.isoformat() if p.published else "",
                          p.published.year if p.published else 0))
            count += 1
            if len(batch) >= 2000:
                db.executemany("INSERT INTO papers VALUES (?,?,?,?,?,?,?)", batch)
                batch = []
        db.executemany("INSERT INTO papers VALUES (?,?,?,?,?,?,?)", batch)
    elapsed = time.perf_counter() - start
    queries = json.loads(Path(queries_file).read_text())
    times: dict[str, list[float]] = {}
    for kind, items in queries.items():
        sql = _fts5_query(kind)
        if sql is None:
            continue
        for item in items:
            match = _fts5_match(kind, item)
            if match is None:
                continue
            t0 = time.perf_counter()
            try:
                params = (match, *item.get("fts_params", []))
                db.execute(sql[0], params).fetchall()
                db.execute(sql[1], params).fetchone()
            except sqlite3.OperationalError:
                continue
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    return {"papers": count, "s": round(elapsed, 2), "rss_mb": own_rss_mb(),
            "db_mb": round(os.path.getsize(path) / 2**20, 1),
            "query_ms": {k: percentiles(v) for k, v in times.items()}}


def _fts5_query(kind: str) -> tuple[str, str] | None:
    count = "SELECT count(*) FROM papers WHERE papers MATCH ?"
    if kind == "fuzzy":
        return None  # FTS5 has no fuzzy terms
    if kind == "year_range":
        return ("SELECT id, title FROM papers WHERE papers MATCH ? AND year BETWEEN ? AND ?"
                " ORDER BY rank LIMIT 50",
                count + " AND year BETWEEN ? AND ?")
    if kind == "sorted_by_date":
        return ("SELECT id, title FROM papers WHERE papers MATCH ? ORDER BY published DESC"
                " LIMIT 50", count)
    if kind == "second_page":
        return ("SELECT id, title FROM papers WHERE papers MATCH ? ORDER BY rank"
                " LIMIT 50 OFFSET 50", count)
    return ("SELECT id, title FROM papers WHERE papers MATCH ? ORDER BY rank LIMIT 50", count)


def _fts5_match(kind: str, item: dict) -> str | None:
    return item.get("fts")


def phase_queries(data_dir: str, queries_file: str) -> dict:
    """Library.search for every query (a searcher reused and warmed up, as the app does)."""
    from tui_reader.library import Library
    lib = Library(data_dir)
    lib.warm_up()  # as the reader does once its first screen is shown
    queries = json.loads(Path(queries_file).read_text())
    warm = queries["term"][:3]
    for item in warm:
        lib.search(item["q"], limit=50)
    times: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    for kind, items in queries.items():
        for item in items:
            t0 = time.perf_counter()
            result = lib.search(item["q"], sort=item.get("sort", "relevance"),
                                offset=item.get("offset", 0), limit=50, fragments=False)
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            totals.setdefault(kind, []).append(result.total)
            if result.error:
                raise SystemExit(f"query {item['q']!r}: {result.error}")
    return {"query_ms": {k: percentiles(v) for k, v in times.items()},
            "median_hits": {k: int(statistics.median(v)) for k, v in totals.items()},
            "papers": lib.stats()["papers"], "indexed": lib.indexed(),
            "index_mb": round(_size_mb(Path(data_dir) / "index"), 1),
            "index_segments": lib.index.segment_count(),
            "store_mb": round(_size_mb(Path(data_dir), "library.sqlite3*"), 1),
            "rss_mb": own_rss_mb()}


FACET_KINDS = ("term", "two_terms", "field", "year_range")  # queries whose facets are timed
FACET_QUERIES = 20  # of each kind


def phase_facets(data_dir: str, queries_file: str) -> dict:
    """Library.facets (what `f` and `search --facets` call) for the blank query (all papers:
    SQL in the store), `*` (all papers: the index's arrays) and queries of a few kinds; the
    first call pays for reading the facet columns. Its peer: the same counts in SQL on the
    ids of the papers a query matches (ids known beforehand, not timed)."""
    import sqlite3

    from tui_reader.library import Library
    lib = Library(data_dir)
    t0 = time.perf_counter()
    lib.warm_up()
    warm_up_ms = (time.perf_counter() - t0) * 1000
    items = json.loads(Path(queries_file).read_text())
    queries = {"empty": [""], "every_paper": ["*"]} | {
        kind: [item["q"] for item in items[kind][:FACET_QUERIES]] for kind in FACET_KINDS}
    t0 = time.perf_counter()
    lib.facets("*")
    first_ms = (time.perf_counter() - t0) * 1000
    times: dict[str, list[float]] = {}
    for kind, texts in queries.items():
        for _ in range(3 if len(texts) == 1 else 1):
            for text in texts:
                t0 = time.perf_counter()
                found = lib.facets(text)
                times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
                if found.error:
                    raise SystemExit(f"query {text!r}: {found.error}")
    db = sqlite3.connect(Path(data_dir) / "library.sqlite3")
    db.execute("ATTACH DATABASE ? AS user", (str(Path(data_dir) / "user.sqlite3"),))
    sql_times: dict[str, list[float]] = {}
    for kind, texts in queries.items():
        for text in texts[:5]:
            ids = _matching_ids(lib, text or "*")
            t0 = time.perf_counter()
            _sql_facets(db, ids)
            sql_times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    return {"facets_ms": {k: percentiles(v) for k, v in times.items()},
            "facets_first_ms": round(first_ms, 1), "facets_warm_up_ms": round(warm_up_ms, 1),
            "facets_sql_on_ids_ms": {k: percentiles(v) for k, v in sql_times.items()}}


def _matching_ids(lib, text: str) -> list[str]:
    """The ids of every paper a query matches (through the index's own evaluator)."""
    import numpy as np

    from tui_reader.index.evaluator import Evaluator
    from tui_reader.index.query_language import parse
    evaluator = Evaluator(lib.index)
    mask = evaluator.mask(parse(text).query)
    return [evaluator.searcher.stored_fields(int(d))["id"] for d in np.flatnonzero(mask)]


def _sql_facets(db, ids: list[str]) -> dict:
    """Year, organisation, category and tag counts of these papers in SQL (a temporary table
    of the ids joined to the papers), the top ten of each."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("DELETE FROM chosen")
    db.executemany("INSERT OR IGNORE INTO chosen VALUES (?)", [(i,) for i in ids])
    papers = "SELECT p.* FROM papers p JOIN chosen c ON c.id = p.id"
    values = {
        "year": f"SELECT substr(published, 1, 4) AS value FROM ({papers})"
                " WHERE published IS NOT NULL",
        "org": f"SELECT organization AS value FROM ({papers}) WHERE organization != ''",
        "category": f"SELECT j.value AS value FROM ({papers}) p, json_each(p.categories) j",
        "tag": "SELECT t.tag AS value FROM chosen c JOIN user.tags t ON t.paper_id = c.id"}
    return {name: db.execute(f"SELECT value, count(*) AS n FROM ({sql}) GROUP BY value"
                             " ORDER BY n DESC, value LIMIT 10").fetchall()
            for name, sql in values.items()}


def phase_make_queries(data_dir: str, out: str, per_kind: str) -> dict:
    """Queries of each kind drawn from the collection's titles, authors and categories."""
    import sqlite3
    n = int(per_kind)
    db = sqlite3.connect(Path(data_dir) / "library.sqlite3")
    rows = db.execute("SELECT title, authors, categories, published FROM papers").fetchall()
    rng = random.Random(20260721)
    df: dict[str, int] = {}
    bigrams: list[tuple[str, str]] = []
    authors: list[str] = []
    categories: dict[str, int] = {}
    years = sorted({int(r[3][:4]) for r in rows if r[3]})
    for title, author_json, cat_json, _ in rows:
        words = re.findall(r"[a-z]+", title.lower())
        for w in set(words):
            if len(w) >= 4 and w not in STOP:
                df[w] = df.get(w, 0) + 1
        for a, b in zip(words, words[1:]):
            if len(a) >= 4 and len(b) >= 4 and a not in STOP and b not in STOP:
                bigrams.append((a, b))
        names = json.loads(author_json)
        if names:
            last = re.findall(r"[A-Za-z]+", names[0])
            if last and len(last[-1]) >= 3:
                authors.append(last[-1].lower())
        for c in json.loads(cat_json):
            categories[c] = categories.get(c, 0) + 1
    # Words across the frequency range: evenly spaced ranks among the 3,000 commonest title
    # words (the commonest ones first: they are the slow ones), and pairs seen in titles.
    ranked = sorted((w for w in df if df[w] >= 5), key=lambda w: -df[w])[:3000]
    step = max(1, len(ranked) // n)
    words = ranked[::step][:n]
    rng.shuffle(bigrams)
    pairs = list(dict.fromkeys(bigrams))[:n]
    top_cats = sorted(categories, key=lambda c: -categories[c])[:40]
    y0, y1 = (years[0], years[-1]) if years else (2024, 2025)

    def fuzzy(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:] + "~"

    queries = {
        "term": [{"q": w, "fts": w} for w in words],
        "two_terms": [{"q": f"{a} {b}", "fts": f"{a} {b}"} for a, b in pairs],
        "phrase": [{"q": f'"{a} {b}"', "fts": f'"{a} {b}"'} for a, b in pairs],
        "prefix": [{"q": w[:max(4, len(w) - 3)] + "*", "fts": w[:max(4, len(w) - 3)] + "*"}
                   for w in words],
        "fuzzy": [{"q": fuzzy(w)} for w in words],
        "field": [],
        "year_range": [],
        "sorted_by_date": [{"q": w, "sort": "date", "fts": w} for w in words],
        "second_page": [{"q": w, "offset": 50, "fts": w} for w in words],
    }
    for i, w in enumerate(words):
        kind = i % 3
        if kind == 0:
            queries["field"].append({"q": f"title:{w}", "fts": f"title:{w}"})
        elif kind == 1 and authors:
            a = authors[rng.randrange(len(authors))]
            queries["field"].append({"q": f"author:{a}", "fts": f"authors:{a}"})
        else:
            c = top_cats[i % len(top_cats)] if top_cats else "cs.LG"
            queries["field"].append({"q": f"category:{c}", "fts": f'categories:"{c}"'})
        lo = rng.randint(y0, y1)
        hi = rng.randint(lo, y1)
        queries["year_range"].append({"q": f"{w} year:{lo}..{hi}", "fts": w,
                                      "fts_params": [lo, hi]})
    Path(out).write_text(json.dumps(queries, indent=1))
    return {kind: len(items) for kind, items in queries.items()}


def phase_quality(data_dir: str, workdir: str) -> dict:
    """Known-item search quality against FTS5 (benchmarks/quality.py)."""
    from quality import measure
    return measure(Path(data_dir), QUALITY_PER_KIND, Path(workdir))


def phase_keystrokes(data_dir: str, queries_file: str) -> dict:
    """Pilot: type words into the search box, a key at a time; each key until the list was
    given the results of the new text (Searching.on_searching_done for that text)."""
    import asyncio

    from tui_reader.app.app import ReaderApp
    from tui_reader.app.memory import one_malloc_arena
    from tui_reader.library import Library
    one_malloc_arena()  # as tui-reader does (tui_reader.app.run_app)
    queries = json.loads(Path(queries_file).read_text())
    texts = [item["q"] for item in queries["two_terms"][:12]]
    from tui_reader.app.searching import Searching
    lib = Library(data_dir)
    times: list[float] = []
    shown: dict[str, float] = {}  # query text -> when the list got its results
    original = Searching.on_searching_done

    def on_searching_done(self, message) -> None:
        original(self, message)
        if self.papers.listing is not None and self._applied == self._token:
            shown.setdefault(self.papers.listing.query, time.perf_counter())

    Searching.on_searching_done = on_searching_done

    async def run() -> None:
        app = ReaderApp(lib, debounce=0, import_samples=False,  # as tui-reader runs it,
                        freeze_start=True)  # the app's other defaults
        async with app.run_test(size=(140, 45)) as pilot:
            screen = app.main_screen
            await pilot.pause(0.5)
            for text in texts:
                await pilot.press("slash")
                box = screen.search_box
                box.value = ""
                await _until(pilot, lambda: screen.papers.listing is not None
                             and screen.papers.listing.query == "")
                for ch in text:
                    key = "space" if ch == " " else ch
                    shown.clear()
                    t0 = time.perf_counter()
                    await pilot.press(key)
                    value = box.value
                    await _until(pilot, lambda: value in shown)
                    times.append((shown[value] - t0) * 1000)
                    await pilot.pause(0.05)  # a typist's pace: ~10 keys a second with the above
                await pilot.press("escape")

    asyncio.run(run())
    return {"keystroke_ms": percentiles(times), "rss_mb": own_rss_mb()}


async def _until(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit("the app did not show the results in time")
        await pilot.pause(0.001)


# -- the whole app in a terminal ----------------------------------------------------------------
def cold_start(data_dir: str, probe: str, searches: list[str]) -> dict:
    """`tui-reader --data-dir D` in a pseudo-terminal: seconds until the screen shows `probe`
    (the newest paper's title); then a few searches, quit, and the process's peak RSS."""
    import pty
    import select
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="140", LINES="45")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(tui_reader(), [tui_reader(), "--data-dir", data_dir], env)
    import fcntl
    import struct
    import termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
    start = time.perf_counter()
    seen = b""
    first_paint = None
    needle = re.sub(r"\s+", " ", probe)[:24].encode()

    def read_for(seconds: float) -> None:
        nonlocal seen
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            ready, _, _ = select.select([fd], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return

    while first_paint is None and time.perf_counter() - start < 30:
        read_for(0.005)
        if needle in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen):
            first_paint = time.perf_counter() - start
    read_for(0.5)
    for text in searches:
        os.write(fd, b"/")
        read_for(0.2)
        os.write(fd, text.encode())
        read_for(1.0)
        for _ in range(2):  # to the list, then the search cleared: All papers, as it started
            os.write(fd, b"\x1b")  # (the reader reopens where it was left)
            read_for(0.3)
    os.write(fd, b"\x11")  # ctrl+q
    read_for(1.0)
    _, status, usage = os.wait4(pid, 0)
    os.close(fd)
    return {"cold_start_s": round(first_paint, 3) if first_paint else None,
            "app_peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "exit_status": status}


def _size_mb(path: Path, pattern: str = "**/*") -> float:
    return sum(p.stat().st_size for p in path.glob(pattern) if p.is_file()) / 2**20


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo")
                      if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


# -- the run --------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", nargs="?", default=str(CORPUS))
    parser.add_argument("--papers", type=int, help="import the first N papers (repeated, with"
                        " changed ids and titles, when the dump has fewer)")
    parser.add_argument("--workdir", default="/tmp/tui-reader-bench")
    parser.add_argument("--queries", type=int, default=50, help="queries of each kind")
    parser.add_argument("--skip", default="",
                        help="comma-separated: facets,quality,baseline,fts5,app,optimize")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts, rest = parser.parse_known_args()
    if opts.phase:
        func = globals()[f"phase_{opts.phase}"]
        print(json.dumps(func(opts.dump, *opts.args, *rest)))
        return
    skip = set(filter(None, opts.skip.split(",")))
    workdir = Path(opts.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    dump, papers = prepare_dump(Path(opts.dump), opts.papers, workdir)
    data_dir = workdir / f"data_{papers}"
    shutil.rmtree(data_dir, ignore_errors=True)
    out: dict = {"papers": papers, "dump": str(dump), "machine": machine(),
                 "date": time.strftime("%Y-%m-%d")}

    wall, rss, _ = run_measured([tui_reader(), "--data-dir", str(data_dir), "import", "-q",
                                 str(dump)])
    out["import_s"] = round(wall, 2)
    out["import_papers_per_s"] = round(papers / wall, 1)
    out["import_peak_rss_mb"] = round(rss, 1)  # the largest process of the import
    out["import_peak_rss_total_mb"] = round(run_measured.tree_peak_mb, 1)  # all of them

    wall, _, _ = run_measured([tui_reader(), "--data-dir", str(data_dir), "import", "-q",
                               str(dump)])
    out["reimport_unchanged_s"] = round(wall, 3)

    queries_file = workdir / f"queries_{papers}.json"
    phase("make_queries", str(data_dir), str(queries_file), str(opts.queries))
    q = phase("queries", str(data_dir), str(queries_file))
    out["query_ms"] = q["query_ms"]
    out["median_hits"] = q["median_hits"]
    out["index_mb"], out["store_mb"] = q["index_mb"], q["store_mb"]
    out["search_process_rss_mb"] = q["rss_mb"]
    out["index_segments"] = q["index_segments"]  # after the import's own tiered merges

    if "optimize" not in skip:  # every segment merged into one, and the queries again
        wall, rss, _ = run_measured([tui_reader(), "--data-dir", str(data_dir), "optimize"])
        out["optimize_s"], out["optimize_peak_rss_mb"] = round(wall, 2), round(rss, 1)
        out["query_ms_optimized"] = phase("queries", str(data_dir), str(queries_file))["query_ms"]

    if "facets" not in skip:
        fa = phase("facets", str(data_dir), str(queries_file))
        out["facets_ms"] = fa["facets_ms"]
        out["facets_first_ms"] = fa["facets_first_ms"]
        out["facets_warm_up_ms"] = fa["facets_warm_up_ms"]
        out["facets_sql_on_ids_ms"] = fa["facets_sql_on_ids_ms"]
    if "quality" not in skip:
        quality = phase("quality", str(data_dir), str(workdir))
        out["quality"] = {kind: {"tui_reader": quality["tui_reader"][kind],
                                 "fts5": quality["fts5"][kind]}
                          for kind in quality["tui_reader"]}
    if "baseline" not in skip:
        b = phase("baseline", str(dump), str(workdir / "baseline_index"))
        out["baseline_whoosh_papers_per_s"] = round(b["papers"] / b["total_s"], 1)
        out["baseline_whoosh_index_only_papers_per_s"] = round(b["papers"] / b["index_s"], 1)
        out["baseline_whoosh"] = b
        out["import_vs_baseline"] = round(out["import_papers_per_s"]
                                          / out["baseline_whoosh_papers_per_s"], 2)
        shutil.rmtree(workdir / "baseline_index", ignore_errors=True)
    if "fts5" not in skip:
        f = phase("fts5", str(dump), str(workdir / "fts5.sqlite3"), str(queries_file))
        out["fts5_papers_per_s"] = round(f["papers"] / f["s"], 1)
        out["import_vs_fts5"] = round(out["import_papers_per_s"] / out["fts5_papers_per_s"], 2)
        out["fts5_query_ms"] = f["query_ms"]
        out["fts5_db_mb"] = f["db_mb"]
        os.remove(workdir / "fts5.sqlite3")
    if "app" not in skip:
        from tui_reader.app.position import SETTING as POSITION
        from tui_reader.library import Library
        lib = Library(data_dir)
        newest = lib.browse("all", sort="date", limit=1)[1]
        lib.close()
        searches = [item["q"] for item in json.loads(queries_file.read_text())["term"][:3]]
        starts = []
        for i in range(3):
            # the reader reopens where it was left (a search, when the first run's escapes
            # came before its results): each start from the top of All papers
            lib = Library(data_dir)
            lib.set_setting(POSITION, "")
            lib.close()
            starts.append(cold_start(str(data_dir), newest[0].title if newest else "tui-reader",
                                     searches if i == 0 else []))
        out["cold_start_s"] = sorted(s["cold_start_s"] or 99 for s in starts)[1]  # median of 3
        out["cold_start_runs_s"] = [s["cold_start_s"] for s in starts]
        out["app_peak_rss_mb"] = max(s["app_peak_rss_mb"] for s in starts)
        k = phase("keystrokes", str(data_dir), str(queries_file))
        out["keystroke_ms"] = k["keystroke_ms"]
        out["keystroke_process_rss_mb"] = k["rss_mb"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
