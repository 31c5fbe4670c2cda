"""Commands that keep the index in shape."""

from __future__ import annotations

import sys

import click

from .group import library, main
from .output import emit_json, friendly


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.pass_context
@friendly
def optimize(ctx: click.Context, as_json: bool) -> None:
    """Merge the search index's segments into one (searches go on meanwhile; imports add
    segments and merge the small ones as they go)."""
    lib = library(ctx)
    if sys.stderr.isatty():
        with click.progressbar(length=1, label="Merging the index", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)
            before, after = lib.optimize(progress)
    else:
        before, after = lib.optimize()
    if as_json:
        emit_json({"segments_before": before, "segments_after": after})
    elif before == after:
        click.echo(f"the index has {before} segment{'s' if before != 1 else ''}:"
                   " nothing to merge")
    else:
        click.echo(f"merged the index's {before} segments into {after}")
