"""What the commands share: text and JSON for the terminal, one-line errors."""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import sys

import click

from ..export import paper_json
from ..models import CONTROL_CHARACTERS, Highlight, ImportReport, PaperView


# What json.dumps(ensure_ascii=False) leaves raw but a terminal may act on: DEL, C1 controls
# (U+009B is a CSI), bidi overrides, line separators. Escaped as \uXXXX: the same JSON value.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None) -> str:
    """Text for the terminal: no control characters or bidi overrides, whatever a dump held."""
    return CONTROL_CHARACTERS.sub("", text or "")


def emit_json(data) -> None:
    """`data` as one JSON document on stdout, nothing in it a terminal would act on."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(json_safe(text))


def emit_changed(papers: list[PaperView], errors: list[dict[str, str]]) -> None:
    """What a changing command did, for `--json`: the papers it changed, each as `show
    --json` gives it (after the change), and the ids it could not change: {"id", "error"}."""
    emit_json({"papers": [paper_json(p) for p in papers], "errors": errors})


def import_json(report: ImportReport) -> dict:
    """`import --json`: the totals of the summary line, the failed files, and each file."""
    return {
        "papers": report.papers if report.distinct is None else report.distinct,
        "files": len(report.files), "new": report.new, "updated": report.updated,
        "skipped": report.skipped,
        "failed": [{"path": f.path, "error": f.error} for f in report.failed],
        "warnings": sum(len(f.warnings) for f in report.files),
        "by_file": [f.model_dump(mode="json") for f in report.files],
    }


def marked(hl: Highlight) -> str:
    """A highlight with its spans in bold (click drops the styling when not on a terminal)."""
    out, last = [], 0
    for start, end in hl.spans:
        if start < last:
            continue
        out += [safe(hl.text[last:start]), click.style(safe(hl.text[start:end]), bold=True,
                                                       fg="yellow")]
        last = end
    out.append(safe(hl.text[last:]))
    return "".join(out)


def paper_line(p: PaperView, title: str | None = None) -> str:
    date = p.published.isoformat() if p.published else "          "
    votes = f"▲{p.upvotes}" if p.upvotes is not None else ""
    mark = "★" if p.bookmarked else " "
    return f"{p.id}  {date}  {votes:>5} {mark} {title or safe(p.readable_title)}"


class UserError(click.ClickException):
    """A one-sentence error for stderr, exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"tui-reader: {safe(self.message)}", err=True)


def friendly(func):
    """Turn every failure into one line on stderr (set TUI_READER_DEBUG=1 for tracebacks)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()
            return result
        except BrokenPipeError:  # `tui-reader search x | head -1`: end quietly, as Unix tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("TUI_READER_DEBUG"):
                raise
            raise UserError(sentence(exc)) from exc

    return wrapper


def sentence(exc: BaseException) -> str:
    """One line for the user about a failure."""
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full{where}: the last change was not saved completely"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"cannot write{where}: {exc.strerror} (is the data dir read-only?)"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def json_safe(text: str) -> str:
    """JSON text with what a terminal would act on escaped (the same JSON value)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
