"""The command line: parse arguments, ask the Library, print (text or --json)."""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import sys
from pathlib import Path

import click

from . import export as exporting
from .library import SORTS, ImportProgress, Library
from .models import CONTROL_CHARACTERS, Highlight, PaperView, SearchResult, counted

# What json.dumps(ensure_ascii=False) leaves raw but a terminal may act on: DEL, C1 controls
# (U+009B is a CSI), bidi overrides, line separators. Escaped as \uXXXX: the same JSON value.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None) -> str:
    """Text for the terminal: no control characters or bidi overrides, whatever a dump held."""
    return CONTROL_CHARACTERS.sub("", text or "")


def emit_json(data) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))


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
    return f"{p.id}  {date}  {votes:>5} {mark} {title or safe(p.title)}"


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


class _StartProgress:
    """Progress of the index work start-up may do (a rebuild): a bar on a terminal, else a
    line on stderr."""

    def __init__(self) -> None:
        self.bar = None
        self.told = False

    def __call__(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=max(total, 1), file=sys.stderr,
                                             label="Updating the search index")
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
        elif not self.told:
            click.echo("tui-reader: updating the search index from the library"
                       f" ({counted(total, 'paper')})", err=True)
            self.told = True

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def library(ctx: click.Context, mend_index: bool = True) -> Library:
    """The Library of the chosen data dir, opened once per command; what start-up found and
    did (a repaired store, a rebuilt index) is said on stderr."""
    obj = ctx.find_root().obj
    if obj.get("library") is None:
        progress = _StartProgress()
        try:
            lib = Library(obj.get("data_dir"), progress=progress, mend_index=mend_index)
        finally:
            progress.finish()
        for notice in lib.notices:
            if notice != lib.read_only:  # said by a command that changes data, as it fails
                click.echo(f"tui-reader: {safe(notice)}", err=True)
        obj["library"] = lib
        ctx.call_on_close(functools.partial(_close, lib))
    return obj["library"]


def _close(lib: Library) -> None:
    lib.close()
    if lib.store.backup_error:
        click.echo(f"tui-reader: warning: {safe(lib.store.backup_error)}", err=True)


@click.group(invoke_without_command=True)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the library lives (default: $TUI_READER_DATA_DIR or the user data dir).")
@click.version_option(package_name="tui-reader")
@click.pass_context
@friendly
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """tui-reader: an offline reader for research-paper listings.

    Without a command, opens the reader (importing the bundled sample dumps the first time).
    """
    ctx.obj = {"data_dir": data_dir}
    if ctx.invoked_subcommand is None:
        lib = library(ctx)
        lib.repair_in_background = True  # a damaged index is rebuilt while the reader runs
        lib.import_samples_if_new()
        from .app import run_app  # the reader is loaded only when it is opened
        run_app(lib)


@main.command("import")
@click.argument("inputs", nargs=-1, required=True,  # unreadable ones: reported, not usage errors
                type=click.Path(path_type=Path, readable=False))
@click.option("--year", type=click.IntRange(1900, 2200),
              help="The year of dates printed without one (default: inferred from the dump).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
@friendly
def import_command(ctx: click.Context, inputs: tuple[Path, ...], year: int | None,
                   quiet: bool) -> None:
    """Import dump files or folders (recursively); `-` imports a page pasted on standard
    input (kept in the library as a dump named "pasted DATE TIME")."""
    lib = library(ctx)
    if Path("-") in inputs:
        data = sys.stdin.buffer.read()
        if not data.strip():
            click.echo("failed: -: nothing on standard input", err=True)
            ctx.exit(1)
        pasted = lib.save_paste(data)
        inputs = tuple(pasted if p == Path("-") else p for p in inputs)
    show_bar = not quiet and sys.stderr.isatty()
    if show_bar:
        with click.progressbar(length=1, label="Importing", file=sys.stderr,
                               show_pos=False, show_percent=True) as bar:
            def progress(p: ImportProgress) -> None:
                bar.length = max(p.bytes_total, 1)
                bar.label = f"{safe(Path(p.path).name)[:30]:30} {counted(p.papers, 'paper'):>14}"
                bar.update(p.bytes_done - bar.pos)
            report = lib.import_paths(inputs, year=year, progress=progress)
    else:
        report = lib.import_paths(inputs, year=year)
    for f in report.files:
        for warning in f.warnings[:5]:
            click.echo(f"warning: {safe(f.path)}: {safe(warning)}", err=True)
        if len(f.warnings) > 5:
            click.echo(f"warning: {safe(f.path)}: {len(f.warnings) - 5} more warnings", err=True)
    for f in report.failed:
        click.echo(f"failed: {safe(f.path)}: {safe(f.error)}", err=True)
    click.echo(report.summary())
    ctx.exit(1 if report.failed else 0)


def _search(lib: Library, query: str, **options) -> SearchResult:
    """`lib.search`; when the index turns out damaged, it is rebuilt (saying so in one line,
    a progress bar on a terminal) and the query asked again: the index is derived from the
    store, as a cache is, and the question deserves its answer."""
    result = lib.search(query, **options)
    if result.error and lib.index_damage:
        click.echo(f"tui-reader: the search index is damaged ({safe(lib.index_damage)});"
                   " rebuilding it from the library", err=True)
        _indexing(lib, lib.rebuild_index)
        result = lib.search(query, **options)
    return result


def _indexing(lib: Library, work) -> int:
    """`work(progress)` (a rebuild of the index) with a progress bar on a terminal."""
    if not sys.stderr.isatty():
        return work(None)
    with click.progressbar(length=max(lib.stats()["papers"], 1), label="Indexing",
                           file=sys.stderr) as bar:
        return work(lambda done, total: bar.update(done - bar.pos))


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--exact", is_flag=True,
              help="Only papers with every word as typed: no correction, no partial matches.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
@friendly
def search(ctx: click.Context, query: str, sort: str, limit: int, exact: bool,
           as_json: bool) -> None:
    """Search the library (see README for the query language)."""
    result = _search(library(ctx), query, sort=sort, limit=limit, repair=not exact)
    if result.error:
        raise UserError(f"query {query!r}: {result.error}")
    if as_json:
        emit_json({"query": result.query, "total": result.total, "sort": result.sort,
                   "corrected": result.corrected, "partial": bool(result.partial),
                   "partial_words": [result.partial, result.partial_of] if result.partial
                   else None,
                   "results": [exporting.paper_json(h.paper, score=h.score) for h in result.hits]})
        return
    if not result.total:
        click.echo(f"No papers match {safe(query)!r}")
        return
    if result.corrected:
        click.echo(f"No papers match {safe(query)!r}; showing results for"
                   f" {safe(result.corrected)!r} (--exact: search only for what you typed)")
    elif result.partial:
        click.echo(f"No paper has all the words of {safe(query)!r}; showing papers with"
                   f" {result.partial} of the {result.partial_of}")
    matches = f"{counted(result.total, 'paper')} match{'es' if result.total == 1 else ''}"
    shown = safe(result.corrected or query)
    click.echo(f"{matches} {shown!r} (sorted by {sort}), showing {len(result.hits)}")
    for hit in result.hits:
        click.echo(paper_line(hit.paper, marked(hit.title)))
        if hit.fragment.text:
            click.echo("    " + marked(hit.fragment))


@main.command()
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def show(ctx: click.Context, paper_id: str, as_json: bool) -> None:
    """One paper, with its note and bookmark state."""
    p = library(ctx).paper(paper_id)
    if as_json:
        emit_json(exporting.paper_json(p))
        return
    click.echo(click.style(safe(p.title), bold=True))
    rows = [
        ("id", p.id), ("arXiv", p.arxiv_id), ("url", p.url),
        ("authors", ", ".join(p.authors) or (f"{p.authors_count} authors"
                                             if p.authors_count else None)),
        ("organization", p.organization),
        ("published", p.published and (p.published.isoformat()
                                       + (" (year inferred)" if p.year_inferred else ""))),
        ("upvotes", p.upvotes), ("categories", ", ".join(p.categories)),
        ("bookmarked", "yes" if p.bookmarked else "no"),
    ]
    for name, value in rows:
        if value not in (None, ""):
            click.echo(f"{name:>12}: {safe(str(value))}")
    for s in p.sources:
        click.echo(f"{'seen in':>12}: {safe(s.path)} (#{s.position + 1}, {s.format})")
    if p.abstract:
        click.echo("")
        click.echo(safe(p.abstract))
    if p.note:
        click.echo("")
        click.echo("Note:")
        click.echo(safe(p.note))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: papers, sources (files), bookmarks, notes, saved searches; whether the index's
    fast paths are on."""
    lib = library(ctx)
    counts, off = lib.stats(), lib.fast_paths_off()
    if as_json:
        emit_json({**counts, "fast_paths": off is None})
        return
    for name, value in counts.items():
        click.echo(f"{name.replace('_', ' '):>15}: {value}")
    if off is not None:
        click.echo(f"fast search off: Whoosh is not the release tui-reader was built on ({off});"
                   " plain Whoosh searches, slower, with the same results")


def _listing(papers: list[PaperView], as_json: bool, key: str, empty: str) -> None:
    if as_json:
        emit_json({key: [exporting.paper_json(p) for p in papers]})
    elif not papers:
        click.echo(empty)
    for p in [] if as_json else papers:
        click.echo(paper_line(p))
        if key == "notes" and p.note:
            for line in p.note.splitlines():
                click.echo("    " + safe(line))


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def bookmarks(ctx: click.Context, as_json: bool) -> None:
    """The bookmarked papers."""
    _listing(library(ctx).bookmarks(), as_json, "bookmarks",
             "No bookmarks yet: `tui-reader bookmark ID` or `b` in the reader.")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def notes(ctx: click.Context, as_json: bool) -> None:
    """The papers with notes, and the notes."""
    _listing(library(ctx).notes(), as_json, "notes",
             "No notes yet: `tui-reader note ID --set TEXT` or `n` in the reader.")


def _for_each(ctx: click.Context, ids: tuple[str, ...], on: bool) -> None:
    lib = library(ctx)
    failed = False
    for ref in ids:
        try:
            p = lib.bookmark(ref, on)
            click.echo(f"{'bookmarked' if on else 'unbookmarked'} {p.id} {safe(p.title)}")
        except LookupError as exc:
            click.echo(f"tui-reader: {safe(str(exc))}", err=True)
            failed = True
    ctx.exit(1 if failed else 0)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
@friendly
def bookmark(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Bookmark papers (by id, id prefix or arXiv id)."""
    _for_each(ctx, ids, True)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@click.pass_context
@friendly
def unbookmark(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Remove bookmarks."""
    _for_each(ctx, ids, False)


@main.command()
@click.argument("paper_id")
@click.option("--set", "text", required=True, help="The note's text (empty removes the note).")
@click.pass_context
@friendly
def note(ctx: click.Context, paper_id: str, text: str) -> None:
    """Set the note of a paper."""
    p = library(ctx).note(paper_id, text)
    click.echo(f"{'noted' if text.strip() else 'removed the note of'} {p.id} {safe(p.title)}")


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def saved(ctx: click.Context, as_json: bool) -> None:
    """Saved searches: list them, `saved add NAME QUERY`, `saved rm NAME`."""
    if ctx.invoked_subcommand is not None:
        return
    lib = library(ctx)
    searches = lib.saved_searches()
    if as_json:
        emit_json({"saved": [{**s.model_dump(mode="json"), "count": lib.count(s.query)}
                             for s in searches]})
    elif not searches:
        click.echo("No saved searches yet: `tui-reader saved add NAME QUERY` or `s` in the reader.")
    for s in [] if as_json else searches:
        click.echo(f"{safe(s.name):20} {lib.count(s.query):>7}  {safe(s.query)}  ({s.sort})")


@saved.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--force", is_flag=True, help="Replace a saved search of that name.")
@click.pass_context
@friendly
def saved_add(ctx: click.Context, name: str, query: str, sort: str, force: bool) -> None:
    """Save a query under a name (an existing name only with --force)."""
    lib = library(ctx)
    result = lib.search(query, limit=1)
    if result.error:
        raise UserError(f"query {query!r}: {result.error}")
    if not force and any(s.name == name.strip() for s in lib.saved_searches()):
        raise UserError(f"a saved search named {name.strip()!r} exists; --force replaces it")
    lib.save_search(name, query, sort)
    click.echo(f"saved {safe(name)!r}: {counted(result.total, 'paper')}")


@saved.command("rm")
@click.argument("name")
@click.pass_context
@friendly
def saved_rm(ctx: click.Context, name: str) -> None:
    """Delete a saved search."""
    if not library(ctx).delete_search(name):
        raise UserError(f"no saved search named {name!r}")
    click.echo(f"deleted {safe(name)!r}")


@main.command("export")
@click.argument("what", type=click.Choice(["bookmarks", "notes", "search"]))
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(exporting.FORMATS), default="markdown",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="At most this many search results.")
@click.pass_context
@friendly
def export_command(ctx: click.Context, what: str, query: str | None, fmt: str,
                   output: Path | None, limit: int) -> None:
    """Export bookmarks, notes or a query's results as Markdown, JSON or BibTeX."""
    lib = library(ctx)
    if what == "search":
        if not query:
            raise click.UsageError("export search needs a QUERY")
        result = _search(lib, query, limit=limit)
        if result.error:
            raise UserError(f"query {query!r}: {result.error}")
        papers, heading = [h.paper for h in result.hits], f"Search: {query}"
    else:
        papers = lib.bookmarks() if what == "bookmarks" else lib.notes()
        heading = what.capitalize()
    if fmt == "json":
        text = exporting.to_json(papers, export=what, query=query)
    elif fmt == "bibtex":
        text = exporting.to_bibtex(papers)
    else:
        text = exporting.to_markdown(papers, heading)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {counted(len(papers), 'paper')} to {safe(str(output))}", err=True)
    elif fmt == "json":  # the same JSON value, nothing a terminal would act on
        click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text))
    else:  # a note may hold anything its author typed: not control characters on a terminal
        click.echo(safe(text))


@main.command()
@click.pass_context
@friendly
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the store (no dump files needed)."""
    lib = library(ctx)
    count = _indexing(lib, lambda progress: lib.reindex(progress=progress))
    click.echo(f"indexed {counted(count, 'paper')}")


@main.command()
@click.option("--repair", is_flag=True,
              help="Mend what is found: rebuild the index from the store, repair a damaged"
                   " store file (as at start).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
@friendly
def check(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check that the store and the search index agree and every file of theirs reads whole:
    one line per problem and exit status 1, else one line and 0."""
    lib = library(ctx, mend_index=False)
    at_start = list(lib.notices)  # what opening the store found and repaired (said above)
    report = _indexing(lib, lambda progress: lib.repair(progress)) if repair else lib.check()
    failed = bool(report.problems) or (bool(at_start) and not repair)
    if as_json:
        emit_json({"ok": not failed, "papers": report.papers, "indexed": report.indexed,
                   "index_bytes": report.index_bytes, "problems": report.problems,
                   "repaired": at_start + report.repaired})
    else:
        for line in report.repaired:
            click.echo(f"repaired: {safe(line)}")
        for line in report.problems:
            click.echo(f"problem: {safe(line)}")
        if not report.problems:
            click.echo(f"OK: {counted(report.papers, 'paper')} in the library and {report.indexed:,} in"
                       f" the search index ({report.index_bytes / 1e6:,.1f} MB); their files"
                       " read whole")
    ctx.exit(1 if failed else 0)
