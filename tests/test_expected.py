"""Reading expected-delivery sources (core/expected.py): a bad reading or a bad item says nothing, and keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
import math
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.in_home_delivery.core.expected import (
    MAX_ITEMS,
    NO_DRIVER,
    Expected,
    Reading,
    delivery_hours,
    from_calendar_events,
    from_counter,
    from_trackings,
    parcel_count,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # a Wednesday, noon in Berlin
HOURS = delivery_hours(None, time(8), time(20))
TRACKER = "sensor.aftership"
STATUSES = ["OutForDelivery", "InTransit", "Pending", "InfoReceived", "", *NO_DRIVER, "Teleported"]


@dataclass(frozen=True)
class Event:
    """A calendar event as Home Assistant's calendars give it."""

    summary: str
    start: datetime | date
    end: datetime | date
    uid: str | None = None
    recurrence_id: str | None = None
    description: str | None = None


def read(trackings: object) -> Reading:
    """The AfterShip sensor read at noon."""
    return from_trackings(TRACKER, trackings, HOURS, NOW, BERLIN)


def test_a_count_of_zero_expects_nothing_and_says_so() -> None:
    """Zero is a reading (its delivery has gone); a count above zero is today's delivery in the delivery hours."""
    assert from_counter("sensor.dhl", "0", "DHL", HOURS, NOW, BERLIN) == Reading(expected=[])
    assert from_counter("sensor.dhl", "0", "DHL", HOURS, NOW, BERLIN).is_gone("sensor.dhl|2026-11-25")
    (expected,) = from_counter("sensor.dhl", "2", "DHL", HOURS, NOW, BERLIN).expected
    assert (expected.key, expected.window_start) == ("sensor.dhl|2026-11-25", datetime(2026, 11, 25, 7, tzinfo=UTC))


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        ("nan", "its state 'nan' is not a number"),
        ("-nan", "its state '-nan' is not a number"),
        ("inf", "its state 'inf' is not a count of parcels"),
        ("-Infinity", "its state '-Infinity' is not a count of parcels"),
        ("-1", "its state is below zero"),
        ("three", "its state 'three' is not a number"),
    ],
)
def test_a_count_that_is_none_says_nothing(state: str, problem: str) -> None:
    """nan, infinity, below zero or text is no count: the reading raises, with what is wrong."""
    with pytest.raises(ValueError, match=problem):
        from_counter("sensor.dhl", state, "DHL", HOURS, NOW, BERLIN)


@pytest.mark.parametrize("trackings", [None, "00340434", {"tracking_number": "00340434"}, 3])
def test_trackings_that_are_no_list_say_nothing(trackings: object) -> None:
    """A missing or malformed `trackings` attribute is not "nothing expected": the reading raises."""
    with pytest.raises(ValueError, match="trackings is not a list"):
        read(trackings)


@pytest.mark.parametrize(
    "expected_delivery",
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00", "9999-12-31T23:59:59.999999-14:00", "x" * 10_000],
)
def test_a_date_off_the_calendar_keeps_its_parcel_and_the_rest_counts(expected_delivery: str) -> None:
    """A date without a local day is that parcel's problem alone: it keeps what it had; the others are read."""
    reading = read(
        [
            {"tracking_number": "1Z999", "slug": "ups", "status": "InTransit", "expected_delivery": expected_delivery},
            {"tracking_number": "00340434", "slug": "dhl", "status": "Delivered"},
            {"tracking_number": "JJD01", "slug": "dhl", "status": "OutForDelivery", "expected_delivery": "soon"},
        ]
    )
    assert [item.tracking_number for item in reading.expected] == ["JJD01"]
    assert reading.kept == {f"{TRACKER}|1Z999|2026-11-25"}
    assert not reading.is_gone(f"{TRACKER}|1Z999|2026-11-25")
    assert reading.is_gone(f"{TRACKER}|00340434|2026-11-25")
    assert reading.problems == [
        "tracking Z999: expected_delivery is not a date",
        "tracking JD01: expected_delivery is not a date",
    ]


@pytest.mark.parametrize("status", sorted(NO_DRIVER))
def test_no_driver_statuses_expect_nothing_whatever_the_date(status: str) -> None:
    """Exception, Expired, AvailableForPickup, AttemptFail, Delivered: not expected, even if due today."""
    reading = read([{"tracking_number": "00340434", "status": status.upper(), "expected_delivery": "2026-11-25"}])
    assert reading.expected == []
    assert reading.settled == {f"{TRACKER}|00340434|2026-11-25"}


def test_too_many_trackings_are_read_as_their_first_hundred() -> None:
    """100,000 parcels: the first MAX_ITEMS are read, once said; what the rest had stays, what is settled goes."""
    many = [{"tracking_number": f"P{number:06}", "status": "OutForDelivery"} for number in range(100_000)]
    many[0] = {"tracking_number": "P000000", "status": "Delivered"}
    reading = read(many)
    assert len(reading.expected) == MAX_ITEMS - 1
    assert reading.problems == [f"more than {MAX_ITEMS} trackings, only the first {MAX_ITEMS} are read"]
    assert not reading.is_gone(f"{TRACKER}|P099999|2026-11-25")
    assert reading.is_gone(f"{TRACKER}|P000000|2026-11-25")


def test_tracking_fields_that_are_no_text_are_not_read() -> None:
    """A tracking number that is a list or runs to a megabyte is none; a number stands for its digits."""
    reading = read(
        [
            {"tracking_number": ["00340434"] * 1000, "status": "OutForDelivery"},
            {"tracking_number": "1" * 1_000_000, "status": "OutForDelivery"},
            {"tracking_number": 340434, "status": "OutForDelivery", "slug": {"dhl": 1}, "name": 7},
            {"tracking_number": True, "status": "OutForDelivery"},
        ]
    )
    assert [(item.tracking_number, item.carrier, item.description) for item in reading.expected] == [
        ("340434", None, "7")
    ]
    assert reading.problems.count("a tracking without a tracking number") == 3


def test_calendar_events_off_the_calendar_keep_theirs() -> None:
    """An event whose times have no place in UTC keeps its delivery (by its uid); one without title names none;
    more than MAX_ITEMS are read as their first ones and take nothing away."""
    edge = datetime(9999, 12, 31, 23, tzinfo=ZoneInfo("America/New_York"))
    first = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5)))
    events = [
        Event("DHL", edge, edge, uid="edge"),
        Event("", NOW, NOW + timedelta(hours=1), uid="untitled"),
        Event("UPS", first, first + timedelta(hours=1), uid="year-1"),
        Event("Hermes", NOW, NOW + timedelta(hours=2), uid="hermes"),
    ]
    reading = from_calendar_events("calendar.parcels", events, HOURS, BERLIN)
    assert [item.carrier for item in reading.expected] == ["Hermes"]
    assert reading.kept == {"calendar.parcels|edge|", "calendar.parcels|year-1|"}
    assert reading.problems == [
        "an event whose times are not dates",
        "an event without a title (the carrier)",
        "an event whose times are not dates",
    ]
    assert reading.is_gone("calendar.parcels|untitled|")

    crowded = from_calendar_events(
        "calendar.parcels", [Event("DHL", NOW, NOW + timedelta(hours=1))] * (MAX_ITEMS + 1), HOURS, BERLIN
    )
    assert not crowded.complete
    assert not crowded.is_gone("calendar.parcels|UPS|2026-11-25T11:00:00+00:00")


# Property tests: whatever a tracker reports, the reading never raises, never arms more than MAX_ITEMS
# deliveries, never arms a parcel whose status says no driver comes, and what it cannot read it keeps.

texts = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(STATUSES), st.integers(), st.booleans())
iso_dates = st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(datetime.isoformat)
# Hypothesis wants naive bounds: ten years either side of NOW, in UTC.
clock = st.datetimes(
    NOW.replace(tzinfo=None) - timedelta(days=3650),
    NOW.replace(tzinfo=None) + timedelta(days=3650),
    timezones=st.just(UTC),
)
trackings_items = st.one_of(
    st.fixed_dictionaries(
        {"tracking_number": st.one_of(st.sampled_from(["A", "B", "C"]), texts), "status": st.sampled_from(STATUSES)},
        optional={
            "expected_delivery": st.one_of(iso_dates, st.dates().map(date.isoformat), texts),
            "slug": texts,
            "name": texts,
        },
    ),
    texts,
    st.lists(texts, max_size=2),
)


@settings(max_examples=2000, deadline=None)
@given(
    trackings=st.lists(trackings_items, max_size=MAX_ITEMS + 5),
    now=clock,
)
def test_any_trackings_are_read_without_raising(trackings: list[Any], now: datetime) -> None:
    """Any list: no exception, at most MAX_ITEMS deliveries, none for a parcel no driver brings, each today."""
    reading = from_trackings(TRACKER, trackings, HOURS, now, BERLIN)
    assert len(reading.expected) <= MAX_ITEMS
    assert reading.complete is (len(trackings) <= MAX_ITEMS)
    statuses = {
        str(item.get("tracking_number")).strip(): str(item.get("status")).casefold()
        for item in trackings[:MAX_ITEMS]
        if isinstance(item, dict)
    }
    for expected in reading.expected:
        assert statuses[expected.tracking_number or ""] not in NO_DRIVER or expected.key in reading.settled
        assert expected.window_start.astimezone(BERLIN).date() == now.astimezone(BERLIN).date()
        assert expected.window_end > now
        assert not reading.is_gone(expected.key)
    for key in reading.kept:
        assert not reading.is_gone(key)


@settings(max_examples=2000, deadline=None)
@given(state=st.one_of(st.text(max_size=12), st.floats().map(str), st.integers().map(str)))
def test_any_count_is_a_finite_count_or_says_nothing(state: str) -> None:
    """A counter's state is a finite count of at least zero, or the reading raises ValueError."""
    try:
        count = parcel_count(state)
    except ValueError:
        return
    assert math.isfinite(count)
    assert count >= 0


@given(
    expected=st.sets(st.sampled_from("abcdef"), max_size=3),
    kept=st.sets(st.sampled_from("abcdef"), max_size=3),
    settled=st.sets(st.sampled_from("abcdef"), max_size=3),
    complete=st.booleans(),
    key=st.sampled_from("abcdef"),
)
def test_a_reading_takes_away_only_what_it_says_has_gone(
    expected: set[str], kept: set[str], settled: set[str], complete: bool, key: str
) -> None:
    """Expected or kept is never gone; of an unfinished reading only what it settled is."""
    reading = Reading(
        expected=[Expected(key=item, carrier=None, window_start=NOW, window_end=NOW) for item in expected],
        kept=frozenset(kept),
        settled=frozenset(settled),
        complete=complete,
    )
    gone = reading.is_gone(key)
    if key in expected or key in kept:
        assert not gone
    else:
        assert gone is (complete or key in settled)
