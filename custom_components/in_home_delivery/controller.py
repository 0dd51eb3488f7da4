"""One controller per entrance.

It turns HA state changes and timers into core inputs, and core commands into HA actions.
Entities only read from it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME, STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_interval,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .access import access_point, street_door_opener
from .camera_watch import CameraWatch
from .const import (
    CONF_ALARM_CODE,
    CONF_ALARM_PANEL,
    CONF_CAMERA,
    CONF_DOOR_SENSOR,
    CONF_DOORBELL,
    CONF_GARAGE_DOOR,
    CONF_LIGHTS,
    CONF_LOCK,
    CONF_NOTIFY_TARGETS,
    CONF_STREET_DOOR,
    DOMAIN,
    EVENT_IN_HOME_DELIVERY,
)
from .coordinator import IDLE, RELOCK_FAILED, EntranceCoordinator, EntranceSnapshot
from .core.admission import Conditions, DenyReason
from .core.carriers import Carrier
from .core.commands import (
    Command,
    EventType,
    Finish,
    Message,
)
from .core.door import Asker, Denial, Facts, Link, Owner, Purpose, RunningVisit, StreetDoor, decide
from .core.lockout import Lockout
from .core.openings import StreetDoorOpenings, opening_key
from .core.passindex import Pass
from .core.visit import (
    CARRIER_LINK,
    OWNER,
    CameraLost,
    DoorReported,
    EndRequested,
    Input,
    LockReported,
    Tick,
    Visit,
    advance,
    begin_auto_lock,
    resume_visit,
    start_visit,
    visit_as_dict,
    visit_from_dict,
)
from .house import House, Remembered
from .media import VisitPictures
from .messages import Messages
from .passbook import PassBook
from .phone_actions import OneTimeActions
from .relay import async_street_door_relay
from .repairs import async_raise_unreadable_issue, unreadable_issue_id
from .runner import CommandRunner
from .settings import EntranceSettings
from .sources import ExpectedDeliveries
from .store import (
    HISTORY_KEYS,
    HISTORY_LIMIT,
    EntranceStore,
    PassStoreUnreadableError,
    WriteFailedError,
    entrance_key,
    history_record,
    visit_key,
)

_LOGGER = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
REFUSALS_QUIET = timedelta(minutes=10)
MAX_QUIET_KEYS = 1000


class VisitDeniedError(ServiceValidationError):
    """A request to enter was refused; reason is a DenyReason or a PassDenial."""

    def __init__(self, reason: str, entrance: str) -> None:
        """Translate the reason for the caller."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=f"denied_{reason}",
            translation_placeholders={"entrance": entrance},
        )
        self.reason = reason


def own_lock_entity_id(hass: HomeAssistant, entry_id: str) -> str | None:
    """The entrance's own lock entity (which mirrors its access point), found by its unique id."""
    return er.async_get(hass).async_get_entity_id("lock", DOMAIN, f"{entry_id}_lock")


def door_input(state: str | None) -> bool | None:
    """The door sensor's state as the core reads it: open, closed, or None when it reports nothing."""
    return {"on": True, "off": False}.get(state or "")


class EntranceController:
    """Runs the visits of one entrance."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Read the entrance's configuration."""
        self.hass = hass
        self.entry = entry
        self.name: str = entry.data[CONF_NAME]
        self.options = options = EntranceSettings.from_options(entry.options)
        self.access = access_point(entry.data, options.opening_height)
        self.street_door = street_door_opener(entry.data, options.street_door_pulse)
        self.lock_entity: str = self.access.entity_id  # the access point: a lock or a garage door
        # A garage door is its own door; a sensor of its own only makes "closed" stricter (garage_sensor).
        self.door_sensor: str | None = None if self.access.own_door else entry.data.get(CONF_DOOR_SENSOR)
        self.garage_sensor: str | None = entry.data.get(CONF_DOOR_SENSOR) if self.access.own_door else None
        self.camera: str | None = entry.data.get(CONF_CAMERA)
        self.settings = options.visit(has_door_sensor=self.door_sensor is not None, own_door=self.access.own_door)
        self.house = House(
            hass,
            access=self.access,
            street_door=self.street_door,
            lights=entry.data.get(CONF_LIGHTS, []) if options.lights_on else [],
            alarm_panel=entry.data.get(CONF_ALARM_PANEL),
            alarm_code=entry.data.get(CONF_ALARM_CODE),
            notify_targets=entry.data.get(CONF_NOTIFY_TARGETS, []),
        )
        self.store = EntranceStore(hass, entrance_key(entry.entry_id), self._store_data)
        self.visit_store = EntranceStore(hass, visit_key(entry.entry_id), self._visit_data)
        self.messages = Messages(hass, self.name)
        self.coordinator = EntranceCoordinator(hass, entry, name=self.name, commands=self, build=self.snapshot)
        self.visit: Visit | None = None
        self.remembered = Remembered()
        self.history: list[dict[str, Any]] = []
        self.passes = PassBook(hass, entry, self, self.visit_store.async_save_checked, grace=options.grace)
        self.sources = ExpectedDeliveries(hass, entry, self.passes, options)
        self.lockout = Lockout()
        self.phone_actions = OneTimeActions()
        self.media = VisitPictures(hass, entry.entry_id, self.camera)
        self.runner = CommandRunner(hass, entry, self, options)
        self.camera_watch = CameraWatch(
            hass,
            self.media,
            options.camera_check_interval,
            door_unlocked=lambda: self.visit is not None and self.visit.running and self.visit.lock_state != "locked",
            on_lost=self._async_camera_lost,
        )
        self.accepting = True
        self.store_unreadable = False  # the pass database could not be read at start
        self.last_finished: Visit | None = None
        self._admitting = False
        self.street_door_opened = StreetDoorOpenings()
        self._told: dict[str, datetime] = {}
        self._unsub_timer: CALLBACK_TYPE | None = None

    @property
    def watched_entities(self) -> list[str]:
        """Every entity the entrance wraps, for the missing-entity repair."""
        data = self.entry.data
        keys = (
            CONF_LOCK,
            CONF_GARAGE_DOOR,
            CONF_STREET_DOOR,
            CONF_DOOR_SENSOR,
            CONF_CAMERA,
            CONF_DOORBELL,
            CONF_ALARM_PANEL,
        )
        single = [data.get(key) for key in keys]
        return [entity for entity in [*single, *data.get(CONF_LIGHTS, []), *self.sources.watched()] if entity]

    async def async_start(self) -> None:
        """Load the stores and follow the lock and door; an unfinished visit is locked at once.

        The running visit comes first and is followed whatever else fails: a pass database that cannot
        be read raises a repair and, once no visit needs locking, a setup error (PassStoreUnreadableError).
        """
        stored = await self.store.async_load()
        # The first release kept the visit in the entrance store: it moves to its own store first.
        moved_visit = "visit" in stored
        running = await self.visit_store.async_load() if not moved_visit else stored
        self.history = list(stored.get("history", []))[-HISTORY_LIMIT:]
        self.visit = visit_from_dict(running["visit"]) if running.get("visit") else None
        if self.visit is not None and any(record["visit_id"] == self.visit.visit_id for record in self.history):
            self.visit = None  # it finished, and Home Assistant stopped before its store was cleared
        remembered = running.get("remembered") or {}
        self.remembered = Remembered(
            lights_turned_on=list(remembered.get("lights_turned_on", [])), alarm_mode=remembered.get("alarm_mode")
        )
        self.street_door_opened = StreetDoorOpenings.from_dict(running.get("street_door_openings") or {})
        self._follow()
        if self.street_door is not None and self.street_door.relay:  # a restart during its pulse turns it off
            self.house.street_door_relay = await async_street_door_relay(
                self.hass,
                self.entry.entry_id,
                self.name,
                self.street_door,
                switch=self.house.switch_street_door,
                alert=lambda relay: self.notify_owner(Message.STREET_DOOR_RELAY_ON, critical=True, relay=relay),
            )
            self.entry.async_on_unload(self.house.street_door_relay.stop)
        try:
            moved_passes = await self.passes.async_load(stored, list(running.get("pending_passes") or []))
            ir.async_delete_issue(self.hass, DOMAIN, unreadable_issue_id(self.entry.entry_id))
        except PassStoreUnreadableError:
            self.store_unreadable = True
            async_raise_unreadable_issue(self.hass, self.entry, self.name, self.passes.store.path)
            if not self.visit_running:
                raise
            _LOGGER.error("%s: the pass database cannot be read; the running visit is locked first", self.name)
            moved_passes = False
        if moved_visit:
            await self.visit_store.async_save_now()
        self.sources.async_start()
        self.media.restore(stored.get("last_picture"))
        if moved_visit or moved_passes:
            await self.store.async_save_now()
        self.coordinator.publish()

    def _follow(self) -> None:
        """Follow the lock and door, resume a running visit once Home Assistant has started, and clean up daily."""
        self.entry.async_on_unload(
            async_track_state_change_event(
                self.hass, [self.lock_entity, *filter(None, [self.door_sensor, self.garage_sensor])], self._on_state
            )
        )
        self.entry.async_on_unload(async_at_started(self.hass, self._async_resume))
        self.entry.async_on_unload(self._cancel_timer)
        self.entry.async_on_unload(self.camera_watch.stop)
        self.entry.async_on_unload(self.store.async_save_now)
        self.entry.async_on_unload(self.visit_store.async_save_now)
        self.entry.async_on_unload(async_track_time_interval(self.hass, self._async_retention, RETENTION_INTERVAL))
        self.entry.async_on_unload(async_at_started(self.hass, self._async_retention))

    def _store_data(self) -> dict[str, Any]:
        return {
            "history": self.history[-HISTORY_LIMIT:],
            "last_picture": self.media.last_as_dict(),
            **self.passes.as_store_data(),
        }

    def _visit_data(self) -> dict[str, Any]:
        return {
            "visit": visit_as_dict(self.visit) if self.visit is not None and self.visit.running else None,
            "remembered": {
                "lights_turned_on": self.remembered.lights_turned_on,
                "alarm_mode": self.remembered.alarm_mode,
            },
            "street_door_openings": self.street_door_opened.as_dict(),
            "pending_passes": self.passes.journal(),
        }

    async def _async_resume(self, _hass: HomeAssistant) -> None:
        if self.visit is not None and self.visit.running:
            _LOGGER.warning("%s: a visit was running at restart; locking now", self.name)
            door_open = self.door_open() if self.door_sensor else False
            visit = replace(self.visit, lock_state=self.lock_state, door_open=door_open)
            self._commit(*resume_visit(visit, dt_util.utcnow(), self.settings))
        elif self.lock_state == "unlocked":
            self._auto_lock()

    @callback
    def _auto_lock(self) -> None:
        """With "Auto-lock after any unlock" on, an unlock that is not a visit's becomes one, so it locks again."""
        if not self.options.auto_lock or self._admitting or self.visit_running:
            return
        _LOGGER.info("%s: unlocked by hand; it locks again by the visit's rules", self.name)
        self._commit(
            *begin_auto_lock(
                visit_id=ulid_now(),
                label=self.messages.owner_label(),
                now=dt_util.utcnow(),
                settings=self.settings,
                door_open=self.door_open() if self.door_sensor else False,
            )
        )

    async def _async_retention(self, _now: Any = None) -> None:
        """Daily: forget old finished deliveries, and pictures older than the option."""
        self.passes.prune(dt_util.utcnow())
        await self.runner.async_retention()

    @callback
    def journal_changed(self) -> None:
        """The pass changes waiting for the database changed: the visit store keeps them."""
        self.visit_store.async_schedule_save()

    def snapshot(self) -> EntranceSnapshot:
        """The entrance as its entities show it, now."""
        now = dt_util.utcnow()
        visit = self.visit if self.visit is not None and self.visit.running else None
        phase = IDLE if visit is None else RELOCK_FAILED if visit.stuck else visit.phase.value
        return EntranceSnapshot(
            taken=now,
            phase=phase,
            visit_running=visit is not None,
            accepting=self.accepting,
            last_visit=self._last_visit(),
            next_delivery=next((item for item in self.passes.upcoming(now) if item.window_start > now), None),
            expected_today=tuple(self.passes.expected_today(now)),
            last_picture=self.media.last,
        )

    def _last_visit(self) -> dict[str, Any] | None:
        """The newest finished visit as the last-visit sensor shows it, with its pictures' media ids."""
        if not self.history:
            return None
        record = self.history[-1]
        files = record.get("files") or []
        return {key: record.get(key) for key in (*HISTORY_KEYS, "ended")} | {
            "pictures": [self.media.media_id(record["visit_id"], name) for name in files if name.endswith(".jpg")],
            "recording": next(
                (self.media.media_id(record["visit_id"], name) for name in files if not name.endswith(".jpg")), None
            ),
        }

    @callback
    def file_kept(self, visit_id: str, name: str) -> None:
        """A picture or recording of a visit was written: list it in the visit's history record and show it."""
        files = self.media.remember(visit_id, name, dt_util.utcnow())
        for record in reversed(self.history[-5:]):
            if record["visit_id"] == visit_id:
                record["files"] = files
        self.store.async_schedule_save()
        self.notify_listeners()

    @callback
    def files_removed(self, visit_ids: set[str]) -> None:
        """The files of these visits were deleted (retention): the history keeps its records, without files."""
        for record in self.history:
            if record["visit_id"] in visit_ids:
                record["files"] = []
        self.media.forget(visit_ids)
        self.store.async_schedule_save()
        self.notify_listeners()

    @callback
    def set_accepting(self, accepting: bool) -> None:
        """Accept visits (the "deliveries allowed" switch), or turn them away; the owner may still admit."""
        self.accepting = accepting
        self.notify_listeners()

    async def async_read_picture(self, visit_id: str, name: str) -> bytes | None:
        """A picture of a visit."""
        return await self.media.async_read(visit_id, name)

    @property
    def lock_state(self) -> str | None:
        """The access point's trusted state, in the lock's words (a closed garage door is locked)."""
        return self._read_access(self.hass.states.get(self.lock_entity))

    def _read_access(self, state: State | None) -> str | None:
        """The access point's reading; a garage door with its own sensor is closed only when both say so.

        Closed by the cover but open by the sensor reads as open; with the sensor silent, as unknown.
        """
        reading = self.access.read(state)
        if reading != "locked" or self.garage_sensor is None:
            return reading
        sensor = self.hass.states.get(self.garage_sensor)
        opened = door_input(sensor.state if sensor else None)
        if opened is None:
            return None
        return "unlocked" if opened else reading

    @property
    def reported_lock_state(self) -> str:
        """The access point's state as the courier's page reads it (`unavailable` where it is missing).

        A lock's state exactly as it reports it; a garage door's in the lock's words.
        """
        state = self.hass.states.get(self.lock_entity)
        if state is None:
            return STATE_UNAVAILABLE
        if self.access.own_door:
            return self._read_access(state) or state.state
        return state.state

    def door_open(self) -> bool | None:
        """The door sensor's state: None without a sensor or while it reports nothing."""
        if not self.door_sensor or (state := self.hass.states.get(self.door_sensor)) is None:
            return None
        return door_input(state.state)

    @property
    def camera_required(self) -> bool:
        """Whether visits need a working camera."""
        return bool(self.camera and self.options.require_camera)

    def _conditions(self, *, camera_ok: bool = True) -> Conditions:
        """The entrance as it is now, for the decision; camera_ok: the required picture came (or is not awaited yet)."""
        return Conditions(
            accepting=self.accepting,
            visit_running=self.visit is not None and self.visit.running,
            lock_state=self.lock_state,
            has_door_sensor=self.door_sensor is not None,
            # A garage door lets someone in only from closed: one that stands open is an open door.
            door_open=self.lock_state not in ("locked", None) if self.access.own_door else self.door_open(),
            camera_required=self.camera_required,
            camera_ok=camera_ok,
            only_when_away=self.options.only_when_away,
            someone_home=any(state.state == "home" for state in self.hass.states.async_all("person")),
        )

    def decide(
        self,
        asker: Asker,
        purpose: Purpose,
        pass_id: str | None = None,
        *,
        via: Carrier | None = None,
        camera_ok: bool = True,
    ) -> tuple[Pass | None, Denial | None]:
        """Gather the facts as they are now, and ask the core's one decision.

        The pass is read again by its id (a change the owner made a moment ago always stands); a
        carrier's link (via) is asked as the carrier as it is now, for the delivery pass_id.
        """
        now = dt_util.utcnow()
        current = self.passes.find_pass(pass_id) if pass_id else None
        asked = current
        delivery = None
        if via is not None:
            asked = self.passes.find_pass(via.pass_id)
            delivery = self.passes.delivery(pass_id) if pass_id else None
        visit = self.visit if self.visit is not None and self.visit.running else None
        openings = 0
        if purpose is Purpose.STREET_DOOR and asked is not None:
            openings = self.street_door_opened.count(self._opening_key(delivery or asked, now))
        facts = Facts(
            now=now,
            grace=self.passes.grace,
            tz=dt_util.get_default_time_zone(),
            pass_=asked,
            delivery=delivery,
            stored=self.passes.stored(*(item.pass_id for item in (asked, delivery) if item is not None)),
            running=RunningVisit(visit_id=visit.visit_id, pass_id=visit.pass_id) if visit else None,
            door_open=self.door_open(),
            entrance=self._conditions(camera_ok=camera_ok),
            street_door=StreetDoor(available=self.house.street_door_available(), openings=openings)
            if self.street_door is not None
            else None,
        )
        return current, decide(asker, purpose, facts)

    def _opening_key(self, pass_: Pass, now: datetime) -> str:
        return opening_key(pass_.pass_id, self.passes.window(pass_, now))

    def _deny(
        self, reason: str, *, pass_id: str | None, pass_kind: str, pass_label: str, quiet: bool = False
    ) -> VisitDeniedError:
        """Tell the bus and the owner that a request was refused, and return the error to raise.

        A link refused again and again (quiet) tells the owner once per pass in REFUSALS_QUIET.
        """
        self.emit(EventType.DENIED, reason, pass_id=pass_id, pass_kind=pass_kind, pass_label=pass_label)
        if quiet and pass_id:
            self.notify_owner_once(f"denied_{pass_id}", Message.DENIED, who=pass_label, reason=reason)
        else:
            self.notify_owner(Message.DENIED, who=pass_label, reason=reason)
        return VisitDeniedError(reason, self.name)

    def _refuse(self, asker: Asker, denial: Denial, pass_: Pass | None) -> VisitDeniedError:
        """Tell the bus and the owner that a request was refused; a link's refusals are told quietly."""
        kind, label = (pass_.kind, pass_.label) if pass_ else (OWNER, self.messages.owner_label())
        return self._deny(
            denial,
            pass_id=pass_.pass_id if pass_ else None,
            pass_kind=kind,
            pass_label=label,
            quiet=isinstance(asker, Link),
        )

    async def async_admit(
        self,
        pass_: Pass | None = None,
        *,
        asker: Asker,
        via: Carrier | None = None,
        how: str | None = None,
    ) -> Visit:
        """Start a visit if the core's decision allows it, else tell the owner and raise the reason.

        A carrier's link (via) admits the delivery expected from that carrier, as that delivery's
        visit. One admission at a time: a second request while one is being decided is refused.
        """
        if self._admitting:
            raise self._refuse(asker, DenyReason.VISIT_RUNNING, pass_)
        self._admitting = True
        try:
            if how is None:
                how = CARRIER_LINK if via is not None else OWNER if isinstance(asker, Owner) else "link"
            return await self._async_admit(pass_.pass_id if pass_ else None, asker, via, how)
        finally:
            self._admitting = False

    async def _async_admit(self, pass_id: str | None, asker: Asker, via: Carrier | None, how: str) -> Visit:
        settings = self.settings
        current, denial = self.decide(asker, Purpose.OPEN, pass_id, via=via)
        if denial is not None:
            raise self._refuse(asker, denial, current)
        # A required camera must give a fresh picture now; that picture is the visit's first.
        picture = await self.media.async_picture() if self.camera_required else None
        # Whatever happened during the wait, everything is asked again: the owner's word stands.
        camera_ok = not self.camera_required or picture is not None
        pass_, denial = self.decide(asker, Purpose.OPEN, pass_id, via=via, camera_ok=camera_ok)
        if denial is not None:
            raise self._refuse(asker, denial, pass_)
        kind = pass_.kind if pass_ else OWNER
        label = pass_.label if pass_ else self.messages.owner_label()
        if pass_ is not None and pass_.max_visit is not None:
            settings = replace(settings, max_visit=pass_.max_visit)
            if self.access.own_door:
                settings = replace(settings, entry_timeout=pass_.max_visit)
        visit, commands = start_visit(
            visit_id=ulid_now(),
            pass_id=pass_id,
            pass_kind=kind,
            pass_label=label,
            now=dt_util.utcnow(),
            settings=settings,
            admitted_by=how,
        )
        # The visit is on disk before the lock is touched, so a crash can only end in locking (and the
        # resumed visit ends its pass); a write that fails moves nothing. Only the visit store is written here:
        # its size does not grow with the passes or the history.
        self.visit = replace(visit, lock_state=self.lock_state)
        try:
            await self.visit_store.async_save_checked()
        except WriteFailedError:
            self.visit = None
            raise self._refuse(asker, DenyReason.NOT_STORED, pass_) from None
        if pass_id is not None:
            self.passes.mark_in_progress(pass_id)
        self._commit(self.visit, commands, first_picture=picture)
        self.runner.start_recording(self.visit, settings.max_visit)
        return self.visit

    def street_door_openings(self, pass_: Pass) -> int:
        """How often the street door was opened for the pass in its current window."""
        return self.street_door_opened.count(self._opening_key(pass_, dt_util.utcnow()))

    async def async_open_street_door(
        self, pass_: Pass | None = None, *, asker: Asker, via: Carrier | None = None
    ) -> None:
        """Open the building's street door for a valid pass (at most a few times per window), or for the owner."""
        current, denial = self.decide(asker, Purpose.STREET_DOOR, pass_.pass_id if pass_ else None, via=via)
        if denial is not None:
            if denial is DenyReason.NO_STREET_DOOR:
                raise VisitDeniedError(denial, self.name)
            raise self._refuse(asker, denial, current)
        label = current.label if current else self.messages.owner_label()
        kind, pass_id = (current.kind, current.pass_id) if current else (OWNER, None)
        if current is not None:
            now = dt_util.utcnow()
            window = self.passes.window(current, now)
            key = opening_key(current.pass_id, window)
            before = self.street_door_opened.as_dict()
            self.street_door_opened.add(key, window, now)
            # Counted on disk before the door opens: a restart gives no pass more openings.
            try:
                await self.visit_store.async_save_checked()
            except WriteFailedError:
                self.street_door_opened = StreetDoorOpenings.from_dict(before)
                raise self._refuse(asker, DenyReason.NOT_STORED, current) from None
        if not await self.house.open_street_door():
            raise self._deny(DenyReason.STREET_DOOR_FAILED, pass_id=pass_id, pass_kind=kind, pass_label=label)
        self.emit(EventType.STREET_DOOR_OPENED, None, pass_id=pass_id, pass_kind=kind, pass_label=label)
        self.notify_owner(Message.STREET_DOOR_OPENED, who=label)
        self.notify_listeners()

    async def async_end_visit(
        self, asker: Asker | None = None, pass_: Pass | None = None, *, via: Carrier | None = None
    ) -> None:
        """Lock now and end the running visit (asked by the owner, a Lock now button, or the visit's own link)."""
        asker = asker or Owner(admin=False)
        _current, denial = self.decide(asker, Purpose.LOCK, pass_.pass_id if pass_ else None, via=via)
        if denial is DenyReason.NO_VISIT:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="no_visit", translation_placeholders={"entrance": self.name}
            )
        if denial is not None:
            raise VisitDeniedError(denial, self.name)
        self._apply(EndRequested())

    @property
    def visit_running(self) -> bool:
        """Whether a visit is open."""
        return self.visit is not None and self.visit.running

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        value = new_state.state if new_state else None
        if event.data["entity_id"] in (self.lock_entity, self.garage_sensor):
            reading = self.lock_state
            if reading == "unlocked" and not self.visit_running:
                self._auto_lock()
                return
            self._apply(LockReported(reading))
        else:
            self._apply(DoorReported(door_input(value)))
        self.notify_listeners()

    @callback
    def _apply(self, event: Input) -> None:
        if self.visit is None or not self.visit.running:
            return
        self._commit(*advance(self.visit, event, dt_util.utcnow(), self.settings))

    @callback
    def _commit(self, visit: Visit, commands: list[Command], *, first_picture: bytes | None = None) -> None:
        """Take the core's new state, schedule its next deadline, and carry out its commands."""
        self.visit = visit
        self._cancel_timer()
        if (deadline := visit.next_deadline()) is not None:
            self._unsub_timer = async_track_point_in_utc_time(self.hass, self._on_timer, deadline)
        if any(isinstance(command, Finish) for command in commands):
            record = history_record(visit) | {"files": list(self.media.files.get(visit.visit_id, []))}
            self.history = [*self.history[-(HISTORY_LIMIT - 1) :], record]
            self.last_finished = visit
            self.passes.visit_finished(visit)
            self.store.async_schedule_save()
            if self.store_unreadable:  # the visit is locked: now the entrance stops with its repair
                self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
        self.visit_store.async_schedule_save()
        self.runner.spawn(commands, visit, first_picture=first_picture)
        self._watch_camera(visit)
        self.notify_listeners()

    @callback
    def _watch_camera(self, visit: Visit) -> None:
        """Check the camera while a visit runs (where visits are recorded), until it is lost."""
        if not visit.running:
            self.camera_watch.stop()
        elif self.runner.recording and not visit.camera_lost and not self.camera_watch.watching:
            self.camera_watch.start()

    async def _async_camera_lost(self, last_good: bytes | None) -> None:
        """The camera stopped during a visit: keep its last good picture, then let the core decide."""
        if self.visit is None or not self.visit.running:
            return
        if last_good is not None:
            await self.runner.async_keep_picture(self.visit.visit_id, "camera_lost", last_good)
        self._apply(CameraLost())

    @callback
    def _on_timer(self, _now: datetime) -> None:
        self._unsub_timer = None
        self._apply(Tick())

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None

    @callback
    def notify_listeners(self) -> None:
        """Tell every entity that the entrance changed: a new snapshot is published."""
        self.coordinator.publish()

    @callback
    def notify_owner(
        self, message: Message, *, critical: bool = False, live_picture: bool = False, **placeholders: str
    ) -> None:
        """Tell the owner something that is not a step of the running visit."""
        self.runner.notify_owner(message, critical=critical, live_picture=live_picture, **placeholders)

    @callback
    def notify_owner_once(self, key: str, message: Message, *, who: str, reason: str = "") -> None:
        """Tell the owner, unless the same was told within REFUSALS_QUIET (a link pressed again and again)."""
        now = dt_util.utcnow()
        if (told := self._told.get(key)) is not None and now - told < REFUSALS_QUIET:
            return
        if len(self._told) >= MAX_QUIET_KEYS:
            self._told = {name: when for name, when in self._told.items() if now - when < REFUSALS_QUIET}
        self._told[key] = now
        self.notify_owner(message, who=who, reason=reason)

    @callback
    def emit(
        self,
        event_type: EventType,
        reason: str | None,
        *,
        pass_id: str | None,
        pass_kind: str,
        pass_label: str,
        visit_id: str | None = None,
        admitted_by: str | None = None,
        duration: float | None = None,
    ) -> None:
        """Fire the public bus event; the `visit` event entity, device triggers and the logbook use it.

        Beyond the fields the README lists under *Automations* (`config_entry_id`, `type`, `visit_id`,
        `pass_id`, `pass_kind`, `pass_label`, `reason`) it says how the visit was admitted (`admitted_by`), which device and
        lock entity it belongs to (`device_id`, `entity_id`: the logbook links it to both), and for
        `completed` its length in seconds.
        """
        data: dict[str, Any] = {
            "config_entry_id": self.entry.entry_id,
            "type": event_type.value,
            "visit_id": visit_id,
            "pass_id": pass_id,
            "pass_kind": pass_kind,
            "pass_label": pass_label,
            "reason": reason,
            "admitted_by": admitted_by,
            "device_id": self.device_id,
            # The entrance's own lock entity: a logbook card of it shows the visits beside its states.
            "entity_id": own_lock_entity_id(self.hass, self.entry.entry_id),
        }
        if duration is not None:
            data["duration"] = round(duration)
        self.hass.bus.async_fire(EVENT_IN_HOME_DELIVERY, data)

    @property
    def device_id(self) -> str | None:
        """The entrance's device in the device registry."""
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.entry.entry_id), self.entry.entry_id
        )
        return device.id if device else None
