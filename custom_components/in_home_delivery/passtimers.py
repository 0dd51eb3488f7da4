"""What time does to passes: missed windows, clock jumps, and forgetting what finished long ago.

A window that passes unused is missed (and expected again when a clock jump comes back inside it);
deliveries that finished long ago are forgotten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
import logging

from homeassistant.core import callback
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
)

from .core.commands import EventType, Message
from .core.passes import (
    DeliveryStatus,
)
from .passchanges import PassBookParts

_LOGGER = logging.getLogger(__name__)

KEEP_FINISHED_DELIVERIES = timedelta(days=90)
CLOCK_CHECK = timedelta(minutes=1)


class PassTimers(PassBookParts):
    """Missed windows, clock jumps and forgetting; a part of PassBook."""

    @callback
    def _schedule_missed_check(self) -> None:
        self._cancel_missed_timer()
        if (first_end := self._index.first_scheduled_end()) is not None:
            self._unsub_missed = async_track_point_in_utc_time(self.hass, self._on_missed_check, first_end + self.grace)

    @callback
    def _cancel_missed_timer(self) -> None:
        if self._unsub_missed is not None:
            self._unsub_missed()
            self._unsub_missed = None

    @callback
    def _on_missed_check(self, now: datetime) -> None:
        self._unsub_missed = None
        missed = self._index.scheduled_ended_by(now - self.grace)
        self._keep(*(replace(delivery, status=DeliveryStatus.MISSED) for delivery in missed))
        for delivery in missed:
            self.entrance.emit(
                EventType.MISSED,
                None,
                pass_id=delivery.pass_id,
                pass_kind=delivery.kind,
                pass_label=delivery.label,
            )
            self.entrance.notify_owner(Message.MISSED, who=delivery.label)
        self._schedule_missed_check()
        self.entrance.notify_listeners()

    @callback
    def _on_clock_check(self, now: datetime) -> None:
        """Each minute: a missed delivery whose window (with grace) holds the time again is expected again.

        It was marked during a clock step: the clock ran ahead, then came back.
        """
        grace = self.grace
        back = [
            replace(item, status=DeliveryStatus.SCHEDULED)
            for item in self._index.deliveries_overlapping(now - grace, now + grace)
            if item.status is DeliveryStatus.MISSED and item.window_start - grace <= now <= item.window_end + grace
        ]
        if back:
            _LOGGER.warning(
                "%s: the clock came back inside the window of %s deliveries marked missed; expected again",
                self.entrance.name,
                len(back),
            )
            self._keep(*back)
            self._schedule_missed_check()
            self.entrance.notify_listeners()

    @callback
    def prune(self, now: datetime) -> None:
        """Forget deliveries that ended (used, missed, cancelled, failed) more than 90 days ago (daily)."""
        horizon = now - KEEP_FINISHED_DELIVERIES
        old = tuple(item.pass_id for item in self._index.values() if item.forgettable(horizon))
        if old:
            self._keep(removed=old)
