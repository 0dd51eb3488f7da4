"""The owner adds a guest in Home Assistant's own frontend; the guest opens the link on a phone.

Home Assistant's real frontend is served in the test harness with the core parts every Home Assistant
starts with (and the recorder of its default configuration), the owner logged in as an administrator.
On the entrance's integration page the owner clicks *Add guest*, fills in the form, reads the link and
sees its QR code on the next step, and finishes; the guest is listed there with a device of its own.
Then a phone without any login opens the link, is greeted by name, taps Unlock and the door unlocks.

Headless system Chromium through Playwright, as in test_browser.py; skipped where there is none.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
import logging
from pathlib import Path
import re
from typing import Any

from playwright.async_api import Browser, Locator, Page, expect
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.guests import WEEKDAYS
from custom_components.in_home_delivery.subentry_flow import qr_code
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK, require_chromium
from .helpers import ENTRY_ID, PHASE, close_door, log_in, open_door, shown_state
from .test_browser import PHONE, screenshots

require_chromium()

OWNER_SCREEN = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
INTEGRATION_PAGE = f"/config/integrations/integration/{DOMAIN}"


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The recorder (of the default configuration) is prepared before Home Assistant starts."""


@pytest.fixture
async def frontend(recorder_mock: Any, hass: HomeAssistant, hass_storage: dict[str, Any], hardware: None) -> None:
    """Home Assistant's frontend, onboarded, with what every Home Assistant starts with.

    Without logger, labs and brands, which Home Assistant always sets up, the frontend's own requests
    for them fail and it reports errors of its own.
    """
    hass_storage["onboarding"] = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["user", "core_config", "analytics", "integration"]},
    }
    for domain in ("logger", "labs", "brands", "frontend"):
        assert await async_setup_component(hass, domain, {})
    await hass.async_block_till_done()


def window_around(now: datetime) -> tuple[time, time]:
    """Times open now, starting today: an hour either side (from midnight early in the day)."""
    start = max(now - timedelta(hours=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = now + timedelta(hours=1)  # past midnight it runs into the next day
    return start.time().replace(second=0, microsecond=0), end.time().replace(second=0, microsecond=0)


async def enter_time(field: Locator, value: time) -> None:
    """Type a time into the frontend's time field, as an owner with a 12-hour clock does."""
    await field.get_by_role("spinbutton", name="hh").fill(str(value.hour % 12 or 12))
    await field.get_by_role("spinbutton", name="mm").fill(f"{value.minute:02d}")
    half = "AM" if value.hour < 12 else "PM"
    await field.get_by_role("listitem").click()  # the AM/PM choice
    await field.get_by_role("menuitem", name=half).click()
    await expect(field.get_by_role("menuitem", name=half)).to_be_hidden()


def watch_for_errors(page: Page) -> list[str]:
    """What the frontend reports as going wrong in the browser: uncaught errors and console errors."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


@pytest.mark.usefixtures("socket_enabled", "frontend", "init_integration")
async def test_owner_adds_a_guest_in_the_frontend_and_the_guest_comes_in(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_admin_user: Any,
    browser: Browser,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """*Add guest* on the entrance's page: the form, the link with its QR code, the guest listed; the link opens."""
    caplog.set_level(logging.DEBUG)  # even debug logs keep the token out (the page says "Debug logging enabled")
    pictures = screenshots(tmp_path)
    client = await hass_client()
    base = str(client.make_url("")).rstrip("/")
    await hass.config.async_update(external_url=base)  # the guest's phone reaches this Home Assistant
    owner = await browser.new_context(**OWNER_SCREEN)
    await log_in(hass, hass_admin_user, base, owner)
    page = await owner.new_page()
    errors = watch_for_errors(page)

    await page.goto(f"{base}{INTEGRATION_PAGE}")
    await page.get_by_role("button", name="Add guest").click()
    dialog = page.locator("dialog-data-entry-flow")
    await expect(dialog.get_by_text("Add a guest", exact=True)).to_be_visible()
    now = dt_util.now()
    start, end = window_around(now)
    weekday = now.weekday()
    today = WEEKDAY_NAMES[weekday]
    await dialog.get_by_role("textbox", name="Name").fill("Maria")
    await dialog.get_by_text(today, exact=True).click()
    await expect(dialog.get_by_role("checkbox", name=today)).to_be_checked()
    await enter_time(dialog.get_by_role("group", name="From"), start)
    await enter_time(dialog.get_by_role("group", name="Until"), end)
    await page.screenshot(path=pictures / "add_guest_form.png")
    await dialog.get_by_role("button", name="Submit").click()

    await expect(dialog.get_by_text("The link for Maria")).to_be_visible()
    link = (await dialog.get_by_text(re.compile(r"/api/webhook/")).inner_text()).strip()
    assert link.startswith(f"{base}/api/webhook/")
    assert "#pass=" in link
    qr = dialog.locator('img[src^="data:image/png"]')
    await qr.scroll_into_view_if_needed()
    await expect(qr).to_be_visible()
    assert await qr.get_attribute("src") == qr_code(link)  # the code is the link shown above it
    assert await qr.evaluate("image => image.complete && image.naturalWidth > 0")  # the browser drew it
    await page.screenshot(path=pictures / "add_guest_link.png")
    await dialog.get_by_role("button", name="Submit").click()
    await dialog.get_by_role("button", name="Finish").click()
    await expect(page.get_by_role("dialog")).to_have_count(0)

    listed = page.get_by_role("listitem").filter(has=page.get_by_role("button", name="Change guest"))
    await expect(listed).to_have_text(re.compile(r"^\s*Maria\s+Guest\s"))  # the subentry, editable
    await expect(page.get_by_role("button", name=re.compile(r"^Maria Guest • \W*4 entities"))).to_be_visible()
    await page.screenshot(path=pictures / "guest_listed.png")
    entry = hass.config_entries.async_get_entry(ENTRY_ID)
    assert entry is not None
    subentry = next(item for item in entry.subentries.values() if item.title == "Maria")
    assert subentry.subentry_type == "guest"
    assert {key: value for key, value in subentry.data.items() if key != "pass_id"} == {
        "name": "Maria",
        "weekdays": [WEEKDAYS[weekday]],
        "start_time": start.isoformat(),
        "end_time": end.isoformat(),
    }
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, f"{ENTRY_ID}_{subentry.subentry_id}"), ENTRY_ID)
    assert device is not None
    assert device.name == "Maria"
    assert (await shown_state(hass, "sensor.maria_access")) == "in_window"
    assert errors == []
    await owner.close()

    phone = await browser.new_page(**PHONE)
    phone_errors = watch_for_errors(phone)
    await phone.goto(link)
    unlock = phone.get_by_role("button", name="Unlock")
    await unlock.wait_for()
    assert await phone.locator("h1").inner_text() == "Maria"
    await phone.screenshot(path=pictures / "guest_page.png")
    await unlock.click()
    await phone.get_by_role("button", name="Done").wait_for()
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    await expect(phone.get_by_text("The door is unlocked. Come in")).to_be_visible()
    await phone.screenshot(path=pictures / "guest_unlocked.png")
    await open_door(hass)
    await close_door(hass)
    await phone.get_by_role("button", name="Done").click()
    await phone.get_by_text("Locked — thank you!").wait_for(timeout=10_000)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"
    assert (await shown_state(hass, "sensor.maria_visits")) == "1"
    assert phone_errors == []
    await phone.close()
    token = link.partition("#pass=")[2]
    assert token not in caplog.text  # shown in the dialog and opened on the phone, never logged
