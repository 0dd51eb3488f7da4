"""The entrance's admissions: every request to come in, to open the street door or to end the visit.

Each is asked of the core's one decision (core/door.py), with the facts as they are now; what it
depends on is written first.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime, timedelta
import logging

from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import (
    DOMAIN,
)
from .core.admission import Conditions, DenyReason
from .core.carriers import Carrier
from .core.commands import (
    EventType,
    Message,
    Spoken,
)
from .core.door import Asker, CodeTyped, Denial, Facts, Link, Owner, Purpose, RunningVisit, StreetDoor, decide
from .core.openings import opening_key
from .core.passindex import Pass
from .core.visit import (
    CARRIER_LINK,
    OWNER,
    EndRequested,
    Visit,
    start_visit,
)
from .entrance_parts import EntranceParts, VisitDeniedError
from .store import (
    WriteFailedError,
)

_LOGGER = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
REFUSALS_QUIET = timedelta(minutes=10)
MAX_QUIET_KEYS = 1000


class Admissions(EntranceParts):
    """Decides and starts visits, opens the street door, ends the visit; a part of EntranceController."""

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
            code=self.keypad.typed(asker.slot) if isinstance(asker, CodeTyped) and self.keypad is not None else None,
            codes_off=self.keypad is not None and (self.keypad.wrong.off(now) or self.keypad.retiring),
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
        return VisitDeniedError(reason, self.name, garage=self.access.own_door)

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
            waiting, self._after_admission = self._after_admission, []
            for then in waiting:
                then()

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
        # resumed visit uses its pass up); a write that fails moves nothing. Only the visit store is
        # written here: its size does not grow with the passes or the history. While it is written the
        # visit is not running yet: nothing can end it before it began (an End visit, a Done), and
        # everything is asked again after the write (a cancel or renewal made meanwhile stands).
        self._admitting_visit = replace(visit, lock_state=self.lock_state)
        try:
            await self.visit_store.async_save_checked()
        except WriteFailedError:
            self._admitting_visit = None
            raise self._refuse(asker, DenyReason.NOT_STORED, pass_) from None
        pass_, denial = self.decide(asker, Purpose.OPEN, pass_id, via=via, camera_ok=camera_ok)
        visit, self._admitting_visit = self._admitting_visit, None
        if denial is not None:
            # The visit that did not begin is dropped from disk at once: a restart would resume it.
            with suppress(WriteFailedError):
                await self.visit_store.async_save_checked()
            raise self._refuse(asker, denial, pass_)
        self.visit = replace(visit, lock_state=self.lock_state)
        if pass_id is not None:
            self.passes.mark_in_progress(pass_id)
            self.passes.note_used(visit.started, pass_id, *([via.pass_id] if via is not None else []))
        self._commit(self.visit, commands, first_picture=picture)
        self.runner.start_recording(self.visit, settings.max_visit)
        return self.visit

    @callback
    def greet_courier(self, pass_: Pass, *, asker: Asker, via: Carrier | None = None) -> None:
        """A courier's page opened (or said Arrive): while the delivery is expected, the speakers greet them.

        Once per delivery in REFUSALS_QUIET (the page asks for its status again and again), and not
        during a visit.
        """
        if pass_.kind != "delivery" or self.visit_running or not self.options.speaks(Spoken.ARRIVED):
            return
        now, key = dt_util.utcnow(), f"greeted_{pass_.pass_id}"
        if (greeted := self._told.get(key)) is not None and now - greeted < REFUSALS_QUIET:
            return
        if self.decide(asker, Purpose.ARRIVE, pass_.pass_id, via=via)[1] is not None:
            return
        if len(self._told) >= MAX_QUIET_KEYS:
            self._told = {name: when for name, when in self._told.items() if now - when < REFUSALS_QUIET}
        self._told[key] = now
        self.speakers.say(Spoken.ARRIVED)

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
            self.street_door_opened.add(key, window, now)
            # Counted on disk before the door opens: a restart gives no pass more openings.
            try:
                await self.visit_store.async_save_checked()
            except WriteFailedError:
                self.street_door_opened.undo(key)
                raise self._refuse(asker, DenyReason.NOT_STORED, current) from None
            # Asked again after the write, without this opening: a suspension, revocation or cancel
            # made meanwhile stands, as it does for the flat's door.
            self.street_door_opened.undo(key)
            current, denial = self.decide(asker, Purpose.STREET_DOOR, pass_.pass_id if pass_ else None, via=via)
            if denial is not None:
                with suppress(WriteFailedError):  # the opening that did not happen leaves the disk too
                    await self.visit_store.async_save_checked()
                raise self._refuse(asker, denial, current)
            self.street_door_opened.add(key, window, now)
        if not await self.house.open_street_door():
            raise self._deny(DenyReason.STREET_DOOR_FAILED, pass_id=pass_id, pass_kind=kind, pass_label=label)
        self.emit(EventType.STREET_DOOR_OPENED, None, pass_id=pass_id, pass_kind=kind, pass_label=label)
        self.notify_owner(Message.STREET_DOOR_OPENED, who=label, kind=kind)
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
