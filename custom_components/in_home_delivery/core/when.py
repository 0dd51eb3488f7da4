"""Times and lengths as people read them: "today 23:00-00:00", "Mon 3 Dec 09:00-11:00", "2 min 5 s".

Pure: the words come from a language's texts (the `time` category of texts/<language>.json), the
time zone from the caller (the home's). Where a word is missing, the date reads as digits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, tzinfo

DASH = "\u2013"  # an en dash, as between two times
# Further than this from today, a date says its year.
NEAR = timedelta(days=180)


def _word(words: Mapping[str, str], key: str, **values: object) -> str | None:
    """A word with its placeholders filled in; None where the language has none."""
    if (template := words.get(key)) is None:
        return None
    try:
        return template.format(**values)
    except KeyError, IndexError, ValueError:
        return None


def day(on: date, today: date, words: Mapping[str, str]) -> str:
    """A day: "today", "tomorrow", "yesterday", else "Mon 3 Dec" (with the year, far from today)."""
    near = {
        today: "time_today",
        today + timedelta(days=1): "time_tomorrow",
        today - timedelta(days=1): "time_yesterday",
    }
    if (key := near.get(on)) and (word := _word(words, key)):
        return word
    weekdays, months = words.get("time_weekdays", "").split(), words.get("time_months", "").split()
    if len(weekdays) == 7 and len(months) == 12:
        key = "time_date" if abs(on - today) <= NEAR else "time_date_year"
        named = _word(words, key, weekday=weekdays[on.weekday()], day=on.day, month=months[on.month - 1], year=on.year)
        if named:
            return named
    return on.isoformat()


def clock(when: datetime) -> str:
    """The time of day, on the 24-hour clock."""
    return f"{when:%H:%M}"


def moment(when: datetime, now: datetime, tz: tzinfo, words: Mapping[str, str]) -> str:
    """A moment in the home's time zone: "today 14:03", "Mon 3 Dec 09:00"."""
    local = when.astimezone(tz)
    return f"{day(local.date(), now.astimezone(tz).date(), words)} {clock(local)}"


def span(start: datetime, end: datetime, now: datetime, tz: tzinfo, words: Mapping[str, str]) -> str:
    """A window in the home's time zone: "today 23:00-00:00", "tomorrow 09:00-11:00" (with an en dash).

    A window that ends at midnight, or on the day it starts, names its day once; one that runs into
    a later day names both: "today 22:00 - tomorrow 06:00".
    """
    first, last = start.astimezone(tz), end.astimezone(tz)
    today = now.astimezone(tz).date()
    same_day = last.date() == first.date() or (last - timedelta(microseconds=1)).date() == first.date()
    if same_day:
        return f"{day(first.date(), today, words)} {clock(first)}{DASH}{clock(last)}"
    return f"{moment(first, now, tz, words)} {DASH} {moment(last, now, tz, words)}"


def seconds_between(start: datetime, end: datetime) -> int:
    """A length in whole seconds, rounded: the one rounding of a visit's length, wherever it is shown."""
    return round((end - start).total_seconds())


def spoken_duration(seconds: int, text: Callable[..., str]) -> str:
    """A length as people say it: "45 s", "2 min 5 s", "1 h 3 min" (text: a translation lookup)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return text("logbook_hours", hours=str(hours), minutes=str(minutes))
    if minutes:
        return text("logbook_minutes", minutes=str(minutes), seconds=str(secs))
    return text("logbook_seconds", seconds=str(secs))
