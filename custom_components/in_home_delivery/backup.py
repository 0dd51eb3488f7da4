"""Backups: every entrance's pass database is consistent in the copy a backup takes."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .const import DOMAIN


async def _async_hold(hass: HomeAssistant, hold: bool) -> None:
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await entry.runtime_data.passes.async_hold_for_backup(hold)


async def async_pre_backup(hass: HomeAssistant) -> None:
    """Fold each pass database's log into its file, and leave the file alone during the backup."""
    await _async_hold(hass, True)


async def async_post_backup(hass: HomeAssistant) -> None:
    """Back to normal after the backup."""
    await _async_hold(hass, False)
