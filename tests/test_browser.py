"""A courier's phone in a real browser: open the link, tap Unlock, tap Done, read the closing message.

Runs headless Chromium from the system (Debian's `chromium` package, which .ci/run installs). Where no
Chromium is installed it is skipped, except in CI, where a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
import os
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import LOCK
from .helpers import ENTRY_ID, PHASE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail("CI must run the real-browser test: install Debian's chromium package", pytrace=False)
    pytest.skip("no system Chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)

from playwright.async_api import Browser, async_playwright  # noqa: E402


@pytest.fixture
async def browser() -> AsyncGenerator[Browser]:
    """Headless Chromium, as a phone would open the link."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


async def test_courier_on_a_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    browser: Browser,
    tmp_path: Path,
) -> None:
    """Unlock from the page opens the door in Home Assistant; Done locks it; the page says so."""
    await hass.config.async_update(external_url="https://home.example.org")
    start = dt_util.now() - timedelta(minutes=5)
    delivery: Any = await hass.services.async_call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": ENTRY_ID,
            "window_start": start,
            "window_end": start + timedelta(hours=1),
            "carrier": "DHL",
        },
        blocking=True,
        return_response=True,
    )
    client = await hass_client_no_auth()
    url = str(client.make_url(delivery["link"].removeprefix("https://home.example.org")))

    phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    await phone.goto(url)
    assert await phone.locator("h1").inner_text() == "Front door"
    unlock = phone.get_by_role("button", name="Unlock")
    assert await unlock.is_visible()

    await unlock.click()
    await phone.get_by_role("button", name="Done").wait_for()
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    await phone.screenshot(path=tmp_path / "inside.png")

    await phone.get_by_role("button", name="Done").click()
    await phone.get_by_text("Thank you! The door is locked again.").wait_for()
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    await phone.close()
