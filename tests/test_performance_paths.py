"""The fast paths of indexing give what the plain Whoosh paths give (no timing here).

`tui_reader/indexing.py` replaces Whoosh's analyzer chains, posting pool and posting loop
with cheaper equivalents, and the import feeds one writer committed in segments. These tests
pin that nothing changes: the same terms and postings, the same search results for a fixed
set of queries, whatever the segmenting, on a few hundred real papers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from tests.conftest import FIXTURES, SAMPLE_DUMPS
from tui_reader import importing as importing_module
from tui_reader.index import merging, posting_arrays, term_pool
from tui_reader.index import whoosh_internals as internals
from tui_reader.index import PaperIndex, make_schema, paper_document
from tui_reader.index.query_language import parse
from tui_reader.index.term_pool import _write_chunk
from tui_reader.index.writing import FastAnalysis, FastSegmentWriter, _non_capturing, fast_indexers
from tui_reader.ingest import read_dump
from tui_reader.library import Library

DUMPS = [FIXTURES / "arxiv_100.jsonl", *sorted(SAMPLE_DUMPS.iterdir()),
         *sorted((FIXTURES / "hf_api").iterdir())]
QUERIES = [  # (query, sort)
    ("model", "relevance"), ("language models", "relevance"), ('"language models"', "date"),
    ('"large language"', "relevance"), ("diffus*", "relevance"), ("model*", "title"),
    ("protien~", "relevance"), ("title:agent", "date"), ("abstract:reasoning", "relevance"),
    ("author:wang", "relevance"), ("category:cs.CL", "date"), ("year:2024..2025", "title"),
    ("date:2025-01-01..2025-12-31", "date"), ("reasoning AND NOT vision", "relevance"),
    ("(video OR image) AND generation", "upvotes"), ("upvotes:>10", "upvotes"),
    ("über", "relevance"), ("the", "relevance"),
]


@pytest.fixture(scope="module")
def papers():
    found = []
    for path in DUMPS:
        dump = read_dump(path)
        found.extend(dump.papers)
    assert len(found) > 150
    return found


@pytest.fixture(scope="module")
def docs(papers):
    unique = {p.id: p for p in papers}
    return [paper_document(p, "a note: the NOTE of x 3.14 e.g. co-op" if i % 7 == 0 else None,
                           ["ml", "to-read"][:i % 3] if i % 4 else ())
            for i, p in enumerate(unique.values())]


ODD_TEXTS = [
    "", "the of and", "A study of language models", "İstanbul ΣΊΣΥΦΟΣ straße ǅemal",
    "x.y.z 3.141 big-time under_score a*b", "The THE the. models' modeling modelled",
    "\u00e9t\u00e9 caf\u00e9 na\u00efve co\u00f6perate", "a " * 50 + "end",
    "Tokens\u2014with\u2013dashes and \U0001f642 emoji", "ﬁnancial ligature ＡＢＣ fullwidth",
]


def test_fast_analysis_gives_the_terms_of_the_analyzers(docs):
    schema = make_schema()
    fast = fast_indexers(schema)
    assert {"title", "abstract", "author", "org", "note", "spell"} <= set(fast)
    for doc in docs:
        for name, index in fast.items():
            value = doc.get(name)
            if value is not None:
                assert sorted(index(value)) == sorted(schema[name].index(value)), (name, value)
    for text in ODD_TEXTS:
        for name, index in fast.items():
            assert sorted(index(text)) == sorted(schema[name].index(text)), (name, text)


def test_fast_highlight_marks_what_the_analyzer_marks(docs):
    from tui_reader.index.schema import analyzers as _analyzers, fast_analyses as _fast_analyses
    fast = _fast_analyses()
    assert {"title", "abstract", "author", "note"} <= set(fast)
    for i, doc in enumerate(docs[:120]):
        for name in ("title", "abstract", "author", "note"):
            text = doc.get(name) or ODD_TEXTS[i % len(ODD_TEXTS)]
            tokens = [(t.text, t.startchar, t.endchar) for t in _analyzers()[name](
                text, chars=True, removestops=False, mode="index")]  # one Token reused
            terms = {t[0] for t in tokens[::3]} | {"the", "of", "zzz"}
            expected = [(start, end) for term, start, end in tokens if term in terms]
            assert list(fast[name].spans(text, terms)) == expected, (name, text)


def test_fast_analysis_only_where_it_is_exact():
    from whoosh import analysis, fields
    assert FastAnalysis.for_field(fields.TEXT(analyzer=analysis.FancyAnalyzer())) is None
    assert FastAnalysis.for_field(fields.TEXT(analyzer=analysis.StemmingAnalyzer(
        ignore={"models"}))) is None
    assert FastAnalysis.for_field(fields.TEXT(chars=True)) is None
    assert FastAnalysis.for_field(fields.TEXT(analyzer=analysis.RegexTokenizer(
        r"\s+", gaps=True))) is None
    assert _non_capturing(r"[\w\*]+(\.?[\w\*]+)*") == r"[\w\*]+(?:\.?[\w\*]+)*"
    assert _non_capturing(r"a\(b(?:c)(d)[(]") == r"a\(b(?:c)(?:d)[(]"


def _postings(ix) -> list:
    """Every term with its statistics and every posting with its value and block stats."""
    out = []
    with ix.reader() as r:
        for field, term in r.all_terms():
            info = r.term_info(field, term)
            m = r.postings(field, term)
            posts = []
            while m.is_active():
                posts.append((m.id(), m.weight(), m.value(), m.block_min_length(),
                              m.block_max_length(), m.block_max_weight()))
                m.next()
            out.append((field, term, info.weight(), info.doc_frequency(), info.min_length(),
                        info.max_length(), info.max_weight(), tuple(posts)))
    return out


def _write(tmp_path: Path, name: str, writer_class, docs, **kwargs):
    path = tmp_path / name
    path.mkdir()
    ix = whoosh_index.create_in(path, make_schema())
    writer = writer_class(ix, **kwargs)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def test_fast_writer_writes_the_postings_of_the_plain_writer(tmp_path, docs, monkeypatch):
    docs = docs[::2]
    plain = _write(tmp_path, "plain", SegmentWriter, docs)
    # A tiny memory limit: the term pool spills to run files of several chunks each and
    # merges them back.
    monkeypatch.setattr(term_pool, "RUN_CHUNK_BYTES", 2000)
    saved = []
    monkeypatch.setattr(term_pool, "_write_chunk", lambda f, chunk: saved.append(
        len(chunk)) or _write_chunk(f, chunk))
    fast = _write(tmp_path, "fast", FastSegmentWriter, docs, limitmb=0.05)
    assert len(saved) > 20  # many chunks, in several runs
    assert fast.reader().segment().doc_count() == len(docs)
    assert _postings(fast) == _postings(plain)
    with plain.searcher() as a, fast.searcher() as b:
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for field in ("date", "upvotes", "title_sort"):
            assert list(a.reader().column_reader(field)) == list(
                b.reader().column_reader(field))


FAST_QUERIES = [q for q, _ in QUERIES] + [
    "models AND NOT diffusion", "learning year:2025", "graph neural", "lang* model*", "agen?",
    "\"large language models\"", "\"language models\" agents", "title:\"large language\"",
    "category:cs.LG OR category:cs.CV", "note:note", "nothingatall", "year:2023..2026",
    "tag:ml", "tag:to-read model", "tag:ml OR tag:to-read", "tag:to*", "-tag:ml",
    "model -tag:to-read", "provign~ langauge~", "reasonign~2"]


@pytest.mark.parametrize("remembered", [True, False], ids=["remembered", "cut"])
@pytest.mark.parametrize("ranked", [False, True], ids=["required", "ranked"])
@pytest.mark.parametrize("segments,writer_class", [(1, SegmentWriter), (3, SegmentWriter),
                                                   (3, FastSegmentWriter)])
def test_fast_search_finds_and_scores_as_whoosh_does(tmp_path, docs, monkeypatch, segments,
                                                     writer_class, ranked, remembered):
    """searching.FastSearch on one segment and on several (term infos per segment,
    prefixes expanded over them all; written by the fast writer: read from posting arrays)
    against Whoosh's matchers on one segment: the same documents, the same scores (up to the
    order of additions), the same pages in every sort. (Whoosh itself expands a prefix
    segment by segment, and a segment where it stands for one word scores it without the
    query's boost: its scores depend on the segmenting.) `cut`: no term is remembered, so
    the words ANDed after the first are cut to its documents before they are scored, as a
    common word's postings are at a million papers."""
    monkeypatch.setattr(posting_arrays, "MIN_POSTINGS", 2)  # the small fixture gets arrays
    from whoosh import query as wq
    from whoosh import sorting
    from tui_reader.index import fast_search
    cuts = []
    if not remembered:
        monkeypatch.setattr(fast_search, "TERM_CACHE_POSTINGS", 0)
        cut = fast_search.FastSearch._postings_within
        monkeypatch.setattr(fast_search.FastSearch, "_postings_within",
                            lambda self, *args: cuts.append(args) or cut(self, *args))

    # Whoosh scores an OR of 3+ clauses in a segment of <= 5,000 documents with its
    # "preloaded" matcher (every clause counts 1.0, its boost aside); bigger segments (a
    # real collection) get BM25F sums, as FastSearch does everywhere. Ask for those here.
    monkeypatch.setattr(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER)
    from tui_reader.index.fast_search import FastSearch
    _write(tmp_path, "one", SegmentWriter, docs)
    index = PaperIndex(tmp_path / "one")
    s = index.searcher()
    ix = _write(tmp_path, "parts", writer_class, docs[:len(docs) // segments],
                compound=False)  # as PaperIndex.writer writes them
    for part in range(1, segments):  # more segments, unmerged
        writer = writer_class(ix, compound=False)
        for doc in docs[part * len(docs) // segments:(part + 1) * len(docs) // segments]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    assert len(internals.segments(ix)) == segments
    parts = PaperIndex(tmp_path / "parts")
    fast = FastSearch(parts.searcher())
    arrays = [posting_arrays.PostingArrays.open(sub.reader()) for sub, _ in fast.leaves]
    if writer_class is FastSegmentWriter:  # phrases are checked on the arrays' positions
        assert all(arrays) and all(a.get("abstract", b"model") for a in arrays)
        assert all(a.positions("abstract", b"model") is not None for a in arrays)
        assert all(a.ids("abstract", b"model").tolist() == a.get("abstract", b"model")[0]
                   .tolist() for a in arrays)  # the ids alone, for masks
    else:
        assert not any(arrays)
    facets = {"relevance": None, "-date": sorting.FieldFacet("date", reverse=True),
              "-upvotes": sorting.FieldFacet("upvotes", reverse=True),
              "title_sort": sorting.FieldFacet("title_sort")}
    supported = 0
    for text in FAST_QUERIES:
        parsed = parse(text)
        q = (parsed.ranked() if ranked else parsed.query).normalize()
        scores = fast.scores(q)
        if scores is None:
            continue
        supported += 1
        whoosh = {h.docnum: h.score for h in s.search(q, limit=None, terms=False)}
        assert set(scores) == set(whoosh), text
        for d, score in whoosh.items():
            assert scores[d] == pytest.approx(score, rel=1e-9), (text, d)
        for sort, facet in facets.items():
            total, page = fast.page(q, sort, 5, 20)
            results = s.search(q, limit=25, sortedby=facet, terms=False,
                               scored=sort == "relevance")
            assert total == len(whoosh), (text, sort)
            expected = [h.docnum for h in results[5:25]]
            if sort == "relevance":
                # Against every match, best first (Whoosh's own top-N may skip a block too
                # many); ties of equal scores may differ by the order of additions.
                best = sorted(whoosh.items(), key=lambda item: (-item[1], item[0]))[5:25]
                assert [x for _, x in page] == pytest.approx([x for _, x in best], rel=1e-9)
            else:
                assert [d for d, _ in page] == expected, (text, sort)
    assert supported == len(FAST_QUERIES)
    assert bool(cuts) != remembered
    for doc in docs[:: max(1, len(docs) // 10)]:  # the key terms that find similar papers
        assert fast.key_terms("abstract", doc["abstract"], 12) == s.key_terms_from_text(
            "abstract", doc["abstract"], numterms=12)
    index.close()
    parts.close()


def test_a_prefix_of_rare_and_common_words_scores_as_whoosh_does(tmp_path, docs, monkeypatch):
    """A prefix standing for a word in posting arrays (200 papers) and rare words read from
    blocks at once, several in one paper (their scores summed), over three segments."""
    from whoosh import query as wq
    monkeypatch.setattr(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER)  # BM25F sums (above)
    from tui_reader.index.fast_search import FastSearch
    words = ["quixotic"] * 200 + ["quixa quixb", "quixb quixc quixa", "quixc", "quixd quixa"]
    made = [dict(doc, abstract=f"{doc['abstract']} {words[i % len(words)]}")
            for i, doc in enumerate(docs)]
    made = (made * (1 + 600 // len(made)))[:600]
    made = [dict(doc, id=f"{doc['id']}-{i}") for i, doc in enumerate(made)]
    _write(tmp_path, "one", SegmentWriter, made)
    whoosh = PaperIndex(tmp_path / "one").searcher()
    ix = _write(tmp_path, "parts", FastSegmentWriter, made[:200], compound=False)
    for part in (1, 2):
        writer = FastSegmentWriter(ix, compound=False)
        for doc in made[part * 200:(part + 1) * 200]:
            writer.add_document(**doc)
        writer.commit(merge=False)
    fast = FastSearch(PaperIndex(tmp_path / "parts").searcher())
    q = wq.Prefix("abstract", "quix")
    assert len(fast.expand(q)) == 5
    assert all(fast._leaf_arrays(i).get("abstract", b"quixot") is not None for i in range(3))
    scores = fast.scores(q)
    expected = {h.docnum: h.score for h in whoosh.search(q, limit=None, terms=False)}
    assert set(scores) == set(expected) and len(expected) > 200
    assert all(scores[d] == pytest.approx(s, rel=1e-9) for d, s in expected.items())


def test_phrases_are_found_from_positions_past_65535_and_with_blocks(tmp_path, docs,
                                                                     monkeypatch):
    """Positions past 65,535 are kept wide; a word 65,536 times in one text keeps none
    (its phrases read the blocks): phrases across both find what Whoosh finds."""
    monkeypatch.setattr(posting_arrays, "MIN_POSTINGS", 2)
    from tui_reader.index.fast_search import FastSearch
    long_text = "lorem " * 70_000 + "quantum tomography"
    texts = [long_text, "quantum tomography first", "tomography quantum", long_text + " x"]
    ix = _write(tmp_path, "long", FastSegmentWriter,
                [dict(doc, abstract=text) for doc, text in zip(docs, texts)], compound=False)
    index = PaperIndex(tmp_path / "long")
    fast = FastSearch(index.searcher())
    arrays = posting_arrays.PostingArrays.open(fast.leaves[0][0].reader())
    assert arrays.positions("abstract", b"lorem") is None  # 70,000 in one text: none kept
    ids, counts, where = arrays.positions("abstract", b"quantum")
    assert where.dtype == np.uint32 and list(counts) == [1, 1, 1, 1]
    with ix.searcher() as whoosh:
        for text in ('abstract:"quantum tomography"', 'abstract:"lorem quantum"',
                     'abstract:"tomography quantum"', 'abstract:"lorem lorem quantum tomography"'):
            q = parse(text).query.normalize()
            found = {h.docnum for h in whoosh.search(q, limit=None)}
            assert set(fast.scores(q)) == found and found, text
    index.close()


def _results(lib: Library, exact: bool = True) -> dict:
    """Every query's total and hits; `exact`: with scores and highlights, else the ids."""
    out = {}
    for q, sort in QUERIES:
        if True:
            result = lib.search(q, sort=sort, limit=40)
            assert result.error is None, (q, result.error)
            if exact:
                hits = [(h.paper.id, round(h.score, 9) if h.score is not None else None,
                         tuple(h.title.spans), tuple(h.fragment.spans)) for h in result.hits]
            else:
                hits = [h.paper.id for h in result.hits]
            # Ties may come in another order from another segmenting: compare sets then,
            # of all the hits.
            out[q, sort] = (result.total, hits if exact else
                            sorted(hits) if result.total <= 40 else None)
    return out


def _import(root: Path, writer_class=None, parallel: bool = False) -> tuple[Library, list]:
    """Import the dumps in small batches and segments (with `writer_class` for the index;
    `parallel`: the writers in two processes, index_worker.py). The segments stay as written
    (no tiered merge: the writers are compared here, merges in test_index_merging.py)."""
    saved = (importing_module.FIRST_COMMIT, importing_module.INDEX_COMMIT_EVERY,
             importing_module.BATCH, PaperIndex.writer, importing_module.PARALLEL_BYTES,
             posting_arrays.MIN_POSTINGS, merging.MERGE_FACTOR)
    merging.MERGE_FACTOR = 1 << 30
    importing_module.FIRST_COMMIT, importing_module.INDEX_COMMIT_EVERY = 40, 60
    importing_module.BATCH = 25
    posting_arrays.MIN_POSTINGS = 2  # (in this process) most terms get posting arrays
    importing_module.PARALLEL_BYTES = 0 if parallel else 1 << 60
    if writer_class is not None:
        PaperIndex.writer = lambda self, **kw: writer_class(self.ix, timeout=5.0)
    seen: list = []
    try:
        lib = Library(root / "data")
        report = lib.import_paths(DUMPS, progress=seen.append)
    finally:
        (importing_module.FIRST_COMMIT, importing_module.INDEX_COMMIT_EVERY,
         importing_module.BATCH, PaperIndex.writer, importing_module.PARALLEL_BYTES,
         posting_arrays.MIN_POSTINGS, merging.MERGE_FACTOR) = saved
    assert not report.failed and report.papers > 150
    return lib, seen


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A library that imported the dumps through the fast path, in several segments."""
    lib, seen = _import(tmp_path_factory.mktemp("fast"))
    yield lib, seen
    lib.close()


def test_fast_import_gives_the_results_of_the_plain_writer(imported, tmp_path):
    lib, _ = imported
    assert len(internals.segments(lib.index.ix)) > 1  # committed as it went
    plain, _ = _import(tmp_path, SegmentWriter)
    try:
        assert _results(plain) == _results(lib)
    finally:
        plain.close()


def _all_hits(lib: Library) -> dict:
    """Every query's hits: {id: score} by relevance, the set of ids in the other sorts."""
    out = {}
    for q, sort in QUERIES:
        result = lib.search(q, sort=sort, limit=1000)
        assert result.error is None and len(result.hits) == result.total, q
        out[q, sort] = ({h.paper.id: round(h.score, 9) for h in result.hits}
                        if sort == "relevance" else {h.paper.id for h in result.hits})
    return out


def test_import_in_two_writer_processes_finds_the_same(imported, tmp_path):
    lib, seen = imported
    parallel, progress = _import(tmp_path, parallel=True)
    try:
        assert parallel.indexed() == lib.indexed() == parallel.stats()["papers"]
        assert _all_hits(parallel) == _all_hits(lib)
        assert any(0 < p.indexed < p.papers for p in progress)  # committed as it went
        assert not list((tmp_path / "data" / "index").glob("*.tmp"))  # no temp files left
    finally:
        parallel.close()


def test_segments_find_what_one_plain_index_finds(imported, tmp_path):
    lib, _ = imported
    fast_results = _results(lib, exact=False)
    # Every stored paper written by Whoosh's own writer in one segment (scores differ a
    # little: Whoosh counts the lengths of replaced documents until a merge).
    plain = PaperIndex(tmp_path / "plain")
    writer = plain.ix.writer()
    for batch in lib.store.iter_papers(1000):
        for p in batch:
            writer.add_document(**paper_document(p, None))
    writer.commit()
    fast_index = lib.index
    lib.index = plain
    try:
        assert _results(lib, exact=False) == fast_results
    finally:
        lib.index = fast_index
        plain.close()


def test_damaged_posting_arrays_leave_the_results_as_they_were(imported, tmp_path):
    """Posting arrays that cannot be trusted (cut short, overwritten) are not read: the
    postings come from the blocks, with the same results."""
    lib, _ = imported
    expected = _results(lib)
    shutil.copytree(lib.root, tmp_path / "copy")
    files = sorted((tmp_path / "copy" / "index").glob("*.pax"))
    assert len(files) > 1
    for n, path in enumerate(files):
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2] if n % 2 else b"\x00" * len(data))
    copy = Library(tmp_path / "copy", mend_index=False)  # the reading, not a start's rebuild
    try:
        assert copy.index.fast_search
        assert _results(copy) == expected
    finally:
        copy.close()


def test_the_papers_of_a_term_read_for_a_mask_are_read_once(imported, monkeypatch):
    """A word being typed reads the same words at each key ("mod", "mode"): the papers of a
    term read for a mask are remembered (a common word's bitmap is read again: ORing it in
    costs less than setting its documents one by one), and are those Whoosh finds."""
    from whoosh import query as wq

    from tui_reader.index.fast_search import FastSearch
    searcher = imported[0].index.searcher()
    fast = FastSearch(searcher)
    reads = []
    original = FastSearch._posting_ids
    monkeypatch.setattr(FastSearch, "_posting_ids",
                        lambda self, *args: reads.append(args[1:3]) or original(self, *args))
    q = wq.Prefix("abstract", "mod")
    first = fast.docs(q)
    assert reads and first == {h.docnum for h in searcher.search(q, limit=None)}
    count = len(reads)
    assert fast.docs(q) == first and len(reads) == count


def _two_segments(path: Path, docs: list[dict]):
    """An index of two segments (each half of `docs`) written by the fast writer: its folder
    and the Whoosh index."""
    path.mkdir()
    ix = whoosh_index.create_in(path, make_schema())
    half = len(docs) // 2
    for part in (docs[:half], docs[half:]):
        writer = FastSegmentWriter(ix, compound=False)
        for doc in part:
            writer.add_document(**doc)
        writer.commit(merge=False)
    return path, ix


def test_a_mask_of_common_words_from_bitmaps_leaves_deleted_papers_out(tmp_path, docs,
                                                                         monkeypatch):
    """Words in more than one paper in eight are kept as bitmaps: a mask ORs them in, each
    segment at its place, without the papers deleted since; the same documents as Whoosh."""
    from whoosh import query as wq

    from tui_reader.index.fast_search import FastSearch
    monkeypatch.setattr(posting_arrays, "MIN_POSTINGS", 2)
    path, ix = _two_segments(tmp_path / "bits", docs)
    half = len(docs) // 2
    gone = [next(d["id"] for d in part if " model " in d["abstract"].lower())
            for part in (docs[:half], docs[half:])]  # a paper of "model" in each segment
    with ix.searcher() as s:
        gone_docs = {h.docnum for h in s.search(wq.Or([wq.Term("id", i) for i in gone]))}
    with ix.writer() as writer:
        for paper_id in gone:
            writer.delete_by_term("id", paper_id)
    index = PaperIndex(path)
    searcher = index.searcher()
    fast = FastSearch(searcher)
    assert len(fast.leaves) == 2 and all(
        posting_arrays.PostingArrays.open(sub.reader()).bits("abstract", b"model") is not None
        for sub, _ in fast.leaves)
    for q in (wq.Term("abstract", "model"), wq.Prefix("abstract", "mod"),
              wq.Or([wq.Term("abstract", "the"), wq.Term("title", "model")])):
        found = fast.docs(q)
        assert found == {h.docnum for h in searcher.search(q, limit=None)} and found, q
        assert len(gone_docs) == 2 and not found & gone_docs, q
    index.close()


def test_a_search_asks_the_disk_for_every_segments_arrays_before_reading_one(tmp_path, docs,
                                                                             monkeypatch):
    """From a cold page cache a term's arrays in each segment would wait for the disk one
    after another: a search first advises the kernel of every segment's arrays it is about to
    read (posix_fadvise WILLNEED, the same bytes), then reads them (a phrase: each word's,
    then their positions); the same documents."""
    import os

    from whoosh import query as wq

    from tui_reader.index.fast_search import FastSearch
    monkeypatch.setattr(posting_arrays, "MIN_POSTINGS", 2)  # the phrase's words kept too
    path, ix = _two_segments(tmp_path / "cold", docs)
    events = []  # ("advise" or "read", file, offset, bytes), of posting arrays' files only

    def arrays_file(fd):
        name = os.readlink(f"/proc/self/fd/{fd}")
        return name if name.endswith(posting_arrays.EXT) else None

    def advise(fd, offset, length, advice):
        if arrays_file(fd):
            events.append(("advise", arrays_file(fd), offset, length))
        return real_advise(fd, offset, length, advice)

    def pread(fd, length, offset):
        if arrays_file(fd):
            events.append(("read", arrays_file(fd), offset, length))
        return real_pread(fd, length, offset)

    real_advise, real_pread = os.posix_fadvise, os.pread
    monkeypatch.setattr(os, "posix_fadvise", advise)
    monkeypatch.setattr(os, "pread", pread)
    index = PaperIndex(path)
    searcher = index.searcher()
    fast = FastSearch(searcher)
    fast.warm_up()  # each segment's arrays opened (their directories read), as at a start
    assert len(fast.leaves) == 2
    words = [t.text for t in ix.schema["abstract"].analyzer("language models")]
    phrase = wq.Phrase("abstract", words)
    for q in (wq.Term("abstract", "model"), wq.Prefix("abstract", "mod"), phrase):
        events.clear()
        found = fast.docs(q) if q is not phrase else set(fast.scores(q))
        assert found == {h.docnum for h in searcher.search(q, limit=None)} and found, q
        reads = [k for k, e in enumerate(events) if e[0] == "read"]
        assert len({events[k][1] for k in reads}) == 2, q  # both segments' files read
        for k in reads:  # each read advised before it
            assert ("advise", *events[k][1:]) in events[:k], (q, events[k])
        if q is not phrase:  # a word's (or a prefix's words') in both segments before any
            assert all(e[0] == "advise" for e in events[:reads[0]]), q
            assert {e[1:] for e in events[reads[0]:] if e[0] == "advise"} == set(), q
    index.close()


def test_a_warm_up_asks_the_disk_for_every_segments_stored_fields(tmp_path, docs, monkeypatch):
    """A page of results reads its papers' ids from each segment's stored fields, scattered:
    the warm-up has the kernel read every segment's whole file ahead (posix_fadvise
    WILLNEED), and a page read after gives the ids of the papers."""
    import os

    from tui_reader.index.fast_search import FastSearch
    path, _ = _two_segments(tmp_path / "stored", docs)
    advised = []

    def advise(fd, offset, length, advice):
        advised.append((os.readlink(f"/proc/self/fd/{fd}"), offset, length, advice))
        return real_advise(fd, offset, length, advice)

    real_advise = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", advise)
    index = PaperIndex(path)
    searcher = index.searcher()
    FastSearch(searcher).warm_up()
    stored = sorted(str(p) for p in path.glob("*_stored.col"))
    assert len(stored) == 2
    assert sorted(a for a in advised if a[0].endswith("_stored.col")) == [
        (name, 0, 0, os.POSIX_FADV_WILLNEED) for name in stored]
    found = index.find("language models", "relevance", 0, 5)
    assert len(found.matches) == 5 and {m.id for m in found.matches} <= {d["id"] for d in docs}
    index.close()


def test_reindex_gives_the_same_results(imported):
    lib, _ = imported
    before = _results(lib, exact=False)
    assert lib.reindex() == lib.stats()["papers"]
    assert _results(lib, exact=False) == before


def test_import_reports_what_search_covers(imported):
    lib, seen = imported
    indexed = [p.indexed for p in seen]
    assert indexed == sorted(indexed) and 0 < indexed[-1] == lib.indexed()
    assert any(0 < p.indexed < p.papers for p in seen)  # search covered part of it early
    papers = [p.papers for p in seen]
    assert papers == sorted(papers)


def test_note_saved_during_an_import_reaches_the_index(tmp_path):
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        first = lib.browse(limit=1)[1][0].id
        done = []

        def progress(p):
            if not done:  # the import holds the index writer now
                lib.note(first, "zyzzyva remark")
                done.append(True)

        lib.import_paths(sorted(SAMPLE_DUMPS.iterdir()), progress=progress)
        assert done
        assert [h.paper.id for h in lib.search("note:zyzzyva").hits] == [first]
    finally:
        lib.close()


def test_unchanged_reimport_does_not_touch_the_index(tmp_path):
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        generation = lib.index.ix.latest_generation()
        report = lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        assert report.skipped == 1 and lib.index.ix.latest_generation() == generation
    finally:
        lib.close()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)


def test_terms_files_are_read_through_a_memory_map(imported):
    """The terms of every segment come from a memory map (index._MappedFile), the same terms
    and term statistics as a plain read of the files."""
    from whoosh import index as plain_index

    from tui_reader.index.paper_index import _MappedFile
    lib, _ = imported
    mapped = lib.index.searcher().reader()
    with plain_index.open_dir(lib.index.path).reader() as plain:
        for (reader, _), (other, _) in zip(mapped.leaf_readers(), plain.leaf_readers()):
            assert isinstance(internals.terms_table(reader)[0].dbfile, _MappedFile)
            assert not isinstance(internals.terms_table(other)[0].dbfile, _MappedFile)
            assert [(t, reader.term_info(*t).weight(), reader.term_info(*t).doc_frequency())
                    for t in reader.all_terms()] == [
                (t, other.term_info(*t).weight(), other.term_info(*t).doc_frequency())
                for t in other.all_terms()]


def _mapped_terms_kb(index_path) -> int:
    """The resident kilobytes of this process's maps of the index's terms files."""
    found, current = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if not line[:1].isupper():  # a mapping's first line: its address range and file
            current = line.split()[-1] if len(line.split()) > 5 else ""
        elif line.startswith("Rss:") and current.startswith(str(index_path)) \
                and current.endswith(".trm"):
            found += int(line.split()[1])
    return found


def test_searches_leave_no_terms_file_pages_mapped(imported):
    """The fast search's term lookups read with pread (no page of the map touched), and what
    it read through the maps (a prefix, a fuzzy word) is let go after each search:
    the terms files' pages are not counted in the reader's memory (at a million papers,
    200 MB after a few searches)."""
    lib, _ = imported
    searcher = lib.index.searcher()
    reader = searcher.reader()
    mapped = [internals.terms_table(leaf)[0].dbfile for leaf, _ in reader.leaf_readers()]
    terms = [(f, t.decode()) for f, t in reader.all_terms() if f in ("title", "abstract")]
    assert len(terms) > 1000
    lib.index.release_pages()  # (reading all_terms walked the files through their maps)
    assert _mapped_terms_kb(lib.index.path) == 0
    fast = lib.index._fast(searcher)
    assert sum(fast.doc_frequency(field, text) for field, text in terms[::7]) > 0
    assert _mapped_terms_kb(lib.index.path) == 0
    for mapped_file in mapped:  # the map itself serves term_walks
        mapped_file.file[:len(mapped_file.file)]
    assert _mapped_terms_kb(lib.index.path) > 0
    for text in ("mod*", "langauge~ modle~", "learning", "lang"):
        assert lib.search(text, limit=5).total > 0
        assert _mapped_terms_kb(lib.index.path) == 0, text


def test_notes_saved_during_a_parallel_import_reach_the_index(tmp_path, monkeypatch):
    """A note saved while the two writer processes import goes with the next commit; one saved
    after the last commit (the writers gone) is written by the Library: none is lost and none
    fails."""
    from tui_reader.index.writer_processes import ProcessFeeder
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        first, second = [p.id for p in lib.browse(limit=2)[1]]
        monkeypatch.setattr(importing_module, "PARALLEL_BYTES", 0)
        original = ProcessFeeder.commit

        def commit(self, final=False):
            if final:
                lib.note(first, "zyzzyva before the last commit")
            original(self, final)
            if final:
                lib.note(second, "quixotic after the last commit")

        monkeypatch.setattr(ProcessFeeder, "commit", commit)
        lib.import_paths(sorted(SAMPLE_DUMPS.iterdir()))
        assert [h.paper.id for h in lib.search("note:zyzzyva").hits] == [first]
        assert [h.paper.id for h in lib.search("note:quixotic").hits] == [second]
    finally:
        lib.close()


def test_a_note_carried_past_a_commit_reaches_the_index_when_the_import_stops(tmp_path,
                                                                            monkeypatch):
    """A note saved before a commit goes to the lead's next segment; when the import then
    stops (a failure, an interrupt) before that segment is committed, the Library writes it."""
    from tui_reader.index.writer_processes import ProcessFeeder
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        paper = lib.browse(limit=1)[1][0].id
        monkeypatch.setattr(importing_module, "PARALLEL_BYTES", 0)
        monkeypatch.setattr(importing_module, "BATCH", 10)
        monkeypatch.setattr(importing_module, "FIRST_COMMIT", 20)
        original = ProcessFeeder.commit

        def commit(self, final=False):
            assert not final  # stopped before the last
            lib.note(paper, "zyzzyva before a commit")
            original(self, final)
            assert self.carried  # the note, for the next segment
            raise RuntimeError("the import stops")

        monkeypatch.setattr(ProcessFeeder, "commit", commit)
        with pytest.raises(RuntimeError):
            lib.import_paths(sorted(SAMPLE_DUMPS.iterdir()))
        assert [h.paper.id for h in lib.search("note:zyzzyva").hits] == [paper]
    finally:
        lib.close()


def test_a_note_leaves_the_index_alone_while_another_process_imports(tmp_path):
    """While another process imports (it holds the import lock), a note is saved but its index
    document waits (a commit could clean away the helper writer's unfinished segment); the
    next start writes it."""
    from tui_reader import paths
    from tui_reader.locks import FileLock
    lib = Library(tmp_path / "data")
    lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
    paper = lib.browse(limit=1)[1][0].id
    generation = lib.index.ix.latest_generation()
    lib.close()
    importing = FileLock(paths.import_lock_path(tmp_path / "data"))
    assert importing.acquire()
    try:
        other = Library(tmp_path / "data")
        other.note(paper, "zyzzyva remark")
        assert [p.id for p in other.notes()] == [paper]
        assert other.index.ix.latest_generation() == generation  # no commit meanwhile
        other.close()
    finally:
        importing.release()
    again = Library(tmp_path / "data")
    try:
        assert [h.paper.id for h in again.search("note:zyzzyva").hits] == [paper]
    finally:
        again.close()


def test_counting_the_index_leaves_the_shared_searcher_alone(tmp_path):
    """An import thread counts the index after each commit while a search may be using the
    shared searcher: the count is of the latest generation, the searcher is not replaced."""
    lib = Library(tmp_path / "data")
    try:
        lib.import_paths([FIXTURES / "arxiv_100.jsonl"])
        searcher = lib.index.searcher()
        before = lib.index.doc_count()
        paper = next(p for batch in lib.store.iter_papers(10) for p in batch)
        doc = paper_document(paper, None)
        lib.index.write([{**doc, "id": "x" + doc["id"][1:]}])  # one more document
        assert lib.index.doc_count() == before + 1
        assert lib.index._searcher is searcher and not searcher.is_closed
    finally:
        lib.close()
