"""The example dashboards load in a real browser against a real Home Assistant frontend: no error card,
no failed request. Both are shipped in config/ (the demo's and the phone's). Their *What happened* card
tells each event once, and their *Last visit* card says that no visit happened yet instead of spinning."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, WebSocket
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import require_chromium
from .helpers import ENTRY_ID, admit, close_door, end_visit, log_in, open_door

require_chromium()

CONFIG = Path(__file__).parent.parent / "config"
# Each dashboard at the size it is made for.
DASHBOARDS = {
    "in-home-delivery/front-door": {"width": 1280, "height": 900},
    "front-door-phone/front-door": {"width": 390, "height": 844},
}
SNAPSHOT = "image.front_door_last_visit_snapshot"
# The texts of a What happened card's rows (each row's own shadow root), top to bottom.
LOGBOOK_ROWS = """card => [...card.shadowRoot.querySelector('ha-logbook').shadowRoot
    .querySelector('ha-logbook-renderer').shadowRoot.querySelectorAll('ha-logbook-entry')]
    .map(row => row.shadowRoot.textContent.replace(/\\s+/g, ' ').trim())"""


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: Any) -> None:
    """The logbook cards need the recorder, prepared before Home Assistant starts."""


@pytest.fixture
async def frontend(recorder_mock: Any, hass: HomeAssistant, hass_storage: dict[str, Any], hardware: None) -> None:
    """Home Assistant's frontend with both dashboards, onboarded, as after scripts/develop."""
    hass_storage["onboarding"] = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": ["user", "core_config", "analytics", "integration"]},
    }
    template = (CONFIG / "dashboard.template.yaml").read_text(encoding="utf-8")
    Path(hass.config.path("dashboard.yaml")).write_text(
        template.replace("${ENTRY_ID}", ENTRY_ID).replace("${GARAGE_ENTRY_ID}", ENTRY_ID), encoding="utf-8"
    )
    shutil.copy(CONFIG / "dashboard.phone.yaml", hass.config.path("dashboard.phone.yaml"))
    dashboards = {
        "in-home-delivery": {"mode": "yaml", "title": "In-Home Delivery", "filename": "dashboard.yaml"},
        "front-door-phone": {"mode": "yaml", "title": "Front door (phone)", "filename": "dashboard.phone.yaml"},
    }
    # lovelace first: the frontend would otherwise set it up without the dashboards.
    for domain, config in (
        ("lovelace", {"dashboards": dashboards}),
        ("logbook", {}),
        ("history", {}),
        ("frontend", {}),
    ):
        assert await async_setup_component(hass, domain, {domain: config} if config else {})
    await hass.async_block_till_done()


async def open_dashboard(page: Page, url: str) -> tuple[list[str], int]:
    """Open a dashboard; the failed requests, and how many error cards it shows."""
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    page.on(
        "response",
        lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    await page.goto(url)
    await page.wait_for_selector("hui-view", timeout=30000)
    await page.wait_for_timeout(2000)
    return failed, await page.locator("hui-error-card").count()


async def frontend_address(hass_client: ClientSessionGenerator) -> str:
    """The frontend's address, as the owner's browser reaches it."""
    client = await hass_client()
    return str(client.make_url("")).rstrip("/")


def logbook_streams(page: Page) -> list[str]:
    """The logbook streams the page opens (its websocket's logbook/event_stream commands), as they are sent."""
    streams: list[str] = []

    def on_websocket(socket: WebSocket) -> None:
        socket.on(
            "framesent", lambda frame: streams.append(str(frame)) if "logbook/event_stream" in str(frame) else None
        )

    page.on("websocket", on_websocket)
    return streams


async def owners_browser(browser: Browser, hass: HomeAssistant, owner: Any, base: str, path: str) -> BrowserContext:
    """A browser of the owner's, logged in, at the size the dashboard is made for."""
    context = await browser.new_context(viewport=DASHBOARDS[path])  # type: ignore[arg-type]
    await log_in(hass, owner, base, context)
    return context


@pytest.mark.usefixtures("socket_enabled", "frontend", "init_integration")
async def test_dashboards_load_without_errors(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_admin_user: Any, browser: Browser
) -> None:
    """Both example dashboards render every card, with every request answered."""
    base = await frontend_address(hass_client)
    for path in DASHBOARDS:
        context = await owners_browser(browser, hass, hass_admin_user, base, path)
        page = await context.new_page()
        failed, errors = await open_dashboard(page, f"{base}/{path}")
        assert (path, errors, failed) == (path, 0, [])
        await context.close()


@pytest.mark.usefixtures("socket_enabled", "frontend", "init_integration")
async def test_before_the_first_visit_the_last_visit_card_says_so(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_admin_user: Any, browser: Browser
) -> None:
    """No visit yet, so no picture: the Last visit card says so, where a picture card would spin forever."""
    assert hass.states.get(SNAPSHOT).state == "unavailable"
    base = await frontend_address(hass_client)
    for path in DASHBOARDS:
        context = await owners_browser(browser, hass, hass_admin_user, base, path)
        page = await context.new_page()
        await open_dashboard(page, f"{base}/{path}")
        placeholder = page.locator("hui-markdown-card", has_text="No visit yet")
        assert (path, await placeholder.count()) == (path, 1)
        assert await placeholder.is_visible()
        # Only the door camera's picture card is there (the snapshot's would be the one that spins).
        assert (path, await page.locator("hui-picture-entity-card").count()) == (path, 1)
        await context.close()


@pytest.mark.usefixtures("socket_enabled", "frontend", "init_integration")
async def test_what_happened_tells_each_event_once(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_admin_user: Any, browser: Browser
) -> None:
    """After a visit, both dashboards' What happened cards tell it, each event once, and the Last visit card
    shows the visit's picture."""
    await admit(hass)
    await open_door(hass)
    await close_door(hass)
    await end_visit(hass)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    assert hass.states.get(SNAPSHOT).state != "unavailable"
    base = await frontend_address(hass_client)
    for path in DASHBOARDS:
        context = await owners_browser(browser, hass, hass_admin_user, base, path)
        page = await context.new_page()
        streams = logbook_streams(page)
        await open_dashboard(page, f"{base}/{path}")
        rows = await page.locator("hui-logbook-card").evaluate(LOGBOOK_ROWS)
        assert any("opened for your visitor" in row.lower() for row in rows), (path, rows)
        assert len(rows) == len(set(rows)), (path, rows)
        # One stream per card: a second one, opened while the card was moved, is what doubled every row.
        assert (path, len(streams)) == (path, 1)
        assert (path, await page.locator("hui-markdown-card", has_text="No visit yet").count()) == (path, 0)
        assert (path, await page.locator("hui-picture-entity-card").count()) == (path, 2)
        await context.close()
