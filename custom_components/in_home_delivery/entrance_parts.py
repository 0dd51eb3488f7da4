"""The state EntranceController's parts share, and the error a refused request raises."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .access import AccessPoint, StreetDoorOpener
from .const import (
    DOMAIN,
)
from .coordinator import EntranceCoordinator
from .core.commands import (
    Command,
    EventType,
    Message,
)
from .core.openings import StreetDoorOpenings
from .core.visit import (
    Input,
    Visit,
    VisitSettings,
)
from .house import House, Remembered
from .media import VisitPictures
from .messages import Messages
from .passbook import PassBook
from .runner import CommandRunner
from .settings import EntranceSettings
from .store import (
    EntranceStore,
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


class EntranceParts:
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
    visit: Visit | None
    remembered: Remembered
    history: list[dict[str, Any]]
    passes: PassBook
    runner: CommandRunner
    media: VisitPictures
    accepting: bool
    last_finished: Visit | None
    street_door_opened: StreetDoorOpenings
    _admitting: bool
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

        def door_open(self) -> bool | None:
            """The door sensor's state."""

        def _commit(self, visit: Visit, commands: list[Command], *, first_picture: bytes | None = None) -> None:
            """Take the core's new state and carry out its commands."""

        def _apply(self, event: Input) -> None:
            """Advance the running visit."""

        def _deny(
            self, reason: str, *, pass_id: str | None, pass_kind: str, pass_label: str, quiet: bool = False
        ) -> VisitDeniedError:
            """Tell the bus and the owner that a request was refused."""

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
            """Fire the public bus event."""

        def notify_owner(
            self, message: Message, *, critical: bool = False, live_picture: bool = False, **placeholders: str
        ) -> None:
            """Tell the owner something."""

        def notify_owner_once(
            self, key: str, message: Message, *, who: str, reason: str = "", critical: bool = False
        ) -> None:
            """Tell the owner, once in a while."""

        def notify_listeners(self) -> None:
            """Publish a new snapshot."""
