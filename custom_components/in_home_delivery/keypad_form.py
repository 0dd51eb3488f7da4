"""The entrance form's *Keypad codes* section: who writes codes to the lock, into which slots, how long.

The form holds `keypad: {provider, slots, code_length, set_script, clear_script}` with the slots as the
owner writes them (`20-29`, `20, 21, 25`); the entry keeps `keypad` with the slots as sorted numbers,
and no `keypad` at all where the entrance has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
import re
from typing import Any

import probatio

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers import entity_registry as er, selector
from homeassistant.loader import IntegrationNotFound, async_get_integration

from .const import CONF_GARAGE_DOOR, CONF_LOCK
from .core.codes import DEFAULT_CODE_LENGTH, EMPTY, MAX_CODE_LENGTH, MAX_SLOTS, MIN_CODE_LENGTH, PROVIDERS
from .data import InHomeDeliveryConfigEntry
from .flow_forms import entity_name, entity_selector
from .keypad import CONF_KEYPAD, keypad_settings

NO_KEYPAD = "none"
SCRIPT = "script"
FIRST_SLOT, LAST_SLOT = 1, 250
SLOT_RANGE = re.compile(r"(\d+)\s*[-\u2013]\s*(\d+)")  # 20-29, or with the en dash a word processor writes
SLOT_SEPARATORS = re.compile(r"[,;\s]+")
SCRIPT_KEYS = ("set_script", "clear_script")


class SlotsError(ValueError):
    """Slots the form cannot take: the error's key and its placeholders."""

    def __init__(self, error: str, **placeholders: str) -> None:
        """Keep the error for the form."""
        super().__init__(error)
        self.error = error
        self.placeholders = placeholders


def _bounds(part: str) -> tuple[int, int]:
    """The first and last slot of one part of the text: a number or a range."""
    if part.isdigit():
        return int(part), int(part)
    if (found := SLOT_RANGE.fullmatch(part)) and int(found[1]) <= int(found[2]):
        return int(found[1]), int(found[2])
    raise SlotsError("keypad_slots_unreadable", text=part)


def read_slots(text: str) -> list[int]:
    """The slots written as `20-29`, `20, 21, 25` or both, sorted; SlotsError where they cannot be reserved."""
    text = SLOT_RANGE.sub(lambda found: f"{found[1]}-{found[2]}", text.strip())  # no spaces inside a range
    parts = [part for part in SLOT_SEPARATORS.split(text) if part]
    if not parts:
        raise SlotsError("keypad_slots_missing")
    slots: set[int] = set()
    for part in parts:
        first, last = _bounds(part)
        for bound in (first, last):
            if not FIRST_SLOT <= bound <= LAST_SLOT:
                raise SlotsError(
                    "keypad_slots_out_of_range", slot=str(bound), first=str(FIRST_SLOT), last=str(LAST_SLOT)
                )
        slots.update(range(first, last + 1))
        if len(slots) > MAX_SLOTS:
            raise SlotsError("keypad_slots_too_many", most=str(MAX_SLOTS))
    return sorted(slots)


def write_slots(slots: Iterable[int]) -> str:
    """Stored slots as the form shows them: runs as ranges (`20-29, 31`)."""
    runs: list[list[int]] = []
    for slot in sorted(set(slots)):
        if runs and slot == runs[-1][-1] + 1:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def keypad_section() -> section:
    """The collapsed *Keypad codes* section."""
    return section(
        probatio.Schema(
            {
                probatio.Optional("provider", default=NO_KEYPAD): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[NO_KEYPAD, *PROVIDERS],
                        translation_key="keypad_provider",
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                probatio.Optional("slots"): selector.TextSelector(),
                probatio.Optional("code_length", default=DEFAULT_CODE_LENGTH): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=MIN_CODE_LENGTH, max=MAX_CODE_LENGTH, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                probatio.Optional("set_script"): entity_selector("script"),
                probatio.Optional("clear_script"): entity_selector("script"),
            }
        ),
        {"collapsed": True},
    )


def _sample(length: int) -> str:
    """Digits of a code of that length, to try against what the lock accepts."""
    return "".join(str((digit + 1) % 10) for digit in range(length))


def _lengths_taken(code_format: str) -> list[int] | None:
    """The code lengths a lock's `code_format` takes (as the lock entity checks a code), None if unreadable."""
    try:
        pattern = re.compile(code_format)
    except re.error:
        return None
    return [length for length in range(MIN_CODE_LENGTH, MAX_CODE_LENGTH + 1) if pattern.match(_sample(length))]


def _lock_problems(hass: HomeAssistant, provider: str, lock: str, length: int) -> Iterator[tuple[str, dict[str, str]]]:
    """What the lock itself says against the keypad: another integration's lock, a code length it refuses."""
    registered = er.async_get(hass).async_get(lock)
    if provider != SCRIPT and registered is not None and registered.platform != provider:
        yield (
            "keypad_lock_other_integration",
            {
                "entity": entity_name(hass, lock),
                "integration": registered.platform,  # its name in async_keypad_problem
            },
        )
    state = hass.states.get(lock)
    code_format = state.attributes.get("code_format") if state is not None else None
    if isinstance(code_format, str) and (taken := _lengths_taken(code_format)) is not None and length not in taken:
        if not taken:
            yield "keypad_lock_takes_no_digits", {"entity": entity_name(hass, lock), "code_format": code_format}
        else:
            lengths = f"{taken[0]}-{taken[-1]}" if taken == list(range(taken[0], taken[-1] + 1)) else write_slots(taken)
            yield (
                "keypad_code_length_refused",
                {"entity": entity_name(hass, lock), "length": str(length), "lengths": lengths},
            )


def keypad_problems(hass: HomeAssistant, data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """Each problem of the keypad section (the error, its placeholders) in the entrance's flat form data."""
    form: Mapping[str, Any] = data.get(CONF_KEYPAD) or {}
    provider = form.get("provider") or NO_KEYPAD
    if provider == NO_KEYPAD:
        return
    if data.get(CONF_GARAGE_DOOR):
        yield "keypad_needs_lock", {"entity": entity_name(hass, data[CONF_GARAGE_DOOR])}
        return
    try:
        read_slots(str(form.get("slots") or ""))
    except SlotsError as err:
        yield err.error, err.placeholders
    if provider == SCRIPT:
        if not all(form.get(key) for key in SCRIPT_KEYS):
            yield "keypad_scripts_missing", {}
        for key in SCRIPT_KEYS:
            if (script := form.get(key)) and hass.states.get(script) is None:
                yield "entity_not_found", {"entity": script}
    if lock := data.get(CONF_LOCK):
        yield from _lock_problems(hass, provider, lock, int(form.get("code_length") or DEFAULT_CODE_LENGTH))


async def async_keypad_problem(hass: HomeAssistant, data: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The keypad section's first problem, an integration named as the owner knows it."""
    if (problem := next(keypad_problems(hass, data), None)) is None:
        return None
    error, placeholders = problem
    if domain := placeholders.get("integration"):
        with suppress(IntegrationNotFound):  # an integration that is gone keeps its domain
            placeholders["integration"] = (await async_get_integration(hass, domain)).name
    return error, placeholders


def keypad_data(form: Mapping[str, Any]) -> dict[str, Any]:
    """The entry data's `keypad` from a valid section: empty where the entrance has no keypad."""
    provider = form.get("provider") or NO_KEYPAD
    if provider == NO_KEYPAD:
        return {}
    script = provider == SCRIPT
    return {
        CONF_KEYPAD: {
            "provider": provider,
            "slots": read_slots(str(form["slots"])),
            "code_length": int(form.get("code_length") or DEFAULT_CODE_LENGTH),
            "set_script": form["set_script"] if script else None,
            "clear_script": form["clear_script"] if script else None,
        }
    }


def keypad_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The section's suggested values from the entry data (slots written as the owner would)."""
    keypad = data.get(CONF_KEYPAD)
    if not keypad:
        return {"provider": NO_KEYPAD}
    shown = {key: value for key, value in keypad.items() if value not in (None, "", [])}
    return shown | {"slots": write_slots(keypad.get("slots") or [])}


def _leaves_the_lock(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether the keypad that wrote the lock's codes no longer will.

    Removed, another provider or clear script, or another lock: the codes it wrote would stay on the
    old lock, cleared by no one.
    """
    before, after = keypad_settings(old), keypad_settings(new)
    if before is None:
        return False
    return (
        after is None
        or (after.provider, after.clear_script) != (before.provider, before.clear_script)
        or new.get(CONF_LOCK) != old.get(CONF_LOCK)
    )


async def async_clear_leaving_keypad(
    hass: HomeAssistant, entry: InHomeDeliveryConfigEntry, new: Mapping[str, Any]
) -> tuple[str, dict[str, str]] | None:
    """Before a keypad leaves its lock, every code it manages comes off the lock, for good.

    The error (with its placeholders) where the lock did not take every clear; the keypad then keeps
    clearing in the background, and the owner tries again. Nothing to do where the keypad stays.
    """
    if not _leaves_the_lock(entry.data, new) or entry.state is not ConfigEntryState.LOADED:
        return None
    keypad = entry.runtime_data.controller.keypad
    if keypad is None:
        return None
    for pass_id in list(keypad.codes):
        keypad.retire(pass_id)
    await keypad.async_reconcile_now()
    slots = {*keypad.keypad.slots, *(code.slot for code in keypad.codes.values())}
    if held := sorted(slot for slot in slots if keypad.slots.on_lock.get(slot) != EMPTY):
        return "keypad_codes_not_cleared", {"entity": entity_name(hass, keypad.lock), "slots": write_slots(held)}
    return None
