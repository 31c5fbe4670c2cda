"""Author lists as dumps give them: one string ("A, B and C"), a list of names or `{"name"}`
objects, or the Kaggle arXiv snapshot's `authors_parsed` (`[["Last", "First", "Jr.", ...]]`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

from .clean import clean_text

# Name suffixes that a comma separates from the name they belong to ("Robert W. Heath, Jr.").
_SUFFIX = re.compile(r"(?:Jr|Sr|Jnr|Snr)\.?|I{2,3}|IV|VI{0,3}|2nd|3rd|\d+th", re.IGNORECASE)
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+|\s*&\s*", re.I)
_LIST_SEPARATOR = re.compile(r"\s*;\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+", re.I)
_NOT_A_NAME = re.compile(r"et\.? al\.?|others|and others", re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def split_authors(s: str) -> list[str]:
    """The names in an author string: separated by commas, " and " or semicolons ("Last, First"
    names then), never inside parentheses (affiliations such as "(Serpukhov, IHEP)" are
    dropped), suffixes ("Jr.", "III") kept with the name before them, "et al." left out."""
    s = clean_text(s)
    while _BRACKETED.search(s):  # innermost first: "((1) CREST, (2) RRC)"
        s = _BRACKETED.sub(" ", s)
    semicolons = ";" in s
    names: list[str] = []
    for part in (_LIST_SEPARATOR if semicolons else _NAME_SEPARATOR).split(s):
        name = " ".join(part.split()).strip(" ,")
        if semicolons and name.count(",") == 1:  # "Smith, J." -> "J. Smith"
            last, first = (p.strip() for p in name.split(","))
            name = f"{first} {last}" if not _SUFFIX.fullmatch(first) else f"{last} {first}"
        if not name or _NOT_A_NAME.fullmatch(name):
            continue
        if names and _SUFFIX.fullmatch(name):
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return names


def parsed_authors(value: Any) -> list[str]:
    """The names of a Kaggle `authors_parsed` value (a list, or its repr string): "First Last
    Suffix" from `[last, first, suffix, affiliation...]`; [] when it is not one."""
    if isinstance(value, str):
        value = literal(value)
    if not isinstance(value, list):
        return []
    names = []
    for entry in value:
        if not isinstance(entry, (list, tuple)) or not entry:
            continue
        last, first, suffix = (list(entry[:3]) + ["", ""])[:3]
        parts = (first, last, suffix)
        name = clean_text(" ".join(p for p in parts if isinstance(p, str) and p.strip()))
        if name:
            names.append(name)
    return names


def literal(s: str) -> Any:
    """The Python literal `s` is the repr of (`ast.literal_eval`: literals only, never code), or
    None when it is not one."""
    try:
        return ast.literal_eval(s.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def author_names(value: Any) -> list[str]:
    """Author names from a string ("A, B and C"), or a list of names or `{"name"}` objects."""
    if isinstance(value, str):
        return split_authors(value)
    if not isinstance(value, list):
        return []
    names: Iterable[Any] = (a.get("name") if isinstance(a, dict) else a for a in value)
    return [name for n in names if isinstance(n, str) and (name := clean_text(n))]
