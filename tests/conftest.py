"""Fixtures: a real Home Assistant with the simulated hardware of config/ and an entrance on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from datetime import UTC
import math
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp.web_log import AccessLogger
from playwright.async_api import Browser, async_playwright
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    setup_test_component_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from homeassistant.components.camera import Camera
from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SIMULATED_HARDWARE = Path(__file__).parent.parent / "config" / "simulated_hardware.yaml"
EXTRA_HARDWARE = Path(__file__).parent / "extra_hardware.yaml"  # shapes only the tests use
PICTURE = b"\xff\xd8\xff\xe0 a jpeg of the porch \xff\xd9"

LOCK = "lock.smart_lock"
DOOR = "binary_sensor.door_contact"
LIGHT = "light.hall_light"
CAMERA = "camera.porch_camera"
DOORBELL = "binary_sensor.doorbell"
ALARM = "alarm_control_panel.house_alarm"
ALARM_CODE = "Zq-8816-alarm"
PHONE = "notify.mobile_app_phone"
BROKEN = "notify.broken"

ENTRY_DATA: dict[str, Any] = {
    "name": "Front door",
    "lock": LOCK,
    "door_sensor": DOOR,
    "camera": CAMERA,
    "lights": [LIGHT],
    "notify_targets": [PHONE, BROKEN],
    "doorbell": DOORBELL,
    "alarm_panel": ALARM,
    "alarm_code": ALARM_CODE,
}


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (stable ids, no timestamps)."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def fixed_access_tokens() -> Generator[None]:
    """Fixed camera and image access tokens, so entity snapshots do not change from run to run."""
    with (
        patch("homeassistant.components.camera._RND.getrandbits", return_value=0xF00D),
        patch("homeassistant.components.image._RND.getrandbits", return_value=0xBEEF),
    ):
        yield


@pytest.fixture(autouse=True)
def access_log_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp's access log reads the local time zone every half hour through time.localtime(), which
    has no tm_gmtoff while the freezer holds the clock: every access line would then be "Error in
    logging", depending on the time of day the tests run. The log's time zone is fixed for tests."""
    monkeypatch.setattr(AccessLogger, "_cached_tz", UTC)
    monkeypatch.setattr(AccessLogger, "_cached_tz_expires", math.inf)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def files_in_tmp(hass: HomeAssistant, tmp_path: Path) -> None:
    """Pictures and pass databases of each test go to a folder of its own, never into the shared test
    configuration (the Store files are kept in memory by the test harness)."""
    hass.config.config_dir = str(tmp_path)
    hass.config.media_dirs = {"local": str(tmp_path / "media")}


class PorchCamera(Camera):
    """A camera that serves a still picture, can be switched off, and can be held (a slow camera)."""

    _attr_name = "Porch camera"
    _attr_unique_id = "porch_camera"

    def __init__(self) -> None:
        """Start online."""
        super().__init__()
        self.picture: bytes | None = PICTURE
        self.held: asyncio.Event | None = None  # while set and not released, a picture takes forever
        self.asked = asyncio.Event()
        self.live = False  # a live camera: every picture differs a little
        self.frames = 0

    @property
    def available(self) -> bool:
        """Available while it has a picture."""
        return self.picture is not None

    async def async_camera_image(self, width: int | None = None, height: int | None = None) -> bytes | None:
        """Return the picture, once the camera is released where it is held."""
        self.asked.set()
        if self.held is not None:
            await self.held.wait()
        if self.live and self.picture is not None:
            self.frames += 1
            return self.picture + b"%d" % self.frames
        return self.picture

    async def stream_source(self) -> str | None:
        """A stream where the test turns the feature on."""
        return "rtsp://127.0.0.1:8554/porch" if self.supported_features else None


@pytest.fixture
def porch_camera() -> PorchCamera:
    """The door camera."""
    return PorchCamera()


@pytest.fixture
def phone_messages() -> list[ServiceCall]:
    """What the owner's phone received."""
    return []


@pytest.fixture
def plain_messages() -> list[ServiceCall]:
    """What a notify target without buttons (an e-mail, a chat bot: notify.plain_text) received."""
    return []


@pytest.fixture
async def hardware(
    hass: HomeAssistant,
    porch_camera: PorchCamera,
    phone_messages: list[ServiceCall],
    plain_messages: list[ServiceCall],
) -> None:
    """The simulated lock, door, light and doorbell of config/, a camera, an alarm and two notify targets."""
    await async_setup_component(hass, "homeassistant", {})
    config = await hass.async_add_executor_job(load_yaml_dict, SIMULATED_HARDWARE)
    extra = await hass.async_add_executor_job(load_yaml_dict, EXTRA_HARDWARE)
    for domain, domain_config in extra.items():
        if isinstance(domain_config, list):
            config[domain] = [*config.get(domain, []), *domain_config]
        else:
            config[domain] = {**config.get(domain, {}), **domain_config}
    for domain, domain_config in config.items():
        assert await async_setup_component(hass, domain, {domain: domain_config})
    setup_test_component_platform(hass, "camera", [porch_camera])
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    assert await async_setup_component(
        hass,
        "alarm_control_panel",
        {
            "alarm_control_panel": {
                "platform": "manual",
                "name": "House alarm",
                "code": ALARM_CODE,
                "arming_time": 0,
                "delay_time": 0,
            }
        },
    )
    assert await async_setup_component(hass, "notify", {})

    async def phone(call: ServiceCall) -> None:
        phone_messages.append(call)

    async def broken(call: ServiceCall) -> None:
        raise HomeAssistantError("the notify service is down")

    async def plain(call: ServiceCall) -> None:
        plain_messages.append(call)

    hass.services.async_register("notify", "mobile_app_phone", phone)
    hass.services.async_register("notify", "plain_text", plain)
    hass.services.async_register("notify", "broken", broken)
    await hass.async_block_till_done()


@pytest.fixture
async def link_client(hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: Any) -> Any:
    """A courier's phone on the internet, for an entrance reachable at its external URL."""
    assert await async_setup_component(hass, "http", {})
    await hass.config.async_update(external_url="https://home.example.org")
    return await hass_client_no_auth()


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[Event]:
    """The entrance's in_home_delivery_event events, in order."""
    return async_capture_events(hass, EVENT_IN_HOME_DELIVERY)


@pytest.fixture
def entry_data() -> dict[str, Any]:
    """The entrance's configuration."""
    return dict(ENTRY_DATA)


@pytest.fixture
def entry_options() -> dict[str, Any]:
    """The entrance's options: the defaults, unless a test module says otherwise."""
    return dict(DEFAULT_OPTIONS)


@pytest.fixture
def mock_config_entry(entry_data: dict[str, Any], entry_options: dict[str, Any]) -> MockConfigEntry:
    """The "Front door" entrance."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=entry_data["name"],
        data=entry_data,
        options=entry_options,
        entry_id="01JFRONTDOOR000000000000000",
    )


@pytest.fixture
def platforms() -> list[str] | None:
    """Which platforms to set up (None: all)."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, hardware: None, mock_config_entry: MockConfigEntry, platforms: list[str] | None
) -> AsyncGenerator[MockConfigEntry]:
    """Set up the entrance on the simulated hardware."""
    mock_config_entry.add_to_hass(hass)
    if platforms is None:
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        yield mock_config_entry
        return
    with patch("custom_components.in_home_delivery.PLATFORMS", platforms):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        yield mock_config_entry


def require_chromium() -> None:
    """Skip a browser test module where the system has no Chromium; in CI a missing browser is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the real-browser tests: install Debian's chromium package", pytrace=False)
        pytest.skip("no system Chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
async def browser() -> AsyncGenerator[Browser]:
    """Headless system Chromium, driven by Playwright (which never downloads a browser of its own)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()
