"""Where the texts are: the translations' `exceptions` hold the errors that are raised, texts/ the rest."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
import re
import string
from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.core.admission import DenyReason
from custom_components.in_home_delivery.core.guests import ScheduleError
from custom_components.in_home_delivery.core.passes import PassDenial, WindowError
from custom_components.in_home_delivery.entrance_parts import GARAGE_DENIALS
from custom_components.in_home_delivery.logbook import LogbookTexts
from custom_components.in_home_delivery.texts import async_get_cached_texts, async_get_texts, read_texts
from homeassistant.core import HomeAssistant

INTEGRATION = Path(__file__).parent.parent / "custom_components/in_home_delivery"
LANGUAGES = ("en", "de")


def load(path: Path) -> dict[str, Any]:
    """A JSON file of the integration."""
    return dict(json.loads((INTEGRATION / path).read_text()))


def raised_keys() -> set[str]:
    """Every translation key an error of the integration is raised with, read from its source."""
    keys = {f"denied_{reason}" for reason in (*DenyReason, *PassDenial)} | set(WindowError) | set(ScheduleError)
    keys |= {f"denied_{reason}_garage" for reason in GARAGE_DENIALS}  # in a garage door's words
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "validation_error" and node.args and isinstance(node.args[0], ast.Constant):
                keys.add(node.args[0].value)
            elif name.endswith("Error"):
                keys |= {
                    keyword.value.value
                    for keyword in node.keywords
                    if keyword.arg == "translation_key" and isinstance(keyword.value, ast.Constant)
                }
    return keys


def placeholders(text: str) -> set[str]:
    """The names in a text's braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", LANGUAGES)
def test_exceptions_are_the_errors_raised(language: str) -> None:
    """Each exception text is an error the code raises, and each error raised has its text."""
    assert set(load(Path("translations") / f"{language}.json")["exceptions"]) == raised_keys()


def test_texts_agree_across_languages() -> None:
    """German has each English text, in the same category, with the same placeholders; a key is in one category.

    Beyond them German has only guests' variants of page and spoken texts (`<key>_guest`: du where a
    courier hears or reads Sie), which English does not need: its guests get the courier's words.
    """
    english, german = (load(Path("texts") / f"{language}.json") for language in LANGUAGES)
    assert list(english) == ["page", "notification", "reason", "logbook", "time", "label", "speech"]
    assert list(german) == list(english)
    for category, texts in english.items():
        assert set(texts) <= set(german[category]), category
        for key, text in texts.items():
            assert placeholders(german[category][key]) == placeholders(text), key
        for key in set(german[category]) - set(texts):
            assert category in ("page", "speech"), key
            assert key.endswith("_guest"), key
            assert key.removesuffix("_guest") in texts, key
            assert placeholders(german[category][key]) == placeholders(texts[key.removesuffix("_guest")]), key
    keys = [key for texts in english.values() for key in texts]
    assert len(keys) == len(set(keys))


def german_owner_texts() -> dict[str, str]:
    """Every German text the owner reads: notifications, reasons, the logbook, and the translations."""
    texts = load(Path("texts") / "de.json")
    found = {
        key: text
        for category in ("notification", "reason", "logbook", "time", "label")
        for key, text in texts[category].items()
    }

    def walk(path: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
        else:
            found[path] = str(value)

    walk("translations", load(Path("translations") / "de.json"))
    return found


def test_german_speaks_with_one_voice() -> None:
    """German addresses the owner with du everywhere (as Home Assistant does), and names the owner one way
    on the pages: Eigentümer. (A guest's du and a courier's Sie on the pages: test_page_properties.)"""
    sie = re.compile(r"\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihnen)\b")
    assert {key: text for key, text in german_owner_texts().items() if sie.search(text)} == {}
    pages = load(Path("texts") / "de.json")["page"]
    assert {key: text for key, text in pages.items() if "Besitzer" in text} == {}
    assert sum("Eigentümer" in text for text in pages.values()) > 5


async def test_each_language_is_read_once(hass: HomeAssistant) -> None:
    """A language is read from disk once; later callers get what was read."""
    reads: list[str] = []

    def counted_read(language: str) -> dict[str, str]:
        reads.append(language)
        return read_texts(language)

    assert async_get_cached_texts(hass, "de") == {}
    with patch("custom_components.in_home_delivery.texts.read_texts", counted_read):
        first = await async_get_texts(hass, "de")
        again = await async_get_texts(hass, "de")
    assert reads == ["de"]
    assert again is first
    assert again["label_owner"] == "Eigentümer"
    assert again["page_window"] == "Lieferfenster:"
    assert async_get_cached_texts(hass, "de") is again
    assert async_get_cached_texts(hass, "en") == {}  # not read: German is a whole set on its own


async def test_callers_at_once_share_one_read(hass: HomeAssistant) -> None:
    """Entrances that start together wait for the same read instead of each reading the file."""
    reading: asyncio.Future[dict[str, str]] = hass.loop.create_future()
    with patch.object(hass, "async_add_executor_job", return_value=reading) as add_job:
        callers = [hass.async_create_task(async_get_texts(hass, "de")) for _ in range(5)]
        await asyncio.sleep(0)
        reading.set_result({"label_owner": "Eigentümer"})
        texts = await asyncio.gather(*callers)
    assert add_job.call_count == 1
    assert all(each is texts[0] for each in texts)
    assert async_get_cached_texts(hass, "de") is texts[0]


async def test_a_language_without_texts_reads_english(hass: HomeAssistant) -> None:
    """A language the integration has no texts in gets the English ones, as Home Assistant's translations do."""
    assert (await async_get_texts(hass, "fr"))["label_owner"] == "Owner"
    assert async_get_cached_texts(hass, "it") == {}
    await async_get_texts(hass, "en")
    assert async_get_cached_texts(hass, "it")["logbook_you"] == "you"  # unread: English, not the key


async def test_a_failed_read_is_tried_again(hass: HomeAssistant) -> None:
    """A read that fails is not kept: the next caller reads again."""

    def failed_read(language: str) -> dict[str, str]:
        raise OSError(f"cannot read {language}")

    with (
        patch("custom_components.in_home_delivery.texts.read_texts", failed_read),
        pytest.raises(OSError, match="cannot read de"),
    ):
        await async_get_texts(hass, "de")
    assert (await async_get_texts(hass, "de"))["logbook_you"] == "dich"


async def test_the_logbook_follows_a_new_language(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """When the owner chooses another language, the logbook speaks it without a restart."""
    texts = LogbookTexts(hass)
    assert texts("logbook_you") == "you"
    await hass.config.async_update(language="de")
    await hass.async_block_till_done()
    assert texts("logbook_you") == "dich"
