"""BibTeX export through the real path: a dump imported into a real data dir, exported by the
command line; LaTeX escaping by pylatexenc."""

from __future__ import annotations

import re

from tests.conftest import write_jsonl

RECORDS = [
    {"id": "2401.00007", "title": r"Why \textbf{x} costs 5~% ^ more & {less}",
     "abstract": "Tilde ~ and caret ^ and a path C:\\temp_dir # one.",
     "authors": ["Zoë Ångström", "Łukasz Kaiser"], "categories": "cs.LG"},
    {"id": "", "title": "Über graphs without a date", "abstract": "An abstract.",
     "authors": ["Jürgen Schmidhuber"], "categories": "cs.LG"},
    {"id": "", "title": "模型 with a surname no key can spell", "abstract": "An abstract.",
     "authors": ["李 明"], "categories": "cs.CL"},
]


def entries(bib: str) -> dict[str, str]:
    """Each entry's text by key; each entry's braces balance."""
    found = {}
    for entry in bib.strip().split("\n\n"):
        key = re.match(r"@misc\{([^,]+),", entry).group(1)
        depth = 0
        for i, ch in enumerate(entry):
            if ch in "{}" and (i == 0 or entry[i - 1] != "\\"):
                depth += 1 if ch == "{" else -1
                assert depth >= 0, entry
        assert depth == 0, entry
        found[key] = entry
    return found


def test_bibtex_escapes_latex_and_keys_are_ascii(cli, tmp_path):
    assert cli("import", write_jsonl(tmp_path / "hostile.jsonl", RECORDS)).exit_code == 0
    bib = cli("export", "search", "abstract OR tilde", "--format", "bibtex").stdout
    by_key = entries(bib)
    assert all(key.isascii() for key in by_key), list(by_key)
    first = by_key["angstrom2024textbf"]
    # the LaTeX pylatexenc reads (a style, a group) stays LaTeX; the rest is escaped
    assert (r"title = {{Why \textbf{x} costs 5{\textasciitilde}{\%}"
            r" {\textasciicircum} more {\&} {less}}}") in first
    assert r"author = {Zo{\"e} {\r{A}}ngstr{\"o}m and {\L}ukasz Kaiser}" in first
    assert r"Tilde {\textasciitilde} and caret {\textasciicircum}" in first
    assert r"C:{\textbackslash}temp{\_}dir {\#} one." in first
    assert "year = {2024}" in first and "eprint = {2401.00007}" in first
    undated = by_key["schmidhuberuber"]  # no year anywhere: no year field, no gap
    assert "year =" not in undated and r"title = {{{\"U}ber graphs" in undated
    [unspellable] = [k for k in by_key if k.startswith("paper")]
    assert "模型" in by_key[unspellable]  # no LaTeX macro: kept as UTF-8
