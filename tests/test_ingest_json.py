"""The Hugging Face API JSON reader and the arXiv JSONL reader."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tui_reader.ingest import read_dump
from tui_reader.ingest.jsonl import MAX_WARNINGS
from tui_reader.models import Source

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HF = FIXTURES / "hf_api"
ARXIV = FIXTURES / "arxiv_100.jsonl"
ARXIV_GZ = FIXTURES / "arxiv_100.jsonl.gz"


def papers_of(path: Path, **kwargs):
    dump = read_dump(path, **kwargs)
    assert dump.error is None, dump.error
    return dump, list(dump.papers)


def by_id(papers, arxiv_id: str):
    [paper] = [p for p in papers if p.arxiv_id == arxiv_id]
    return paper


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# Counted with json.load: the length of each top-level list.
# The capture: the latest date the dump prints (no wrapper states one); the last paper's upvotes.
@pytest.mark.parametrize(("name", "count", "captured", "upvotes"), [
    ("2024-06-03.json", 6, date(2024, 5, 31), 4), ("2025-06-10.json", 28, date(2025, 6, 9), 0),
    ("2026-03-02.json", 14, date(2026, 2, 27), 0)])
def test_hf_api_counts(name: str, count: int, captured: date, upvotes: int) -> None:
    dump, papers = papers_of(HF / name)
    assert (dump.format, len(papers), dump.warnings) == ("hf-json", count, [])
    assert papers[-1].sources == [Source(path=str(HF / name), position=count - 1, format="hf-json",
                                         captured=captured, upvotes=upvotes)]
    assert all(p.abstract and p.arxiv_id and p.published and p.authors for p in papers)


def test_hf_api_2024() -> None:
    _, papers = papers_of(HF / "2024-06-03.json")
    ssm = papers[0]
    assert ssm.title == (
        "Transformers are SSMs: Generalized Models and Efficient Algorithms Through Structured State Space Duality"
    )
    assert (ssm.arxiv_id, ssm.url) == ("2405.21060", "https://huggingface.co/papers/2405.21060")
    assert (ssm.authors, ssm.authors_count, ssm.upvotes) == (["Tri Dao", "Albert Gu"], 2, 27)
    assert (ssm.published, ssm.year_inferred, ssm.organization) == (date(2024, 5, 31), False, None)
    assert ssm.abstract.startswith(
        "While Transformers have been the main architecture behind deep learning's success in"
    )
    assert ssm.abstract.endswith(
        "while continuing to be competitive with Transformers on language modeling."
    )
    assert "\n" not in ssm.abstract
    assert by_id(papers, "2405.21075").authors_count == 20


def test_hf_api_2025_paragraphs() -> None:
    _, papers = papers_of(HF / "2025-06-10.json")
    rpt = papers[0]
    assert (rpt.title, rpt.arxiv_id, rpt.upvotes, rpt.authors_count, rpt.published) == (
        "Reinforcement Pre-Training",
        "2506.08007",
        97,
        7,
        date(2025, 6, 9),
    )
    spatial = by_id(papers, "2506.07491")
    assert (
        spatial.title == "SpatialLM: Training Large Language Models for Structured Indoor Modeling"
    )
    # "...LLMs.\n  To train SpatialLM" in the JSON: a new paragraph.
    assert (
        "fine-tuned directly from open-source LLMs.\n\nTo train SpatialLM, we collect"
        in spatial.abstract
    )
    assert spatial.abstract.count("\n") == 2


def test_hf_api_2026_organizations() -> None:
    _, papers = papers_of(HF / "2026-03-02.json")
    dllm = papers[0]
    assert (dllm.title, dllm.organization, dllm.upvotes, dllm.authors_count, dllm.published) == (
        "dLLM: Simple Diffusion Language Modeling",
        "UC Berkeley",
        36,
        4,
        date(2026, 2, 26),
    )
    assert by_id(papers, "2602.22207").organization == (
        "Institute for Computer Science, Artificial intelligence and Technology"
    )
    assert (
        by_id(papers, "2602.23898").organization == "Northeastern University"
    )  # trailing space in the JSON
    assert sum(p.organization is None for p in papers) == 5


def test_hf_wrappers_plain_papers_unknown_keys_and_malformed_entries(tmp_path: Path) -> None:
    daily = json.loads((HF / "2024-06-03.json").read_text(encoding="utf-8"))
    for key in ("papers", "data", "whatever"):
        dump, papers = papers_of(write_json(tmp_path / f"{key}.json", {"count": 6, key: daily}))
        assert (dump.format, len(papers)) == ("hf-json", 6)
    plain = [
        {
            "id": "2401.00001v3",
            "title": "A  Paper\n  Title",
            "summary": "Line one\nline two.",
            "upvotes": 4,
            "authors": [{"name": "Ada"}, {"_id": "x"}, "Bob"],
            "organization": "ACME",
            "newField": {"x": [1]},
        },
        "not an object",
        {"id": "2401.00002", "summary": "no title"},
        {"title": "Bare", "authors": "not a list", "upvotes": "7", "publishedAt": "garbage"},
    ]
    dump, papers = papers_of(write_json(tmp_path / "plain.json", plain))
    assert dump.warnings == [
        "entry 2: malformed (a str, not an object); skipped",
        "entry 3: no title; skipped",
    ]
    first, bare = papers
    assert (first.title, first.abstract, first.arxiv_id, first.upvotes) == (
        "A Paper Title",
        "Line one line two.",
        "2401.00001",
        4,
    )
    assert (first.authors, first.authors_count, first.organization) == (["Ada", "Bob"], 2, "ACME")
    assert (bare.authors, bare.upvotes, bare.published, bare.arxiv_id, bare.url) == (
        [],
        None,
        None,
        None,
        None,
    )
    assert bare.sources[0].position == 1


def test_hf_json_without_papers_is_an_error(tmp_path: Path) -> None:
    assert (
        read_dump(write_json(tmp_path / "a.json", {"a": 1})).error
        == "not a recognised dump: JSON without a list of papers (an object with keys a)"
    )
    assert (
        read_dump(write_json(tmp_path / "c.json", ["{'not': 'closed'", 3])).error
        == "not a recognised dump: no paper objects in the JSON list"
    )
    broken = tmp_path / "b.json"
    broken.write_text('[{"title": "x",', encoding="utf-8")
    assert read_dump(broken).error.startswith("not a recognised dump: invalid JSON (line 1:")


def test_arxiv_fixture_plain_and_gzip() -> None:
    dump, papers = papers_of(ARXIV)
    gz_dump, gz_papers = papers_of(ARXIV_GZ)
    assert (dump.format, gz_dump.format, len(papers), dump.warnings) == (
        "arxiv-jsonl",
        "arxiv-jsonl",
        100,
        [],
    )
    assert [p.model_dump(exclude={"sources"}) for p in papers] == [
        p.model_dump(exclude={"sources"}) for p in gz_papers
    ]
    first = papers[0]
    assert (
        first.title
        == "Improving the Performance of Unimodal Dynamic Hand-Gesture Recognition with Multimodal Training"
    )
    assert (first.arxiv_id, first.url) == ("1812.06145", "https://arxiv.org/abs/1812.06145")
    assert first.authors == ["Mahdi Abavisani", "Hamid Reza Vaezi Joze", "Vishal M. Patel"]
    assert first.categories == [
        "cs.CV",
        "cs.AI",
        "cs.HC",
        "cs.LG",
        "stat.ML",
        "68T45, 62H30",
        "I.5.3; I.2.10",
    ]
    assert (first.published, first.year_inferred) == (date(2018, 12, 1), False)  # from the id: 1812
    assert first.abstract.startswith(
        "We present an efficient approach for leveraging the knowledge from multiple modalities in"
    )
    assert first.abstract.endswith(
        "performance on various dynamic hand gesture recognition datasets."
    )
    assert "\n" not in first.abstract
    calibration = by_id(papers, "2501.14510")
    assert calibration.abstract.endswith(
        "augmented reality.\n\nKeywords: Camera calibration, distortion, synthetic data, deep learning, residual "
        "networks (ResNet), AILiveSim, horizontal field-of-view, principal point, Brown-Conrady Model."
    )
    assert papers[-1].sources == [Source(  # metadata, not a listing page: no capture day
        path=str(ARXIV), position=99, format="arxiv-jsonl")]


def test_arxiv_jsonl_is_streamed(tmp_path: Path) -> None:
    dump = read_dump(ARXIV_GZ)
    assert isinstance(dump.papers, Iterator) and not isinstance(dump.papers, list)
    assert next(dump.papers).arxiv_id == "1812.06145"


def test_kaggle_style_records_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "0704.0001",
                "title": "Calculation of prompt\n  diphoton production",
                "abstract": "  A fully differential calculation\nin perturbative QCD.\n  Second paragraph.",
                "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky and C.-P. Yuan",
                "categories": "hep-ph cs.LG",
                "update_date": "2008-11-13",
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
            }
        ),
        "{not json",
        json.dumps(
            {
                "id": "2405.21060v2",
                "title": "Listy",
                "categories": "['cs.CL', 'cs.AI']",
                "update_date": "2024-06-01",
            }
        ),
        "[1, 2]",
        json.dumps({"id": "hep-th/9901001", "title": "Old Style", "abstract": None}),
        json.dumps({"id": "2401.00001", "abstract": "no title"}),
        "",
        json.dumps(
            {"paper": {"id": "2506.08007", "title": "From HF", "summary": "s"}, "numComments": 2}
        ),
    ]
    dump, papers = papers_of(write_lines(tmp_path / "kaggle.jsonl", lines))
    assert dump.warnings == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes)",
        "line 4: a JSON list, not an object",
        "line 6: no title",
    ]
    kaggle, listy, old, hf = papers
    assert kaggle.title == "Calculation of prompt diphoton production"
    assert (
        kaggle.abstract
        == "A fully differential calculation in perturbative QCD.\n\nSecond paragraph."
    )
    assert kaggle.authors == ["C. Bal\\'azs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert (kaggle.authors_count, kaggle.categories, kaggle.published) == (
        4,
        ["hep-ph", "cs.LG"],
        date(2007, 4, 2),
    )
    assert (listy.arxiv_id, listy.categories, listy.published) == (
        "2405.21060",
        ["cs.CL", "cs.AI"],
        date(2024, 6, 1),
    )
    assert (old.arxiv_id, old.published, old.url, old.abstract) == (
        "hep-th/9901001",
        date(1999, 1, 1),
        "https://arxiv.org/abs/hep-th/9901001",
        "",
    )
    assert (hf.arxiv_id, hf.url) == ("2506.08007", "https://huggingface.co/papers/2506.08007")
    assert [p.sources[0].position for p in papers] == [0, 1, 2, 3]


def test_warnings_are_capped(tmp_path: Path) -> None:
    good = json.dumps({"id": "2401.00001", "title": "Good"})
    dump = read_dump(write_lines(tmp_path / "bad.jsonl", [good] + ["{bad"] * (MAX_WARNINGS + 7)))
    assert len(list(dump.papers)) == 1
    assert len(dump.warnings) == MAX_WARNINGS + 1
    assert dump.warnings[-1] == "7 more lines with problems not listed"


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    data = gzip.compress(ARXIV.read_bytes())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    dump = read_dump(path)
    papers = list(dump.papers)
    assert dump.error is None and 0 < len(papers) < 100
    assert dump.warnings[-1].startswith("the rest of the file cannot be read:")
