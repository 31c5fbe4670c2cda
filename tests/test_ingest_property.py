"""Property: a page of random papers written in any supported layout reads back, every paper with
its fields."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_reader.ingest import read_dump
from tui_reader.ingest.listing import HEADER_LINES, is_chrome
from tui_reader.models import normalise_title

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _word(w: str) -> bool:
    return not is_chrome(w) and w.casefold() not in HEADER_LINES and w not in ("and", "et", "al")


WORDS = st.text("abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).filter(_word)


@dataclass(frozen=True)
class Written:
    title: str
    abstract: str
    authors: tuple[str, ...]
    organization: str
    published: date
    upvotes: int
    arxiv_id: str


@st.composite
def papers(draw) -> Written:
    title = " ".join(w.capitalize() for w in draw(st.lists(WORDS, min_size=2, max_size=12)))
    sentences = draw(st.lists(st.lists(WORDS, min_size=10, max_size=25), min_size=1, max_size=3))
    abstract = " ".join(" ".join(s).capitalize() + "." for s in sentences)
    authors = tuple(
        f"{a.capitalize()} {b.capitalize()}"
        for a, b in draw(st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=8))
    )
    organization = " ".join(w.capitalize() for w in draw(st.lists(WORDS, min_size=1, max_size=3)))
    published = draw(st.dates(date(2019, 1, 1), date(2025, 12, 31)))
    number = draw(st.integers(1, 99999))
    return Written(
        title, abstract, authors, organization, published, draw(st.integers(0, 999)),
        f"{published:%y%m}.{number:05d}",
    )


def page_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def compact(ps: list[Written]) -> str:
    return "Daily Papers\n" + "".join(f"{p.title}\n{p.abstract}\n" for p in ps)


def blocks(ps: list[Written]) -> str:
    return "new\n\nSubscribe\n\n" + "".join(f"{p.title}\n\n{p.abstract}\n\n" for p in ps)


def blocks_with_metadata(ps: list[Written]) -> str:
    return "Daily Papers\n\n" + "".join(
        f"{p.title}\n\n{p.abstract}\n\n  • {len(p.authors)} authors\n{p.organization}\n·\n"
        f"{page_date(p.published)} {p.upvotes}\n\n"
        for p in ps
    )


def markdown(ps: list[Written]) -> str:
    return "# Daily Papers\n\n" + "".join(
        f"[{p.upvotes}](https://huggingface.co/login?next=%2Fpapers%2F{p.arxiv_id})\n\n"
        f"### [{p.title}](https://huggingface.co/papers/{p.arxiv_id})\n\n{p.abstract}\n\n"
        f"[- {len(p.authors)} authors](https://huggingface.co/papers/{p.arxiv_id})\n\n·\n\n"
        f"{page_date(p.published)}\n\n"
        for p in ps
    ) + "[Previous](https://huggingface.co/papers?p=1)\n"


def hf_json(ps: list[Written]) -> str:
    return json.dumps(
        {"data": [
            repr({"paper": {
                "id": p.arxiv_id, "title": p.title, "summary": p.abstract,
                "authors": [{"name": a} for a in p.authors], "upvotes": p.upvotes,
                "publishedAt": f"{p.published}T10:00:00.000Z",
                "organization": {"fullname": p.organization},
            }})
            for p in ps
        ]}
    )


def jsonl(ps: list[Written]) -> str:
    return "".join(
        json.dumps({
            "id": p.arxiv_id, "title": p.title, "abstract": p.abstract,
            "authors": ", ".join(p.authors), "update_date": str(p.published),
        }) + "\n"
        for p in ps
    )


def table(ps: list[Written]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "title", "abstract", "authors", "update_date", "upvotes", "organization"])
    for p in ps:
        writer.writerow([p.arxiv_id.lstrip("0"), p.title, p.abstract, " and ".join(p.authors),
                         p.published.strftime("%m/%d/%Y"), p.upvotes, p.organization])
    return out.getvalue()


# Each layout and the fields it carries.
LAYOUTS = {
    "compact": (compact, set()),
    "blocks": (blocks, set()),
    "blocks_with_metadata": (blocks_with_metadata,
                             {"authors_count", "organization", "published", "upvotes"}),
    "markdown": (markdown, {"authors_count", "published", "upvotes", "arxiv_id"}),
    "hf_json": (hf_json, {"authors", "organization", "published", "upvotes", "arxiv_id"}),
    "jsonl": (jsonl, {"authors", "published", "arxiv_id"}),
    "csv": (table, {"authors", "organization", "published", "upvotes", "arxiv_id"}),
}


def expected(p: Written, carried: set[str]) -> dict:
    values = {
        "title": p.title,
        "abstract": p.abstract,
        "authors": list(p.authors),
        "authors_count": len(p.authors),
        "organization": p.organization,
        "published": p.published,
        "upvotes": p.upvotes,
        "arxiv_id": p.arxiv_id,
    }
    return {k: v for k, v in values.items() if k in {"title", "abstract"} | carried}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written=st.lists(papers(), min_size=1, max_size=8, unique_by=lambda p: normalise_title(p.title)),
    layout=st.sampled_from(sorted(LAYOUTS)),
)
def test_every_paper_comes_back_with_its_fields(tmp_path: Path, written: list[Written], layout: str) -> None:
    render, carried = LAYOUTS[layout]
    path = tmp_path / f"page-{layout}"
    path.write_text(render(written), encoding="utf-8")
    dump = read_dump(path, year=2026)
    assert dump.error is None, dump.error
    read = list(dump.papers)
    assert [
        {k: getattr(p, k) for k in expected(w, carried)} for p, w in zip(read, written)
    ] == [expected(w, carried) for w in written]
    assert len(read) == len(written)
    assert all(not p.year_inferred for p in read)
