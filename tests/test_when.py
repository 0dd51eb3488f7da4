"""Times as people read them (core/when.py), with the words of texts/en.json and texts/de.json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.in_home_delivery.core.when import DASH, moment, seconds_between, span, spoken_duration
from custom_components.in_home_delivery.texts import read_texts

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 3 December 2029, 20:30 in Berlin (19:30 UTC).
NOW = datetime(2029, 12, 3, 20, 30, tzinfo=BERLIN)
EN, DE = read_texts("en"), read_texts("de")


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2029) -> datetime:
    """A moment in Berlin, given in UTC as the core keeps it."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "end", "english", "german"),
    [
        (at(3, 23), at(4, 0), f"today 23:00{DASH}00:00", f"heute 23:00{DASH}00:00"),
        (at(4, 9), at(4, 11), f"tomorrow 09:00{DASH}11:00", f"morgen 09:00{DASH}11:00"),
        (at(2, 9), at(2, 11), f"yesterday 09:00{DASH}11:00", f"gestern 09:00{DASH}11:00"),
        (at(10, 9), at(10, 11), f"Mon 10 Dec 09:00{DASH}11:00", f"Mo., 10. Dez. 09:00{DASH}11:00"),
        (at(6, 9), at(6, 11), f"Thu 6 Dec 09:00{DASH}11:00", f"Do., 6. Dez. 09:00{DASH}11:00"),
        (at(3, 22), at(4, 6), f"today 22:00 {DASH} tomorrow 06:00", f"heute 22:00 {DASH} morgen 06:00"),
        (
            at(3, 9, month=3, year=2031),
            at(3, 11, month=3, year=2031),
            f"Mon 3 Mar 2031 09:00{DASH}11:00",
            f"Mo., 3. März 2031 09:00{DASH}11:00",
        ),
    ],
)
def test_a_window_reads_as_people_say_it(start: datetime, end: datetime, english: str, german: str) -> None:
    """Today, tomorrow, yesterday or the weekday and date, in the home's time zone, each language its own way."""
    assert span(start, end, NOW, BERLIN, EN) == english
    assert span(start, end, NOW, BERLIN, DE) == german


def test_the_home_time_zone_decides_the_day() -> None:
    """00:30 in Berlin is still the previous day in UTC: the home's day counts, not the server's."""
    start, end = at(4, 0, 30), at(4, 2)
    assert start.date() == NOW.date()  # in UTC it is still Monday
    assert span(start, end, NOW, BERLIN, EN) == f"tomorrow 00:30{DASH}02:00"
    assert span(start, end, NOW, UTC, EN) == f"today 23:30 {DASH} tomorrow 01:00"


def test_a_moment() -> None:
    """A single time: the day, then the time on the 24-hour clock."""
    assert moment(at(3, 14, 3), NOW, BERLIN, EN) == "today 14:03"
    assert moment(at(30, 7, 5, month=11), NOW, BERLIN, DE) == "Fr., 30. Nov. 07:05"


def test_without_the_words_a_date_reads_as_digits() -> None:
    """A language whose texts are not read yet (or lack a word) still gets a date, never a key or an error."""
    assert span(at(10, 9), at(10, 11), NOW, BERLIN, {}) == f"2029-12-10 09:00{DASH}11:00"
    assert moment(at(3, 14, 3), NOW, BERLIN, {"time_today": "{oops}"}) == "2029-12-03 14:03"


def test_one_rounding_of_a_length() -> None:
    """A visit of 19.6 s is 20 s wherever it is shown; 19.4 s is 19 s."""
    started = at(3, 14)
    assert seconds_between(started, started + timedelta(seconds=19.6)) == 20
    assert seconds_between(started, started + timedelta(seconds=19.4)) == 19

    def text(key: str, **values: str) -> str:
        return EN[key].format(**values)

    assert spoken_duration(20, text) == "20 s"
    assert spoken_duration(125, text) == "2 min 5 s"
    assert spoken_duration(3700, text) == "1 h 1 min"
