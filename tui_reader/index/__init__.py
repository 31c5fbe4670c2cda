"""The search index (Whoosh): derived from the store, rebuilt from it when needed.

schema (fields, analysis, documents) · query_language (what people type) · expansions
(fuzzy words, the word being typed) · corrections (no dead ends) · fast_search (the common
queries on whole posting lists) · posting_reads (what it reads) · posting_arrays · writing (the fast segment writer) ·
writer_processes (parallel import) · integrity (checksums, damage) · highlighting · paper_index (the index of a data dir) ·
whoosh_internals (every private Whoosh name, checked at start-up).
"""

from .highlighting import fragment, highlight
from .integrity import DAMAGE, describe
from .paper_index import Found, IndexBusy, Match, PaperIndex
from .query_language import (MAX_QUERY_CHARS, QueryError, too_short_to_search,
                             typed_as_written)
from .schema import add_documents, make_schema, paper_document

__all__ = ["DAMAGE", "describe", "Found", "IndexBusy", "Match", "PaperIndex", "QueryError", "MAX_QUERY_CHARS",
           "too_short_to_search", "typed_as_written", "add_documents", "fragment", "highlight",
           "make_schema",
           "paper_document"]
