"""The Markdown reader (a real search page, plain Markdown) and the HTML reader (a real paper page)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from tui_reader.ingest import read_dump
from tui_reader.ingest.html import html_to_markdown
from tui_reader.models import Source

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEARCH_PAGE = FIXTURES / "markdown" / "search_source-citations.md"
PAPER_PAGE = FIXTURES / "html" / "paper_page_2509.24002.html"

ABSTRACT = "We study a problem that matters. " * 12


def papers_of(path: Path, **kwargs):
    dump = read_dump(path, **kwargs)
    assert dump.error is None, dump.error
    return dump, list(dump.papers)


def write(tmp_path: Path, name: str, text: str, *, mtime_year: int = 2024) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    stamp = datetime(mtime_year, 6, 1).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_search_page() -> None:
    dump, papers = papers_of(SEARCH_PAGE)
    assert dump.format == "markdown"
    assert dump.warnings == []
    assert [
        (
            p.title,
            p.arxiv_id,
            p.upvotes,
            p.organization,
            p.authors_count,
            p.published,
            p.year_inferred,
        )
        for p in papers
    ] == [
        (
            "OCC-RAG: Optimal Cognitive Core for Faithful Question Answering",
            "2606.00683",
            101,
            "OCC",
            None,
            date(2026, 5, 29),
            True,
        ),
        (
            "Benchmark Radar: A Living Database and Search Engine for AI Benchmarks and Evaluation",
            "2609.11115",
            173,
            "Carnegie Mellon University",
            None,
            date(2026, 9, 9),
            True,
        ),
        (
            "The Noisy Path from Source to Citation: Measuring How Scholars Engage with Past Research",
            "2502.20581",
            None,
            None,
            3,
            date(2025, 2, 27),
            False,
        ),
        (
            "Source or It Didn't Happen: A Multi-Agent Framework for Citation Hallucination Detection",
            "2605.08583",
            1,
            "University of Massachusetts Amherst",
            None,
            date(2026, 5, 8),
            True,
        ),
        (
            "Sources of Truth: A Multi-Platform, Multilingual Audit of Citations in AI Mental Health Information Queries",
            "2609.00319",
            None,
            None,
            10,
            date(2026, 8, 30),
            True,
        ),
    ]
    assert papers[0].url == "https://huggingface.co/papers/2606.00683"
    assert papers[4].sources == [Source(path=str(SEARCH_PAGE), position=4, format="markdown",
                                        captured=date(2026, 10, 2))]  # retrieved: (front matter)
    # A link-wrapped abstract hard-wrapped with "\\" breaks: one paragraph, no escapes left.
    noisy = papers[2].abstract
    assert noisy.startswith(
        "Academic citations are widely used for evaluating research and tracing knowledge flows. "
        "Such uses typically rely on raw citation counts"
    )
    assert noisy.endswith(
        "analyses that rely on citation quantity alone and the potential for distortion of evidence."
    )
    assert "\\" not in noisy and "\n" not in noisy and "](" not in noisy
    assert papers[0].abstract.startswith(
        "Recent progress in the development of language models has been defined by scale"
    )
    assert papers[0].abstract.endswith(
        "faithfulness (ConFiQA), and refusal (MuSiQue-Un) benchmarks."
    )
    assert papers[3].abstract.endswith("Code: https://github.com/aaFrostnova/CiteTracer.")


def test_paper_page_html() -> None:
    dump, papers = papers_of(PAPER_PAGE)
    assert dump.format == "html"
    assert dump.warnings == []
    [paper] = papers
    assert (
        paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    )
    assert paper.arxiv_id == "2509.24002"
    assert paper.url == "https://huggingface.co/papers/2509.24002"
    assert paper.upvotes == 118
    assert paper.organization == "National University of Singapore"
    assert paper.authors == [
        "Zijian Wu",
        "Xiangyan Liu",
        "Xinyuan Zhang",
        "Lingjun Chen",
        "Fanqing Meng",
        "Lingxiao Du",
        "Yiran Zhao",
        "Fanshi Zhang",
        "Yaoqi Ye",
        "Jiawei Wang",
        "Zirui Wang",
        "Jinjie Ni",
        "Yufan Yang",
        "Arvin Xu",
        "Michael Qizhe Shieh",
    ]
    assert paper.authors_count == 15
    # "Published on Sep 28", the year from the page's papers?date=2025-10-01 link.
    assert (paper.published, paper.year_inferred) == (date(2025, 9, 28), True)
    assert paper.abstract.startswith(
        "MCP standardizes how LLMs interact with external systems, forming the foundation for general "
        "agents. However, existing MCP benchmarks remain narrow in scope"
    )
    assert paper.abstract.endswith(
        "significantly surpassing those in previous MCP benchmarks and highlighting the stress-testing "
        "nature of MCPMark."
    )
    assert "reaches only 52.56% pass@1 and 33.86% pass^4" in paper.abstract
    assert "AI-generated summary" not in paper.abstract and "\n" not in paper.abstract


def test_paper_page_markdown_has_no_script_or_style() -> None:
    markdown = html_to_markdown(PAPER_PAGE.read_text(encoding="utf-8"))
    assert (
        "# MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use" in markdown
    )
    assert "<script" not in markdown and "function(" not in markdown


def test_plain_markdown_headings_and_paragraphs(tmp_path: Path) -> None:
    text = (
        "# My reading list\n\n"
        f"## A *first* title\n\n{ABSTRACT[:150]}\n{ABSTRACT[150:]}\n\n"
        "### [Second \\[x\\] title](https://arxiv.org/abs/2401.01234v2)\n\nShort abstract.\n\n"
        "- 3 authors\n\nMay 2, 2025\n\n"
        "## Notes\n\nnot a paper\n"
    )
    dump, papers = papers_of(write(tmp_path, "list.md", text))
    assert dump.format == "markdown"
    first, second = papers
    assert first.title == "A first title"
    assert first.abstract == " ".join(ABSTRACT.split())
    assert (second.title, second.arxiv_id, second.url) == (
        "Second [x] title",
        "2401.01234",
        "https://arxiv.org/abs/2401.01234",
    )
    assert (second.abstract, second.authors_count, second.published) == (
        "Short abstract.",
        3,
        date(2025, 5, 2),
    )


def test_front_matter_capture_date_and_the_year_edge(tmp_path: Path) -> None:
    text = (
        "---\nretrieved: 2026-03-06\n---\n"
        f"### [Late Paper](https://huggingface.co/papers/2512.00001)\n\n{ABSTRACT}\n\nDec 17\n\n"
        f"### [Early Paper](https://huggingface.co/papers/2601.00002)\n\n{ABSTRACT}\n\nJan 5\n"
    )
    _, papers = papers_of(write(tmp_path, "page.md", text))
    assert [(p.published, p.year_inferred) for p in papers] == [
        (date(2025, 12, 17), True),
        (date(2026, 1, 5), True),
    ]


def test_saved_listing_html(tmp_path: Path) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Daily Papers</title><style>p{color:red}</style></head><body>"
        "<h1>Daily Papers</h1><div>Mar 6</div>"
        "<article><h3><a href='/papers/2401.00001'>A <b>bold</b> title</a></h3>"
        f"<p><a href='/papers/2401.00001'>{ABSTRACT}</a></p>"
        "<div><a href='/acme'><img src='a.png' alt='acme'>Acme Labs</a></div><span>·</span>"
        "<div>Dec 17<a href='/papers/2401.00001#community'>4</a></div></article>"
        "<script>alert('x')</script><svg><text>svg text</text></svg></body></html>"
    )
    dump, papers = papers_of(write(tmp_path, "saved.html", html, mtime_year=2024))
    [paper] = papers
    assert (paper.title, paper.arxiv_id, paper.organization) == (
        "A bold title",
        "2401.00001",
        "Acme Labs",
    )
    assert paper.abstract == ABSTRACT.strip()
    # No year anywhere: the file's modification year 2024, and "Dec 17" is after the page date "Mar 6".
    assert (paper.published, paper.year_inferred, paper.upvotes) == (date(2023, 12, 17), True, None)
    assert dump.warnings == [
        "no year in the dump: dates without a year are taken as 2024, the file's modification year; "
        "use --year to set it"
    ]


def test_markdown_without_papers_is_an_error(tmp_path: Path) -> None:
    dump = read_dump(
        write(tmp_path, "README.md", "# Notes\n\nSee [the site](https://example.org).\n")
    )
    assert (dump.format, dump.error) == (None, "not a recognised dump: no papers found")
