"""Commands about the user's data: bookmarks, notes, saved searches."""

from __future__ import annotations

import click

from .. import export as exporting
from ..editor import EditorProblem, edit_note, editor_command
from ..library import SORTS
from ..models import PaperView, counted
from .group import library, main
from .output import UserError, emit_json, friendly, paper_line, safe


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
@click.option("--set", "text", help="The note's text (empty removes the note); without it, the"
              " note opens in $VISUAL or $EDITOR.")
@click.pass_context
@friendly
def note(ctx: click.Context, paper_id: str, text: str | None) -> None:
    """Set the note of a paper, or edit it in your editor."""
    lib = library(ctx)
    if text is None:
        paper = lib.paper(paper_id)
        try:
            text = edit_note(paper.note, editor_command(), paper_id=paper.id)
        except EditorProblem as exc:
            raise UserError(f"{exc} (or give the note with --set TEXT)") from exc
        if text is None:
            click.echo(f"the note of {paper.id} {safe(paper.title)} is unchanged")
            return
    p = lib.note(paper_id, text)
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
