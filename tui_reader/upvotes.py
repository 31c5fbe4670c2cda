"""A paper's upvotes across its captures in words, as the detail pane and `show` say them."""

from __future__ import annotations

from datetime import date

from .models import UpvoteCount

SPARKS = "▁▂▃▄▅▆▇█"
ARROWS_UP_TO = 4  # captures shown as "2 -> 14 -> 31"; more as a sparkline


def day(d: date, year: bool = True) -> str:
    """A capture's day as people write it: "Mar 4 2025" (or "Mar 4")."""
    return f"{d:%b} {d.day}" + (f" {d.year}" if year else "")


def history_text(history: list[UpvoteCount]) -> str:
    """`▲ 2 -> 14 -> 31 over 3 captures, Mar 4 - Mar 9` (a sparkline before the first and
    last counts when there are more captures); "" for fewer than two captures."""
    if len(history) < 2:
        return ""
    first, last = history[0], history[-1]
    counts = [h.upvotes for h in history]
    if len(history) <= ARROWS_UP_TO:
        shown = " -> ".join(str(c) for c in counts)
    else:
        low, high = min(counts), max(counts)
        spark = "".join(SPARKS[(c - low) * (len(SPARKS) - 1) // max(1, high - low)]
                        for c in counts)
        shown = f"{spark} {first.upvotes} -> {last.upvotes}"
    same_year = first.date.year == last.date.year
    span = f"{day(first.date, not same_year)} - {day(last.date, not same_year)}"
    return f"▲ {shown} over {len(history)} captures, {span}"
