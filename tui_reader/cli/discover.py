"""Commands that find papers for the user: recommend ("For you")."""

from __future__ import annotations

import click

from .. import export as exporting
from ..models import counted
from .group import library, main
from .output import emit_json, friendly, paper_line, safe


@main.command()
@click.option("--tag", help="Papers like the ones with this tag (default: the bookmarked ones).")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def recommend(ctx: click.Context, tag: str | None, limit: int, as_json: bool) -> None:
    """For you: unread papers like the bookmarked ones (or the tagged ones), each with why."""
    found = library(ctx).recommend(tag, limit=limit)
    if as_json:
        emit_json({"tag": found.tag, "liked": found.liked, "total": found.total,
                   "results": [exporting.paper_json(r.paper, score=r.score, why=r.why(),
                                                    terms=r.terms, like=r.like_id)
                               for r in found.results]})
        return
    if not found.liked:
        click.echo(f"No papers tagged {safe(tag)!r} yet." if tag else
                   "No bookmarks yet: bookmark papers you like (`tui-reader bookmark ID` or"
                   " `b` in the reader), and papers like them are recommended.")
        return
    liked = counted(found.liked, "tagged paper" if tag else "bookmarked paper")
    click.echo(f"For you{f': {safe(tag)}' if tag else ''}: {counted(found.total, 'paper')}"
               f" like your {liked}, showing {len(found.results)}")
    for r in found.results:
        click.echo(paper_line(r.paper))
        click.echo(f"    {safe(r.why())}")
