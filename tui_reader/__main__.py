"""`python -m tui_reader`: the same as the `tui-reader` command."""

from .cli import main

main(prog_name="tui-reader")
