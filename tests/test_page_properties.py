"""The courier's page (core/page.py), driven with random facts: it never claims what the lock has not said.

Random running and finished visits of this pass or another, in any phase and outcome, a lock in any
reported state, refusals, a street door, a garage door, a courier's or a guest's pass. The properties
are the page's promises, checked on the words it shows in English and German (texts/).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
import os
import re
from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.in_home_delivery.core.carriers import Carrier
from custom_components.in_home_delivery.core.guests import Guest, Schedule
from custom_components.in_home_delivery.core.page import (
    GUEST,
    LinkView,
    PageFacts,
    Tone,
    carrier_serves,
    own_visit,
    page_view,
)
from custom_components.in_home_delivery.core.passes import Delivery
from custom_components.in_home_delivery.core.passindex import Pass
from custom_components.in_home_delivery.core.visit import Outcome, Phase, Timer, Visit
from custom_components.in_home_delivery.core.wording import page_words
from custom_components.in_home_delivery.texts import read_texts

EXAMPLES = max(int(os.environ.get("IN_HOME_DELIVERY_EXAMPLES", "5000")) // 5, 100)  # a page costs more to draw
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PASS = Delivery(pass_id="d1", token_hash="h" * 64, window_start=NOW, window_end=NOW + timedelta(hours=2), carrier="DHL")
# A guest with the same id: the same visits are its own.
GUEST_PASS = Guest(
    pass_id="d1",
    token_hash="g" * 64,
    name="Anna",
    schedule=Schedule(weekdays=("tue",), start_time=time(9), end_time=time(11)),
)
TEXTS = {language: read_texts(language) for language in ("en", "de")}
# Words of locking, which a garage door's page never uses (it opens and closes).
LOCK_WORDS = {
    "en": re.compile(r"\b(un)?lock", re.IGNORECASE),
    "de": re.compile(r"(auf|ab)schlie|(auf|ab)geschlossen|\bschloss\b", re.IGNORECASE),
}
GARAGE_WORDS = re.compile(r"garage", re.IGNORECASE)
# German speaks to a courier with Sie, to a guest with du: never both on one page.
SIE = re.compile(r"\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihnen)\b")
DU = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|Du|Dein|Deine)\b")
LOCK_STATES = ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "unavailable", None]

visits = st.builds(
    lambda pass_id, phase, outcome, ago, stuck, camera_lost, ended: Visit(
        visit_id="v1",
        pass_id=pass_id,
        pass_kind="delivery",
        pass_label="DHL",
        started=NOW - timedelta(minutes=ago),
        phase=phase,
        outcome=outcome if phase is Phase.DONE else None,
        ended=NOW - timedelta(minutes=ended) if phase is Phase.DONE else None,
        stuck=stuck,
        camera_lost=camera_lost,
        deadlines={Timer.MAX_VISIT: NOW + timedelta(seconds=ago * 7)},
    ),
    st.sampled_from(["d1", "d2", None]),
    st.sampled_from(list(Phase)),
    st.sampled_from(list(Outcome)),
    st.integers(min_value=0, max_value=30),
    st.booleans(),
    st.booleans(),
    st.integers(min_value=0, max_value=20),
)


@st.composite
def pages(draw: st.DrawFn) -> tuple[PageFacts, str | None, str | None]:
    """A page's facts, with the pass's own visit chosen as the shell chooses it."""
    running = draw(st.none() | visits)
    last = draw(st.none() | visits)
    facts = PageFacts(
        entrance="Front door",
        own_door=draw(st.booleans()),
        accepting=draw(st.booleans()),
        visit=own_visit(running, last, PASS.pass_id, NOW),
        lock=draw(st.sampled_from(LOCK_STATES)),
        denial=draw(st.sampled_from([None, "used", "revoked", "too_early", "not_stored"])),
        window=(PASS.window_start, PASS.window_end),
        street_door=draw(st.booleans()),
        street_door_openings=draw(st.integers(min_value=0, max_value=4)),
        lock_when_camera_lost=draw(st.booleans()),
    )
    reason = draw(st.sampled_from([None, "door_open", "street_door_limit", "lock_jammed", "not_stored"]))
    result = draw(st.sampled_from([None, "arrived", "admitted", "done"]))
    return facts, reason, result


def shown(view: LinkView, language: str) -> str:
    """What a reader of the page reads besides the names: the message, the window's label and the buttons."""
    words: dict[str, Any] = page_words(view, TEXTS[language], NOW, UTC)
    buttons = [words[button]["label"] for button in ("button", "also") if words[button]]
    return " ".join([words["message"], (words["window"] or "").split(" ")[0], *buttons])


@settings(max_examples=EXAMPLES, deadline=None)
@given(page=pages(), pass_=st.sampled_from([PASS, GUEST_PASS]))
def test_the_page_tells_the_truth(page: tuple[PageFacts, str | None, str | None], pass_: Pass) -> None:
    """Locked only while the lock says `locked`; the lock's state only to the pass whose visit it is;
    Unlock never offered to a pass that opens nothing, nor while deliveries are not allowed."""
    facts, reason, result = page
    view = page_view(facts, pass_, NOW, reason=reason, result=result)
    if view.message_key.startswith("page_locked"):
        assert facts.lock == "locked"
        assert view.tone is Tone.SUCCESS
    if view.lock is not None or view.visit_id is not None:
        assert facts.visit is not None
        assert facts.visit.pass_id == PASS.pass_id
    if view.button in ("unlock", "street_door") or view.also == "street_door":
        assert facts.denial is None
        assert facts.accepting
        assert facts.visit is None


@settings(max_examples=EXAMPLES, deadline=None)
@given(page=pages(), pass_=st.sampled_from([PASS, GUEST_PASS]), language=st.sampled_from(["en", "de"]))
def test_the_page_speaks_of_the_door_it_opens_to_the_one_who_reads_it(
    page: tuple[PageFacts, str | None, str | None], pass_: Pass, language: str
) -> None:
    """A garage door's page speaks of opening and closing, never of locking; a door's never of a garage.
    In German a guest reads du throughout and a courier Sie throughout; no page shows a text's key."""
    facts, reason, result = page
    view = page_view(facts, pass_, NOW, reason=reason, result=result)
    text = shown(view, language)
    assert "page_" not in text
    if facts.own_door:
        assert not LOCK_WORDS[language].search(text), text
    else:
        assert not GARAGE_WORDS.search(text), text
    if language == "de":
        assert not (SIE if GUEST in view.variants else DU).search(text), text


deliveries = st.builds(
    lambda pass_id, carrier: Delivery(
        pass_id=pass_id, token_hash="h" * 64, window_start=NOW, window_end=NOW + timedelta(hours=2), carrier=carrier
    ),
    st.sampled_from(["d1", "d2"]),
    st.sampled_from(["DHL", "UPS", None]),
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    name=st.sampled_from(["DHL", "*"]),
    revoked=st.booleans(),
    let_in=st.none() | deliveries,
    expected=st.none() | deliveries,
    running=st.none() | visits,
    last=st.none() | visits,
)
def test_a_carrier_link_serves_only_its_carrier(
    name: str,
    revoked: bool,
    let_in: Delivery | None,
    expected: Delivery | None,
    running: Visit | None,
    last: Visit | None,
) -> None:
    """A carrier's link stands for a delivery of its own carrier: the one it let in while that visit runs
    (or a moment after), else the one expected now; a revoked link, only the expected one (which opens nothing)."""
    carrier = Carrier(pass_id="c1", token_hash="c" * 64, name=name, revoked=revoked)
    served = carrier_serves(carrier, let_in=let_in, running=running, last_finished=last, expected=expected, now=NOW)
    assert served is None or served in (let_in, expected)
    if served is not None and served is let_in and served is not expected:
        assert carrier.matches(served.carrier)
        assert not revoked
        assert own_visit(running, last, served.pass_id, NOW) is not None
