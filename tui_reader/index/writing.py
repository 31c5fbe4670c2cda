"""Fast index writing: the same postings as Whoosh's analyzers and writer, made cheaper.

Whoosh is pure Python and spends most of an import in places this module replaces with exact
equivalents (tests/test_performance_paths.py checks they give the same postings and the same
search results as the plain path):

* analysis: the analyzer chains of `index.make_schema` (regex tokenizer, lowercase, stop words
  with renumbered positions, Porter stemming behind an LRU cache) run as generators of Token
  objects; `FastAnalysis` does the same work with `re.findall`, a dict cache of stems and a
  cache of encoded position lists (and finds highlight spans the same way);
* the posting pool: one 5-tuple per posting, all sorted; `TermPool` (term_pool.py) keeps
  postings by term and sorts only the terms, spilling to run files past a memory limit;
* the flush: `write_terms` fills the W3 posting blocks a term at a time, with the field
  lengths read once per field instead of a file-backed lookup per posting, and hands each
  term's postings (with their positions, decoded once per distinct value) to the segment's
  posting arrays (posting_arrays.py);
* documents go through `FastSegmentWriter.add_document`, which calls the fast analysis for the
  text fields and the fields' own `index()` for the rest.
"""

from __future__ import annotations

import pickle
import re
from array import array
from collections.abc import Callable, Iterator
from itertools import chain
from operator import sub

from whoosh import analysis, fields as whoosh_fields, formats
from whoosh.lang.porter import stem as porter_stem

from . import copy_merge, integrity, posting_arrays, whoosh_internals as internals
from .posting_arrays import PostingArraysWriter, decoded_positions
from .segment_reading import length_column, term_infos
from .term_pool import TermPool

STEM_CACHE_MAX = 200_000  # tokens whose terms are remembered; dropped and refilled past this
REPEATED_MAX = 50_000  # values remembered per numeric or keyword field (bounded memory)
SMALL_BLOCK = 8  # posting blocks smaller than this are written uncompressed


def _chain(analyzer) -> list:
    """The items of an analyzer (a tokenizer alone, or a CompositeAnalyzer)."""
    return list(analyzer.items) if isinstance(analyzer, analysis.CompositeAnalyzer) else [
        analyzer]


def _non_capturing(pattern: str) -> str:
    """`pattern` with its capturing groups made non-capturing (findall then gives whole
    matches); escaped parentheses and character classes are left alone."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                out.append("[]")
                i += 2
                continue
        elif c == "(" and pattern[i + 1:i + 2] != "?":
            out.append("(?:")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


class _Terms(dict):
    """token -> FastAnalysis.term(token), filled as tokens come (bounded: emptied past
    STEM_CACHE_MAX); looked up with C-level `map`."""

    def __init__(self, analysis: "FastAnalysis"):
        super().__init__()
        self.term = analysis.term

    def __missing__(self, token: str) -> str:
        if len(self) >= STEM_CACHE_MAX:
            self.clear()
        found = self[token] = self.term(token)
        return found


class FastAnalysis:
    """field.index(value) for one text field, without Token objects.

    Only built for analyzer chains it reproduces exactly: RegexTokenizer (no gaps),
    LowercaseFilter, CharsetFilter (accents folded), StopFilter (renumbering), StemFilter
    (Porter, no ignore list); with the Positions or Frequency format. `for_field` returns None
    for anything else.
    """

    def __init__(self, pattern: re.Pattern, stops: frozenset | None, minsize: int,
                 maxsize: int | None, stem: bool, fmt: formats.Format,
                 fold: dict | None = None):
        # The tokenizer's pattern with its groups made non-capturing: the same matches.
        compiled = re.compile(_non_capturing(pattern.pattern), pattern.flags)
        self.findall, self.finditer = compiled.findall, compiled.finditer
        self.stops = stops
        self.minsize = minsize
        self.maxsize = maxsize
        self.stem = stem
        self.fold = fold  # a str.translate table applied to non-ASCII tokens
        self.positions = isinstance(fmt, formats.Positions)
        self.format = fmt
        self.boost = float(fmt.field_boost)
        self._terms = _Terms(self)
        self._single: dict[int, bytes] = {}

    @classmethod
    def for_field(cls, field) -> "FastAnalysis | None":
        fmt = field.format
        if type(fmt) not in (formats.Positions, formats.Frequency) or field.vector:
            return None
        items = _chain(field.analyzer)
        if not items or type(items[0]) is not analysis.RegexTokenizer or items[0].gaps:
            return None
        stops, minsize, maxsize, stem, fold = None, 0, None, False, None
        rest = items[1:]
        if rest and type(rest[0]) is analysis.LowercaseFilter:
            rest = rest[1:]
        else:
            return None
        if rest and type(rest[0]) is analysis.CharsetFilter:
            fold = rest[0].charmap
            rest = rest[1:]
        if rest and type(rest[0]) is analysis.StopFilter:
            stop = rest[0]
            if not stop.renumber:
                return None
            stops, minsize, maxsize = stop.stops, stop.min, stop.max
            rest = rest[1:]
        if rest and type(rest[0]) is analysis.StemFilter:
            sf = rest[0]
            if sf.stemfn is not porter_stem or sf.ignore or sf.lang:
                return None
            stem = True
            rest = rest[1:]
        if rest:
            return None
        return cls(items[0].expression, stops, minsize, maxsize, stem, fmt, fold)

    def term(self, token: str) -> str:
        """The term a lowercased (and folded) token becomes: its stem, or itself; "" when
        the stop filter drops it."""
        if self.stops is not None and (len(token) < self.minsize or token in self.stops or (
                self.maxsize is not None and len(token) > self.maxsize)):
            return ""
        return porter_stem(token) if self.stem else token

    def words(self, value: str) -> tuple[list[str], int]:
        """The terms of the tokens the analyzer keeps, in order, and the position of the first
        (the next ones follow it one by one, as StopFilter renumbers them)."""
        if value.isascii():  # lowercasing ASCII changes no token boundary
            tokens = self.findall(value.lower())
        elif self.fold is not None:
            fold = self.fold
            tokens = [t.lower().translate(fold) for t in self.findall(value)]
        else:
            tokens = [t.lower() for t in self.findall(value)]
        if self.stops is None and not self.stem:
            return tokens, 0
        terms = list(map(self._terms.__getitem__, tokens))  # "" for a dropped token
        if self.stops is None:
            return terms, 0
        first = 0 if not terms or terms[0] else next(
            (i for i, term in enumerate(terms) if term), 0)
        return list(filter(None, terms)), first

    def spans(self, value: str, terms: set[str] | frozenset) -> Iterator[tuple[int, int]]:
        """The character spans of the tokens whose analysed form is in `terms`, in order
        (lazily: a caller may stop early): what `analyzer(value, chars=True,
        removestops=False)` marks (a stop word stays itself)."""
        analysed = self._terms
        fold = self.fold
        for m in self.finditer(value):
            text = m.group(0).lower()
            if fold is not None and not text.isascii():
                text = text.translate(fold)
            if (analysed[text] or text) in terms:
                yield m.span()

    def index(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        """What `field.index(value)` yields: (term bytes, frequency, weight, encoded value)."""
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not unicode")
        boost = self.boost
        terms, first = self.words(value)
        if not self.positions:
            freqs: dict[str, int] = {}
            for term in terms:
                freqs[term] = freqs.get(term, 0) + 1
            return [(t.encode("utf-8"), f, float(f) * boost, formats.pack_uint(f))
                    for t, f in freqs.items()]
        poses: dict[str, list[int]] = {}
        for pos, term in enumerate(terms, first):
            found = poses.get(term)
            if found is None:
                poses[term] = [pos]
            else:
                found.append(pos)
        single, encode = self._single, self.format.encode
        out = []
        for term, poslist in poses.items():
            if len(poslist) == 1:
                pos = poslist[0]
                vbytes = single.get(pos)
                if vbytes is None:
                    vbytes = single[pos] = encode(poslist)
                out.append((term.encode("utf-8"), 1, boost, vbytes))
            else:
                n = len(poslist)
                out.append((term.encode("utf-8"), n, float(n) * boost,
                            encode_positions(poslist)))
        return out


def encode_positions(positions: list[int]) -> bytes:
    """Positions.encode(positions), its deltas taken in C."""
    return formats.pack_uint(len(positions)) + pickle.dumps(
        list(map(sub, positions, chain((0,), positions))), 2)


def fast_indexers(schema) -> dict[str, Callable]:
    """field name -> a fast `index(value)` for the fields FastAnalysis reproduces."""
    found = {}
    for name in schema.names():
        field = schema[name]
        if field.indexed and not field.separate_spelling():
            fast = FastAnalysis.for_field(field)
            if fast is not None:
                found[name] = fast.index
    return found


def write_terms(fieldwriter, schema, pdr, doccount: int, terms,
                arrays: PostingArraysWriter | None = None) -> None:
    """FieldWriter.add_postings for the W3 codec, a term at a time.

    The same calls and the same posting blocks as Whoosh's loop (start_field, start_term,
    the posting writer's block buffers filled as `add_posting` fills them, a full block
    written (`internals.write_block`), finish_term, finish_field), without its per-posting
    method calls, asserts and file-backed length lookups; a term of one block (most) written
    at once, its bytes made without the posting writer's objects. `terms` is
    `TermPool.iter_terms()`; `arrays` gets each term's postings too (posting_arrays.py).
    """
    lastfn = None
    lengths: list = []
    positions = None  # the field's format, where it keeps positions
    for (fieldname, btext), found in terms:
        if fieldname != lastfn:
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            lengths = (length_column(pdr, fieldname, doccount, 0) if pdr is not None
                       else [0] * doccount)
            fmt = schema[fieldname].format
            positions = fmt if fmt and fmt.supports("positions") else None
            lastfn = fieldname
            limit, compression = internals.block_limits(fieldwriter)
        ids, weights, values = found[0::3], found[1::3], found[2::3]
        if arrays is not None:
            arrays.add(fieldname, btext, ids, weights,
                       decoded_positions(positions, values)
                       if positions is not None and len(ids) >= posting_arrays.MIN_POSTINGS
                       else None)
        if len(ids) <= limit:  # most terms: written at once
            internals.write_one_block_term(fieldwriter, btext,
                                           *_block(ids, weights, values, lengths, compression))
            continue
        fieldwriter.start_term(btext)
        pw = internals.posting_writer(fieldwriter)
        for start in range(0, len(ids), limit):
            if start:
                internals.write_block(pw)  # the previous block was full
            end = start + limit
            internals.fill_block(pw, *_block(ids[start:end], weights[start:end],
                                             values[start:end], lengths, compression))
        fieldwriter.finish_term()
    if lastfn is not None:
        fieldwriter.finish_field()


def _block(ids: list, weights: list, values: list, lengths: list, compression: int) -> tuple:
    """A block's postings and statistics as fill_block takes them: ids, weights, the non-empty
    values, the top weight, the shortest and longest field length (0: none), compression."""
    top = max(weights)
    block_lengths = [n for n in map(lengths.__getitem__, ids) if n]
    # zlib on a few postings costs more than it saves (the reader reads the level from each
    # block's header)
    return (array("I", ids), array("f", weights), [v for v in values if v],
            top if top > 0 else 0, min(block_lengths) if block_lengths else None,
            max(block_lengths) if block_lengths else 0,
            compression if len(ids) >= SMALL_BLOCK else 0)


class _CountingFile:
    """A file being written that answers `tell()` from a counter: a buffered file's own
    tell() is a system call, and the W3 writers ask it two or three times a term."""

    def __init__(self, raw):
        self._raw = raw
        self._position = raw.tell()

    def write(self, data) -> int:
        self._position += len(data)
        return self._raw.write(data)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        self._position = self._raw.seek(offset, whence)
        return self._position

    def __getattr__(self, name):
        return getattr(self._raw, name)


def _track_position(structfile) -> None:
    structfile.file = _CountingFile(structfile.file)
    internals.read_arrays_as_bytes(structfile)  # write_array goes through write()


class FastSegmentWriter(internals.HookedSegmentWriter):
    """A SegmentWriter with the fast analysis of text fields, the term pool and the fast flush
    (with the segment's posting arrays); `helper`: see HookedSegmentWriter."""

    def __init__(self, ix, helper: bool = False, **kwargs):
        super().__init__(ix, helper, **kwargs)
        self.pool = TermPool(self.tempstorage, kwargs.get("limitmb", 128))
        if internals.is_w3_writer(self.fieldwriter):
            for structfile in internals.written_files(self.fieldwriter):
                _track_position(structfile)
            internals.compact_terms_index(self.fieldwriter)
        self._fast = fast_indexers(self.schema)
        repeating = (whoosh_fields.NUMERIC, whoosh_fields.KEYWORD)
        self._repeated = {name: {} for name in self.schema.names()
                          if isinstance(self.schema[name], repeating) and name not in self._fast}
        self._plain = any(self.schema[n].separate_spelling() or self.schema[n].vector
                          for n in self.schema.names())
        self._copied: list | None = None  # a merge's old segments, their postings copied
        self._copy_progress = None

    def add_document(self, **fields):
        self.check_state()
        if self._plain or any(name.startswith("_") for name in fields):
            return super().add_document(**fields)  # spelling, vectors, boosts, custom values
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        fast = self._fast
        pool = self.pool
        repeated = self._repeated
        fieldnames = sorted(fields)
        self.check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    index = fast.get(fieldname)
                    if index is not None:
                        items = index(value)
                    else:
                        items = self._plain_postings(fieldname, field, value, repeated)
                    if field.scorable:
                        length = sum(item[1] for item in items)
                    pool.add_field(docnum, fieldname, items)
                perdocwriter.add_field(fieldname, field, value if field.stored else None,
                                       length)
                column = field.column_type
                if column:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        pool.spill_if_full()
        self.added()
        self.docnum += 1

    @staticmethod
    def _plain_postings(fieldname: str, field, value, repeated: dict) -> list:
        """`field.index(value)` as a list, remembered for fields whose values repeat (numbers,
        keywords: a year, a date or a list of categories is indexed once)."""
        seen = repeated.get(fieldname)
        if seen is None:
            return list(field.index(value))
        items = seen.get(value)
        if items is None:
            if len(seen) >= REPEATED_MAX:
                seen.clear()
            items = seen[value] = list(field.index(value))
        return items

    def add_readers(self, readers: list, progress: copy_merge.Progress
                    ) -> tuple[list[int], bool]:
        """Whoosh's `add_reader` for each old segment of a merge, copied (copy_merge.py) or
        through the pool: (each one's first document number here, whether copied: their
        deleted documents came too, still to be deleted)."""
        self._copied = (copy_merge.sources(readers)
                        if internals.is_w3_writer(self.fieldwriter) else None)
        bases = []
        if self._copied is not None:
            copy_merge.copy_documents(self, self._copied, progress)
            self._copy_progress = progress
            bases = [source.base for source in self._copied]
        else:
            for n, reader in enumerate(readers):
                bases.append(self.docnum)
                self.add_reader(reader)
                progress((n + 1) / len(readers) / 2)
        self.added()
        return bases, self._copied is not None

    def add_postings_to_pool(self, reader, startdoc: int, docmap: dict | None) -> None:
        """Whoosh's step of `add_reader` (a merge): the segment's postings into the pool, with
        the documents' new numbers, a block of a term at a time (Whoosh's own loop goes a
        posting at a time through a matcher that skips deleted documents)."""
        schema, pool = self.schema, self.pool
        for (fieldname, btext), info in term_infos(reader):
            if fieldname not in schema:
                continue
            m = internals.term_matcher(reader, fieldname, btext, internals.extent(info),
                                      schema[fieldname].format)
            leaf = internals.leaf_matcher(m)
            if leaf is None:  # not a W3 segment: Whoosh's way, for this term
                m = reader.postings(fieldname, btext)
                while m.is_active():
                    new = startdoc + m.id() if docmap is None else docmap[m.id()]
                    pool.add((fieldname, btext, new, m.weight(), m.value()))
                    m.next()
                continue
            postings: list = []
            while leaf.is_active():
                ids, weights, values = internals.block_postings_values(leaf)
                if docmap is None:
                    postings += chain.from_iterable(
                        zip([startdoc + d for d in ids], weights, values))
                else:  # deleted documents are not in docmap
                    postings += chain.from_iterable(
                        (docmap[d], w, v) for d, w, v in zip(ids, weights, values)
                        if d in docmap)
                internals.next_block(leaf)
            if postings:
                pool.add_term((fieldname, btext), postings)

    def seal(self, segments: list) -> None:
        integrity.seal(self.storage, segments)

    def flush_postings(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        try:
            if internals.is_w3_writer(self.fieldwriter):
                arrays = PostingArraysWriter(self.storage, self.get_segment())
                try:
                    if self._copied is not None:
                        copy_merge.copy_postings(self.fieldwriter, self.schema, self._copied,
                                                   arrays, self._copy_progress)
                    else:
                        write_terms(self.fieldwriter, self.schema, pdr, self.docnum,
                                    self.pool.iter_terms(), arrays)
                finally:
                    arrays.close()
            else:
                self.fieldwriter.add_postings(self.schema, pdr, self.pool.iter_postings())
        finally:
            self.fieldwriter.close()
            if pdr:
                pdr.close()
