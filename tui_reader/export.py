"""Export papers as Markdown, JSON or BibTeX (pure formatting: papers in, text out)."""

from __future__ import annotations

import json
import re

from .models import PaperView

FORMATS = ("markdown", "json", "bibtex")


def paper_json(paper: PaperView, **extra) -> dict:
    """A paper as the `--json` outputs give it: the fields of DESIGN.md section 3 and user data."""
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
                f"{p.upvotes} upvotes" if p.upvotes is not None else None,
                ", ".join(p.authors) or (f"{p.authors_count} authors" if p.authors_count else None),
                p.organization, f"arXiv:{p.arxiv_id}" if p.arxiv_id else None]
        meta = [m for m in meta if m]
        if meta:
            lines += ["", "*" + " · ".join(meta) + "*"]
        if p.abstract:
            lines += ["", p.abstract]
        if p.note:
            lines += ["", "**Note:**", "", *("> " + line for line in p.note.splitlines())]
        lines.append("")
    return "\n".join(lines)


_BIB_SPECIAL = re.compile(r"([&%$#_{}])")


def _bib(text: str) -> str:
    return _BIB_SPECIAL.sub(r"\\\1", text.replace("\\", "\\textbackslash{}"))


def bibtex_key(paper: PaperView) -> str:
    """A citation key: first author's surname, year and first title word (or the paper id)."""
    surname = re.sub(r"\W", "", paper.authors[0].split()[-1]).lower() if paper.authors else ""
    word = next((w.lower() for w in re.findall(r"[A-Za-z]{4,}", paper.title)), "")
    year = str(paper.published.year) if paper.published else ""
    key = f"{surname}{year}{word}"
    return key if surname and word else f"paper{paper.id}"


def to_bibtex(papers: list[PaperView]) -> str:
    entries, keys = [], set()
    for p in papers:
        key = bibtex_key(p)
        while key in keys:
            key += "x"
        keys.add(key)
        fields = [("title", "{" + _bib(p.title) + "}")]
        if p.authors:
            fields.append(("author", _bib(" and ".join(p.authors))))
        if p.published:
            fields += [("year", str(p.published.year)), ("month", str(p.published.month))]
        if p.arxiv_id:
            fields += [("eprint", p.arxiv_id), ("archivePrefix", "arXiv")]
        if p.categories:
            fields.append(("primaryClass", _bib(p.categories[0])))
        if p.url:
            fields.append(("url", p.url))
        if p.abstract:
            fields.append(("abstract", _bib(p.abstract)))
        if p.note:
            fields.append(("note", _bib(p.note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"
