"""Spoken guidance at the door: what each kind of speaker is asked to say, when, and in which language.

The speakers are entities in Home Assistant's state machine with the features they report; their
actions (`assist_satellite.announce`, `tts.speak`, `media_player.play_media`) are recorded as a
speaker's own integration would receive them.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any
from urllib.parse import parse_qs, urlparse

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from custom_components.in_home_delivery.speech import speak_call, spoken_language
from homeassistant.components.media_player import MediaPlayerEntityFeature
from homeassistant.components.tts import Provider
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component

from .conftest import ALARM_CODE, CAMERA, PHONE
from .helpers import (
    admit,
    close_door,
    end_visit,
    link_parts,
    open_door,
    post_link,
    schedule_now,
    set_lock_state,
    set_switch,
    tick,
)

SATELLITE = "assist_satellite.porch_satellite"
MUTE_SATELLITE = "assist_satellite.kitchen"  # a satellite that cannot announce
PLAYER = "media_player.doorbell_speaker"
TTS = "tts.piper"
GARAGE = "cover.garage_door"
PLAYS = MediaPlayerEntityFeature.PLAY_MEDIA | MediaPlayerEntityFeature.MEDIA_ANNOUNCE

PUT_INSIDE = {
    "en": "The door is unlocked. Please put the parcel inside and close the door.",
    "de": "Die Tür ist aufgeschlossen. Bitte legen Sie das Paket hinein und schließen Sie die Tür.",
}
CLOSE = {"en": "Please close the door.", "de": "Bitte schließen Sie die Tür."}
GARAGE_OPENS = {
    "en": "The garage door is opening. Please put the parcel inside, then tap “Done”.",
    "de": "Das Garagentor öffnet sich. Bitte legen Sie das Paket hinein und tippen Sie dann auf „Fertig“.",
}
GARAGE_CLOSES = {
    "en": "The garage door closes in one minute. Please step clear of it.",
    "de": "Das Garagentor schließt in einer Minute. Bitte treten Sie zur Seite.",
}
HELLO = "Hello! To open the door, tap “Unlock” on your delivery page."
ASKED = "Hello! The owner has been told that you are here. Please wait a moment."
LANGUAGES = pytest.mark.parametrize("language", ["en", "de"])


class Heard:
    """What the speakers were asked to say."""

    def __init__(self) -> None:
        """Nothing yet."""
        self.calls: list[ServiceCall] = []
        self.failing: set[str] = set()  # actions that raise, as an offline speaker's integration does

    def of(self, action: str) -> list[dict[str, Any]]:
        """The data of each call of an action ("domain.action")."""
        return [dict(call.data) for call in self.calls if f"{call.domain}.{call.service}" == action]

    def messages(self) -> list[str]:
        """Every message said (a satellite's and a media player's alike), in order."""
        return [str(call.data["message"]) for call in self.calls if "message" in call.data]


@pytest.fixture
def heard() -> Heard:
    """The speakers' record."""
    return Heard()


@pytest.fixture
def language() -> str:
    """The language the speakers speak."""
    return "en"


@pytest.fixture
def speakers() -> list[str]:
    """The speakers at the door."""
    return [SATELLITE, PLAYER]


@pytest.fixture
def entry_options(speakers: list[str], language: str) -> dict[str, Any]:
    """The defaults, with speakers at the door."""
    return DEFAULT_OPTIONS | {"speakers": speakers, "speak_language": language}


@pytest.fixture(autouse=True)
async def speaker_hardware(hass: HomeAssistant, heard: Heard) -> None:
    """An Assist satellite that announces, one that cannot, a doorbell's media player, a text-to-speech entity."""
    hass.states.async_set(SATELLITE, "idle", {"supported_features": 1, "friendly_name": "Porch satellite"})
    hass.states.async_set(MUTE_SATELLITE, "idle", {"supported_features": 0})
    hass.states.async_set(PLAYER, "idle", {"supported_features": int(PLAYS), "friendly_name": "Doorbell speaker"})
    hass.states.async_set(TTS, "unknown", {"friendly_name": "Piper"})

    async def record(call: ServiceCall) -> None:
        heard.calls.append(call)
        if f"{call.domain}.{call.service}" in heard.failing:
            raise HomeAssistantError("the speaker is offline")

    for domain, action in (("assist_satellite", "announce"), ("tts", "speak"), ("media_player", "play_media")):
        hass.services.async_register(domain, action, record)


async def courier_unlocks(hass: HomeAssistant, link_client: Any) -> str:
    """A courier whose delivery is expected now taps Unlock, and the door unlocks; their link."""
    link = str((await schedule_now(hass))["link"])
    assert (await post_link(link_client, link, "unlock")).status == 200
    await hass.async_block_till_done()
    return link


async def ring(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Press the simulated doorbell (it rings for two seconds)."""
    await hass.services.async_call("input_button", "press", {"entity_id": "input_button.sim_doorbell"}, blocking=True)
    await tick(hass, freezer, 3)


@LANGUAGES
async def test_each_speaker_kind_guides_the_courier(
    hass: HomeAssistant, link_client: Any, heard: Heard, freezer: FrozenDateTimeFactory, language: str
) -> None:
    """Unlocked: a satellite announces "put the parcel inside" with its chime, a media player gets it through
    the text-to-speech entity, in the language chosen; Done with the door open: "Please close the door".
    Nothing is said once the door locks, and nothing said holds a link, a code or the home's name."""
    link = await courier_unlocks(hass, link_client)
    assert heard.of("assist_satellite.announce") == [
        {"entity_id": SATELLITE, "message": PUT_INSIDE[language], "preannounce": True}
    ]
    assert heard.of("tts.speak") == [
        {
            "entity_id": TTS,
            "media_player_entity_id": PLAYER,
            "message": PUT_INSIDE[language],
            "language": language,
            "cache": True,
        }
    ]
    await open_door(hass)
    await end_visit(hass)  # Done, with the door still open
    assert heard.messages()[2:] == [CLOSE[language], CLOSE[language]]
    await close_door(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["relock_delay"] + 1)
    assert hass.states.get("lock.smart_lock").state == "locked"
    assert len(heard.messages()) == 4
    path, token = link_parts(link)
    for message in heard.messages():
        assert token not in message
        assert path not in message
        assert ALARM_CODE not in message
        assert "Front door" not in message


class ParcelVoice(Provider):
    """A text-to-speech engine of the older kind: a provider, no entity."""

    name = "Parcel voice"

    @property
    def default_language(self) -> str:
        """English."""
        return "en"

    @property
    def supported_languages(self) -> list[str]:
        """English and German."""
        return ["en", "de"]

    def get_tts_audio(self, message: str, language: str, options: dict[str, Any]) -> tuple[str, bytes]:
        """Silence."""
        return "mp3", b""


@pytest.fixture
async def legacy_tts(hass: HomeAssistant) -> None:
    """Text-to-speech with only an engine of the older kind (parcel_voice), set up before the web server starts."""
    mock_integration(hass, MockModule("parcel_voice"))
    platform = MockPlatform()
    platform.get_engine = lambda *_args: ParcelVoice()  # type: ignore[attr-defined]
    mock_platform(hass, "parcel_voice.tts", platform)
    assert await async_setup_component(hass, "tts", {"tts": {"platform": "parcel_voice"}})


# Text-to-speech brings ffmpeg, which this machine lacks: the camera's pictures are not required here.
@pytest.mark.parametrize(
    "entry_options",
    [DEFAULT_OPTIONS | {"speakers": [PLAYER], "speak_language": "de", "require_camera": False, "record_visits": False}],
)
async def test_media_player_without_a_tts_entity_gets_announced_speech(
    hass: HomeAssistant, legacy_tts: None, link_client: Any, heard: Heard
) -> None:
    """Where text-to-speech has no entity (an engine of the older kind), the media player plays its speech as
    an announcement, in the language chosen."""
    hass.states.async_remove(TTS)

    async def play(call: ServiceCall) -> None:  # the speaker's integration (text-to-speech loaded media_player's)
        heard.calls.append(call)

    hass.services.async_register("media_player", "play_media", play)
    await courier_unlocks(hass, link_client)
    (played,) = heard.of("media_player.play_media")
    assert played["entity_id"] == PLAYER
    assert played["announce"] is True
    assert played["media_content_type"] == "music"
    url = urlparse(played["media_content_id"].removeprefix("media-source://tts/"))
    assert url.path == "parcel_voice"
    assert parse_qs(url.query)["message"] == [PUT_INSIDE["de"]]
    assert parse_qs(url.query)["language"] == ["de"]
    assert heard.of("tts.speak") == []


@pytest.mark.parametrize("language", ["de"])
@pytest.mark.usefixtures("init_integration")
async def test_a_guest_is_spoken_to_as_a_guest(hass: HomeAssistant, heard: Heard) -> None:
    """Someone the owner lets in hears a guest's words (in German with du), not the courier's parcel."""
    await admit(hass)
    assert heard.messages() == ["Die Tür ist aufgeschlossen. Komm herein und schließ die Tür hinter dir."] * 2


@LANGUAGES
@pytest.mark.parametrize(
    "entry_data", [{"name": "Garage", "garage_door": GARAGE, "camera": CAMERA, "notify_targets": [PHONE]}]
)
async def test_garage_door_says_so_and_warns_in_its_last_minute(
    hass: HomeAssistant, link_client: Any, heard: Heard, freezer: FrozenDateTimeFactory, language: str
) -> None:
    """At a garage the speakers speak of the garage door, and say so a minute before it closes by itself."""
    await courier_unlocks(hass, link_client)
    assert heard.messages() == [GARAGE_OPENS[language]] * 2
    await tick(hass, freezer, DEFAULT_OPTIONS["max_visit"] - 65)
    assert len(heard.messages()) == 2
    await tick(hass, freezer, 10)  # 55 s before it closes
    assert heard.messages()[2:] == [GARAGE_CLOSES[language]] * 2
    assert hass.states.get(GARAGE).state == "open"
    await tick(hass, freezer, 60)
    assert hass.states.get(GARAGE).state == "closed"
    assert len(heard.messages()) == 4


@pytest.mark.usefixtures("init_integration")
async def test_doorbell_during_a_delivery_window(
    hass: HomeAssistant, heard: Heard, freezer: FrozenDateTimeFactory
) -> None:
    """The doorbell rung while a delivery is expected: the courier hears that the owner has been asked.
    Outside any window the doorbell says nothing."""
    await ring(hass, freezer)
    assert heard.messages() == []
    await schedule_now(hass)
    await ring(hass, freezer)
    assert heard.messages() == [ASKED, ASKED]


async def test_doorbell_that_asks_nobody_points_to_the_page(
    hass: HomeAssistant, init_integration: MockConfigEntry, heard: Heard, freezer: FrozenDateTimeFactory
) -> None:
    """With "Ask me when the doorbell rings" off, the courier hears how to open the door with their page."""
    hass.config_entries.async_update_entry(
        init_integration, options={**init_integration.options, "ask_on_doorbell": False}
    )
    await hass.async_block_till_done()
    await schedule_now(hass)
    await ring(hass, freezer)
    assert heard.messages() == [HELLO, HELLO]


async def test_page_opened_greets_the_courier_once(hass: HomeAssistant, link_client: Any, heard: Heard) -> None:
    """The courier's page opened while the delivery is expected: a greeting, once, however often it asks."""
    link = str((await schedule_now(hass))["link"])
    for action in ("status", "status", "arrive", "status"):
        assert (await post_link(link_client, link, action)).status == 200
        await hass.async_block_till_done()
    assert heard.messages() == [HELLO, HELLO]


async def test_page_outside_its_window_says_nothing(hass: HomeAssistant, link_client: Any, heard: Heard) -> None:
    """A link opened long before its window greets nobody: no delivery is expected yet."""
    link = str((await schedule_now(hass, start_in=timedelta(hours=3)))["link"])
    await post_link(link_client, link, "status")
    await hass.async_block_till_done()
    assert heard.messages() == []


@pytest.mark.parametrize("speakers", [[SATELLITE, PLAYER, MUTE_SATELLITE]])
async def test_failing_speakers_change_nothing_in_the_visit(
    hass: HomeAssistant,
    link_client: Any,
    heard: Heard,
    bus_events: list[Event],
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A satellite whose announcement fails, a media player that is unavailable and a satellite that cannot
    announce: the visit runs as always, and each is logged once (until it speaks again)."""
    caplog.set_level(logging.INFO)
    heard.failing.add("assist_satellite.announce")
    hass.states.async_set(PLAYER, "unavailable")
    await courier_unlocks(hass, link_client)
    await open_door(hass)
    await end_visit(hass)  # spoken: please close the door (to nobody)
    heard.failing.clear()
    await close_door(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["relock_delay"] + 1)
    assert [event.data["type"] for event in bus_events] == [
        "admitted",
        "unlocked",
        "door_opened",
        "door_closed",
        "locked",
        "completed",
    ]
    assert bus_events[-1].data.get("reason") is None  # locked, as without speakers
    assert hass.states.get("lock.smart_lock").state == "locked"
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert sum(SATELLITE in warning for warning in warnings) == 1
    assert sum(PLAYER in warning for warning in warnings) == 1
    assert sum(MUTE_SATELLITE in warning for warning in warnings) == 1
    assert len(heard.of("assist_satellite.announce")) == 2  # tried at each moment
    # The satellite speaks again at the next visit, and says so in the log.
    await courier_unlocks(hass, link_client)
    assert any(f"{SATELLITE} speaks again" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("entry_options", [DEFAULT_OPTIONS | {"speakers": [SATELLITE], "speak_moments": []}])
async def test_no_moment_chosen_says_nothing(hass: HomeAssistant, link_client: Any, heard: Heard) -> None:
    """Speakers without a moment ticked stay silent."""
    await courier_unlocks(hass, link_client)
    await open_door(hass)
    await end_visit(hass)
    assert heard.calls == []


@pytest.mark.parametrize("entry_options", [DEFAULT_OPTIONS])
async def test_no_speakers_no_speech(hass: HomeAssistant, link_client: Any, heard: Heard) -> None:
    """An entrance without speakers (every entrance before this option) says nothing."""
    await courier_unlocks(hass, link_client)
    assert heard.calls == []


async def test_options_at_the_door(hass: HomeAssistant, link_client: Any, heard: Heard) -> None:
    """The options' At the door section: speakers, their language and their moments; the entrance speaks so."""
    entry = hass.config_entries.async_entries("in_home_delivery")[0]
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "timings": {
                "relock_delay": {"seconds": 10},
                "entry_timeout": {"minutes": 2},
                "max_visit": {"minutes": 15},
                "door_open_alert": {"minutes": 3},
                "grace": {"minutes": 15},
            },
            "rules": {
                key: DEFAULT_OPTIONS[key]
                for key in (
                    "lights_on",
                    "record_visits",
                    "require_camera",
                    "only_when_away",
                    "ask_on_doorbell",
                    "keep_snapshots_days",
                    "camera_check_interval",
                    "lock_when_camera_lost",
                    "auto_lock",
                )
            },
            "expected": {"delivery_days": ["mon"], "delivery_from": "08:00:00", "delivery_until": "20:00:00"},
            "at_door": {"speakers": [PLAYER], "speak_language": "de", "speak_moments": ["cannot_lock"]},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["speakers"] == [PLAYER]
    assert entry.options["speak_moments"] == ["cannot_lock"]
    await courier_unlocks(hass, link_client)
    await open_door(hass)
    await end_visit(hass)
    assert heard.messages() == [CLOSE["de"]]


async def test_door_left_open_and_a_lock_that_jams(
    hass: HomeAssistant, link_client: Any, heard: Heard, freezer: FrozenDateTimeFactory
) -> None:
    """The door left open, and a lock that jams once it is closed: "Please close the door" each time."""
    await courier_unlocks(hass, link_client)
    await open_door(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["door_open_alert"] + 1)
    assert heard.messages()[2:] == [CLOSE["en"]] * 2
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await close_door(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["relock_delay"] + 1)
    assert hass.states.get("lock.smart_lock").state == "jammed"
    assert heard.messages()[4:] == [CLOSE["en"]] * 2


@pytest.mark.parametrize("entry_options", [DEFAULT_OPTIONS | {"speakers": [SATELLITE], "auto_lock": True}])
@pytest.mark.usefixtures("init_integration")
async def test_an_unlock_by_hand_says_nothing(
    hass: HomeAssistant, heard: Heard, freezer: FrozenDateTimeFactory
) -> None:
    """Someone at home unlocks and leaves the door open: auto-lock follows it, but nobody is lectured."""
    await set_lock_state(hass, "unlocked")
    await open_door(hass)
    await tick(hass, freezer, DEFAULT_OPTIONS["door_open_alert"] + 1)
    await end_visit(hass)
    assert hass.states.get("sensor.front_door_visit_phase").state == "inside"
    assert heard.calls == []


def test_spoken_language() -> None:
    """The option's language; else Home Assistant's where it has texts (a regional one by its language); else English."""
    assert spoken_language("de", "en") == "de"
    assert spoken_language(None, "de-CH") == "de"
    assert spoken_language(None, "fr") == "en"


@pytest.mark.parametrize("speakers", [[PLAYER]])
async def test_what_cannot_speak(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """No way to speak: a media player that plays no media, something that is no speaker, no text-to-speech."""
    assert speak_call(hass, PLAYER, int(MediaPlayerEntityFeature.VOLUME_SET), "Hallo", "de") is None
    assert speak_call(hass, "light.hall_light", 0, "Hallo", "de") is None
    hass.states.async_remove(TTS)
    assert speak_call(hass, PLAYER, int(PLAYS), "Hallo", "de") is None  # text-to-speech is not set up
