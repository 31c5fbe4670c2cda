"""Commands about papers: import, search, show, stats, export, and the index's upkeep."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import export as exporting
from ..library import SORTS, ImportProgress
from ..models import FacetCounts, counted, path_text
from ..upvotes import day, history_text
from .group import indexing, library, main, searched
from .output import (UserError, emit_json, friendly, import_json, json_safe, marked, paper_line,
                     safe)


@main.command("import")
@click.argument("inputs", nargs=-1, required=True,  # unreadable ones: reported, not usage errors
                type=click.Path(path_type=Path, readable=False))
@click.option("--year", type=click.IntRange(1900, 2200),
              help="The year of dates printed without one (default: inferred from the dump).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True,
              help="The summary as one JSON document on stdout (totals, failed files, each file).")
@click.pass_context
@friendly
def import_command(ctx: click.Context, inputs: tuple[Path, ...], year: int | None,
                   quiet: bool, as_json: bool) -> None:
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
        started = time.monotonic()
        # The bar follows the bytes read (of a gzip file: compressed), with the time left.
        with click.progressbar(length=1, label="Importing", file=sys.stderr,
                               show_pos=False, show_percent=True, show_eta=True) as bar:
            def progress(p: ImportProgress) -> None:
                bar.length = max(p.bytes_total, 1)
                rate = p.papers / max(time.monotonic() - started, 1e-3)
                bar.label = (f"{safe(Path(p.path).name)[:30]:30} {counted(p.papers, 'paper'):>14}"
                             f" {rate:>7,.0f}/s")
                bar.update(p.bytes_done - bar.pos)
            report = lib.import_paths(inputs, year=year, progress=progress)
    else:
        report = lib.import_paths(inputs, year=year)
    for f in report.files:
        for warning in f.warnings[:5]:
            click.echo(f"warning: {safe(f.path)}: {safe(warning)}", err=True)
        if len(f.warnings) > 5:
            click.echo(f"warning: {safe(f.path)}:"
                       f" {counted(len(f.warnings) - 5, 'more warning')}", err=True)
    for f in report.failed:
        click.echo(f"failed: {safe(f.path)}: {safe(f.error)}", err=True)
    if as_json:
        emit_json(import_json(report))
    else:
        click.echo(report.summary())
    ctx.exit(1 if report.failed else 0)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("query")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--exact", is_flag=True,
              help="Only papers with every word as typed: no correction, no partial matches.")
@click.option("--facets", "with_facets", is_flag=True,
              help="Also count the papers found by year, organisation, category and tag.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
@friendly
def search(ctx: click.Context, query: str, sort: str, limit: int, exact: bool,
           with_facets: bool, as_json: bool) -> None:
    """Search the library (see README for the query language)."""
    lib = library(ctx)
    result = searched(lib, query, sort=sort, limit=limit, repair=not exact, sources=as_json)
    if result.error:
        raise UserError(f"query {query!r}: {result.error}")
    facets = lib.facets(query, repair=not exact) if with_facets else None
    if facets is not None and facets.error:
        raise UserError(f"query {query!r}: {facets.error}")
    if as_json:
        emit_json({"query": result.query, "total": result.total, "sort": result.sort,
                   "corrected": result.corrected, "partial": bool(result.partial),
                   "partial_words": [result.partial, result.partial_of] if result.partial
                   else None,
                   "results": [exporting.paper_json(h.paper, score=h.score) for h in result.hits],
                   **({"facets": facets.counts} if facets is not None else {})})
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
    if facets is not None:
        facet_lines(facets)


def facet_lines(facets: FacetCounts) -> None:
    """The facets of a search, a line each: `year: 2025 (120) · 2024 (80) ...`."""
    click.echo("")
    for name, values in facets.counts.items():
        shown = " · ".join(f"{safe(str(value))} ({count})" for value, count in values)
        click.echo(f"{name:>9}: {shown or '-'}")


@main.command()
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def show(ctx: click.Context, paper_id: str, as_json: bool) -> None:
    """One paper, with its note, tags and bookmark state."""
    p = library(ctx).paper(paper_id)
    if as_json:
        emit_json(exporting.paper_json(p))
        return
    click.echo(click.style(safe(p.readable_title), bold=True))
    rows = [
        ("id", p.id), ("arXiv", p.arxiv_id), ("url", p.url),
        ("authors", ", ".join(p.authors) or (counted(p.authors_count, "author")
                                             if p.authors_count else None)),
        ("organization", p.organization),
        ("published", p.published and (p.published.isoformat()
                                       + (" (year inferred)" if p.year_inferred else ""))),
        ("upvotes", history_text(p.upvote_history) or p.upvotes),
        ("categories", ", ".join(p.categories)),
        ("bookmarked", "yes" if p.bookmarked else "no"), ("tags", " ".join(p.tags)),
    ]
    for name, value in rows:
        if value not in (None, ""):
            click.echo(f"{name:>12}: {safe(str(value))}")
    for s in p.sources:
        captured = f", captured {day(s.captured)}" if s.captured else ""
        votes = f", ▲{s.upvotes}" if s.upvotes is not None else ""
        click.echo(f"{'seen in':>12}: {safe(s.path)} (#{s.position + 1}, {s.format}{captured}"
                   f"{votes})")
    if p.abstract:
        click.echo("")
        click.echo(safe(p.readable_abstract))
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


@main.command("export")
@click.argument("what", type=click.Choice(["bookmarks", "notes", "search"]))
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(exporting.FORMATS), default="markdown",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="At most this many search results.")
@click.option("--json", "as_json", is_flag=True,
              help="With --output: what was written, as JSON on stdout ({\"wrote\", \"path\"}).")
@click.pass_context
@friendly
def export_command(ctx: click.Context, what: str, query: str | None, fmt: str,
                   output: Path | None, limit: int, as_json: bool) -> None:
    """Export bookmarks, notes or a query's results as Markdown, JSON or BibTeX."""
    if as_json and not output:
        raise click.UsageError("--json tells what --output wrote; without --output the export"
                               " itself is on stdout (--format json for JSON)")
    lib = library(ctx)
    if what == "search":
        if not query:
            raise click.UsageError("export search needs a QUERY")
        result = searched(lib, query, limit=limit, sources=fmt == "json")
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
        if as_json:
            emit_json({"wrote": len(papers), "path": path_text(output)})
        else:
            click.echo(f"wrote {counted(len(papers), 'paper')} to {safe(str(output))}", err=True)
    elif fmt == "json":  # the same JSON value, nothing a terminal would act on
        click.echo(json_safe(text))
    else:  # a note may hold anything its author typed: not control characters on a terminal
        click.echo(safe(text))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
@friendly
def reindex(ctx: click.Context, as_json: bool) -> None:
    """Rebuild the search index from the store (no dump files needed)."""
    lib = library(ctx, mend_index=False)  # (not once at start and once more here)
    count = indexing(lib, lib.rebuild_index)
    if as_json:
        emit_json({"indexed": count})
    else:
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
    report = indexing(lib, lambda progress: lib.repair(progress)) if repair else lib.check()
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
