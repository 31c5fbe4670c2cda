"""The `tui-reader` command group and what its commands share: the Library of the chosen
data dir, the index's progress bar."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from ..library import Library
from ..models import SearchResult, counted
from .output import friendly, safe


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


def library(ctx: click.Context, mend_index: bool = True, defer_checks: bool = False) -> Library:
    """The Library of the chosen data dir, opened once per command; what start-up found and
    did (a repaired store, a rebuilt index) is said on stderr. `defer_checks`: the index is
    opened and checked later, and a big store's daily check done later (Library.open_index,
    check_store: the reader does them after its first paint, and says what they found)."""
    obj = ctx.find_root().obj
    if obj.get("library") is None:
        progress = _StartProgress()
        try:
            lib = Library(obj.get("data_dir"), progress=progress, mend_index=mend_index,
                          defer_checks=defer_checks)
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
        lib = library(ctx, defer_checks=True)  # the first screen needs only the store
        lib.repair_in_background = True  # a damaged index is rebuilt while the reader runs
        lib.import_samples_if_new()
        from ..app import run_app  # the reader is loaded only when it is opened
        run_app(lib)


def searched(lib: Library, query: str, **options) -> SearchResult:
    """`lib.search`; when the index turns out damaged, it is rebuilt (saying so in one line,
    a progress bar on a terminal) and the query asked again: the index is derived from the
    store, as a cache is, and the question deserves its answer."""
    result = lib.search(query, **options)
    if result.error and lib.index_damage:
        click.echo(f"tui-reader: the search index is damaged ({safe(lib.index_damage)});"
                   " rebuilding it from the library", err=True)
        indexing(lib, lib.rebuild_index)
        result = lib.search(query, **options)
    return result


def indexing(lib: Library, work) -> int:
    """`work(progress)` (a rebuild of the index) with a progress bar on a terminal."""
    if not sys.stderr.isatty():
        return work(None)
    with click.progressbar(length=max(lib.stats()["papers"], 1), label="Indexing",
                           file=sys.stderr) as bar:
        return work(lambda done, total: bar.update(done - bar.pos))
