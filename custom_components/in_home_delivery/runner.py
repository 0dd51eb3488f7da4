"""Carries out the core's commands against Home Assistant, in order, one visit step after another.

Also keeps the pictures and recordings of visits in step with the history. Nothing here decides
anything: the rules are in core/, the state in the entrance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
import logging
from typing import Any

from homeassistant.components.http.auth import async_sign_path
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.commands import (
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
    Unlock,
)
from .core.visit import AUTO_LOCK, Visit
from .core.when import seconds_between
from .entrance import VisitRecords
from .phone_actions import LOCK_NOW
from .settings import EntranceSettings
from .speech import Speakers

_LOGGER = logging.getLogger(__name__)

LIVE_PICTURE_VALID = timedelta(minutes=10)
LOCK_NOW_VALID = timedelta(hours=1)
SIDE_COMMANDS = (Notify, Snapshot, LightsOn, LightsRestore)


class CommandRunner:
    """Runs one entrance's commands."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        entrance: VisitRecords,
        settings: EntranceSettings,
        *,
        speakers: Speakers,
    ) -> None:
        """Serve one entrance."""
        self.hass = hass
        self.speakers = speakers
        self.entry = entry
        self.entrance = entrance
        self.settings = settings
        self._lock = asyncio.Lock()
        self._side_lock = asyncio.Lock()

    @property
    def keep_days(self) -> int:
        """How long pictures are kept."""
        return self.settings.keep_snapshots_days

    @callback
    def notify_owner(
        self, message: Message, *, critical: bool = False, live_picture: bool = False, **placeholders: str
    ) -> None:
        """Tell the owner something that is not a step of the running visit (with the camera's view)."""
        image = None
        if live_picture and self.entrance.camera:
            image = async_sign_path(
                self.hass, f"/api/camera_proxy/{self.entrance.camera}", LIVE_PICTURE_VALID, use_content_user=True
            )
        self.entry.async_create_task(
            self.hass, self._async_notify(message, None, critical, placeholders, image), f"{DOMAIN} notify"
        )

    async def _async_notify(
        self,
        message: Message,
        visit: Visit | None,
        critical: bool,
        placeholders: dict[str, str],
        image: str | None = None,
    ) -> None:
        entrance = self.entrance
        notification = await entrance.messages.notification(
            message, visit, critical=critical, placeholders=placeholders
        )
        if image is not None:
            notification = replace(notification, image=image)
        notification = replace(notification, tag=self._tag(message, visit, critical))
        if critical and visit is not None and visit.running:
            notification = replace(notification, **self._alert_buttons(visit))
        if visit is not None and (image := entrance.media.latest_url(visit.visit_id)):
            # A signed path loads without a login (in a phone's notification, in the notification drawer)
            # and only for this picture, as long as pictures are kept.
            keep = timedelta(days=self.keep_days)
            notification = replace(notification, image=async_sign_path(self.hass, image, keep, use_content_user=True))
        await entrance.house.notify(notification)

    def _named(self, entity_id: str) -> str:
        """An entity as people know it: its name, with its id for finding it."""
        state = self.hass.states.get(entity_id)
        return f"{state.name} ({entity_id})" if state is not None and state.name != entity_id else entity_id

    def _tag(self, message: Message, visit: Visit | None, critical: bool) -> str:
        """The phone tag: one message in place per visit, one per kind of news outside a visit.

        A visit's alerts have their own tag, so that later news never hides an alert; a link refused
        again and again replaces its own message.
        """
        if visit is not None:
            return f"{DOMAIN}_{visit.visit_id}{'_alert' if critical else ''}"
        return f"{DOMAIN}_{self.entry.entry_id}_{message.value}"

    def _alert_buttons(self, visit: Visit) -> dict[str, Any]:
        """A critical alert during a visit: Lock now (ends the visit, once, for an hour), Show camera."""
        lock_now = self.entrance.phone_actions.issue(LOCK_NOW, visit.visit_id, LOCK_NOW_VALID)
        buttons: dict[str, Any] = {"actions": ((lock_now, self.entrance.messages.text("action_lock_now")),)}
        if self.entrance.camera:
            buttons["camera"] = (self.entrance.camera, self.entrance.messages.text("action_show_camera"))
        return buttons

    @callback
    def spawn(self, commands: list[Command], visit: Visit | None, *, first_picture: bytes | None = None) -> None:
        """Queue a step's commands behind the earlier steps'.

        Lock, alarm, repairs and events run in one queue; pictures, notifications and lights in
        another, so a slow camera, phone or light never holds up the lock (and its confirmation). The
        speakers speak in a queue of their own, in the background. The picture taken to admit the visit
        (first_picture) is its `admitted` snapshot.
        """
        for command in commands:
            if isinstance(command, Speak):
                self.speakers.say(command.moment, guest=visit is not None and visit.pass_kind != "delivery")
        commands = [command for command in commands if not isinstance(command, Speak)]
        main = [command for command in commands if not isinstance(command, SIDE_COMMANDS)]
        side = [command for command in commands if isinstance(command, SIDE_COMMANDS)]
        # The side queue takes its place first: a lock that answers at once starts the next step's
        # commands within this one's, and the owner must still read "restarted, locking now" before
        # "locked after the restart".
        if side:
            self.entry.async_create_task(
                self.hass, self._async_run(side, visit, self._side_lock, first_picture), f"{DOMAIN} side"
            )
        if main:
            self.entry.async_create_task(self.hass, self._async_run(main, visit, self._lock), f"{DOMAIN} commands")

    async def _async_run(
        self, commands: Sequence[Command], visit: Visit | None, queue: asyncio.Lock, picture: bytes | None = None
    ) -> None:
        """Carry out commands in order, after the earlier ones of the same queue."""
        async with queue:
            for command in commands:
                await self._async_execute(command, visit, picture)
            self.entrance.visit_store.async_schedule_save()  # what the lights and alarm were

    async def _async_execute(self, command: Command, visit: Visit | None, picture: bytes | None = None) -> None:
        entrance = self.entrance
        house, remembered = entrance.house, entrance.remembered
        match command:
            case Unlock():
                await house.unlock_door(parcel=visit is not None and visit.pass_kind == "delivery")
            case Lock() if entrance.door_open():
                # Queued while the door was closed; it has opened since. The core has seen that too and
                # will lock again once it is closed: a bolt never goes out into an open door.
                _LOGGER.info("%s: lock command dropped, the door is open", entrance.name)
            case Lock():
                await house.lock_door()
            case LightsOn():
                await house.lights_on(remembered)
            case LightsRestore():
                await house.lights_restore(remembered)
            case AlarmDisarm():
                await house.alarm_disarm(remembered)
            case AlarmRearm():
                if not await house.alarm_rearm(remembered):
                    await self._async_notify(Message.ALARM_REARM_FAILED, visit, True, {})
            case Notify(message, critical):
                await self._async_notify(message, visit, critical, {})
            case Emit(event_type, event_reason) if visit is not None:
                ended = visit.ended if event_type is EventType.COMPLETED else None
                entrance.emit(
                    event_type,
                    event_reason,
                    pass_id=visit.pass_id,
                    pass_kind=visit.pass_kind,
                    pass_label=visit.pass_label,
                    visit_id=visit.visit_id,
                    admitted_by=visit.admitted_by or None,
                    duration=seconds_between(visit.started, ended) if ended else None,
                    resumed=visit.resumed if ended else None,
                )
            case RaiseRepair(repair):
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    f"{repair.value}_{self.entry.entry_id}",
                    is_fixable=False,
                    severity=ir.IssueSeverity.CRITICAL,
                    # A garage door is closed, not locked: its repair says so.
                    translation_key=f"{repair.value}_garage"
                    if entrance.messages.garage and repair is Repair.RELOCK_FAILED
                    else repair.value,
                    translation_placeholders={
                        "entrance": entrance.name,
                        "lock": self._named(entrance.lock_entity),
                        "door_sensor": entrance.door_sensor or "",
                    },
                )
            case ClearRepair(repair):
                ir.async_delete_issue(self.hass, DOMAIN, f"{repair.value}_{self.entry.entry_id}")
            case Snapshot(moment) if visit is not None and self.recording and visit.admitted_by != AUTO_LOCK:
                await self.async_keep_picture(visit.visit_id, moment, picture if moment == "admitted" else None)
            case Snapshot() | Finish() | Emit() | Speak():
                pass

    @property
    def recording(self) -> bool:
        """Whether visits leave pictures (and recordings where the camera streams)."""
        return bool(self.entrance.camera and self.settings.record_visits)

    @callback
    def start_recording(self, visit: Visit, duration: timedelta) -> None:
        """Record the visit where the camera streams, without holding up its steps."""
        if self.recording:
            self.entry.async_create_background_task(
                self.hass, self._async_record(visit.visit_id, duration), f"{DOMAIN} recording"
            )

    async def _async_record(self, visit_id: str, duration: timedelta) -> None:
        if name := await self.entrance.media.async_record(visit_id, duration):
            self.entrance.file_kept(visit_id, name)

    async def async_keep_picture(self, visit_id: str, moment: str, picture: bytes | None = None) -> None:
        """Save a picture (a fresh one where none is given) among the visit's files."""
        if name := await self.entrance.media.async_snapshot(visit_id, moment, picture):
            self.entrance.file_kept(visit_id, name)

    async def async_retention(self) -> None:
        """Delete pictures and recordings older than the option; the history keeps its records."""
        cutoff = dt_util.utcnow() - timedelta(days=self.keep_days)
        if removed := set(await self.entrance.media.async_remove_older_than(cutoff)):
            self.entrance.files_removed(removed)
