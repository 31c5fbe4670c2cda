"""Commands about tags: `tag ID... +x -y` changes them, `tags` lists them with their counts."""

from __future__ import annotations

import click

from .. import export as exporting
from ..models import counted
from .group import library, main
from .output import UserError, emit_json, friendly, paper_line, safe


def split_tag_arguments(words: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
    """(paper refs, tags to add, tags to remove) of `tag`'s arguments: `+name` adds, `-name`
    removes, anything else names a paper."""
    refs, add, remove = [], [], []
    for word in words:
        if word.startswith("+"):
            add.append(word[1:])
        elif word.startswith("-") and word != "-":
            remove.append(word[1:])
        else:
            refs.append(word)
    return refs, add, remove


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="The papers changed, as JSON.")
@click.pass_context
@friendly
def tag(ctx: click.Context, words: tuple[str, ...], as_json: bool) -> None:
    """Tag papers: `tag ID... +name -name` adds and removes tags (several at once); prints
    the papers whose tags changed."""
    refs, add, remove = split_tag_arguments(words)
    if not refs:
        raise click.UsageError("name at least one paper: tag ID... +name -name")
    if not add and not remove:
        raise click.UsageError("say what to change: +name adds a tag, -name removes one")
    try:
        changed = library(ctx).tag(refs, add, remove)
    except (LookupError, ValueError) as exc:
        raise UserError(f"{exc}; nothing was changed") from exc
    if as_json:
        emit_json({"changed": [exporting.paper_json(p) for p in changed]})
        return
    if not changed:
        click.echo("No paper changed: they had these tags already (or not).")
    for p in changed:
        click.echo(f"{paper_line(p)}  {safe(' '.join('#' + t for t in p.tags))}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@friendly
def tags(ctx: click.Context, as_json: bool) -> None:
    """Every tag and how many papers have it, the most used first."""
    found = library(ctx).tags()
    if as_json:
        emit_json({"tags": [{"name": name, "count": count} for name, count in found]})
        return
    if not found:
        click.echo("No tags yet: `tui-reader tag ID +name` or `t` in the reader.")
    for name, count in found:
        click.echo(f"{safe(name):30} {counted(count, 'paper'):>14}")
