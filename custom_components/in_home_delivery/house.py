"""The house around the door: lock, lights, alarm and the owner's phones, driven through HA actions.

Nothing here may stop a visit: a light or notify target that fails is logged and the visit goes on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import logging
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant

from .access import AccessPoint, StreetDoorOpener
from .const import DOMAIN
from .keypad_calls import async_call_quietly
from .relay import StreetDoorRelay

_LOGGER = logging.getLogger(__name__)

CALL_TIMEOUT = 15
ARM_ACTIONS = {
    "armed_away": "alarm_arm_away",
    "armed_home": "alarm_arm_home",
    "armed_night": "alarm_arm_night",
    "armed_vacation": "alarm_arm_vacation",
    "armed_custom_bypass": "alarm_arm_custom_bypass",
}


@dataclass(kw_only=True)
class Remembered:
    """What the house looked like before the visit, kept in the store until it is put back."""

    lights_turned_on: list[str] = field(default_factory=list)
    alarm_mode: str | None = None


@dataclass(frozen=True, kw_only=True)
class Notification:
    """One message to the owner."""

    title: str
    message: str
    critical: bool = False
    image: str | None = None
    actions: tuple[tuple[str, str], ...] = ()  # (action id, button title) for phones that offer buttons
    camera: tuple[str, str] | None = None  # (camera entity, button title): opens its view on the phone
    tag: str = DOMAIN  # messages with the same tag replace each other (one per visit, not a pile)
    hint: str = ""  # how to answer, for targets that show no buttons


class House:
    """Carries out the core's commands against Home Assistant's entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        access: AccessPoint,
        street_door: StreetDoorOpener | None = None,
        lights: list[str],
        alarm_panel: str | None,
        alarm_code: str | None,
        notify_targets: list[str],
    ) -> None:
        """Remember which entities to drive."""
        self.hass = hass
        self.access = access
        self.street_door = street_door
        self.street_door_relay: StreetDoorRelay | None = None  # a switch opener's, once the entrance starts
        self.lights = lights
        self.alarm_panel = alarm_panel
        self._alarm_code = alarm_code
        self.notify_targets = notify_targets

    async def _call(self, domain: str, action: str, data: dict[str, Any], *, secret: bool = False) -> bool:
        """Call an action, wait for it a bounded time, and report whether it went through.

        An action that carries a secret (the alarm code) is run without a `call_service` event on the bus.
        """
        try:
            async with asyncio.timeout(CALL_TIMEOUT):
                if secret:
                    await async_call_quietly(self.hass, (domain, action, data))
                else:
                    await self.hass.services.async_call(domain, action, data, blocking=True)
        except Exception as err:  # noqa: BLE001 - a broken light or notify target must never stop a visit
            target = data.get(ATTR_ENTITY_ID) or f"{domain}.{action}"
            _LOGGER.warning("%s.%s for %s failed: %s", domain, action, target, type(err).__name__)
            return False
        return True

    async def lock_door(self) -> None:
        """Secure the access point (lock the lock, close the garage door); whether it did is read from its state."""
        await self._call(*self.access.secure_call())

    async def unlock_door(self, *, parcel: bool = False) -> None:
        """Open the access point (a garage door to the parcel height where set); confirmed from its state."""
        await self._call(*self.access.open_call(self.hass.states.get(self.access.entity_id), parcel=parcel))

    def street_door_available(self) -> bool:
        """Whether the street door opener is there and answering (Home Assistant skips an unavailable one)."""
        return self.street_door is not None and self.street_door.ready(self.hass.states.get(self.street_door.entity_id))

    async def open_street_door(self) -> bool:
        """Open the building's street door (a switch through its relay, for its pulse); False when that failed."""
        if self.street_door is None:
            return False
        if self.street_door_relay is not None:
            return await self.street_door_relay.async_pulse()
        return await self._call(*self.street_door.open_call())

    async def switch_street_door(self, on: bool) -> bool:
        """Turn the street door's relay on or off; False when the action failed (its state says whether it did)."""
        if self.street_door is None:
            return False
        return await self._call(*(self.street_door.open_call() if on else self.street_door.off_call()))

    async def lights_on(self, remembered: Remembered) -> None:
        """Turn on the lights that are off, remembering them."""
        off = [light for light in self.lights if (state := self.hass.states.get(light)) and state.state == STATE_OFF]
        remembered.lights_turned_on = off
        if off:
            await self._call("light", "turn_on", {ATTR_ENTITY_ID: off})

    async def lights_restore(self, remembered: Remembered) -> None:
        """Turn off again only the lights this visit turned on."""
        still_on = [
            light
            for light in remembered.lights_turned_on
            if (state := self.hass.states.get(light)) and state.state == STATE_ON
        ]
        remembered.lights_turned_on = []
        if still_on:
            await self._call("light", "turn_off", {ATTR_ENTITY_ID: still_on})

    def _alarm_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {ATTR_ENTITY_ID: self.alarm_panel}
        if self._alarm_code:
            data["code"] = self._alarm_code
        return data

    async def alarm_disarm(self, remembered: Remembered) -> None:
        """Disarm an armed panel, remembering its mode."""
        if not self.alarm_panel or (state := self.hass.states.get(self.alarm_panel)) is None:
            return
        if state.state in ARM_ACTIONS:
            remembered.alarm_mode = state.state
            await self._call("alarm_control_panel", "alarm_disarm", self._alarm_data(), secret=True)

    async def alarm_rearm(self, remembered: Remembered) -> bool:
        """Arm the panel again in its previous mode; False when that failed."""
        mode, remembered.alarm_mode = remembered.alarm_mode, None
        if not self.alarm_panel or mode is None:
            return True
        return await self._call("alarm_control_panel", ARM_ACTIONS[mode], self._alarm_data(), secret=True)

    async def notify(self, notification: Notification) -> None:
        """Send to every target; one that fails never keeps the others from their message."""
        await asyncio.gather(*(self._notify_one(target, notification) for target in self.notify_targets))

    async def _notify_one(self, target: str, notification: Notification) -> None:
        name = target.removeprefix("notify.")
        entity = self.hass.states.get(target) is not None
        message = notification.message
        if notification.hint and (entity or not name.startswith("mobile_app_")):
            message += f"\n\n{notification.hint}"  # this target shows no buttons: say how to answer
        if entity:
            await self._call(
                "notify", "send_message", {ATTR_ENTITY_ID: target, "title": notification.title, "message": message}
            )
            return
        data: dict[str, Any] = {"title": notification.title, "message": message}
        if name.startswith("mobile_app_"):
            data["data"] = mobile_app_data(notification)
        elif name == "persistent_notification":
            data["data"] = {"notification_id": notification.tag}
            if notification.image:
                data["message"] += f"\n\n![]({notification.image})"
        await self._call("notify", name, data)


def mobile_app_data(notification: Notification) -> dict[str, Any]:
    """Push options for the companion apps: critical alerts break through, others are time-sensitive."""
    data: dict[str, Any] = {"tag": notification.tag, "group": DOMAIN}
    if notification.critical:
        data |= {
            "ttl": 0,
            "priority": "high",
            "push": {"interruption-level": "critical", "sound": {"critical": 1, "name": "default", "volume": 1.0}},
            "channel": "alarm_stream",
        }
    else:
        data |= {"push": {"interruption-level": "time-sensitive"}}
    if notification.image:
        data["image"] = notification.image
    actions: list[dict[str, str]] = [{"action": action, "title": title} for action, title in notification.actions]
    if notification.camera:
        # Tapping the notification, or its button, opens the camera's more-info in the app.
        uri = f"entityId:{notification.camera[0]}"
        data |= {"url": uri, "clickAction": uri}
        actions.append({"action": "URI", "title": notification.camera[1], "uri": uri})
    if actions:
        data["actions"] = actions
    return data
