"""Dates in text: month-day, day-month, weekdays, years and decades, resolved where possible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from service.engine.text import Token

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# "may", "mar" and "jun" are months only beside a day number.
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jun"})


@dataclass(frozen=True, slots=True)
class DateRef:
    """A date as precise as the text gives it; unknown parts are None."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    decade: bool = False

    def as_date(self) -> date | None:
        if self.year and self.month and self.day:
            try:
                return date(self.year, self.month, self.day)
            except ValueError:
                return None
        return None

    def same_as(self, other: DateRef) -> bool | None:
        """True/False when the two can be compared at a shared precision, else None."""
        if self.day is not None and other.day is not None:
            if self.month is not None and other.month is not None:
                return (self.month, self.day) == (other.month, other.day) and (
                    self.year is None or other.year is None or self.year == other.year
                )
        if self.weekday is not None and other.weekday is not None:
            return self.weekday == other.weekday
        if self.day is None and other.day is None and self.year and other.year:
            if self.decade or other.decade:
                return self.year // 10 == other.year // 10
            return self.year == other.year
        return None

    def label(self) -> str:
        resolved = self.as_date()
        if resolved:
            return resolved.isoformat()
        if self.weekday is not None and self.month is None:
            return list(WEEKDAYS)[self.weekday].capitalize()
        if self.month and self.day:
            return f"{MONTH_NAMES[self.month - 1]} {self.day}"
        return f"{self.year}s" if self.decade else str(self.year)


def resolve(ref: DateRef, published: date | None) -> DateRef:
    """Fill year and day of a weekday or month-day from the document's publication date."""
    if published is None:
        return ref
    if ref.weekday is not None and ref.day is None:
        back = (published.weekday() - ref.weekday) % 7
        day = published - timedelta(days=back)
        return DateRef(day.year, day.month, day.day, ref.weekday)
    if ref.month and ref.day and ref.year is None:
        resolved = DateRef(published.year, ref.month, ref.day)
        when = resolved.as_date()
        return DateRef(published.year, ref.month, ref.day, when.weekday() if when else None)
    return ref


def _day(token: Token | None) -> int | None:
    if token is not None and token.text.isdigit() and 1 <= int(token.text) <= 31:
        return int(token.text)
    return None


def _year(token: Token | None) -> int | None:
    if token is not None and token.text.isdigit() and len(token.text) == 4:
        value = int(token.text)
        return value if 1800 <= value <= 2100 else None
    return None


def find_dates(tokens: list[Token]) -> list[tuple[int, int, DateRef]]:
    """Date expressions in tokens: (first token, end token, DateRef)."""
    found: list[tuple[int, int, DateRef]] = []
    i = 0
    while i < len(tokens):
        hit = _date_at(tokens, i)
        if hit:
            found.append((i, hit[0], hit[1]))
            i = hit[0]
        else:
            i += 1
    return found


def _date_at(tokens: list[Token], i: int) -> tuple[int, DateRef] | None:
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    month = MONTHS.get(tok.text)
    if month and (_day(nxt) or tok.text not in _AMBIGUOUS_MONTHS):
        day = _day(nxt)
        if day:
            after = tokens[i + 2] if i + 2 < len(tokens) else None
            year = _year(after)
            return (i + 3 if year else i + 2), DateRef(year, month, day)
    day = _day(tok)
    if day and nxt is not None and nxt.text in MONTHS:
        year = _year(tokens[i + 2]) if i + 2 < len(tokens) else None
        return (i + 3 if year else i + 2), DateRef(year, MONTHS[nxt.text], day)
    if tok.text in WEEKDAYS:
        return i + 1, DateRef(weekday=WEEKDAYS[tok.text])
    year = _year(tok)
    if year and not (nxt is not None and nxt.text in ("gmt", "utc", "hours", "am", "pm")):
        decade = nxt is not None and nxt.text == "s" and nxt.start == tok.end
        return (i + 2 if decade else i + 1), DateRef(year=year, decade=decade)
    return None
