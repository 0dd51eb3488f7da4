"""The one decision (core/door.py), driven with random requests from every way in.

Every way in is an asker (a link, the owner, a phone button) with a purpose, over random facts: a
delivery, guest or carrier pass in any state, a token that is the pass's or an old one, a change not
yet on disk, a running visit of this pass or another, the entrance in any state. The properties are
the rules of the README's *Security model*, each checked against the facts directly (not through the
code under test).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
import os

from hypothesis import given, settings, strategies as st

from custom_components.in_home_delivery.core.admission import Conditions
from custom_components.in_home_delivery.core.carriers import Carrier
from custom_components.in_home_delivery.core.door import (
    MAX_STREET_DOOR_OPENINGS,
    Asker,
    Button,
    Facts,
    Link,
    Owner,
    Purpose,
    RunningVisit,
    StreetDoor,
    decide,
)
from custom_components.in_home_delivery.core.guests import Guest, Schedule
from custom_components.in_home_delivery.core.passes import Delivery, DeliveryStatus
from custom_components.in_home_delivery.core.passindex import Pass

EXAMPLES = int(os.environ.get("IN_HOME_DELIVERY_EXAMPLES", "5000"))
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HASH, OLD_HASH = "h" * 64, "o" * 64
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

minutes = st.integers(min_value=-24 * 60, max_value=24 * 60).map(lambda m: timedelta(minutes=m))
# Half of every draw is the case that would let someone in, so each rule meets requests that reach it.
open_window_start = st.integers(min_value=-120, max_value=0).map(lambda m: timedelta(minutes=m))

deliveries = st.builds(
    lambda start, length, status, carrier, pass_id: Delivery(
        pass_id=pass_id,
        token_hash=HASH,
        window_start=NOW + start,
        window_end=NOW + start + length,
        status=status,
        carrier=carrier,
    ),
    st.one_of(open_window_start, minutes),
    st.integers(min_value=121, max_value=600).map(lambda m: timedelta(minutes=m)),
    st.one_of(st.just(DeliveryStatus.SCHEDULED), st.sampled_from(list(DeliveryStatus))),
    st.sampled_from([None, "DHL", "dhl", "UPS"]),
    st.sampled_from(["d1", "d2"]),
)
schedules = st.builds(
    lambda days, start, hours: Schedule(
        weekdays=tuple(days), start_time=time(start), end_time=time((start + hours) % 24)
    ),
    st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=1, max_value=12),
)
guests = st.builds(
    lambda schedule, revoked, suspended, max_uses, uses, until: Guest(
        pass_id="g1",
        token_hash=HASH,
        name="Anna",
        schedule=schedule,
        revoked=revoked,
        suspended=suspended,
        max_uses=max_uses,
        uses=uses,
        valid_until=None if until is None else NOW + until,
    ),
    schedules,
    st.booleans(),
    st.booleans(),
    st.none() | st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=3),
    st.none() | minutes,
)
carriers = st.builds(
    lambda name, hours, revoked, suspended: Carrier(
        pass_id="c1", token_hash=HASH, name=name, hours=hours, revoked=revoked, suspended=suspended
    ),
    st.sampled_from(["DHL", "*", "UPS"]),
    st.none() | schedules,
    st.booleans(),
    st.booleans(),
)
ALLOWING = Conditions(
    accepting=True,
    visit_running=False,
    lock_state="locked",
    has_door_sensor=True,
    door_open=False,
    camera_required=True,
    camera_ok=True,
    only_when_away=True,
    someone_home=False,
)
conditions = st.just(ALLOWING) | st.builds(
    Conditions,
    accepting=st.booleans(),
    visit_running=st.booleans(),
    lock_state=st.sampled_from(["locked", "unlocked", "jammed", "unknown", None]),
    has_door_sensor=st.booleans(),
    door_open=st.sampled_from([True, False, None]),
    camera_required=st.booleans(),
    camera_ok=st.booleans(),
    only_when_away=st.booleans(),
    someone_home=st.booleans(),
)
purposes = st.sampled_from(list(Purpose))
askers: st.SearchStrategy[Asker] = st.one_of(
    st.builds(Link, token_hash=st.sampled_from([HASH, HASH, OLD_HASH])),
    st.builds(Owner, admin=st.booleans()),
    st.builds(
        Button,
        issued_for=purposes,
        visit_id=st.sampled_from([None, "v1", "v2"]),
        pass_id=st.sampled_from(["d1", "g1", "c1", None, "d2"]),
    ),
)
FIELDS: dict[str, st.SearchStrategy[object]] = {
    "grace": st.integers(min_value=0, max_value=30).map(lambda m: timedelta(minutes=m)),
    "pass_": deliveries | guests | carriers | st.none(),
    "delivery": st.none() | deliveries,
    "stored": st.booleans(),
    "running": st.none()
    | st.builds(
        RunningVisit, visit_id=st.sampled_from(["v1", "v2"]), pass_id=st.sampled_from([None, "d1", "d2", "g1"])
    ),
    "door_open": st.sampled_from([True, False, None]),
    "entrance": conditions | st.none(),
    "street_door": st.none()
    | st.builds(StreetDoor, available=st.booleans(), openings=st.integers(min_value=0, max_value=5)),
}
random_facts = st.builds(Facts, now=st.just(NOW), tz=st.just(UTC), **FIELDS)
EXPECTED = Delivery(
    pass_id="d1",
    token_hash=HASH,
    window_start=NOW - timedelta(minutes=30),
    window_end=NOW + timedelta(hours=2),
    carrier="DHL",
)
VALID: list[Pass] = [
    EXPECTED,
    Guest(
        pass_id="g1",
        token_hash=HASH,
        name="Anna",
        schedule=Schedule(weekdays=tuple(WEEKDAYS), start_time=time(0), end_time=time(23, 59)),
    ),
    Carrier(pass_id="c1", token_hash=HASH, name="DHL"),
]
# The valid guest and carrier link, each revoked or suspended (paused on its device) by the owner.
CLOSED_BY_THE_OWNER: list[Pass] = [
    replace(item, **{flag: True})
    for item in VALID
    if isinstance(item, Guest | Carrier)
    for flag in ("revoked", "suspended")
]


@st.composite
def near_allowing(draw: st.DrawFn) -> Facts:
    """Facts under which a valid pass may open everything, with at most one of them drawn at random:
    where the rules bite."""
    fields: dict[str, object] = {
        "grace": timedelta(minutes=15),
        "pass_": draw(st.sampled_from(VALID)),
        "delivery": EXPECTED,
        "stored": True,
        "running": None,
        "door_open": False,
        "entrance": ALLOWING,
        "street_door": StreetDoor(available=True),
    }
    if (changed := draw(st.sampled_from([None, *FIELDS, "owner_closed"]))) == "owner_closed":
        fields["pass_"] = draw(st.sampled_from(CLOSED_BY_THE_OWNER))
    elif changed is not None:
        fields[changed] = draw(FIELDS[changed])
    return Facts(now=NOW, tz=UTC, **fields)  # type: ignore[arg-type]


facts = near_allowing() | random_facts


def inside_window(item: Pass, facts: Facts) -> bool:
    """The oracle: whether the pass may let its holder in now, read from the facts directly."""
    now, grace = facts.now, facts.grace
    match item:
        case Delivery():
            return (
                item.status is DeliveryStatus.SCHEDULED and item.window_start - grace <= now <= item.window_end + grace
            )
        case Guest():
            spent = item.max_uses is not None and item.uses >= item.max_uses
            over = item.valid_until is not None and now >= item.valid_until
            in_window = any(
                start <= now < end for start, end in item.windows(UTC, now - timedelta(days=1), now + timedelta(days=1))
            )
            return not item.revoked and not item.suspended and not spent and not over and in_window
        case Carrier():
            delivery = facts.delivery
            in_hours = item.hours is None or any(
                start <= now < end
                for start, end in item.hours.windows(UTC, now - timedelta(days=1), now + timedelta(days=1))
            )
            return (
                not item.revoked
                and not item.suspended
                and in_hours
                and delivery is not None
                and item.matches(delivery.carrier)
                and inside_window(delivery, facts)
            )


def nothing_opens_without_a_pass_in_its_window(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """Opening the door or the street door needs a pass inside its window, its change on disk, and
    the token or button it was issued with; only an administrator's own act needs none."""
    if decide(asker, purpose, facts) is not None or purpose not in (Purpose.OPEN, Purpose.STREET_DOOR):
        return
    if isinstance(asker, Owner):
        assert asker.admin
        return
    item = facts.pass_
    assert item is not None
    assert facts.stored
    assert inside_window(item, facts)
    match asker:
        case Link():
            assert asker.token_hash == item.token_hash  # a renewed pass's old token opens nothing
        case Button():
            assert asker.issued_for is purpose
            assert asker.pass_id == item.pass_id


def a_lock_now_button_never_opens(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """A button is good only for what it was issued for: Lock now ends its own visit, nothing else."""
    if not isinstance(asker, Button):
        return
    allowed = decide(asker, purpose, facts) is None
    if asker.issued_for is Purpose.LOCK and purpose is not Purpose.LOCK:
        assert not allowed
    if allowed and purpose is Purpose.LOCK:
        assert facts.running is not None
        assert facts.running.visit_id == asker.visit_id


def a_closed_pass_never_opens(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """A revoked, suspended, used, cancelled, missed or failed pass, or a renewed pass's old token, opens nothing."""
    item = facts.pass_
    if item is None or isinstance(asker, Owner) or purpose not in (Purpose.OPEN, Purpose.STREET_DOOR):
        return
    closed = (
        (isinstance(item, Delivery) and item.status is not DeliveryStatus.SCHEDULED)
        or (isinstance(item, Guest | Carrier) and (item.revoked or item.suspended))
        or (isinstance(asker, Link) and asker.token_hash != item.token_hash)
    )
    if closed:
        assert decide(asker, purpose, facts) is not None


def the_door_opens_only_when_the_entrance_allows(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """One visit at a time, a lock that answers, a closed door, the camera where required; the
    owner's word (an administrator or a Let in button) stands only over "allowed" and "nobody home"."""
    if purpose is not Purpose.OPEN or decide(asker, purpose, facts) is not None:
        return
    entrance = facts.entrance
    assert entrance is not None
    assert not entrance.visit_running
    assert entrance.lock_state not in (None, "unknown", "jammed")
    assert entrance.door_open is not True
    assert not (entrance.has_door_sensor and entrance.door_open is None)
    assert not (entrance.camera_required and not entrance.camera_ok)
    if isinstance(asker, Link):
        assert entrance.accepting
        assert not (entrance.only_when_away and entrance.someone_home)


def the_street_door_opens_a_few_times_and_only_when_it_answers(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """A link opens the street door at most MAX_STREET_DOOR_OPENINGS times a window, while visits are
    allowed; nobody is told it opened when the opener does not answer."""
    if purpose is not Purpose.STREET_DOOR or decide(asker, purpose, facts) is not None:
        return
    assert facts.street_door is not None
    assert facts.street_door.available
    if isinstance(asker, Link):
        assert facts.street_door.openings < MAX_STREET_DOOR_OPENINGS
        assert facts.entrance is not None
        assert facts.entrance.accepting


def a_link_ends_only_its_own_visit_and_never_on_an_open_door(asker: Asker, purpose: Purpose, facts: Facts) -> None:
    """Done on a link locks only the visit that link let in, and not while the door is open."""
    if purpose is not Purpose.LOCK or not isinstance(asker, Link) or decide(asker, purpose, facts) is not None:
        return
    item = facts.pass_
    assert item is not None
    assert facts.running is not None
    assert asker.token_hash == item.token_hash
    own = facts.delivery.pass_id if isinstance(item, Carrier) and facts.delivery else item.pass_id
    assert facts.running.pass_id == own
    assert not facts.door_open


PROPERTIES = [
    nothing_opens_without_a_pass_in_its_window,
    a_lock_now_button_never_opens,
    a_closed_pass_never_opens,
    the_door_opens_only_when_the_entrance_allows,
    the_street_door_opens_a_few_times_and_only_when_it_answers,
    a_link_ends_only_its_own_visit_and_never_on_an_open_door,
]


@st.composite
def requests(draw: st.DrawFn) -> tuple[Asker, Purpose, Facts]:
    """A request and its facts; half the time a button names this very pass or visit (the hard case)."""
    drawn = draw(facts)
    asker = draw(askers)
    if isinstance(asker, Button) and draw(st.booleans()):
        own = drawn.running.visit_id if drawn.running else asker.visit_id
        asker = Button(issued_for=asker.issued_for, visit_id=own, pass_id=drawn.pass_.pass_id if drawn.pass_ else None)
    return asker, draw(purposes), drawn


@settings(max_examples=EXAMPLES, deadline=None)
@given(request=requests())
def test_the_one_decision(request: tuple[Asker, Purpose, Facts]) -> None:
    """Every rule above, for each random request from every way in."""
    for rule in PROPERTIES:
        rule(*request)
