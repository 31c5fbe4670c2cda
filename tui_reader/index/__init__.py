"""The search index (Whoosh): derived from the store, rebuilt from it when needed.

schema (fields, analysis, documents) · query_language (what people type) · expansions (fuzzy
words, the word being typed) · corrections (no dead ends) · fast_search (the common queries on
whole posting lists) · posting_reads (what it reads) · term_lookups (what prefixes and fuzzy
words stand for) · posting_arrays · writing (the fast segment writer) · writer_processes
(parallel import) · merging (the tiered policy) · copy_merge (merges that copy postings) ·
segment_reading (a segment read whole) · integrity (checksums, damage) · highlighting ·
paper_index (the index of a data dir) · whoosh_internals (every private Whoosh name, checked at
start-up).

The names below are loaded when first used (PEP 562): importing the package does not import
Whoosh, so the reader paints its first screen, from the store, before the index is needed.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    "fragment": "highlighting", "highlight": "highlighting",
    "DAMAGE": "integrity", "describe": "integrity",
    "Found": "paper_index", "IndexBusy": "paper_index", "Match": "paper_index",
    "PaperIndex": "paper_index",
    "MAX_QUERY_CHARS": "query_language", "QueryError": "query_language",
    "too_short_to_search": "query_language", "typed_as_written": "query_language",
    "add_documents": "schema", "make_schema": "schema", "paper_document": "schema",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    """A name of the package, its module imported on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
