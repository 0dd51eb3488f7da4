"""The state EntranceController's parts share, and the error a refused request raises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .access import AccessPoint, StreetDoorOpener
from .const import (
    DOMAIN,
)
from .coordinator import AccessCoordinator, EntranceCoordinator
from .core.commands import (
    Command,
)
from .core.openings import StreetDoorOpenings
from .core.visit import (
    Input,
    Visit,
    VisitSettings,
)
from .house import House, Remembered
from .keypad import KeypadCodes
from .media import VisitPictures
from .messages import Messages
from .passbook import PassBook
from .phone_actions import OneTimeActions
from .runner import CommandRunner
from .settings import EntranceSettings
from .speech import Speakers
from .store import (
    EntranceStore,
)

_LOGGER = logging.getLogger(__name__)

RETENTION_INTERVAL = timedelta(days=1)
REFUSALS_QUIET = timedelta(minutes=10)
MAX_QUIET_KEYS = 1000


# Refusals that name the access point: at a garage entrance they speak of its garage door, not a lock.
GARAGE_DENIALS = ("lock_unavailable", "door_open")


class VisitDeniedError(ServiceValidationError):
    """A request to enter was refused; reason is a DenyReason or a PassDenial."""

    def __init__(self, reason: str, entrance: str, *, garage: bool = False) -> None:
        """Translate the reason for the caller (in a garage door's words at a garage entrance)."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=f"denied_{reason}_garage" if garage and reason in GARAGE_DENIALS else f"denied_{reason}",
            translation_placeholders={"entrance": entrance},
        )
        self.reason = reason


if TYPE_CHECKING:
    from .entrance import Announcer, VisitRecords

    class _Declared(Announcer, VisitRecords, Protocol):
        """What the parts are to the pass book and the runner: their protocols, for the type checker."""

else:
    _Declared = object


class EntranceParts(_Declared):
    """What the parts of EntranceController (Admissions, Readings, Reporting) share: its state and parts.

    Declared here for the type checker; EntranceController sets them up.
    """

    hass: HomeAssistant
    entry: ConfigEntry
    name: str
    options: EntranceSettings
    access: AccessPoint
    street_door: StreetDoorOpener | None
    lock_entity: str
    door_sensor: str | None
    garage_sensor: str | None
    camera: str | None
    settings: VisitSettings
    house: House
    store: EntranceStore
    visit_store: EntranceStore
    messages: Messages
    coordinator: EntranceCoordinator
    standings: AccessCoordinator  # where each guest and carrier link stands, for their devices
    visit: Visit | None
    remembered: Remembered
    history: list[dict[str, Any]]
    passes: PassBook
    keypad: KeypadCodes | None  # where the entrance has a keypad for managed codes
    runner: CommandRunner
    speakers: Speakers
    phone_actions: OneTimeActions
    media: VisitPictures
    accepting: bool
    last_finished: Visit | None
    street_door_opened: StreetDoorOpenings
    _admitting: bool
    _after_admission: list[Callable[[], None]]  # what waits for the admission being decided to end
    _admitting_visit: Visit | None  # written to the visit store, not running yet
    _told: dict[str, datetime]

    if TYPE_CHECKING:

        @property
        def visit_running(self) -> bool:
            """Whether a visit is open."""

        @property
        def lock_state(self) -> str | None:
            """The access point's trusted state."""

        @property
        def reported_lock_state(self) -> str:
            """The access point's state as the page reads it."""

        @property
        def camera_required(self) -> bool:
            """Whether visits need a working camera."""

        def _commit(self, visit: Visit, commands: list[Command], *, first_picture: bytes | None = None) -> None:
            """Take the core's new state and carry out its commands."""

        def _apply(self, event: Input) -> None:
            """Advance the running visit."""

        def _auto_lock(self) -> None:
            """Follow an unlock by hand as a visit, where the owner asked for it."""

        def _deny(
            self, reason: str, *, pass_id: str | None, pass_kind: str, pass_label: str, quiet: bool = False
        ) -> VisitDeniedError:
            """Tell the bus and the owner that a request was refused."""
