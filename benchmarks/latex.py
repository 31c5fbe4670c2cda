"""What reading LaTeX as text costs (tui_reader/latex.py), on the 74,728-paper arXiv corpus.

    python benchmarks/latex.py                 # ../shared/corpus/arxiv_cs_listings.jsonl.gz
    python benchmarks/latex.py DUMP --sample 300

Prints one JSON object, every figure from this run: the papers parsed as an import parses them
(`parse_s`, the peer: what an import spends before any index work), how many titles and
abstracts look like LaTeX, `readable_s` (every title and abstract through `readable`, a fresh
cache: what an index build adds), `readable_cached_s` (the same again, cached), and on a sample
of LaTeX abstracts the cost of one against pylatexenc's own converter reading the whole
text (`whole_text_ms`, the straightforward way; `whole_text_errors`: how often it raised) and the number of pieces pylatexenc's parser read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv_cs_listings.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", nargs="?", default=str(CORPUS))
    parser.add_argument("--sample", type=int, default=300,
                        help="LaTeX abstracts timed one by one (default 300)")
    args = parser.parse_args()

    from tui_reader import latex
    from tui_reader.ingest import read_dump

    start = time.perf_counter()
    papers = list(read_dump(args.dump).papers)
    parse_s = time.perf_counter() - start
    texts = [p.title for p in papers] + [p.abstract for p in papers]
    latex_texts = [t for t in texts if latex.looks_like_latex(t)]

    start = time.perf_counter()
    shown = [latex.readable(t) for t in texts]
    readable_s = time.perf_counter() - start
    start = time.perf_counter()
    for t in texts:
        latex.readable(t)
    cached_s = time.perf_counter() - start

    abstracts = [p.abstract for p in papers if latex.looks_like_latex(p.abstract)]
    sample = random.Random(13).sample(abstracts, min(args.sample, len(abstracts)))
    latex._converted.cache_clear()
    latex._piece_text.cache_clear()
    start = time.perf_counter()
    for t in sample:
        latex.readable(t)
    ours_ms = (time.perf_counter() - start) / max(len(sample), 1) * 1000
    from pylatexenc.latex2text import LatexNodes2Text
    whole = LatexNodes2Text(math_mode="text")  # pylatexenc as it comes, on the whole text
    start, whole_errors = time.perf_counter(), 0
    for t in sample:
        try:
            whole.latex_to_text(t)
        except Exception:  # \href: pylatexenc's parser and converter disagree on its arguments
            whole_errors += 1
    whole_ms = (time.perf_counter() - start) / max(len(sample), 1) * 1000

    pieces = {t[a:b] for t in latex_texts for a, b in latex._pieces(t)}
    parsed = sum(1 for piece in pieces if latex._without_parser(piece) is None)
    print(json.dumps({
        "papers": len(papers), "parse_s": round(parse_s, 2),
        "latex_titles": sum(1 for p in papers if latex.looks_like_latex(p.title)),
        "latex_abstracts": len(abstracts),
        "changed_texts": sum(1 for a, b in zip(texts, shown) if a != b),
        "readable_s": round(readable_s, 2), "readable_cached_s": round(cached_s, 2),
        "per_latex_text_ms": round(readable_s / max(len(latex_texts), 1) * 1000, 3),
        "sample": len(sample), "abstract_ms": round(ours_ms, 2),
        "whole_text_ms": round(whole_ms, 2), "whole_text_errors": whole_errors,
        "distinct_pieces": len(pieces), "pieces_parsed_by_pylatexenc": parsed,
    }, indent=2))


if __name__ == "__main__":
    main()
