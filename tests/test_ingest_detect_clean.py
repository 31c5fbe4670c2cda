"""Format detection, decoding, hostile files, text repair and dates."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.ingest import read_dump
from tui_reader.ingest.clean import clean_abstract, clean_text, repair_mojibake, unwrap
from tui_reader.ingest.dates import (
    PageDate,
    parse_email_date,
    parse_iso_date,
    parse_page_date,
    year_rule,
)
from tui_reader.ingest.detect import detect_format
from tui_reader.ingest.ids import arxiv_id, arxiv_id_in_url

ABSTRACT = "We study a problem that matters. " * 12
TEXT_DUMP = f"A Paper Title\n\n{ABSTRACT}\n"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        ('{"id": "2401.00001", "title": "x"}\n{"id": "2401.00002", "title": "y"}\n', "arxiv-jsonl"),
        ('{"a": 1}\n{"b": 2}\n', "arxiv-jsonl"),
        ('[{"paper": {"id": "2401.00001"}}]', "hf-json"),
        ('{\n  "papers": [\n', "hf-json"),
        ('{"papers": [{"title": "x"}]}', "hf-json"),
        ("<!DOCTYPE html><html><body>", "html"),
        ("<div><p><a href='x'>a</a></p><span></span></div>", "html"),
        ("---\nretrieved: 2026-10-02\n---\nnew\n", "markdown"),
        ("intro\n\n### [Title](https://huggingface.co/papers/2401.00001)\n", "markdown"),
        (TEXT_DUMP, "text"),
        ("  \n\t\n", None),
    ],
)
def test_detect_format(head: str, fmt: str | None) -> None:
    assert detect_format(head) == fmt


def test_format_is_detected_by_content_not_extension(tmp_path: Path) -> None:
    line = json.dumps({"id": "2401.00001", "title": "T", "abstract": "A"})
    assert read_dump(write(tmp_path, "papers.txt", (line + "\n").encode())).format == "arxiv-jsonl"
    assert read_dump(write(tmp_path, "papers.json", TEXT_DUMP.encode())).format == "text"
    assert (
        read_dump(write(tmp_path, "papers.bin", gzip.compress(TEXT_DUMP.encode()))).format == "text"
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "not a recognised dump: empty file"),
        (b" \n\n\t", "not a recognised dump: empty file"),
        (bytes(range(256)) * 4, "not a recognised dump: binary file"),
        (b"[" * 100_000, "not a recognised dump: nested too deeply"),
        (b"just some words\n", "not a recognised dump: no papers found"),
    ],
)
def test_unreadable_files_give_one_clear_error(tmp_path: Path, data: bytes, error: str) -> None:
    dump = read_dump(write(tmp_path, "f", data))
    assert (dump.format, dump.error, list(dump.papers)) == (None, error, [])


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert (
        read_dump(tmp_path / "nope.txt").error == "cannot read: [Errno 2] No such file or directory"
    )
    assert read_dump(tmp_path).error == "cannot read: [Errno 21] Is a directory"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_unicode_encodings_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    dump = read_dump(write(tmp_path, "dump.txt", f"Über {TEXT_DUMP}".encode(encoding)))
    [paper] = list(dump.papers)
    assert (dump.error, paper.title, paper.abstract) == (
        None,
        "Über A Paper Title",
        ABSTRACT.strip(),
    )


def test_latin1_file_is_decoded_with_a_warning(tmp_path: Path) -> None:
    dump = read_dump(write(tmp_path, "dump.txt", f"Café {TEXT_DUMP}".encode("latin-1")))
    [paper] = list(dump.papers)
    assert paper.title == "Café A Paper Title"
    assert dump.warnings == ["not UTF-8: read as cp1252"]


def test_hostile_title_escapes_removed_markup_kept(tmp_path: Path) -> None:
    title = "\x1b[2J\x1b]52;c;aGk=\x07[bold]x[/bold] Title\u202e\x9b"
    abstract = ABSTRACT.replace("problem", "pro\x1b[31mblem")
    data = f"{title}\n\n{abstract}\n".encode()
    [paper] = list(read_dump(write(tmp_path, "dump.txt", data)).papers)
    assert paper.title == "[bold]x[/bold] Title"
    assert paper.abstract == ABSTRACT.strip()


def test_clean_text_escape_sequences_and_controls() -> None:
    assert clean_text("a\x1b[1;31mred\x1b[0m b") == "ared b"
    assert clean_text("x\x1b]52;c;aGk=\x07y") == "xy"  # OSC ended by BEL
    assert (
        clean_text("x\x1b]8;;http://e.org\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"
    )  # OSC ended by ST
    assert clean_text("a\x00b\x07c\x7fd\x85e\u2066f\u202eg") == "abcd efg"  # NEL is a line break
    assert clean_text("  many\t spaces\n here ") == "many spaces here"
    assert clean_text("e\u0301t\u00e9") == "\u00e9t\u00e9"  # NFC
    assert clean_text("[bold]x[/bold] [/]") == "[bold]x[/bold] [/]"
    assert (
        clean_text("para one\r\n\r\n\r\n  para\x0b two  \n", multiline=True)
        == "para one\n\n  para two"
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_never_leaves_controls(s: str) -> None:
    single = clean_text(s)
    assert not UNSAFE.search(single) and "\n" not in single and "\x1b" not in single
    assert single == single.strip()
    multi = clean_abstract(s)
    assert not UNSAFE.search(multi)


def test_unwrap_keeps_paragraphs() -> None:
    assert unwrap("one\ntwo\n  three\nfour\n\n\nfive") == "one two\n\nthree four\n\nfive"
    assert unwrap("  indented start\nline") == "indented start line"
    assert clean_abstract("Title-like\n  Through wrap") == "Title-like\n\nThrough wrap"
    assert clean_text("Title-like\n  Through wrap") == "Title-like Through wrap"


def test_repair_mojibake_gbk_kind() -> None:
    assert repair_mojibake("T脺LU 3: Pushing Frontiers") == "TÜLU 3: Pushing Frontiers"
    assert repair_mojibake("na茂ve Bayes") == "naïve Bayes"
    assert clean_text("T脺LU 3") == "TÜLU 3"
    assert repair_mojibake("中文标题 GPT-4o在") == "中文标题 GPT-4o在"  # real Chinese stays


def test_repair_mojibake_cp1252_kind() -> None:
    assert repair_mojibake("cafÃ© â€” donâ€™t") == "café — don’t"
    assert repair_mojibake("TÃ¼LU") == "TüLU"
    for fine in (
        "4D Primitive-Mâché",
        "Intelegi Româneşte",
        "Goiânia-GO",
        "“curly” quotes",
        "ﬁ ligature",
    ):
        assert repair_mojibake(fine) == fine


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("May 24, 2025", (PageDate(5, 24, 2025), None)),
        ("Jan 22", (PageDate(1, 22), None)),
        ("Jan 23, 2025 2", (PageDate(1, 23, 2025), 2)),
        ("Jan 15 2", (PageDate(1, 15), 2)),
        ("Sep 28", (PageDate(9, 28), None)),
        ("Published on Sep 28", (PageDate(9, 28), None)),
        ("September 3, 2024", (PageDate(9, 3, 2024), None)),
        ("Mar 40", None),
        ("May the force", None),
    ],
)
def test_parse_page_date(line: str, parsed) -> None:
    assert parse_page_date(line) == parsed


def test_other_date_forms() -> None:
    assert parse_iso_date("2024-05-31T17:50:01.000Z") == date(2024, 5, 31)
    assert parse_iso_date("2024-02-30") is None
    assert parse_iso_date(None) is None
    assert parse_email_date("Mon, 2 Apr 2007 19:18:42 GMT") == date(2007, 4, 2)


def test_year_rule() -> None:
    dates = [PageDate(5, 24, 2025), PageDate(1, 5)]
    rule = year_rule(dates, override=None, mtime_year=2020, header=PageDate(3, 6))
    assert (rule.year, rule.source) == (2026, "explicit")
    assert rule.resolve(PageDate(1, 5)) == (date(2026, 1, 5), True)
    assert rule.resolve(PageDate(12, 17)) == (date(2025, 12, 17), True)  # after the capture "Mar 6"
    assert rule.resolve(PageDate(5, 24, 2025)) == (date(2025, 5, 24), False)
    assert rule.warning() is None
    assert year_rule(dates, override=2030, mtime_year=2020).year == 2030
    stated = year_rule(dates, override=None, mtime_year=2020, stated=date(2027, 10, 2))
    assert (stated.year, stated.capture) == (2027, (10, 2))
    guess = year_rule([PageDate(1, 5)], override=None, mtime_year=2021)
    assert (guess.year, guess.source) == (2021, "mtime")
    assert guess.warning() == (
        "no year in the dump: dates without a year are taken as 2021, the file's modification year; "
        "use --year to set it"
    )


def test_arxiv_ids() -> None:
    assert arxiv_id("2405.21060v2") == "2405.21060"
    assert arxiv_id("arXiv:2405.21060") == "2405.21060"
    assert arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert arxiv_id("not an id") is None
    assert arxiv_id_in_url("https://huggingface.co/papers/2606.00683#community") == "2606.00683"
    assert (
        arxiv_id_in_url("https://huggingface.co/login?next=%2Fpapers%2F2606.00683") == "2606.00683"
    )
    assert arxiv_id_in_url("https://arxiv.org/abs/2509.24002v3") == "2509.24002"
    assert arxiv_id_in_url("https://huggingface.co/papers/trending") is None


LINES = st.sampled_from(
    [
        "",
        "new",
        "Subscribe",
        "Mar 6",
        "  • 5 authors",
        "1 author",
        "·",
        "-",
        "Jan 23, 2025 2",
        "Dec 17",
        "facebook AI at Meta",
        "A Short Title",
        "Ends with a period.",
        ABSTRACT,
        "### [T](https://huggingface.co/papers/2401.00001)",
        "[12](https://huggingface.co/login?next=%2Fpapers%2F2401.00001)",
        "{",
        '{"title": "x"}',
        "<div>",
        "[",
        "](",
        "\x1b[2J",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, max_size=40), st.sampled_from(["\n", "\r\n"]))
def test_read_dump_never_raises_on_shuffled_dump_lines(
    tmp_path_factory, lines: list[str], newline: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "dump"
    path.write_text(newline.join(lines), encoding="utf-8")
    dump = read_dump(path)
    papers = list(dump.papers)
    assert (dump.error is None) == bool(papers) or dump.format == "arxiv-jsonl"
    assert all(p.title and not UNSAFE.search(p.title + p.abstract) for p in papers)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_read_dump_never_raises_on_random_bytes(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "dump"
    path.write_bytes(data)
    dump = read_dump(path)
    list(dump.papers)
    assert dump.error is None or dump.error.startswith(("not a recognised dump: ", "cannot read: "))
    assert "unexpected" not in (dump.error or "")
