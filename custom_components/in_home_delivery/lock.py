"""The entrance's lock: mirrors the wrapped lock and passes lock, unlock and open through.

Locking it while a visit runs ends the visit; unlocking it is an explicit owner action. At a garage
entrance it is the garage door as the entrance sees it (closed is locked, open is unlocked): named
"Garage door", its states worded for a garage door, and an attribute naming the cover it drives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.components.lock.const import LockEntityFeature, LockState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import EntranceCoordinator
from .data import InHomeDeliveryConfigEntry
from .entity import MirrorEntity

PARALLEL_UPDATES = 1

LOCK = LockEntityDescription(key="lock", name=None)
# The same entity (the same unique id) at a garage entrance.
GARAGE_DOOR = LockEntityDescription(key="lock", translation_key="garage_door")


async def async_setup_entry(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the mirror of the wrapped lock (or garage door)."""
    coordinator = entry.runtime_data.coordinator
    description = GARAGE_DOOR if coordinator.commands.access.own_door else LOCK
    async_add_entities([EntranceLock(coordinator=coordinator, description=description)])


class EntranceLock(MirrorEntity, LockEntity):
    """Mirrors the access point: the wrapped lock state for state, or a garage door as a lock (closed = locked)."""

    def __init__(self, *, coordinator: EntranceCoordinator, description: LockEntityDescription) -> None:
        """Mirror the entrance's lock."""
        super().__init__(coordinator=coordinator, description=description)
        self.access = coordinator.commands.access
        self.wrapped = self.access.entity_id

    @property
    @override
    def supported_features(self) -> LockEntityFeature:
        """Offer open where the wrapped lock does."""
        return LockEntityFeature(0 if self.access.own_door else self.wrapped_features)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """At a garage: the garage door this lock opens and closes."""
        return {"garage_door": self.wrapped} if self.access.own_door else {}

    def _is(self, lock_state: LockState) -> bool | None:
        trusted = self.access.read(self.wrapped_state)
        return None if trusted is None else trusted == lock_state

    @property
    @override
    def is_locked(self) -> bool | None:
        """Whether the wrapped lock is locked."""
        return self._is(LockState.LOCKED)

    @property
    @override
    def is_locking(self) -> bool | None:
        """Whether the wrapped lock is locking."""
        return self._is(LockState.LOCKING)

    @property
    @override
    def is_unlocking(self) -> bool | None:
        """Whether the wrapped lock is unlocking."""
        return self._is(LockState.UNLOCKING)

    @property
    @override
    def is_jammed(self) -> bool | None:
        """Whether the wrapped lock is jammed."""
        return self._is(LockState.JAMMED)

    @property
    @override
    def is_open(self) -> bool | None:
        """Whether the wrapped lock is open."""
        return self._is(LockState.OPEN)

    @property
    @override
    def is_opening(self) -> bool | None:
        """Whether the wrapped lock is opening."""
        return self._is(LockState.OPENING)

    async def _pass_through(self, action: str) -> None:
        access = self.access
        if action == "lock":
            domain, service, data = access.secure_call()
        elif action == "unlock":
            domain, service, data = access.open_call(self.wrapped_state, parcel=False)
        else:
            domain, service, data = "lock", action, {ATTR_ENTITY_ID: access.entity_id}
        await self.hass.services.async_call(domain, service, data, blocking=True)

    @override
    async def async_lock(self, **kwargs: Any) -> None:
        """Lock; during a visit this ends the visit, which locks and confirms."""
        if self.snapshot.visit_running:
            await self.commands.async_end_visit()
            return
        await self._pass_through("lock")

    @override
    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock, as the owner asked."""
        await self._pass_through("unlock")

    @override
    async def async_open(self, **kwargs: Any) -> None:
        """Open the latch, as the owner asked."""
        await self._pass_through("open")
