"""Repairs that the owner fixes from Settings → Repairs.

A pass database that cannot be read (corrupt, not a database) stops the entrance after its running
visit is locked. The repair says what happened and offers the way out: restore a backup (then reload
the entrance), or start with no passes, the broken file kept beside under a new name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN

UNREADABLE = "pass_store_unreadable"


def unreadable_issue_id(entry_id: str) -> str:
    """The repair of one entrance's unreadable pass database."""
    return f"{UNREADABLE}_{entry_id}"


@callback
def async_raise_unreadable_issue(hass: HomeAssistant, entry: ConfigEntry, entrance: str, path: Path) -> None:
    """Tell the owner that the entrance's passes cannot be read, and what to do."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        unreadable_issue_id(entry.entry_id),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.CRITICAL,
        translation_key=UNREADABLE,
        translation_placeholders={"entrance": entrance, "path": str(path)},
        data={"entry_id": entry.entry_id, "path": str(path)},
    )


def set_aside(path: Path) -> Path:
    """Move a broken database (and its write-ahead log) aside; return the new name of the main file."""
    stamp = dt_util.utcnow().strftime("%Y%m%d%H%M%S")
    kept = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(f"{kept}{suffix}")
    return kept


class StartEmptyFlow(ConfirmRepairFlow):
    """Start the entrance with no passes; the broken database is kept beside under a new name."""

    def __init__(self, entry_id: str, path: Path) -> None:
        """Fix one entrance's database."""
        self.entry_id = entry_id
        self.path = path

    async def async_step_confirm(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Set the broken file aside and load the entrance again."""
        if user_input is None:
            return await super().async_step_confirm(None)
        await self.hass.async_add_executor_job(set_aside, self.path)
        ir.async_delete_issue(self.hass, DOMAIN, unreadable_issue_id(self.entry_id))
        if self.hass.config_entries.async_get_entry(self.entry_id) is not None:
            self.hass.config_entries.async_schedule_reload(self.entry_id)
        return self.async_create_entry(data={})


async def async_create_fix_flow(hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None) -> RepairsFlow:
    """The fix flow of a fixable repair."""
    data = data or {}
    return StartEmptyFlow(str(data.get("entry_id")), Path(str(data.get("path"))))
