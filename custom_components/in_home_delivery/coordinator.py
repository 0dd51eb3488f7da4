"""One frozen snapshot of an entrance, pushed to its entities whenever the entrance changes.

The entrance builds an `EntranceSnapshot` after every change and publishes it through a push-only
`DataUpdateCoordinator` (`async_set_updated_data`, no polling). Entities are `CoordinatorEntity`s that
read only the snapshot (through their descriptions' `value_fn`), so a state is never read half-changed,
and change the entrance only through its commands (`EntranceCommands`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .access import AccessPoint
from .const import DOMAIN
from .core.passes import Delivery
from .core.standing import PassStanding
from .core.visit import Visit

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class EntranceSnapshot:
    """What the entrance's entities show, taken at one moment (`taken`)."""

    taken: datetime
    phase: str  # the running visit's phase, `relock_failed` while the lock will not lock, else `idle`
    visit_running: bool
    accepting: bool
    last_visit: Mapping[str, Any] | None = None  # the newest finished visit, with its pictures' media ids
    next_delivery: Delivery | None = None  # the scheduled delivery whose window starts next
    expected_today: tuple[Delivery, ...] = ()  # still expected today, by window start
    last_picture: tuple[str, str, datetime] | None = None  # visit id, file name, when taken
    visit: Visit | None = None  # the running visit
    last_finished: Visit | None = None  # the visit that ended last since Home Assistant started


class EntranceCommands(Protocol):
    """What an entity may ask of its entrance."""

    @property
    def access(self) -> AccessPoint:
        """The access point (a lock or a garage door), for the mirror lock."""

    @property
    def camera(self) -> str | None:
        """The wrapped camera, for the mirror camera."""

    async def async_end_visit(self) -> None:
        """Lock now and end the running visit."""

    def set_accepting(self, accepting: bool) -> None:
        """Accept visits (the "deliveries allowed" switch), or turn them away."""

    async def async_suspend(self, pass_id: str, suspended: bool) -> None:
        """Pause a guest's or carrier's access (suspended), or resume it."""

    async def async_read_picture(self, visit_id: str, name: str) -> bytes | None:
        """A picture of a visit."""


class EntranceCoordinator(DataUpdateCoordinator[EntranceSnapshot]):
    """Holds the entrance's latest snapshot; the entrance pushes a new one after every change."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        name: str,
        commands: EntranceCommands,
        build: Callable[[], EntranceSnapshot],
    ) -> None:
        """Push-only: no update interval, nothing to fetch."""
        super().__init__(hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} {name}", update_interval=None)
        self.entry_id = entry.entry_id
        self.entrance_name = name
        self.commands = commands
        self._build = build

    async def _async_update_data(self) -> EntranceSnapshot:
        """A refresh asked for (the first one at setup) builds the snapshot anew."""
        return self._build()

    @callback
    def publish(self) -> None:
        """The entrance changed: build the snapshot and tell every entity."""
        self.async_set_updated_data(self._build())


ACCESS_CHECK = timedelta(minutes=1)  # a guest's window opens or closes with time alone
ACCESS_COOLDOWN = 1.0  # seconds: changes of passes in a burst (a visit's start) are shown once


class AccessCoordinator(DataUpdateCoordinator[Mapping[str, PassStanding]]):
    """Where each guest's and carrier link's access stands, for their devices; apart from the snapshot.

    A lock report or a visit's step does not touch it: it is built again only after a pass changed
    (within a second, off the courier's path) and each minute (windows open and close), and tells the
    devices only when something they show changed.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        name: str,
        build: Callable[[], Mapping[str, PassStanding]],
        revision: Callable[[], int],
    ) -> None:
        """Built from the pass book (build), whose revision says whether a pass changed."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {name} access",
            update_interval=ACCESS_CHECK,
            always_update=False,
            request_refresh_debouncer=Debouncer(hass, _LOGGER, cooldown=ACCESS_COOLDOWN, immediate=False),
        )
        self._entry = entry
        self._build = build
        self._revision = revision
        self._built: int | None = None

    async def _async_update_data(self) -> Mapping[str, PassStanding]:
        self._built = self._revision()
        return self._build()

    @callback
    def follow(self) -> None:
        """The entrance changed: if a pass did, build again soon."""
        if self._revision() != self._built:
            self._entry.async_create_task(self.hass, self.async_request_refresh(), "in_home_delivery access")
