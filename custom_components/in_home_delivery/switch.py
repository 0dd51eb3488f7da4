"""Switches: whether an entrance accepts visits (restored across restarts), and whether a guest or carrier link may come."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_OFF
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .data import InHomeDeliveryConfigEntry
from .entity import InHomeDeliveryEntity
from .pass_entities import PassEntity, async_add_pass_entities

PARALLEL_UPDATES = 0

DELIVERIES_ALLOWED = SwitchEntityDescription(key="deliveries_allowed", translation_key="deliveries_allowed")
ACCESS_ALLOWED = SwitchEntityDescription(key="access_allowed", translation_key="access_allowed")


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the deliveries-allowed switch, and each guest's and carrier link's access switch."""
    async_add_entities(
        [DeliveriesAllowedSwitch(coordinator=entry.runtime_data.coordinator, description=DELIVERIES_ALLOWED)]
    )
    async_add_pass_entities(
        entry,
        async_add_entities,
        lambda coordinator, entry, subentry: [
            AccessAllowedSwitch(coordinator=coordinator, entry=entry, subentry=subentry, description=ACCESS_ALLOWED)
        ],
    )


class DeliveriesAllowedSwitch(InHomeDeliveryEntity, SwitchEntity, RestoreEntity):
    """Off: couriers and guests are turned away (the owner can still admit)."""

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last choice."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self.commands.set_accepting(last.state != STATE_OFF)

    @property
    @override
    def is_on(self) -> bool:
        """Return whether the entrance accepts visits."""
        return self.snapshot.accepting

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Accept visits."""
        self.commands.set_accepting(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn visits away."""
        self.commands.set_accepting(False)


class AccessAllowedSwitch(PassEntity, SwitchEntity):
    """Off: the guest's or carrier's link is suspended (kept, opening nothing) until turned on again."""

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the link may open the door in its windows."""
        return None if (standing := self.standing) is None else not standing.suspended

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Resume the access: an administrator's act, as giving access is (anyone may suspend it)."""
        context = self._context
        if context is not None and context.user_id is not None:
            user = await self.hass.auth.async_get_user(context.user_id)
            if user is None or not user.is_admin:
                raise Unauthorized(context=context, user_id=context.user_id, entity_id=self.entity_id)
        if (pass_id := self.pass_id) is not None:
            await self.commands.async_suspend(pass_id, False)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Suspend the access."""
        if (pass_id := self.pass_id) is not None:
            await self.commands.async_suspend(pass_id, True)
