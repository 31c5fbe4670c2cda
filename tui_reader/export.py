"""Export papers as Markdown, JSON or BibTeX (pure formatting: papers in, text out)."""

from __future__ import annotations

import functools
import json
import re
import unicodedata

from .latex import latex_parts
from .models import PaperView, counted

FORMATS = ("markdown", "json", "bibtex")


def paper_json(paper: PaperView, **extra) -> dict:
    """A paper as the `--json` outputs give it: the fields of `Paper` and the user data."""
    data = paper.model_dump(mode="json")
    data.update(extra)
    return data


def to_json(papers: list[PaperView], **wrapper) -> str:
    return json.dumps({**wrapper, "papers": [paper_json(p) for p in papers]},
                      ensure_ascii=False, indent=2)


def to_markdown(papers: list[PaperView], heading: str) -> str:
    lines = [f"# {heading}", ""]
    for p in papers:
        link = p.url or (f"https://arxiv.org/abs/{p.arxiv_id}" if p.arxiv_id else None)
        lines.append(f"## [{p.title}]({link})" if link else f"## {p.title}")
        meta = [p.published.isoformat() if p.published else None,
                counted(p.upvotes, "upvote") if p.upvotes is not None else None,
                ", ".join(p.authors) or (counted(p.authors_count, "author")
                                         if p.authors_count else None),
                p.organization, f"arXiv:{p.arxiv_id}" if p.arxiv_id else None]
        meta = [m for m in meta if m]
        if meta:
            lines += ["", "*" + " · ".join(meta) + "*"]
        if p.tags:
            lines += ["", "Tags: " + " ".join(f"`#{t}`" for t in p.tags)]
        if p.abstract:
            lines += ["", p.abstract]
        if p.note:
            lines += ["", "**Note:**", "", *("> " + line for line in p.note.splitlines())]
        lines.append("")
    return "\n".join(lines)


_ARXIV_YEAR = re.compile(r"^(\d{2})(0[1-9]|1[0-2])\.\d{4,5}")


# Text to LaTeX for BibTeX fields: every special character (\\ { } & % $ # _ ~ ^) and accented
# letter as its LaTeX macro, each in braces (so BibTeX's case changes and name parsing keep
# them whole); characters LaTeX has no macro for (CJK) stay as they are (UTF-8). The LaTeX
# a dump holds (`$O(n^2)$`, `\\emph{x}`) is kept as LaTeX where pylatexenc reads it whole.
@functools.cache
def _latex_encoder():
    """The encoder (made at the first BibTeX export: not at every start of the command)."""
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(non_ascii_only=False, unknown_char_policy="keep",
                                 unknown_char_warning=False,
                                 replacement_latex_protection="braces-all")


def _bib(text: str) -> str:
    encoder = _latex_encoder()
    return "".join(part if latex else encoder.unicode_to_latex(part)
                   for part, latex in latex_parts(text))


def _ascii(text: str) -> str:
    """`text` without its accents and anything not ASCII (for citation keys)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def paper_year(paper: PaperView) -> int | None:
    """The year of a paper: its date's, else its arXiv id's (YYMM.NNNNN), else None."""
    if paper.published:
        return paper.published.year
    found = _ARXIV_YEAR.match(paper.arxiv_id or "")
    return 2000 + int(found.group(1)) if found else None


def bibtex_key(paper: PaperView) -> str:
    """A citation key in ASCII: first author's surname, year (when known) and first title
    word, or `paper` and the paper id."""
    surname = (re.sub(r"[^A-Za-z]", "", _ascii(paper.authors[0].split()[-1])).lower()
               if paper.authors and paper.authors[0].split() else "")
    word = next((w.lower() for w in re.findall(r"[A-Za-z]{4,}", _ascii(paper.title))), "")
    year = paper_year(paper)
    key = f"{surname}{year or ''}{word}"
    return key if surname and word else f"paper{paper.id}"


def to_bibtex(papers: list[PaperView]) -> str:
    """Papers as BibTeX @misc entries (arXiv eprints where known), keys unique."""
    entries, keys = [], set()
    for p in papers:
        key = bibtex_key(p)
        while key in keys:
            key += "x"
        keys.add(key)
        fields = [("title", "{" + _bib(p.title) + "}")]
        if p.authors:
            fields.append(("author", _bib(" and ".join(p.authors))))
        year = paper_year(p)
        if year:
            fields.append(("year", str(year)))
        if p.published:
            fields.append(("month", str(p.published.month)))
        if p.arxiv_id:
            fields += [("eprint", p.arxiv_id), ("archivePrefix", "arXiv")]
        if p.categories:
            fields.append(("primaryClass", _bib(p.categories[0])))
        if p.url:
            fields.append(("url", p.url))
        if p.abstract:
            fields.append(("abstract", _bib(p.abstract)))
        if p.tags:
            fields.append(("keywords", _bib(", ".join(p.tags))))
        if p.note:
            fields.append(("note", _bib(p.note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"
