"""CSV tables (the Kaggle arXiv export), repr-string API JSON, author strings, old arXiv ids."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from tui_reader.ingest import read_dump
from tui_reader.ingest.authors import parsed_authors, split_authors
from tui_reader.ingest.ids import arxiv_id

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KAGGLE_CSV = FIXTURES / "csv" / "arxiv_kaggle_sample.csv"


def papers_of(path: Path, **kwargs):
    dump = read_dump(path, **kwargs)
    assert dump.error is None, dump.error
    return dump, list(dump.papers)


# Counted with json.load and ast.literal_eval: the number of repr strings in each list.
@pytest.mark.parametrize(("name", "count"), [("2024-12-11.json", 26), ("2025-01-10.json", 9)])
def test_repr_string_api_json(name: str, count: int) -> None:
    dump, papers = papers_of(FIXTURES / "hf_api" / name)
    assert (dump.format, len(papers), dump.warnings) == ("hf-json", count, [])
    assert all(
        p.abstract and p.arxiv_id and p.published and p.authors and p.upvotes is not None
        for p in papers
    )


def test_repr_string_api_json_fields() -> None:
    _, papers = papers_of(FIXTURES / "hf_api" / "2024-12-11.json")
    stiv = papers[0]
    assert (stiv.title, stiv.arxiv_id, stiv.upvotes, stiv.published) == (
        "STIV: Scalable Text and Image Conditioned Video Generation",
        "2412.07730",
        54,
        date(2024, 12, 10),
    )
    assert stiv.authors[:3] == ["Zongyu Lin", "Wei Liu", "Chen Chen"]
    assert stiv.authors_count == 17
    assert stiv.abstract.startswith("The field of video generation has made remarkable advancements")
    assert "\n" not in papers[-1].abstract
    assert papers[-1].abstract.endswith("available at https://github.com/Pengxin-Guo/HyperFL.")
    _, wrapped = papers_of(FIXTURES / "hf_api" / "2025-01-10.json")
    assert (wrapped[0].title, wrapped[0].arxiv_id, wrapped[0].upvotes) == (
        "The GAN is dead; long live the GAN! A Modern GAN Baseline",
        "2501.05441",
        51,
    )
    assert wrapped[-1].authors[0] == "Şaziye Betül Özateş"


def test_repr_strings_are_literals_never_code(tmp_path: Path) -> None:
    path = tmp_path / "evil.json"
    entries = [
        "{'paper': {'id': '2501.00001', 'title': 'Fine', 'summary': 'An abstract of some words.'}}",
        "{'paper': __import__('os').system('touch pwned')}",
    ]
    path.write_text(json.dumps({"status": "success", "data": entries}), encoding="utf-8")
    dump, papers = papers_of(path)
    assert [p.title for p in papers] == ["Fine"]
    assert dump.warnings == ["entry 2: malformed (a string that is not a Python literal); skipped"]
    assert not (tmp_path / "pwned").exists()


def test_kaggle_csv_sample() -> None:
    dump, papers = papers_of(KAGGLE_CSV)
    assert (dump.format, len(papers), dump.warnings) == ("csv", 200, [])
    assert all(p.abstract and p.authors and p.published and p.arxiv_id and p.categories for p in papers)
    first = papers[0]
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert (first.arxiv_id, first.url) == ("0704.0001", "https://arxiv.org/abs/0704.0001")
    assert first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert (first.published, first.categories) == (date(2007, 4, 2), ["hep-ph"])
    assert first.abstract.startswith("A fully differential calculation in perturbative")
    assert first.abstract.endswith("can be obtained with judicious selection of events.")
    assert "\n" not in first.abstract
    by_id = {p.arxiv_id: p for p in papers}
    # "704.001" is 0704.0010 with both zeros lost; the ids run 0704.0001 to 0704.0200.
    assert sorted(by_id) == [f"0704.{n:04d}" for n in range(1, 201)]
    assert by_id["0704.0010"].title == "Partial cubes: structures, characterizations, and constructions"
    assert by_id["0704.0002"].categories == ["math.CO", "cs.CG"]
    assert by_id["0704.0031"].authors == ["V. M. Biryukov"]
    assert by_id["0704.0009"].authors[-2:] == ["Neal J. Evans II", "Philip C. Myers"]


def test_author_strings_of_the_kaggle_sample_split_like_authors_parsed() -> None:
    with KAGGLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    counts = [(len(split_authors(r["authors"])), len(parsed_authors(r["authors_parsed"]))) for r in rows]
    assert [a for a, b in counts if a != b] == []
    assert len(rows) == 200


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("V. M. Biryukov (Serpukhov, IHEP)", ["V. M. Biryukov"]),
        ("Robert W. Heath, Jr., Angel Lozano and Nuria Gonzalez-Prelcic",
         ["Robert W. Heath Jr.", "Angel Lozano", "Nuria Gonzalez-Prelcic"]),
        ("A. Mishchenko (1 and 2) and N. Nagaosa (1, 3) ((1) CREST, (2) RRC)",
         ["A. Mishchenko", "N. Nagaosa"]),
        ("Ann Lee, John Smith III, and Bo Roe", ["Ann Lee", "John Smith III", "Bo Roe"]),
        ("Smith, J.; Doe, A. B.; Roe, Bob", ["J. Smith", "A. B. Doe", "Bob Roe"]),
        ("Ann Lee; Bo Roe", ["Ann Lee", "Bo Roe"]),
        ("The X Collaboration, B. Aubert, et al", ["The X Collaboration", "B. Aubert"]),
        ("Andrea Anderson & Sandra Brand", ["Andrea Anderson", "Sandra Brand"]),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("704.0001", "0704.0001"),
        ("704.001", "0704.0010"),
        ("0704.0010v3", "0704.0010"),
        ("1412.999", "1412.9990"),
        ("1501.0001", "1501.00010"),
        ("2405.21060", "2405.21060"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v2", "math.GT/0309136"),
        ("2024.1", None),
        ("612.0001", None),
    ],
)
def test_arxiv_ids_restored(raw: str, expected: str | None) -> None:
    assert arxiv_id(raw) == expected


def test_kaggle_jsonl_uses_authors_parsed_and_old_ids(tmp_path: Path) -> None:
    record = {
        "id": "hep-th/9901001",
        "authors": "R. W. Heath, Jr. and A. Roe (MIT, Cambridge)",
        "title": "Strings\n  in old ids",
        "abstract": "  A wrapped abstract that\nruns over two lines.\n",
        "categories": "hep-th",
        "update_date": "2008-11-26",
    }
    kaggle = dict(record, id="704.0002", authors_parsed=[["Heath", "Robert W.", "Jr."], ["Roe", "Ann", ""]])
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(kaggle) + "\n", encoding="utf-8")
    _, (old, new) = papers_of(path)
    assert (old.arxiv_id, old.url, old.authors) == (
        "hep-th/9901001",
        "https://arxiv.org/abs/hep-th/9901001",
        ["R. W. Heath Jr.", "A. Roe"],
    )
    assert (old.title, old.abstract, old.published) == (
        "Strings in old ids",
        "A wrapped abstract that runs over two lines.",
        date(2008, 11, 26),
    )
    assert (new.arxiv_id, new.authors) == ("0704.0002", ["Robert W. Heath Jr.", "Ann Roe"])


def test_generic_csv_and_tsv(tmp_path: Path) -> None:
    rows = [
        ["Title", "Summary", "Authors", "Published", "Upvotes", "URL"],
        ["Tables, Too: A Study", "We read tables.\nThe second line, with commas.", "Ann Lee and Bo Roe",
         "2025-03-04", "12", "https://huggingface.co/papers/2503.01234"],
    ]
    for name, delimiter in (("p.csv", ","), ("p.tsv", "\t"), ("p.txt", ";")):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter=delimiter).writerows(rows)
        dump, [paper] = papers_of(path)
        assert dump.format == "csv"
        assert (paper.title, paper.abstract, paper.authors) == (
            "Tables, Too: A Study",
            "We read tables. The second line, with commas.",
            ["Ann Lee", "Bo Roe"],
        )
        assert (paper.published, paper.upvotes, paper.arxiv_id) == (date(2025, 3, 4), 12, "2503.01234")


def test_csv_without_title_and_abstract_columns_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("date,open,close,volume\n2025-01-02,1.0,1.1,300\n", encoding="utf-8")
    dump = read_dump(path)
    assert (dump.format, dump.error, list(dump.papers)) == (
        None,
        "not a recognised dump: looks like a CSV without title/abstract columns",
        [],
    )
