"""The device of each guest and carrier link: where its access stands, its uses, and a switch to pause it.

Each guest and carrier link is a subentry of the entrance and one device under it, with a few entities
that standard cards show well: `access` (enum), `last_used` (timestamp), `uses`, and the `access_allowed`
switch (off: suspended, kept but opening nothing). They read where the entrance's access stands
(an AccessCoordinator apart from the entrance's snapshot, so a lock report costs them nothing); the
entities of a subentry added later are added when it next publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import override

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import AccessCoordinator, EntranceCommands
from .core.standing import PassStanding
from .data import InHomeDeliveryConfigEntry
from .subentries import CARRIER, GUEST

type PassEntityFactory = Callable[[AccessCoordinator, InHomeDeliveryConfigEntry, ConfigSubentry], Iterable[Entity]]


class PassEntity(CoordinatorEntity[AccessCoordinator]):
    """An entity of a guest's or carrier link's device, read from where the entrance's access stands."""

    _attr_has_entity_name = True

    def __init__(
        self,
        *,
        coordinator: AccessCoordinator,
        entry: InHomeDeliveryConfigEntry,
        subentry: ConfigSubentry,
        description: EntityDescription,
    ) -> None:
        """Attach the entity to the device of its subentry, under the entrance's device."""
        super().__init__(coordinator)
        entry_id = entry.entry_id
        self.entity_description = description
        self._entry = entry
        self._subentry_id = subentry.subentry_id
        self._shown: PassStanding | None = None
        self._attr_unique_id = f"{entry_id}_{subentry.subentry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry_id}_{subentry.subentry_id}")},
            name=subentry.title,
            manufacturer="In-Home Delivery",
            model="Guest" if subentry.subentry_type == GUEST else "Carrier link",
            via_device_id=dr.async_get_device_id_by_identifier(
                coordinator.hass, (DOMAIN, entry_id), config_entry_id=entry_id
            ),
        )

    @property
    def pass_id(self) -> str | None:
        """The pass of the subentry, as the subentry says now."""
        subentry = self._entry.subentries.get(self._subentry_id)
        return subentry.unique_id if subentry is not None else None

    @property
    def standing(self) -> PassStanding | None:
        """Where the pass stands, as last published (None: its pass is not there)."""
        pass_id = self.pass_id
        return self.coordinator.data.get(pass_id) if pass_id is not None else None

    @property
    def commands(self) -> EntranceCommands:
        """What the entity may ask of its entrance."""
        return self._entry.runtime_data.coordinator.commands

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state only when this pass's standing changed: one guest's change is not all of theirs."""
        if (standing := self.standing) != self._shown:
            self._shown = standing
            self.async_write_ha_state()

    @property
    @override
    def available(self) -> bool:
        """Available while its pass is there."""
        return super().available and self.standing is not None


@callback
def async_add_pass_entities(
    entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback, make: PassEntityFactory
) -> None:
    """Add each guest's and carrier link's entities of one platform, now and whenever one is added."""
    coordinator = entry.runtime_data.standings
    added: set[str] = set()

    @callback
    def add_new() -> None:
        for subentry in list(entry.subentries.values()):
            if subentry.subentry_type not in (GUEST, CARRIER) or subentry.subentry_id in added:
                continue
            if subentry.unique_id not in coordinator.data:
                continue  # its pass is still being made
            added.add(subentry.subentry_id)
            async_add_entities(make(coordinator, entry, subentry), config_subentry_id=subentry.subentry_id)

    add_new()
    entry.async_on_unload(coordinator.async_add_listener(add_new))
