"""Dates as dumps print them, and the rule that gives a year to dates printed without one.

Listing pages print "May 24, 2025" for other years and "Jan 22" for the year the page was
captured in. `YearRule` decides that capture year for one dump:

1. `--year` (the `year` argument of `read_dump`) overrides everything;
2. else a capture date the dump states (Markdown front matter `retrieved: 2026-10-02`, a
   `papers?date=2025-10-01` link in a saved paper page): a stated fact beats an inference;
3. else one more than the latest explicit year in the dump (the site prints the year only for
   other years, so the yearless dates are newer);
4. else the file's modification year, with a warning saying so.

When the capture month and day are known (the page-header date such as "Mar 6", or the stated
capture date), a yearless date later in the year than the capture ("Dec 17" on a page captured
"Mar 6") cannot be in the capture year and is put in the year before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# "May 24, 2025", "Jan 22", "Jan 23, 2025 2" (2 upvotes), "Published on Sep 28".
_PAGE_DATE = re.compile(
    rf"(?:Published\s+on\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})"
    r"(?:(?:,\s*|\s+)(?P<year>(?:19|20)\d\d))?"
    r"(?:(?:\s+|\s*[·•|-]\s*)(?P<upvotes>\d{1,7}))?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")
# "Mon, 2 Apr 2007 19:18:42 GMT" (arXiv version dates).
_EMAIL_DATE = re.compile(
    rf"(?:\w+,\s*)?(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>\d{{4}})", re.IGNORECASE
)


@dataclass(frozen=True)
class PageDate:
    """A date as a page prints it: month and day, and the year when printed."""

    month: int
    day: int
    year: int | None = None


def parse_page_date(line: str) -> tuple[PageDate, int | None] | None:
    """The date of a whole line such as "Jan 23, 2025 2" and the upvote count after it, or None."""
    m = _PAGE_DATE.fullmatch(line.strip())
    if not m:
        return None
    day = int(m["day"])
    if not 1 <= day <= 31:
        return None
    year = int(m["year"]) if m["year"] else None
    upvotes = int(m["upvotes"]) if m["upvotes"] else None
    return PageDate(_month_number(m["month"]), day, year), upvotes


def parse_iso_date(s: object) -> date | None:
    """The date of an ISO date or timestamp ("2024-05-31T17:50:01.000Z" -> 2024-05-31), or None."""
    m = _ISO_DATE.match(s) if isinstance(s, str) else None
    return make_date(int(m[1]), int(m[2]), int(m[3])) if m else None


def parse_us_date(s: object) -> date | None:
    """The date of a month/day/year date, as a spreadsheet writes it ("11/26/2008"), or None."""
    m = _US_DATE.fullmatch(s) if isinstance(s, str) else None
    return make_date(int(m[3]), int(m[1]), int(m[2])) if m else None


def parse_email_date(s: object) -> date | None:
    """The date of an RFC 2822 date ("Mon, 2 Apr 2007 19:18:42 GMT" -> 2007-04-02), or None."""
    m = _EMAIL_DATE.match(s.strip()) if isinstance(s, str) else None
    return make_date(int(m["year"]), _month_number(m["month"]), int(m["day"])) if m else None


def make_date(year: int, month: int, day: int) -> date | None:
    """`date(year, month, day)`, or None when there is no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTHS.index(name[:3].lower()) + 1


@dataclass
class Capture:
    """When a dump was captured, as its reader found it (filled like `warnings`)."""

    date: date | None = None


@dataclass(frozen=True)
class YearRule:
    """The year that dates printed without one get in one dump (see the module docstring)."""

    year: int
    source: str  # "override", "stated", "explicit" or "mtime"
    capture: tuple[int, int] | None = None  # (month, day) the page was captured, when known

    def resolve(self, d: PageDate) -> tuple[date | None, bool]:
        """The full date of `d` and whether its year was inferred (neither printed nor given by
        the user: a `--year` date replaces an inferred one when a file is read again)."""
        if d.year is not None:
            return make_date(d.year, d.month, d.day), False
        year = self.year
        if self.capture and (d.month, d.day) > self.capture:
            year -= 1
        return make_date(year, d.month, d.day), self.source != "override"

    def captured(self) -> date | None:
        """The day the page was captured, when its month and day are known (the page-header
        date, a stated capture date), in the rule's year."""
        return make_date(self.year, *self.capture) if self.capture else None

    def warning(self) -> str | None:
        """What to tell the user when the year is a guess from the file's modification time."""
        if self.source != "mtime":
            return None
        return (
            f"no year in the dump: dates without a year are taken as {self.year}, "
            "the file's modification year; use --year to set it"
        )


def year_rule(
    dates: list[PageDate],
    *,
    override: int | None,
    mtime_year: int,
    stated: date | None = None,
    header: PageDate | None = None,
) -> YearRule:
    """The year rule of a dump with these printed dates, stated capture date and header date."""
    if header and header.year is not None and not stated:
        stated = make_date(header.year, header.month, header.day)
    capture = (header.month, header.day) if header else None
    if stated and not capture:
        capture = (stated.month, stated.day)
    if override is not None:
        return YearRule(override, "override", capture)
    if stated:
        return YearRule(stated.year, "stated", capture)
    explicit = [d.year for d in dates if d.year is not None]
    if explicit:
        return YearRule(max(explicit) + 1, "explicit", capture)
    return YearRule(mtime_year, "mtime", capture)
