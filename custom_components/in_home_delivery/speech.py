"""The speakers at the door: what the core says to the visitor, spoken the best way each speaker can.

An Assist satellite announces it (`assist_satellite.announce`, with its chime); a media player gets
text-to-speech (`tts.speak` with a text-to-speech entity, else `media_player.play_media` of the
default engine's speech with `announce`, which ducks what is playing). The words are the visitor's
(`texts/<language>.json`, category `speech`): a garage door at a garage, a guest addressed as a guest.
They never hold a code, a link or the home's name.

Speaking never holds up a visit and never fails it: each speaker is called on its own, in the
background and one moment after another; one that is unavailable or fails is logged once (until it
speaks again) and the others still speak.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.components.assist_satellite import AssistSatelliteEntityFeature
from homeassistant.components.media_player.const import MediaPlayerEntityFeature
from homeassistant.components.tts import async_default_engine, generate_media_source_id
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .core.commands import Spoken
from .core.wording import variant
from .settings import EntranceSettings
from .texts import ENGLISH, async_get_texts

_LOGGER = logging.getLogger(__name__)

SPOKEN_LANGUAGES = ("en", "de")  # the languages of texts/
SPEAK_TIMEOUT = 30  # an announcement waits until it was spoken: a long sentence takes a while
GARAGE = "_garage"
GUEST = "_guest"


@dataclass(frozen=True, kw_only=True)
class SpeakCall:
    """One action that makes one speaker say one text."""

    domain: str
    action: str
    data: dict[str, Any]


def spoken_language(chosen: str | None, home: str) -> str:
    """The language spoken: the option's, else Home Assistant's where texts exist for it, else English."""
    for language in (chosen, home, home.split("-")[0]):
        if language in SPOKEN_LANGUAGES:
            return language
    return ENGLISH


class Speakers:
    """Speaks at one entrance's door."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, settings: EntranceSettings, *, name: str, garage: bool
    ) -> None:
        """Remember the speakers, their language and moments, and whether the entrance is a garage door."""
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.name = name
        self.garage = garage
        self._queue = asyncio.Lock()
        self._silent: set[str] = set()  # speakers whose failure was logged, until they speak again

    @callback
    def say(self, moment: Spoken, *, guest: bool = False) -> None:
        """Say what the moment calls for, where the options want it said, after what was said before."""
        if not self.settings.speaks(moment):
            return
        self.entry.async_create_background_task(self.hass, self._async_say(moment, guest), f"{DOMAIN} speak")

    async def _async_say(self, moment: Spoken, guest: bool) -> None:
        language = spoken_language(self.settings.speak_language, self.hass.config.language)
        texts = await async_get_texts(self.hass, language)
        suffixes = ((GARAGE,) if self.garage else ()) + ((GUEST,) if guest else ())
        key = variant(texts, f"speak_{moment.value}", suffixes)
        message = texts.get(key, "")
        async with self._queue:
            await asyncio.gather(*(self._async_speak(speaker, message, language) for speaker in self.settings.speakers))

    async def _async_speak(self, speaker: str, message: str, language: str) -> None:
        state = self.hass.states.get(speaker)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            self._failed(speaker, "unavailable")
            return
        features = int(state.attributes.get(ATTR_SUPPORTED_FEATURES) or 0)
        try:
            call = speak_call(self.hass, speaker, features, message, language)
            if call is None:
                self._failed(speaker, "cannot speak (no announcements, or no text-to-speech)")
                return
            async with asyncio.timeout(SPEAK_TIMEOUT):
                await self.hass.services.async_call(call.domain, call.action, call.data, blocking=True)
        except Exception as err:  # noqa: BLE001 - a speaker that fails must never touch the visit
            self._failed(speaker, f"failed ({type(err).__name__})")
            return
        if speaker in self._silent:
            self._silent.discard(speaker)
            _LOGGER.info("%s: speaker %s speaks again", self.name, speaker)

    def _failed(self, speaker: str, why: str) -> None:
        """Log a speaker's failure once, until it speaks again; the visit goes on."""
        if speaker not in self._silent:
            self._silent.add(speaker)
            _LOGGER.warning("%s: speaker %s %s; the visit goes on without it", self.name, speaker, why)


def speak_call(hass: HomeAssistant, speaker: str, features: int, message: str, language: str) -> SpeakCall | None:
    """The best way this speaker can say the message, or None where it cannot."""
    domain = speaker.split(".")[0]
    if domain == "assist_satellite":
        if not features & AssistSatelliteEntityFeature.ANNOUNCE:
            return None
        return SpeakCall(
            domain="assist_satellite",
            action="announce",
            data={ATTR_ENTITY_ID: speaker, "message": message, "preannounce": True},
        )
    if domain != "media_player" or not features & MediaPlayerEntityFeature.PLAY_MEDIA:
        return None
    engines = sorted(state.entity_id for state in hass.states.async_all("tts") if state.state != STATE_UNAVAILABLE)
    if tts_entity := next(iter(engines), None):
        return SpeakCall(
            domain="tts",
            action="speak",
            data={
                ATTR_ENTITY_ID: tts_entity,
                "media_player_entity_id": speaker,
                "message": message,
                "language": language,
                "cache": True,
            },
        )
    if "tts" not in hass.config.components or (engine := async_default_engine(hass)) is None:
        return None
    # A text-to-speech engine of the older kind (no entity): its speech as media, announced.
    return SpeakCall(
        domain="media_player",
        action="play_media",
        data={
            ATTR_ENTITY_ID: speaker,
            "media_content_id": generate_media_source_id(hass, message, engine=engine, language=language),
            "media_content_type": "music",
            "announce": True,
        },
    )
