"""Completing the paths typed in the import dialog from the file system, as a shell does.

The last word of the box (quotes and backslashes read as the dialog reads them: shlex) is
completed to the longest name the files that start with it share, a folder with a `/`; the
names are given too, for the dialog to list when there are several. As you type, the
completion shows greyed after the text (an Input suggester); `tab` or `right` takes it.
"""

from __future__ import annotations

import os
import re

from textual.suggester import Suggester

SHOWN = 12  # names listed at most when several files match
_SPECIAL = re.compile(r"([^\w@%+=:,./~-])")  # what a completed word escapes with a backslash


def _last_word(value: str) -> tuple[int, str]:
    """Where the last word of `value` starts and its text, its quotes and backslashes read
    as shlex reads them (an open quote runs to the end); ("", its end) after a space."""
    start, word, quote, escaped = 0, [], None, False
    for i, char in enumerate(value):
        if escaped:
            word.append(char)
            escaped = False
        elif quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"':
                escaped = True
            else:
                word.append(char)
        elif char == "\\":
            escaped = True
        elif char in "'\"":
            quote = char
        elif char.isspace():
            start, word = i + 1, []
        else:
            word.append(char)
    return start, "".join(word)


def complete(value: str) -> tuple[str, list[str]]:
    """`value` with its last word completed as far as the files that start with it agree,
    and the names of those files (folders with a `/`; none: nothing matches)."""
    start, word = _last_word(value)
    if word.startswith("~") and "/" not in word:  # "~" or "~user": that home folder
        home = os.path.expanduser(word)
        found = home != word and os.path.isdir(home)
        return (value[:start] + _SPECIAL.sub(r"\\\1", word) + "/" if found else value), []
    folder, slash, prefix = word.rpartition("/")
    folder += slash
    try:
        names = sorted(name for name in os.listdir(os.path.expanduser(folder) or ".")
                       if name.startswith(prefix)
                       and (prefix.startswith(".") or not name.startswith(".")))
    except OSError:  # no such folder, or not one that can be read
        return value, []
    shown = [name + "/" if os.path.isdir(os.path.expanduser(folder + name)) else name
             for name in names]
    if len(shown) == 1:
        return value[:start] + _SPECIAL.sub(r"\\\1", folder + shown[0]), shown
    common = os.path.commonprefix(names)
    if common == prefix:  # nothing to add: the word stays as typed
        return value, shown
    return value[:start] + _SPECIAL.sub(r"\\\1", folder + common), shown


class PathSuggester(Suggester):
    """Suggests the completion of the last path typed (the files change: nothing cached)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        completed, _ = complete(value)
        return completed if completed != value and completed.startswith(value) else None
