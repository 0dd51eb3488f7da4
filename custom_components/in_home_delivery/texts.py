"""The texts Home Assistant has no translation category for: the link's page, notifications, the logbook.

They live in `texts/<language>.json`, beside `translations/`, grouped by what they are: `page` (the
courier's and guest's page), `notification` (the owner's notifications, their buttons and hints),
`reason` (why a request was refused, as the owner reads it), `logbook`, `label` and `speech` (what
the speakers at the door say to the visitor). Home Assistant's translation helper would return such
categories from `translations/`, but hassfest accepts there only the categories Home Assistant
defines, and `exceptions` is for errors that are raised.

A key is unique across the categories; a language's texts are English where it has none, as with
Home Assistant's translations. Each language is read once, in the executor, and kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.singleton import singleton
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.json import load_json_object

from .const import DOMAIN

TEXTS_DIR = Path(__file__).parent / "texts"
ENGLISH = "en"
TEXTS: HassKey[Texts] = HassKey(f"{DOMAIN}_texts")


def read_texts(language: str) -> dict[str, str]:
    """A language's texts, by key, over the English ones (blocking: run it in the executor)."""
    texts: dict[str, str] = {}
    for source in dict.fromkeys((ENGLISH, language)):
        path = TEXTS_DIR / f"{source}.json"
        if path.is_file():
            for category in load_json_object(path).values():
                if isinstance(category, dict):
                    texts.update((key, str(text)) for key, text in category.items())
    return texts


class Texts:
    """The languages read so far."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Nothing is read yet; a new language of Home Assistant is read when it is chosen."""
        self.hass = hass
        self.loaded: dict[str, dict[str, str]] = {}
        self.loading: dict[str, asyncio.Future[dict[str, str]]] = {}
        hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, self._async_config_updated)

    async def _async_config_updated(self, event: Event[Mapping[str, Any]]) -> None:
        if language := event.data.get("language"):
            await self.async_load(str(language))

    async def async_load(self, language: str) -> dict[str, str]:
        """A language's texts, read on first use; callers at the same time share one read."""
        if (texts := self.loaded.get(language)) is not None:
            return texts
        if (reading := self.loading.get(language)) is None:
            reading = self.loading[language] = self.hass.async_add_executor_job(read_texts, language)
        try:
            texts = await reading
        finally:
            self.loading.pop(language, None)
        self.loaded[language] = texts
        return texts

    @callback
    def cached(self, language: str) -> dict[str, str]:
        """A language's texts if read, else English's if read, else none."""
        return self.loaded.get(language) or self.loaded.get(ENGLISH) or {}


@singleton(TEXTS)
@callback
def _texts(hass: HomeAssistant) -> Texts:
    return Texts(hass)


async def async_get_texts(hass: HomeAssistant, language: str) -> dict[str, str]:
    """The texts in a language (English where one is missing), read from disk once."""
    return await _texts(hass).async_load(language)


@callback
def async_get_cached_texts(hass: HomeAssistant, language: str) -> dict[str, str]:
    """The texts of a language already read (English's if it is not); for code that cannot wait."""
    return _texts(hass).cached(language)
