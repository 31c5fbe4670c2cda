"""Commands about the user's data: bookmarks, notes, saved searches."""

from __future__ import annotations

import click

from .. import export as exporting
from ..editor import EditorProblem, edit_note, editor_command
from ..library import SORTS
from ..models import PaperView, counted
from .group import library, main
from .output import UserError, emit_changed, emit_json, friendly, paper_line, safe


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


def _change_each(ctx: click.Context, ids: tuple[str, ...], change, done: str,
                 as_json: bool) -> None:
    """`change(ref)` for each id given: a line each ("`done` ID TITLE"), or with `as_json` the
    papers changed; an id that names no paper is one line on stderr, exit status 1."""
    changed, errors = [], []
    for ref in ids:
        try:
            p = change(ref)
        except LookupError as exc:
            click.echo(f"tui-reader: {safe(str(exc))}", err=True)
            errors.append({"id": ref, "error": str(exc)})
            continue
        changed.append(p)
        if not as_json:
            click.echo(f"{done} {p.id} {safe(p.readable_title)}")
    if as_json:
        emit_changed(changed, errors)
    ctx.exit(1 if errors else 0)


_JSON_CHANGED = click.option("--json", "as_json", is_flag=True,
                             help="The papers changed (as `show --json`) and the ids that were"
                                  " not, as one JSON document on stdout.")


@main.command()
@click.argument("ids", nargs=-1, required=True)
@_JSON_CHANGED
@click.pass_context
@friendly
def bookmark(ctx: click.Context, ids: tuple[str, ...], as_json: bool) -> None:
    """Bookmark papers (by id, id prefix or arXiv id)."""
    lib = library(ctx)
    _change_each(ctx, ids, lambda ref: lib.bookmark(ref, True), "bookmarked", as_json)


@main.command()
@click.argument("ids", nargs=-1, required=True)
@_JSON_CHANGED
@click.pass_context
@friendly
def unbookmark(ctx: click.Context, ids: tuple[str, ...], as_json: bool) -> None:
    """Remove bookmarks."""
    lib = library(ctx)
    _change_each(ctx, ids, lambda ref: lib.bookmark(ref, False), "unbookmarked", as_json)


@main.command()
@click.argument("paper_id")
@click.option("--set", "text", help="The note's text (empty removes the note); without it, the"
              " note opens in $VISUAL or $EDITOR.")
@_JSON_CHANGED
@click.pass_context
@friendly
def note(ctx: click.Context, paper_id: str, text: str | None, as_json: bool) -> None:
    """Set the note of a paper, or edit it in your editor."""
    lib = library(ctx)
    if text is None:
        paper = lib.paper(paper_id)
        try:
            text = edit_note(paper.note, editor_command(), paper_id=paper.id)
        except EditorProblem as exc:
            raise UserError(f"{exc} (or give the note with --set TEXT)") from exc
        if text is None:
            if as_json:
                emit_changed([], [])
            else:
                click.echo(f"the note of {paper.id} {safe(paper.readable_title)} is unchanged")
            return
    _change_each(ctx, (paper_id,), lambda ref: lib.note(ref, text),
                 "noted" if text.strip() else "removed the note of", as_json)


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
@click.option("--json", "as_json", is_flag=True,
              help="The saved search (as `saved --json` lists it) as JSON on stdout.")
@click.pass_context
@friendly
def saved_add(ctx: click.Context, name: str, query: str, sort: str, force: bool,
              as_json: bool) -> None:
    """Save a query under a name (an existing name only with --force)."""
    lib = library(ctx)
    result = lib.search(query, limit=1)
    if result.error:
        raise UserError(f"query {query!r}: {result.error}")
    replaced = any(s.name == name.strip() for s in lib.saved_searches())
    if replaced and not force:
        raise UserError(f"a saved search named {name.strip()!r} exists; --force replaces it")
    search = lib.save_search(name, query, sort)
    if as_json:
        stored = next((s for s in lib.saved_searches() if s.name == search.name), search)
        emit_json({"saved": {**stored.model_dump(mode="json"), "count": result.total},
                   "replaced": replaced})
    else:
        click.echo(f"saved {safe(name)!r}: {counted(result.total, 'paper')}")


@saved.command("rm")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True,
              help="The deleted saved search as JSON on stdout.")
@click.pass_context
@friendly
def saved_rm(ctx: click.Context, name: str, as_json: bool) -> None:
    """Delete a saved search."""
    lib = library(ctx)
    gone = next((s for s in lib.saved_searches() if s.name == name.strip()), None)
    if gone is None or not lib.delete_search(name):
        raise UserError(f"no saved search named {name!r}")
    if as_json:
        emit_json({"deleted": gone.model_dump(mode="json")})
    else:
        click.echo(f"deleted {safe(name)!r}")
