"""Captures made by other tools, read by rule: note-taking exports, text-browser pages with
reference links, saved listings, pages with site chrome, old Mac line endings, doubled copies,
and the plausibility guard. The fixtures in fixtures/captures are written for these tests, made
to look like the captures of issue 10 (not copied from them)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tui_reader.ingest import read_dump

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "tests" / "fixtures" / "captures"
SAMPLES = sorted((ROOT / "sample_dumps").glob("*.txt"))
ABSTRACT = (
    "We show that a small model trained on curated data matches a large one on reasoning "
    "benchmarks, and we release the data, the code and the trained weights."
)


def papers_of(path: Path, **kwargs):
    dump = read_dump(path, **kwargs)
    assert dump.error is None, dump.error
    return dump, list(dump.papers)


def fields(paper) -> tuple:
    return (
        paper.title,
        paper.arxiv_id,
        paper.authors_count,
        paper.organization,
        paper.published,
        paper.year_inferred,
        paper.upvotes,
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


NOTE_EXPORT = [
    ("Differential Attention for Long Documents", "2410.05258", 2, None, date(2024, 10, 7), True, 42),
    ("Pruning Tokens by Saliency", "2410.05434", 5, None, date(2023, 9, 30), False, None),
]


def test_note_export_front_matter_plain_titles_url_lines_and_chrome() -> None:
    dump, papers = papers_of(CAPTURES / "note_export.md")
    assert (dump.format, dump.warnings) == ("markdown", [])
    # "created: 2024-10-09" in the front matter is the capture date: "Oct 7" is 2024-10-07.
    assert [fields(p) for p in papers] == NOTE_EXPORT
    assert papers[0].abstract.startswith("Transformers tend to overallocate attention")
    assert papers[1].url == "https://huggingface.co/papers/2410.05434"


def test_note_export_without_its_first_lines(tmp_path: Path) -> None:
    body = (CAPTURES / "note_export.md").read_text(encoding="utf-8").split("\n")[11:]
    _, papers = papers_of(write(tmp_path, "cut.md", "\n".join(body)))
    assert not body[0].startswith(("---", "created")) and "Differential" in "\n".join(body)
    # No capture date now: "Oct 7" is in 2024, one more than the only printed year (2023).
    assert [fields(p) for p in papers] == NOTE_EXPORT
    _, papers = papers_of(write(tmp_path, "cut.md", "\n".join(body)), year=2022)
    assert (papers[0].published, papers[0].year_inferred) == (date(2022, 10, 7), False)


def test_text_browser_reference_links_wrapped_heading_and_comment_counts() -> None:
    dump, papers = papers_of(CAPTURES / "text_browser_references.md")
    assert (dump.format, dump.warnings) == ("markdown", [])
    assert [fields(p) for p in papers] == [
        ("MURMUR: Listening to Murmured Speech for Robust ASR", "2403.05001", 3, "Speech Lab",
         date(2024, 3, 8), False, 23),
        # A date without a year is in the year after the latest one printed in the dump (2024).
        ("Tiny Planners", "2403.04002", 1, None, date(2025, 3, 7), True, 7),
    ]
    assert all("[" not in p.title and "[" not in p.abstract for p in papers)
    assert papers[1].abstract.startswith("A planner of one million parameters")


def test_listing_html_organisation_and_published_on_one_line() -> None:
    dump, [paper] = papers_of(CAPTURES / "listing_published_on.html")
    assert dump.format == "html"
    assert fields(paper) == (
        "YOLO Everywhere: Real-Time Detection on Microcontrollers", "2606.01234", None,
        "Ultralytics", date(2026, 6, 2), False, None,
    )


def test_markdown_capture_ending_with_pagination_links(tmp_path: Path) -> None:
    source = ROOT / "tests" / "fixtures" / "markdown" / "search_source-citations.md"
    text = source.read_text(encoding="utf-8").rstrip("\n")
    text += "\n\n[Previous](https://huggingface.co/papers?q=x&p=0)\n\n[Next](https://huggingface.co/papers?q=x&p=2)\n"
    _, plain = papers_of(source)
    _, paged = papers_of(write(tmp_path, "paged.md", text))
    assert [p.model_dump(exclude={"sources"}) for p in paged] == [
        p.model_dump(exclude={"sources"}) for p in plain
    ]
    assert (len(paged), paged[-1].organization, paged[-1].published) == (5, None, date(2026, 8, 30))


def test_text_dump_chrome_split_fields_and_bracketed_counts(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "Models Datasets Spaces Pricing", "Log In", "Sign Up", "Daily Papers", "",
            "Sparse Mixtures at Scale", "", ABSTRACT, "",
            "Meta AI · 7 authors · Published on Jun 2, 2025", "",
            "Reading Tables with Words", "", ABSTRACT.replace("small", "tiny"), "",
            "Hugging Face", "Mar 8, 2025 [ 6] [ 1 ]", "",
            "Previous", "Next", "System theme", "Company", "TOS Privacy About Jobs", "",
        ]
    )
    dump, papers = papers_of(write(tmp_path, "chrome.txt", text), year=2026)
    assert dump.format == "text"
    assert [fields(p) for p in papers] == [
        ("Sparse Mixtures at Scale", None, 7, "Meta AI", date(2025, 6, 2), False, None),
        ("Reading Tables with Words", None, None, "Hugging Face", date(2025, 3, 8), False, None),
    ]


def test_headings_wrapped_over_two_lines_and_author_count_links(tmp_path: Path) -> None:
    text = (
        "## Daily Papers\n\n"
        "### Learning to Route Tokens Between\n### Experts Without Labels\n\n"
        f"{ABSTRACT}\n\n"
        "[\n- 4 authors\n](https://huggingface.co/papers/2501.00042)\n\n·\n\nJan 3, 2025\n\n"
        "### [A Benchmark of Long\n### Context Recall](https://huggingface.co/papers/2501.00043)\n\n"
        f"{ABSTRACT.replace('small', 'mid-sized')}\n\n- 2 authors\n"
    )
    _, papers = papers_of(write(tmp_path, "wrapped.md", text), year=2025)
    assert [(p.title, p.arxiv_id, p.authors_count) for p in papers] == [
        ("Learning to Route Tokens Between Experts Without Labels", "2501.00042", 4),
        ("A Benchmark of Long Context Recall", "2501.00043", 2),
    ]
    assert papers[0].published == date(2025, 1, 3)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_old_mac_line_endings_read_like_newlines(tmp_path: Path, sample: Path) -> None:
    data = sample.read_bytes().replace(b"\r\n", b"\n")
    _, expected = papers_of(sample, year=2026)
    _, papers = papers_of(write(tmp_path, "mac.txt", data.replace(b"\n", b"\r").decode()), year=2026)
    assert len(papers) == len(expected) > 40
    assert [p.model_dump(exclude={"sources"}) for p in papers] == [
        p.model_dump(exclude={"sources"}) for p in expected
    ]


def test_compact_sample_copied_twice(tmp_path: Path) -> None:
    compact = ROOT / "sample_dumps" / "000_22fef89dacfdd73b.txt"
    text = compact.read_text(encoding="utf-8")
    assert text.split("\n")[2].startswith("SubscribeBayesian")
    _, once = papers_of(compact, year=2026)
    dump, twice = papers_of(write(tmp_path, "twice.txt", text + "\n" + text), year=2026)
    assert len(once) == 49
    assert [p.title for p in twice] == [p.title for p in once] * 2
    assert len({p.id for p in twice}) == 49
    assert not any(p.title.startswith("Subscribe") for p in twice)


def test_plausibility_guard(tmp_path: Path) -> None:
    links = "\n".join(f"[Item {n}](https://example.org/{n})" for n in range(40))
    # The first link line is the organisation of "A Title", the 39 others titles without text.
    dump = read_dump(write(tmp_path, "links.md", f"A Title\n\n{ABSTRACT}\n\n{links}"))
    assert dump.error == (
        "not a recognised dump: no paper-shaped records (39 of 40 without an abstract of a few words)"
    )
    assert list(dump.papers) == []
    urls = [{"title": f"https://example.org/{n}", "summary": ABSTRACT} for n in range(30)]
    dump = read_dump(write(tmp_path, "urls.json", json.dumps(urls)))
    assert dump.error == (
        "not a recognised dump: no paper-shaped records (30 of 30 titles are URLs, table rows or numbers)"
    )
    # A table without its header row is read as text, and rejected as a whole.
    kaggle = (ROOT / "tests" / "fixtures" / "csv" / "arxiv_kaggle_sample.csv").read_text(encoding="utf-8")
    headless = write(tmp_path, "rows.txt", kaggle.split("\n", 1)[1])
    dump = read_dump(headless)
    assert dump.error is not None and dump.error.startswith("not a recognised dump: no paper-shaped records")
    assert list(dump.papers) == []


def test_kaggle_csv_is_a_table_whatever_its_name(tmp_path: Path) -> None:
    kaggle = (ROOT / "tests" / "fixtures" / "csv" / "arxiv_kaggle_sample.csv").read_bytes()
    dump, papers = papers_of(write(tmp_path, "snapshot.txt", kaggle.decode("utf-8")))
    assert (dump.format, len(papers)) == ("csv", 200)


@pytest.mark.parametrize(
    ("start", "fmt"),
    [
        ('[{"paper": {"id": "2407.00001", "title": "[bold]Markup[/] title", "summary": "S."}}]', "hf-json"),
        ("[1]Hugging Face\n\n### [A Title][2]\n\n[2]: https://huggingface.co/papers/2401.00001\n", "markdown"),
        ("[A Title](https://huggingface.co/papers/2401.00001)\n", "markdown"),
    ],
)
def test_a_leading_bracket_is_json_only_when_it_starts_an_array(start: str, fmt: str) -> None:
    from tui_reader.ingest.detect import detect_format

    assert detect_format(start) == fmt
