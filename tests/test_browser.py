"""A courier's phone in a real browser: open the link, tap Unlock, tap Done, watch the door lock.

The page keeps its token for its own tab: a reload mid-visit still offers Done, and once the visit is
over (or the link opens nothing any more) a reload shows the page that names nothing of the home.

Runs headless Chromium from the system (Debian's `chromium` package, which .ci/run installs). Where no
Chromium is installed it is skipped, except in CI, where a missing browser is a failure.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
import time

from playwright.async_api import Browser
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant

from .conftest import LOCK, require_chromium
from .helpers import ENTRY_ID, PHASE, close_door, open_door, schedule_now, set_lock_state, set_switch

require_chromium()


HOSTILE = "<img src=x onerror=alert(1)>"
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "en-US", "is_mobile": True}
NEUTRAL = "Open the link you were sent to continue."


def screenshots(tmp_path: Path) -> Path:
    """Where the test's pictures go: IHD_SCREENSHOTS to keep and look at them, else the test's folder."""
    folder = Path(os.environ.get("IHD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_courier_on_a_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    browser: Browser,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A fragment link on a phone: Unlock, in and out, a reload, Done; the page goes from locking to locked by itself.

    It waits on the lock rather than polling: "Locked — thank you!" shows within a second of the lock's
    report, on the request the page had already sent.

    The carrier's name is markup on purpose: it shows as typed and runs nothing. The reload (pull to
    refresh, or a phone that discarded the tab) continues the visit. No request the page makes carries
    the token in its request line.
    """
    caplog.set_level(logging.DEBUG, logger="aiohttp.access")
    pictures = screenshots(tmp_path)
    await hass.config.async_update(external_url="https://home.example.org")
    delivery = await schedule_now(hass, carrier=HOSTILE, hours=1)
    client = await hass_client_no_auth()
    url = str(client.make_url(delivery["link"].removeprefix("https://home.example.org")))
    assert "#pass=" in url

    phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: dialogs.append(dialog.message))
    posts: list[str] = []
    phone.on("request", lambda request: posts.append(request.post_data or "") if request.method == "POST" else None)
    await phone.goto(url)
    unlock = phone.get_by_role("button", name="Unlock")
    await unlock.wait_for()
    assert await phone.locator("h1").inner_text() == "Front door"
    assert await phone.locator("#detail").inner_text() == HOSTILE
    assert "#" not in phone.url  # the token left the address bar (and so the history)
    await phone.screenshot(path=pictures / "courier_ready.png")

    await unlock.click()
    await phone.get_by_role("button", name="Done").wait_for()
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "waiting_for_entry"
    await open_door(hass)
    await close_door(hass)
    await phone.screenshot(path=pictures / "courier_inside.png")

    await phone.reload()
    await phone.get_by_role("button", name="Done").wait_for()
    assert await phone.locator("#detail").inner_text() == HOSTILE
    assert "#" not in phone.url
    await phone.screenshot(path=pictures / "courier_reloaded.png")

    await set_switch(hass, "input_boolean.sim_lock_responds", False)  # a lock that takes its time
    await phone.get_by_role("button", name="Done").click()
    await phone.get_by_text("The door is locking").wait_for()
    assert await phone.get_by_text("Locked — thank you!", exact=True).count() == 0
    await phone.screenshot(path=pictures / "courier_locking.png")
    await set_switch(hass, "input_boolean.sim_lock_responds", True)
    await asyncio.sleep(2)  # longer than a poll interval: a page that polled would have asked again by now
    asked_before = len(posts)
    reported = time.monotonic()
    await set_lock_state(hass, "locked")
    await phone.get_by_text("Locked — thank you!").wait_for(timeout=1_000)  # within a second of the lock's report
    assert time.monotonic() - reported < 1
    # The answer came on the waiting status the page had already sent, not on a later poll.
    assert len(posts) == asked_before
    assert '"wait":10' in posts[-1]
    await phone.screenshot(path=pictures / "courier_locked.png")
    assert hass.states.get(PHASE).state == "idle"
    assert dialogs == []
    await phone.close()

    token = delivery["token"]
    request_lines = [record.getMessage() for record in caplog.records if record.name == "aiohttp.access"]
    assert any('"GET /api/webhook/' in line for line in request_lines)
    assert any('"POST /api/webhook/' in line for line in request_lines)
    assert all(token not in line for line in request_lines)


async def test_a_jammed_lock_on_a_phone(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    browser: Browser,
    tmp_path: Path,
) -> None:
    """The lock jams after Done: the German page warns, says the owner is alerted, and never says locked."""
    await hass.config.async_update(external_url="https://home.example.org")
    delivery = await schedule_now(hass, carrier="DPD", hours=1)
    client = await hass_client_no_auth()
    url = str(client.make_url(delivery["link"].removeprefix("https://home.example.org")))
    phone = await browser.new_page(viewport={"width": 390, "height": 844}, locale="de-DE", is_mobile=True)
    await phone.goto(url)
    await phone.get_by_role("button", name="Aufschließen").click()
    await phone.get_by_role("button", name="Fertig").wait_for()
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    await phone.get_by_role("button", name="Fertig").click()
    await phone.get_by_text("Die Tür ließ sich nicht abschließen").wait_for()
    assert await phone.get_by_text("Der Eigentümer wurde alarmiert").count() == 1
    assert await phone.get_by_text("Abgeschlossen \u2013 vielen Dank!", exact=True).count() == 0
    await phone.screenshot(path=screenshots(tmp_path) / "courier_jammed_de.png")
    assert hass.states.get(LOCK).state == "jammed"
    await phone.close()


async def test_the_token_stays_in_its_tab_until_the_visit_is_over(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    browser: Browser,
) -> None:
    """Mid-visit the tab keeps its token (and only its session storage holds it); another tab gets nothing.

    Once the door is locked the token is forgotten: a reload shows the page that names nothing of the home.
    """
    await hass.config.async_update(external_url="https://home.example.org")
    delivery = await schedule_now(hass, hours=1)
    client = await hass_client_no_auth()
    url = str(client.make_url(delivery["link"].removeprefix("https://home.example.org")))
    context = await browser.new_context(**PHONE)
    phone = await context.new_page()
    await phone.goto(url)
    await phone.get_by_role("button", name="Unlock").click()
    await phone.get_by_role("button", name="Done").wait_for()
    assert delivery["token"] in await phone.evaluate("Object.values(sessionStorage)")
    assert await phone.evaluate("localStorage.length") == 0
    assert await context.cookies() == []

    other_tab = await context.new_page()  # the same browser, a tab of its own: no token
    posts: list[str] = []
    other_tab.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    await other_tab.goto(url.partition("#")[0])
    await other_tab.wait_for_load_state("networkidle")
    assert await other_tab.get_by_text(NEUTRAL).count() == 1
    assert await other_tab.locator("button").count() == 0
    assert await other_tab.evaluate("sessionStorage.length") == 0
    assert posts == []

    await phone.reload()  # the tab that has it still does
    await phone.get_by_role("button", name="Done").wait_for()
    await open_door(hass)
    await close_door(hass)
    await phone.get_by_role("button", name="Done").click()
    await phone.get_by_text("Locked — thank you!").wait_for(timeout=10_000)
    assert await phone.evaluate("sessionStorage.length") == 0

    phone.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    await phone.reload()
    await phone.wait_for_load_state("networkidle")
    assert await phone.get_by_text(NEUTRAL).count() == 1
    assert await phone.locator("button").count() == 0
    assert posts == []
    assert hass.states.get(LOCK).state == "locked"
    await context.close()


@pytest.mark.parametrize(
    ("change", "message"),
    [("renew_link", "This link is not valid."), ("cancel_delivery", "This link is no longer valid.")],
)
async def test_a_link_that_opens_nothing_any_more_is_forgotten(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    browser: Browser,
    change: str,
    message: str,
) -> None:
    """Renewed (the old token is unknown) or cancelled while the page is open: a reload says so once, then forgets."""
    await hass.config.async_update(external_url="https://home.example.org")
    delivery = await schedule_now(hass, hours=1)
    client = await hass_client_no_auth()
    url = str(client.make_url(delivery["link"].removeprefix("https://home.example.org")))
    phone = await browser.new_page(**PHONE)
    await phone.goto(url)
    await phone.get_by_role("button", name="Unlock").wait_for()
    pass_id = "pass_id" if change == "renew_link" else "delivery_id"
    await hass.services.async_call(
        DOMAIN,
        change,
        {"config_entry_id": ENTRY_ID, pass_id: delivery["delivery_id"]},
        blocking=True,
        return_response=change == "renew_link",
    )

    await phone.reload()
    await phone.get_by_text(message, exact=True).wait_for()
    assert await phone.locator("button").count() == 0
    await phone.reload()
    await phone.wait_for_load_state("networkidle")
    assert await phone.get_by_text(NEUTRAL).count() == 1
    assert await phone.locator("button").count() == 0
    await phone.close()
