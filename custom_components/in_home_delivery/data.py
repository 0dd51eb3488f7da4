"""What a running entrance keeps in its config entry (`entry.runtime_data`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .controller import EntranceController
    from .coordinator import AccessCoordinator, EntranceCoordinator
    from .passbook import PassBook


@dataclass(frozen=True, kw_only=True)
class EntranceData:
    """The parts of an entrance; each user takes the part it needs."""

    controller: EntranceController  # runs the visits: the actions, the link and the doorbell ask it
    coordinator: EntranceCoordinator  # the snapshot the entities show
    standings: AccessCoordinator  # where each guest and carrier link stands, for their devices
    passes: PassBook  # passes, their links and their database
    settings: tuple[dict[str, Any], dict[str, Any]]  # the entry's data and options it started with


type InHomeDeliveryConfigEntry = ConfigEntry[EntranceData]
