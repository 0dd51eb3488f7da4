"""One controller per entrance.

It turns HA state changes and timers into core inputs, and core commands into HA actions.
Entities only read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
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
from .code_admissions import CodeAdmissions
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
)
from .coordinator import AccessCoordinator, EntranceCoordinator
from .core.codes import Keypad
from .core.commands import (
    Command,
    Finish,
    Message,
)
from .core.lockout import Lockout
from .core.openings import StreetDoorOpenings
from .core.visit import (
    CameraLost,
    DoorReported,
    Input,
    LockReported,
    Tick,
    Visit,
    advance,
    begin_auto_lock,
    resume_visit,
    visit_as_dict,
    visit_from_dict,
)
from .house import House, Remembered
from .keypad import KeypadCodes, async_leftover_keypad, keypad_settings
from .keypad_reports import async_follow_keypad
from .keypad_slots import came_back
from .media import VisitPictures
from .messages import Messages
from .passbook import PassBook
from .phone_actions import OneTimeActions
from .readings import Readings, door_input
from .relay import async_street_door_relay
from .repairs import async_raise_unreadable_issue, unreadable_issue_id
from .reporting import Reporting
from .runner import CommandRunner
from .settings import EntranceSettings
from .sources import ExpectedDeliveries
from .speech import Speakers
from .store import (
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


class EntranceController(CodeAdmissions, Readings, Reporting):
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
        self.messages = Messages(hass, self.name, garage=self.access.own_door)
        self.coordinator = EntranceCoordinator(hass, entry, name=self.name, commands=self, build=self.snapshot)
        self.visit: Visit | None = None
        self.remembered = Remembered()
        self.history: list[dict[str, Any]] = []
        self.passes = PassBook(hass, entry, self, self.visit_store.async_save_checked, grace=options.grace)
        self.standings = AccessCoordinator(
            hass,
            entry,
            name=self.name,
            build=lambda: self.passes.standings(dt_util.utcnow()),
            revision=lambda: self.passes.revision,
        )
        self.sources = ExpectedDeliveries(hass, entry, self.passes, options)
        self.lockout = Lockout()
        self.phone_actions = OneTimeActions()
        self.media = VisitPictures(hass, entry.entry_id, self.camera)
        self.speakers = Speakers(hass, entry, options, name=self.name, garage=self.access.own_door)
        self.runner = CommandRunner(hass, entry, self, options, speakers=self.speakers)
        self.camera_watch = CameraWatch(
            hass,
            self.media,
            options.camera_check_interval,
            door_unlocked=lambda: self.visit is not None and self.visit.running and self.visit.lock_state != "locked",
            on_lost=self._async_camera_lost,
        )
        keypad = keypad_settings(entry.data) if not self.access.own_door else None
        self.keypad = self._keypad_codes(keypad) if keypad is not None else None
        self._unsub_settle: CALLBACK_TYPE | None = None
        self._pending_report: tuple[int, datetime] | None = None
        self.accepting = True
        self.store_unreadable = False  # the pass database could not be read at start
        self.last_finished: Visit | None = None
        self._admitting = False
        self._after_admission: list[Callable[[], None]] = []
        self._admitting_visit: Visit | None = None
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
        if self.keypad is not None:
            await self._async_start_keypad(self.keypad)
        elif not self.access.own_door and (leftover := await async_leftover_keypad(self.hass, self.entry.entry_id)):
            # The keypad was taken off the entrance: what it put on the lock is cleared all the same.
            self.keypad = self._keypad_codes(leftover, retiring=True)
            await self._async_start_keypad(self.keypad)
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

    def _keypad_codes(self, keypad: Keypad, *, retiring: bool = False) -> KeypadCodes:
        """The entrance's keypad codes on its lock (retiring: a keypad taken off, whose slots are emptied)."""
        return KeypadCodes(
            self.hass,
            self.entry,
            keypad,
            lock=self.lock_entity,
            opens=self._code_opens,
            label=lambda pass_id: item.label if (item := self.passes.find_pass(pass_id)) else None,
            announcer=self,
            retiring=retiring,
        )

    async def _async_start_keypad(self, keypad: KeypadCodes) -> None:
        """Read the codes, follow the keypad's reports, and bring every slot in line once started."""
        await keypad.async_start()
        if unsub := async_follow_keypad(self.hass, keypad.keypad.provider, self.lock_entity, self.keypad_report):
            self.entry.async_on_unload(unsub)
        self.entry.async_on_unload(self._cancel_settle)

    @callback
    def keypad_ready(self) -> None:
        """The entrance is set up: the keypad's slots are brought in line once Home Assistant has started."""
        if (keypad := self.keypad) is not None:
            self.entry.async_on_unload(async_at_started(self.hass, callback(lambda _hass: keypad.request())))

    def _store_data(self) -> dict[str, Any]:
        return {
            "history": self.history[-HISTORY_LIMIT:],
            "last_picture": self.media.last_as_dict(),
            **self.passes.as_store_data(),
        }

    def _stored_visit(self) -> Visit | None:
        """The visit a restart must lock: the running one, or the one being admitted."""
        return self.visit if self.visit is not None and self.visit.running else self._admitting_visit

    def _visit_data(self) -> dict[str, Any]:
        return {
            "visit": visit_as_dict(visit) if (visit := self._stored_visit()) is not None else None,
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

    @property
    def visit_running(self) -> bool:
        """Whether a visit is open."""
        return self.visit is not None and self.visit.running

    async def async_suspend(self, pass_id: str, suspended: bool) -> None:
        """Pause a guest's or carrier's access without removing it (the switch on its device), or resume it."""
        await self.passes.async_suspend(pass_id, suspended)

    @callback
    def _on_state(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        value = new_state.state if new_state else None
        if event.data["entity_id"] in (self.lock_entity, self.garage_sensor):
            reading = self.lock_state
            if self.keypad is not None and came_back(event):
                self.keypad.request()  # the lock is reachable again: its slots are brought in line now
            if reading == "unlocked" and not self.visit_running:
                if not self.unlocked_outside_visit(new_state):
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
            self.entry.async_create_task(self.hass, self._async_keep_finished(), f"{DOMAIN} visit ended")
            if self.store_unreadable:  # the visit is locked: now the entrance stops with its repair
                self.hass.config_entries.async_schedule_reload(self.entry.entry_id)
        self.visit_store.async_schedule_save()
        self.runner.spawn(commands, visit, first_picture=first_picture)
        self._watch_camera(visit)
        self.notify_listeners()

    async def _async_keep_finished(self) -> None:
        """A visit ended: its end is written at once, and the owner is told where the disk refuses it.

        Until it is written, a restart would resume the visit (and lock again, using its pass up).
        """
        try:
            await self.visit_store.async_save_checked()
        except WriteFailedError:
            self.notify_owner_once("storage", Message.STORAGE_FAILED, who="", critical=True)

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
