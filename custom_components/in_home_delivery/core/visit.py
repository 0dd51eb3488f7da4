"""The visit: one admission, from the decision to unlock until the lock is confirmed locked.

Everything here is a pure function from (visit, input, now) to (new visit, commands). The shell feeds
it the wrapped lock's and door sensor's states and the passing of time, and carries out the commands.
Timers are deadlines kept in the visit itself, so a visit read back after a restart still knows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .commands import (
    AlarmDisarm,
    AlarmRearm,
    ClearRepair,
    Command,
    Emit,
    EventType,
    Finish,
    LightsOn,
    LightsRestore,
    Lock,
    Message,
    Notify,
    RaiseRepair,
    Repair,
    Snapshot,
    Speak,
    Spoken,
    Unlock,
)


class Phase(StrEnum):
    """Where a visit stands."""

    UNLOCKING = "unlocking"
    WAITING_FOR_ENTRY = "waiting_for_entry"
    INSIDE = "inside"
    CLOSING = "closing"
    LOCKING = "locking"
    DONE = "done"


class Outcome(StrEnum):
    """How a visit ended."""

    LOCKED = "locked"
    UNLOCK_FAILED = "unlock_failed"
    RELOCK_FAILED = "relock_failed"


class Timer(StrEnum):
    """The deadlines a visit can wait for."""

    UNLOCK_CONFIRM = "unlock_confirm"
    ENTRY = "entry"
    DOOR_OPEN_ALERT = "door_open_alert"
    RELOCK = "relock"
    LOCK_CONFIRM = "lock_confirm"
    MAX_VISIT = "max_visit"
    RETRY = "retry"
    CLOSING_SOON = "closing_soon"  # the speakers say that the garage door closes by itself soon


@dataclass(frozen=True, kw_only=True)
class VisitSettings:
    """The entrance's options that shape a visit."""

    relock_delay: timedelta = timedelta(seconds=10)
    entry_timeout: timedelta = timedelta(seconds=120)
    max_visit: timedelta = timedelta(minutes=15)
    door_open_alert: timedelta = timedelta(minutes=3)
    has_door_sensor: bool = True
    confirm_timeout: timedelta = timedelta(seconds=30)
    relock_attempts: int = 3
    retry_backoff: timedelta = timedelta(seconds=5)
    # After relock_failed: try again now and then, waiting longer each time, until the lock locks.
    slow_retry: timedelta = timedelta(minutes=2)
    slow_retry_max: timedelta = timedelta(minutes=30)
    lock_when_camera_lost: bool = False
    # How long before a garage door closes by itself the speakers say so (None: they do not).
    closing_warning: timedelta | None = None


# Lock inputs
@dataclass(frozen=True)
class LockReported:
    """The wrapped lock reported a state (None: unavailable or unknown)."""

    state: str | None


@dataclass(frozen=True)
class DoorReported:
    """The door sensor reported open (True), closed (False) or nothing (None)."""

    is_open: bool | None


@dataclass(frozen=True)
class Tick:
    """Time passed: every deadline at or before now is due."""


@dataclass(frozen=True)
class EndRequested:
    """The owner (or the visitor's "Done") asked to lock now and end the visit."""


@dataclass(frozen=True)
class CameraLost:
    """The camera stopped giving fresh pictures while the door was unlocked."""


type Input = LockReported | DoorReported | Tick | EndRequested | CameraLost


@dataclass(frozen=True, kw_only=True)
class Visit:
    """A running or finished visit."""

    visit_id: str
    pass_id: str | None
    pass_kind: str
    pass_label: str
    started: datetime
    admitted_by: str = ""  # how: "link", "carrier_link", "doorbell" or "owner"
    phase: Phase = Phase.UNLOCKING
    door_open: bool | None = False  # None: the door sensor reports nothing
    lock_state: str | None = None
    deadlines: Mapping[Timer, datetime] = field(default_factory=dict)
    lock_attempts: int = 0
    unlock_failed: bool = False
    relock_failed: bool = False
    stuck: bool = False
    retries: int = 0
    camera_lost: bool = False
    entered: datetime | None = None
    ended: datetime | None = None
    outcome: Outcome | None = None
    resumed: bool = False  # Home Assistant restarted during it: nobody can tell whether someone went in

    @property
    def running(self) -> bool:
        """Return whether the visit has not ended yet."""
        return self.phase is not Phase.DONE

    def next_deadline(self) -> datetime | None:
        """Return when the visit next needs a Tick."""
        return min(self.deadlines.values(), default=None)


type Step = tuple[Visit, list[Command]]


def start_visit(
    *,
    visit_id: str,
    pass_id: str | None,
    pass_kind: str,
    pass_label: str,
    now: datetime,
    settings: VisitSettings,
    admitted_by: str = "",
) -> Step:
    """Begin an admitted visit: prepare the house, tell the owner, then unlock."""
    visit = Visit(
        visit_id=visit_id,
        pass_id=pass_id,
        pass_kind=pass_kind,
        pass_label=pass_label,
        started=now,
        admitted_by=admitted_by,
        deadlines={
            Timer.UNLOCK_CONFIRM: now + settings.confirm_timeout,
            Timer.MAX_VISIT: now + settings.max_visit,
        },
    )
    return visit, [
        LightsOn(),
        AlarmDisarm(),
        Snapshot("admitted"),
        Notify(Message.ADMITTED),
        Emit(EventType.ADMITTED),
        Unlock(),
    ]


IDLE = "idle"  # the entrance shows no visit running
RELOCK_FAILED = "relock_failed"  # a running visit whose lock will not lock (stuck)


def shown_phase(visit: Visit | None) -> str:
    """The phase as the entrance shows it: idle, the running visit's phase, or relock_failed while stuck."""
    if visit is None or not visit.running:
        return IDLE
    return RELOCK_FAILED if visit.stuck else visit.phase.value


AUTO_LOCK = "auto_lock"  # admitted_by of a visit that follows an unlock by hand
CARRIER_LINK = "carrier_link"  # admitted_by of a visit a carrier's standing link let in
OWNER = "owner"  # the pass kind of a visit without a pass


def begin_auto_lock(
    *, visit_id: str, label: str, now: datetime, settings: VisitSettings, door_open: bool | None
) -> Step:
    """The lock was unlocked by hand (a tile, a keypad, a key): follow it as a visit, so it locks again.

    Nothing is unlocked, lit, disarmed or photographed, and the owner is not told that someone came:
    only the rules of the visit apply from here (the door closed, the relock delay, confirmation,
    retries, alerts). Without anyone opening the door it locks after the entry timeout.
    """
    visit = Visit(
        visit_id=visit_id,
        pass_id=None,
        pass_kind=OWNER,
        pass_label=label,
        started=now,
        admitted_by=AUTO_LOCK,
        phase=Phase.WAITING_FOR_ENTRY,
        door_open=door_open,
        lock_state="unlocked",
        deadlines={Timer.ENTRY: now + settings.entry_timeout, Timer.MAX_VISIT: now + settings.max_visit},
    )
    if door_open:
        visit = replace(
            visit,
            phase=Phase.INSIDE,
            entered=now,
            deadlines={
                Timer.DOOR_OPEN_ALERT: now + settings.door_open_alert,
                Timer.MAX_VISIT: now + settings.max_visit,
            },
        )
    return visit, [Emit(EventType.UNLOCKED)]


def resume_visit(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """Carry on after a restart: whatever the phase was, lock at once and tell the owner.

    Only a door that stands open (visit.door_open, read at restart) cannot be locked: then the visit
    watches it as when someone is inside (door-open alerts) and locks as soon as it closes.
    """
    alert = Notify(Message.RESUMED, critical=True)
    visit = replace(visit, stuck=False, retries=0, resumed=True)
    if visit.door_open:
        deadlines = {Timer.DOOR_OPEN_ALERT: now + settings.door_open_alert}
        return replace(visit, phase=Phase.INSIDE, lock_attempts=0, deadlines=deadlines), [alert]
    visit, commands = _begin_locking(visit, now, settings)
    return visit, [alert, *commands]


def advance(visit: Visit, event: Input, now: datetime, settings: VisitSettings) -> Step:
    """Apply one input to a running visit."""
    if not visit.running:
        return visit, []
    match event:
        case LockReported(state):
            return _on_lock(visit, state, now, settings)
        case DoorReported(is_open):
            return _on_door(visit, is_open, now, settings)
        case EndRequested():
            return _on_end_requested(visit, now, settings)
        case CameraLost():
            return _on_camera_lost(visit, now, settings)
    return _on_tick(visit, now, settings)


def _on_end_requested(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """Lock now; but an open door is never locked: the visit ends once it is closed."""
    if visit.door_open:
        return visit, [Notify(Message.WAITING_FOR_DOOR), *_speak(visit, Spoken.CANNOT_LOCK)]
    if visit.phase is Phase.LOCKING and not visit.stuck:
        return visit, []
    return _begin_locking(replace(visit, stuck=False, retries=0), now, settings)


def _on_camera_lost(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    if visit.camera_lost:
        return visit, []
    visit = replace(visit, camera_lost=True)
    commands: list[Command] = [Emit(EventType.CAMERA_LOST), Notify(Message.CAMERA_LOST, critical=True)]
    if settings.lock_when_camera_lost and visit.phase is not Phase.LOCKING:
        visit, more = _on_end_requested(visit, now, settings)
        commands += more
    return visit, commands


def _on_lock(visit: Visit, state: str | None, now: datetime, settings: VisitSettings) -> Step:
    # The lock "comes back" when it reports again after being unavailable (or jammed) and is not locked.
    back = visit.lock_state in (None, "jammed") and state in ("unlocked", "open")
    # Going back while locking: a bolt that hit the strike plate, a garage door that met an obstruction.
    reversed_ = visit.lock_state == "locking" and state in ("unlocking", "unlocked", "open")
    visit = replace(visit, lock_state=state)
    match visit.phase:
        case Phase.UNLOCKING if state in ("unlocked", "open"):
            return _await_entry(visit, now, settings)
        case Phase.UNLOCKING if state == "jammed":
            return _unlock_failed(visit, now, settings)
        case Phase.WAITING_FOR_ENTRY | Phase.CLOSING if state == "locked":
            return _finish(visit, now)
        case Phase.LOCKING if state == "locked":
            return _finish(visit, now)
        case Phase.LOCKING if state == "jammed" and not visit.stuck:
            return _relock_failed(visit, now, settings)
        case Phase.LOCKING if reversed_ and not visit.stuck:
            return _reversed(visit, now, settings)
        case Phase.LOCKING if back and not visit.door_open:
            # The lock hears us again: try at once, whatever attempts were spent while it was away.
            return _lock_again(visit, now, settings)
    return visit, []


def _on_door(visit: Visit, is_open: bool | None, now: datetime, settings: VisitSettings) -> Step:
    if is_open == visit.door_open or (is_open is None and not settings.has_door_sensor):
        return visit, []
    if is_open is None:
        return _door_sensor_lost(visit, now, settings)
    commands: list[Command] = [ClearRepair(Repair.DOOR_SENSOR)] if visit.door_open is None else []
    visit = replace(visit, door_open=is_open)
    if is_open:
        deadlines = _without(visit, Timer.UNLOCK_CONFIRM, Timer.ENTRY, Timer.RELOCK, Timer.LOCK_CONFIRM, Timer.RETRY)
        deadlines[Timer.DOOR_OPEN_ALERT] = now + settings.door_open_alert
        commands += [Emit(EventType.DOOR_OPENED), Snapshot("door_opened")]
        if visit.entered is None:
            visit = replace(visit, entered=now)
            if visit.admitted_by != AUTO_LOCK:
                commands.append(Notify(Message.ENTERED))
        return replace(visit, phase=Phase.INSIDE, deadlines=deadlines, stuck=False, retries=0), commands
    if visit.phase is Phase.CLOSING:
        # The sensor is back and says closed: lock within the relock delay.
        deadlines = dict(visit.deadlines)
        deadlines[Timer.RELOCK] = min(deadlines.get(Timer.RELOCK, now), now + settings.relock_delay)
        return replace(visit, deadlines=deadlines), commands
    if visit.phase is not Phase.INSIDE:
        return visit, commands
    deadlines = _without(visit, Timer.DOOR_OPEN_ALERT)
    deadlines[Timer.RELOCK] = now + settings.relock_delay
    return replace(visit, phase=Phase.CLOSING, deadlines=deadlines), [
        *commands,
        Emit(EventType.DOOR_CLOSED),
        Snapshot("door_closed"),
    ]


def _door_sensor_lost(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """The door sensor reports nothing: a fault, not an open door.

    The owner is told (and a repair issue stays until it reports again); meanwhile the rule for an
    entrance without a sensor applies: the door counts as closed again after the entry timeout.
    """
    visit = replace(visit, door_open=None)
    commands: list[Command] = [Notify(Message.DOOR_SENSOR_LOST, critical=True), RaiseRepair(Repair.DOOR_SENSOR)]
    if visit.phase not in (Phase.INSIDE, Phase.CLOSING):
        return visit, commands
    deadlines = _without(visit, Timer.DOOR_OPEN_ALERT)
    deadlines[Timer.RELOCK] = min(
        deadlines.get(Timer.RELOCK, now + settings.entry_timeout), now + settings.entry_timeout
    )
    return replace(visit, phase=Phase.CLOSING, deadlines=deadlines), commands


def _on_tick(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    due = sorted((when, timer) for timer, when in visit.deadlines.items() if when <= now)
    commands: list[Command] = []
    for _, timer in due:
        if timer not in visit.deadlines or not visit.running:
            continue
        visit, more = _on_deadline(replace(visit, deadlines=_without(visit, timer)), timer, now, settings)
        commands.extend(more)
    return visit, commands


def _on_deadline(visit: Visit, timer: Timer, now: datetime, settings: VisitSettings) -> Step:
    match timer:
        case Timer.UNLOCK_CONFIRM:
            return _unlock_failed(visit, now, settings)
        case Timer.ENTRY | Timer.RELOCK:
            return _begin_locking(visit, now, settings)
        case Timer.DOOR_OPEN_ALERT:
            deadlines = dict(visit.deadlines)
            deadlines[Timer.DOOR_OPEN_ALERT] = now + settings.door_open_alert
            return replace(visit, deadlines=deadlines), [
                Emit(EventType.DOOR_LEFT_OPEN),
                Notify(Message.DOOR_LEFT_OPEN, critical=True),
                *_speak(visit, Spoken.CANNOT_LOCK),
            ]
        case Timer.MAX_VISIT if visit.phase is Phase.INSIDE:
            # The door is open: it cannot be locked; the owner is told, and closing it relocks as usual.
            return visit, [Notify(Message.MAX_VISIT, critical=True), *_speak(visit, Spoken.CANNOT_LOCK)]
        case Timer.CLOSING_SOON:
            return visit, _speak(visit, Spoken.CLOSING_SOON)
        case Timer.MAX_VISIT:
            return _begin_locking(visit, now, settings)
        case Timer.RETRY:
            return _lock_again(replace(visit, retries=visit.retries + 1), now, settings)
        case _:  # Timer.LOCK_CONFIRM, the last kind
            if visit.stuck:
                return _retry_later(visit, now, settings), []
            if visit.lock_attempts >= settings.relock_attempts:
                return _relock_failed(visit, now, settings)
            return _send_lock(visit, now, settings)


def _await_entry(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    deadlines = _without(visit, Timer.UNLOCK_CONFIRM)
    deadlines[Timer.ENTRY] = now + settings.entry_timeout
    if settings.closing_warning is not None:
        # A garage door closes by itself when the visit runs out: a minute before, the visitor hears it.
        closes = min(deadlines[Timer.ENTRY], deadlines.get(Timer.MAX_VISIT, deadlines[Timer.ENTRY]))
        if (warn := closes - settings.closing_warning) > now:
            deadlines[Timer.CLOSING_SOON] = warn
    visit = replace(visit, phase=Phase.WAITING_FOR_ENTRY, deadlines=deadlines)
    return visit, [Emit(EventType.UNLOCKED), *_speak(visit, Spoken.UNLOCKED)]


def _speak(visit: Visit, moment: Spoken) -> list[Command]:
    """Say it at the door, in a visit someone was let in for (an unlock by hand is nobody's visit)."""
    return [] if visit.admitted_by == AUTO_LOCK else [Speak(moment)]


def _unlock_failed(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    visit, commands = _begin_locking(replace(visit, unlock_failed=True), now, settings)
    return visit, [Notify(Message.UNLOCK_FAILED, critical=True), *commands]


def _begin_locking(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    visit = replace(visit, phase=Phase.LOCKING, lock_attempts=0, deadlines={})
    return _send_lock(visit, now, settings)


def _send_lock(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """Send one lock command and give the lock a while to confirm, longer after each failure."""
    wait = settings.confirm_timeout + settings.retry_backoff * (2**visit.lock_attempts - 1)
    visit = replace(
        visit,
        lock_attempts=visit.lock_attempts + 1,
        deadlines={Timer.LOCK_CONFIRM: now + wait},
    )
    if visit.lock_state == "locked":
        # The lock already reports locked (it never opened, or locked itself): that is the confirmation.
        visit, commands = _finish(visit, now)
        return visit, [Lock(), *commands]
    return visit, [Lock()]


def _reversed(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """The lock went back while locking: tell the owner at once, and try again after a pause (a counted attempt)."""
    wait = min(visit.deadlines.get(Timer.LOCK_CONFIRM, now + settings.retry_backoff), now + settings.retry_backoff)
    return replace(visit, deadlines={Timer.LOCK_CONFIRM: wait}), [
        Notify(Message.REVERSED),
        *_speak(visit, Spoken.CANNOT_LOCK),
    ]


def _lock_again(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """One more lock command outside the counted attempts (the lock came back, or a slow retry)."""
    return replace(visit, deadlines={Timer.LOCK_CONFIRM: now + settings.confirm_timeout}), [Lock()]


def _retry_later(visit: Visit, now: datetime, settings: VisitSettings) -> Visit:
    """The next slow retry of a visit that could not lock: 2, 4, 8 … minutes, at most 30."""
    wait = min(settings.slow_retry * 2 ** min(visit.retries, 16), settings.slow_retry_max)
    return replace(visit, deadlines={Timer.RETRY: now + wait})


def _relock_failed(visit: Visit, now: datetime, settings: VisitSettings) -> Step:
    """Give up the quick attempts: alert the owner once, and keep trying slowly until the lock locks."""
    visit = _retry_later(replace(visit, relock_failed=True, stuck=True, retries=0), now, settings)
    return visit, [
        Emit(EventType.RELOCK_FAILED, visit.lock_state or "unavailable"),
        Notify(Message.RELOCK_FAILED, critical=True),
        RaiseRepair(),
        *_speak(visit, Spoken.CANNOT_LOCK),
    ]


def _finish(visit: Visit, now: datetime) -> Step:
    """The lock reported locked: put the house back, tell the owner, record the visit."""
    if visit.relock_failed:
        outcome = Outcome.RELOCK_FAILED
    elif visit.unlock_failed:
        outcome = Outcome.UNLOCK_FAILED
    else:
        outcome = Outcome.LOCKED
    commands: list[Command] = [Emit(EventType.LOCKED)]
    if visit.relock_failed:
        commands.append(ClearRepair())
    if visit.door_open is None:
        commands.append(ClearRepair(Repair.DOOR_SENSOR))
    commands += [
        LightsRestore(),
        AlarmRearm(),
        Snapshot("end"),
        # After an unlock by hand only a problem is worth a message (the relock-failed alert came earlier).
        *([Notify(Message.COMPLETED)] if visit.admitted_by != AUTO_LOCK or outcome is not Outcome.LOCKED else []),
        Emit(EventType.COMPLETED, None if outcome is Outcome.LOCKED else str(outcome)),
        Finish(),
    ]
    visit = replace(visit, phase=Phase.DONE, deadlines={}, ended=now, outcome=outcome, stuck=False)
    return visit, commands


def _without(visit: Visit, *timers: Timer) -> dict[Timer, datetime]:
    return {timer: when for timer, when in visit.deadlines.items() if timer not in timers}


def visit_as_dict(visit: Visit) -> dict[str, object]:
    """Return the visit as JSON-ready data, for the entrance's store."""
    return {
        "visit_id": visit.visit_id,
        "pass_id": visit.pass_id,
        "pass_kind": visit.pass_kind,
        "pass_label": visit.pass_label,
        "started": visit.started.isoformat(),
        "admitted_by": visit.admitted_by,
        "phase": visit.phase.value,
        "door_open": visit.door_open,
        "lock_state": visit.lock_state,
        "deadlines": {timer.value: when.isoformat() for timer, when in visit.deadlines.items()},
        "lock_attempts": visit.lock_attempts,
        "unlock_failed": visit.unlock_failed,
        "relock_failed": visit.relock_failed,
        "stuck": visit.stuck,
        "retries": visit.retries,
        "camera_lost": visit.camera_lost,
        "entered": visit.entered.isoformat() if visit.entered else None,
        "ended": visit.ended.isoformat() if visit.ended else None,
        "outcome": visit.outcome.value if visit.outcome else None,
        "resumed": visit.resumed,
    }


def visit_from_dict(data: Mapping[str, object]) -> Visit:
    """Read a visit back from the entrance's store."""

    def when(key: str) -> datetime | None:
        value = data.get(key)
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    deadlines = data.get("deadlines")
    outcome = data.get("outcome")
    return Visit(
        visit_id=str(data["visit_id"]),
        pass_id=None if data.get("pass_id") is None else str(data["pass_id"]),
        pass_kind=str(data["pass_kind"]),
        pass_label=str(data["pass_label"]),
        started=datetime.fromisoformat(str(data["started"])),
        admitted_by=str(data.get("admitted_by") or ""),
        phase=Phase(str(data["phase"])),
        door_open=None if data.get("door_open", False) is None else bool(data.get("door_open")),
        lock_state=None if data.get("lock_state") is None else str(data["lock_state"]),
        deadlines={
            Timer(timer): datetime.fromisoformat(str(value))
            for timer, value in (deadlines.items() if isinstance(deadlines, Mapping) else ())
        },
        lock_attempts=int(str(data.get("lock_attempts", 0))),
        unlock_failed=bool(data.get("unlock_failed")),
        relock_failed=bool(data.get("relock_failed")),
        stuck=bool(data.get("stuck")),
        retries=int(str(data.get("retries", 0))),
        camera_lost=bool(data.get("camera_lost")),
        entered=when("entered"),
        ended=when("ended"),
        outcome=Outcome(str(outcome)) if outcome else None,
        resumed=bool(data.get("resumed")),
    )
