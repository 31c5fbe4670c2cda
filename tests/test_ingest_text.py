"""The text reader: the three bundled text dumps (counted by hand) and synthetic captures."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from tui_reader.ingest import read_dump
from tui_reader.models import Source

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_dumps"
COMPACT = SAMPLES / "000_22fef89dacfdd73b.txt"
BLOCKS = SAMPLES / "002_3558552d1792b2fb.txt"
METADATA = SAMPLES / "003_94c168d4f8ce26e7.txt"

ABSTRACT = "We study a problem that matters. " * 12  # a long prose line


def papers_of(path: Path, **kwargs):
    dump = read_dump(path, **kwargs)
    assert dump.error is None, dump.error
    return dump, list(dump.papers)


def by_title(papers, start: str):
    [paper] = [p for p in papers if p.title.startswith(start)]
    return paper


def write(
    tmp_path: Path,
    text: str,
    *,
    name: str = "dump.txt",
    mtime_year: int = 2024,
    newline: str = "\n",
) -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    stamp = datetime(mtime_year, 6, 1).timestamp()
    os.utime(path, (stamp, stamp))
    return path


# The counts were made independently of the reader: the lines followed (after blank lines) by a
# line of more than 300 characters; 000 also by its line count (2 header lines + 49 pairs).
@pytest.mark.parametrize(("path", "count"), [(COMPACT, 49), (BLOCKS, 64), (METADATA, 56)])
def test_sample_dump_counts(path: Path, count: int) -> None:
    dump, papers = papers_of(path)
    assert dump.format == "text"
    assert len(papers) == count
    assert dump.warnings == []
    assert all(p.abstract and len(p.abstract) > 300 for p in papers)
    assert [p.sources for p in papers] == [
        [Source(path=str(path), position=i, format="text", captured=dump.captured,
                upvotes=p.upvotes)] for i, p in enumerate(papers)
    ]


def test_compact_layout_header_glued_to_first_title() -> None:
    _, papers = papers_of(COMPACT)
    first = papers[0]
    assert (
        first.title
        == "Bayesian active learning for optimization and uncertainty quantification in protein docking"
    )
    assert first.abstract.startswith(
        "Motivation: Ab initio protein docking represents a major challenge"
    )
    assert first.abstract.endswith("are available at https://github.com/Shen-Lab/BAL.")
    assert (
        papers[1].title
        == "Sigma: Differential Rescaling of Query, Key and Value for Efficient Language Models"
    )
    assert papers[-1].title == (
        "From Informal to Formal -- Incorporating and Evaluating LLMs on Natural Language "
        "Requirements to Verifiable Formal Proofs"
    )
    assert all(
        p.published is None and p.upvotes is None and p.authors_count is None for p in papers
    )


def test_blocks_layout() -> None:
    _, papers = papers_of(BLOCKS)
    assert (
        papers[0].title
        == "Solar Event Tracking with Deep Regression Networks: A Proof of Concept Evaluation"
    )
    assert papers[0].abstract.startswith(
        "With the advent of deep learning for computer vision tasks,"
    )
    assert papers[0].abstract.endswith("promise of deep regression networks for this task.")
    assert (
        papers[-1].title
        == "Federated Reconnaissance: Efficient, Distributed, Class-Incremental Learning"
    )
    assert not any(p.title in ("Mar 13", "Subscribe", "new") for p in papers)


def test_blocks_with_metadata_named_papers() -> None:
    _, papers = papers_of(METADATA)
    first = papers[0]
    assert first.title == "Language Models Surface the Unwritten Code of Science and Society"
    assert (first.authors_count, first.published, first.year_inferred, first.upvotes) == (
        5,
        date(2025, 5, 24),
        False,
        None,
    )

    sigma = by_title(papers, "Sigma: Differential Rescaling")
    assert (
        sigma.title
        == "Sigma: Differential Rescaling of Query, Key and Value for Efficient Language Models"
    )
    assert (sigma.authors_count, sigma.published, sigma.year_inferred, sigma.upvotes) == (
        34,
        date(2025, 1, 23),
        False,
        2,
    )
    assert sigma.abstract.startswith(
        "We introduce Sigma, an efficient large language model specialized"
    )
    assert sigma.abstract.endswith("with an absolute improvement up to 52.5%.")

    # "Jan 26 3": no year (the page was captured in 2026: the latest printed year is 2025), 3 upvotes.
    teaching = by_title(papers, "Teaching Models to Teach Themselves")
    assert (
        teaching.title
        == "Teaching Models to Teach Themselves: Reasoning at the Edge of Learnability"
    )
    assert teaching.organization == "facebook AI at Meta"
    assert (
        teaching.authors_count,
        teaching.published,
        teaching.year_inferred,
        teaching.upvotes,
    ) == (None, date(2026, 1, 26), True, 3)

    gdro = by_title(papers, "GDRO: ")
    assert gdro.title == "GDRO: Group-level Reward Post-training Suitable for Diffusion Models"
    assert (gdro.authors_count, gdro.published, gdro.year_inferred, gdro.upvotes) == (
        5,
        date(2026, 1, 5),
        True,
        None,
    )

    live = by_title(papers, "LiveResearchBench")
    assert (live.organization, live.published, live.upvotes) == (
        "Salesforce Salesforce",
        date(2025, 10, 15),
        3,
    )

    bare = by_title(papers, "Which Reasoning Trajectories Teach Students")  # no metadata at all
    assert (bare.authors_count, bare.organization, bare.published, bare.upvotes) == (
        None,
        None,
        None,
        None,
    )
    assert bare.abstract.startswith(
        "Long chain-of-thought (CoT) trajectories provide rich supervision"
    )

    assert sum(p.organization is not None for p in papers) == 2
    assert sum(p.year_inferred for p in papers) == 6  # Jan 5, Jan 15, Jan 26, Feb 18, Jan 9, Jan 22


def test_year_argument_overrides_the_year_rule() -> None:
    _, papers = papers_of(METADATA, year=2030)
    assert by_title(papers, "GDRO: ").published == date(2030, 1, 5)
    assert by_title(papers, "Sigma: ").published == date(2025, 1, 23)  # printed years stay


def test_metadata_reordered_missing_and_differently_separated(tmp_path: Path) -> None:
    text = (
        "new\n\nSubscribe\n\nMar 6\n\n"
        f"First Paper Title\n\n{ABSTRACT}\n\nJan 5 3\n·\n5 authors\n\n"
        f"Second Paper\n\n{ABSTRACT}\n\nMeta AI\n-\nDec 17\n\n"
        f"Third Paper\n\n{ABSTRACT}\n\n  • 1 author\n\n"
        f"Fourth Paper\n\n{ABSTRACT}\n\nMay 2, 2025\n\n"
        f"Fifth Paper\n\n{ABSTRACT}\n\n• 7 authors\n•\nMar 1, 2025 12\n"
    )
    dump, papers = papers_of(write(tmp_path, text))
    assert dump.warnings == []
    assert [p.title for p in papers] == [
        "First Paper Title",
        "Second Paper",
        "Third Paper",
        "Fourth Paper",
        "Fifth Paper",
    ]
    first, second, third, fourth, fifth = papers
    assert (first.authors_count, first.published, first.year_inferred, first.upvotes) == (
        5,
        date(2026, 1, 5),
        True,
        3,
    )
    # Captured "Mar 6" 2026: a yearless "Dec 17" cannot be in 2026, so it is Dec 17, 2025.
    assert (second.organization, second.published, second.year_inferred) == (
        "Meta AI",
        date(2025, 12, 17),
        True,
    )
    assert (third.authors_count, third.published) == (1, None)
    assert (fourth.published, fourth.year_inferred, fourth.authors_count) == (
        date(2025, 5, 2),
        False,
        None,
    )
    assert (fifth.authors_count, fifth.published, fifth.upvotes) == (7, date(2025, 3, 1), 12)
    assert all(p.abstract == ABSTRACT.strip() for p in papers)


def test_crlf_compact_with_glued_header_and_a_title_without_abstract_at_the_end(
    tmp_path: Path,
) -> None:
    text = (
        "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
        f"SubscribeGlued Title: A Study\n{ABSTRACT}\nSecond Title\n{ABSTRACT}\nA Trailing Title Without Abstract\n"
    )
    dump, papers = papers_of(write(tmp_path, text, newline="\r\n"))
    assert [p.title for p in papers] == [
        "Glued Title: A Study",
        "Second Title",
        "A Trailing Title Without Abstract",
    ]
    assert papers[0].abstract == ABSTRACT.strip()
    assert papers[2].abstract == ""
    assert dump.warnings == [
        "line 7: no abstract after the title 'A Trailing Title Without Abstract'; imported without one"
    ]


def test_title_without_abstract_after_metadata_is_not_an_organisation(tmp_path: Path) -> None:
    text = (
        f"T1\n\n{ABSTRACT}\n\n• 2 authors\n·\nJan 5, 2024\n\n"
        "Orphan In The Middle\n• 3 authors\n·\nJan 6, 2024\n\n"
        f"T3\n\n{ABSTRACT}\n\nOrgX\n\nT4\n\n{ABSTRACT}\n\nLast Title"
    )
    _, papers = papers_of(write(tmp_path, text))
    assert [(p.title, p.authors_count, p.organization, p.published) for p in papers] == [
        ("T1", 2, None, date(2024, 1, 5)),
        ("Orphan In The Middle", 3, None, date(2024, 1, 6)),
        ("T3", None, "OrgX", None),
        ("T4", None, None, None),
        ("Last Title", None, None, None),
    ]


def test_no_year_in_the_dump_uses_the_modification_year_and_says_so(tmp_path: Path) -> None:
    text = f"Mar 13\n\nA Title\n\n{ABSTRACT}\n\n• 2 authors\n·\nJan 22\n\nB Title\n\n{ABSTRACT}\n\nMay 1\n"
    dump, papers = papers_of(write(tmp_path, text, mtime_year=2023))
    assert papers[0].published == date(2023, 1, 22) and papers[0].year_inferred
    assert papers[1].published == date(
        2022, 5, 1
    )  # after the capture date "Mar 13": the year before
    assert dump.warnings == [
        "no year in the dump: dates without a year are taken as 2023, the file's modification year; "
        "use --year to set it"
    ]
    dump, papers = papers_of(dump.path, year=2025)
    assert papers[0].published == date(2025, 1, 22)
    assert dump.warnings == []


def test_page_header_of_a_second_capture_is_not_paper_metadata(tmp_path: Path) -> None:
    text = (
        f"T1\n{ABSTRACT}\nnew\nGet trending papers in your email inbox!\nMar 13\nT2\n{ABSTRACT}\n"
    )
    _, papers = papers_of(write(tmp_path, text))
    assert [(p.title, p.published) for p in papers] == [("T1", None), ("T2", None)]


def test_text_without_any_title_and_abstract_is_not_a_dump(tmp_path: Path) -> None:
    dump = read_dump(write(tmp_path, "just a note\n\nanother short line\n"))
    assert dump.error == "not a recognised dump: no papers found"
    assert list(dump.papers) == []
