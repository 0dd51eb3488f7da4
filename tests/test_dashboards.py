"""The example dashboards load in a real browser against a real Home Assistant frontend: no error card,
no failed request. Both are shipped in config/ (the demo's and the phone's)."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from playwright.async_api import Browser, Page
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import require_chromium
from .helpers import ENTRY_ID, log_in

require_chromium()

CONFIG = Path(__file__).parent.parent / "config"
# Each dashboard at the size it is made for.
DASHBOARDS = {
    "in-home-delivery/front-door": {"width": 1280, "height": 900},
    "front-door-phone/front-door": {"width": 390, "height": 844},
}


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


@pytest.mark.usefixtures("socket_enabled", "frontend", "init_integration")
async def test_dashboards_load_without_errors(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, hass_admin_user: Any, browser: Browser
) -> None:
    """Both example dashboards render every card, with every request answered."""
    client = await hass_client()
    base = str(client.make_url("")).rstrip("/")
    for path, viewport in DASHBOARDS.items():
        context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        await log_in(hass, hass_admin_user, base, context)
        page = await context.new_page()
        failed, errors = await open_dashboard(page, f"{base}/{path}")
        assert (path, errors, failed) == (path, 0, [])
        await context.close()
