"""The command line: parse arguments, ask the Library, print (text or --json). One module per
kind of command; importing them registers their commands on `main`."""

from . import discover, papers, tags, upkeep, user_data  # noqa: F401  (the commands)
from .group import main

__all__ = ["main"]
