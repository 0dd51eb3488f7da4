"""In-Home Delivery: let a courier or a trusted guest in while nobody is home, and always lock again."""

from __future__ import annotations

from homeassistant.components.webhook import async_generate_id
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN
from .controller import EntranceController
from .data import EntranceData, InHomeDeliveryConfigEntry
from .doorbell import async_watch_answers, async_watch_doorbell
from .relay import async_remove_pulse_end
from .services import async_setup_services
from .settings import CONF_OPENING_HEIGHT
from .store import EntranceStore, PassStore, PassStoreUnreadableError, entrance_key, visit_key
from .subentries import async_sync
from .texts import async_get_texts
from .watchdog import async_watch_wrapped_entities
from .webhook import async_register_link_webhook

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.CAMERA,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.LOCK,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> bool:
    """Set up an entrance."""
    controller = EntranceController(hass, entry)
    try:
        await controller.async_start()
    except PassStoreUnreadableError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="pass_store_unreadable",
            translation_placeholders={"entrance": controller.name, "path": str(controller.passes.store.path)},
        ) from err
    # The logbook describes events synchronously, from these cached texts.
    for language in {hass.config.language, "en"}:
        await async_get_texts(hass, language)
    entry.runtime_data = EntranceData(
        controller=controller,
        coordinator=controller.coordinator,
        standings=controller.standings,
        passes=controller.passes,
        settings=(dict(entry.data), dict(entry.options)),
    )
    async_watch_wrapped_entities(hass, entry)
    async_register_link_webhook(hass, entry)
    async_watch_doorbell(hass, entry)
    async_watch_answers(hass, entry)
    # The entrance's device first: each guest's and carrier link's device is shown under it.
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=controller.name,
        manufacturer="In-Home Delivery",
        model="Entrance",
    )
    await async_sync(hass, entry, controller.passes, full=True)
    await controller.standings.async_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    controller.keypad_ready()  # after the switches restored their state: the first reconcile knows them
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """New settings reload the entrance; a guest or carrier link added, changed or deleted does not.

    Subentries are brought in line with the pass book while the entrance runs on, so a running visit
    is never interrupted by the owner's changes to who may come.
    """
    if (dict(entry.data), dict(entry.options)) != entry.runtime_data.settings:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    await async_sync(hass, entry, entry.runtime_data.passes)
    standings = entry.runtime_data.standings
    await standings.async_refresh()
    standings.async_update_listeners()  # new subentries get their devices


async def async_migrate_entry(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> bool:
    """Bring an entry of an earlier release up to date, step by step.

    Minor version 2: the link's webhook id moves from the entrance store into the entry's data. Every
    link handed out keeps working: the id is the one the store had (a new one only where there was none).
    Minor version 3: a garage door's opening for parcels is counted as Home Assistant counts a cover's
    position. It was already, but for 0, which meant fully open: that is now 100, so no garage opens
    differently after the update.
    """
    if entry.version > 1:
        return False  # a newer release's entry
    if entry.minor_version < 2:
        stored = await EntranceStore(hass, entrance_key(entry.entry_id), dict).async_load()
        webhook_id = stored.get("webhook_id") or async_generate_id()
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_WEBHOOK_ID: webhook_id}, minor_version=2)
    if entry.minor_version < 3:
        options = dict(entry.options)
        if CONF_OPENING_HEIGHT in options and not options[CONF_OPENING_HEIGHT]:
            options[CONF_OPENING_HEIGHT] = 100
        hass.config_entries.async_update_entry(entry, options=options, minor_version=3)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> bool:
    """Unload an entrance."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """Delete the entrance's stored passes, visit and history, and a relay pulse's end."""
    await EntranceStore(hass, entrance_key(entry.entry_id), dict).async_remove()
    await EntranceStore(hass, visit_key(entry.entry_id), dict).async_remove()
    await PassStore(hass, entry.entry_id).async_remove()
    await async_remove_pulse_end(hass, entry.entry_id)
