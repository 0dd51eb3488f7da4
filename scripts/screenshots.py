"""Take the README's pictures from the running demo: scripts/screenshots starts it and calls this.

A delivery is run as a courier and an owner would: the courier's page on a phone (English and German),
the dashboard during the visit, a lock that jams (the repair), and the visit in the Media panel.
Chromium is the system's (/usr/bin/chromium), driven headless by Playwright, as in the browser test.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import aiohttp
from demo_api import Demo
import dev_bootstrap as demo
from playwright.async_api import Browser, BrowserContext, async_playwright

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOMAIN = "in_home_delivery"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}


async def owner(browser: Browser) -> BrowserContext:
    """A desktop browser logged in as the developer."""
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(f"{demo.BASE}/")
    await page.wait_for_selector("input[name=username]", timeout=60000)
    await page.fill("input[name=username]", demo.USERNAME)
    await page.fill("input[name=password]", demo.PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/in-home-delivery/**", timeout=60000)
    await page.close()
    return context


async def shoot(context: BrowserContext, path: str, name: str, wait: float = 4) -> None:
    """Open a page and save its picture under docs/."""
    page = await context.new_page()
    await page.goto(f"{demo.BASE}{path}")
    await page.wait_for_timeout(wait * 1000)
    await page.screenshot(path=DOCS / name)
    await page.close()
    print(f"docs/{name}")


async def courier_pages(browser: Browser, link: str) -> None:
    """The courier's page on a phone, in English and German, before anything is tapped."""
    for language, locale in (("en", "en-US"), ("de", "de-DE")):
        phone = await browser.new_context(viewport=PHONE, locale=locale, is_mobile=True)  # type: ignore[arg-type]
        page = await phone.new_page()
        await page.goto(link)
        await page.wait_for_timeout(2500)
        await page.screenshot(path=DOCS / f"courier-page-{language}.png")
        print(f"docs/courier-page-{language}.png")
        await phone.close()


async def delivery(browser: Browser, api: Demo, link: str) -> BrowserContext:
    """The courier opens the street door and the front door; the owner watches the dashboard."""
    phone = await browser.new_context(viewport=PHONE, is_mobile=True)  # type: ignore[arg-type]
    page = await phone.new_page()
    await page.goto(link)
    await page.wait_for_timeout(2000)
    if await page.get_by_role("button", name="Open the street door").count():
        await page.get_by_role("button", name="Open the street door").click()
        await page.wait_for_timeout(1500)
    await page.get_by_role("button", name="Unlock").click()
    await api.until("lock.smart_lock", "unlocked")
    await api.switch("input_boolean.sim_door_open", True)
    await page.wait_for_timeout(2500)
    await page.screenshot(path=DOCS / "courier-page-inside.png")
    print("docs/courier-page-inside.png")
    desktop = await owner(browser)
    await shoot(desktop, "/in-home-delivery/front-door", "dashboard-visit.png")
    await api.switch("input_boolean.sim_door_open", False)
    await page.get_by_role("button", name="Done").click()
    await api.until("lock.smart_lock", "locked")
    await page.wait_for_timeout(2500)
    await page.screenshot(path=DOCS / "courier-page-locked.png")
    print("docs/courier-page-locked.png")
    await phone.close()
    return desktop


async def jammed(desktop: BrowserContext, api: Demo, front_door: str) -> None:
    """A lock that jams when it should lock again: the repair; then it locks."""
    await api.switch("input_boolean.sim_lock_jams", True)
    await api.call("in_home_delivery", "admit", {"config_entry_id": front_door})
    await api.until("lock.smart_lock", "unlocked")
    await api.call("in_home_delivery", "end_visit", {"config_entry_id": front_door})
    await api.until("sensor.front_door_visit_phase", "relock_failed")
    await shoot(desktop, "/config/repairs", "repair-relock-failed.png")
    await api.switch("input_boolean.sim_lock_jams", False)
    await api.call("in_home_delivery", "end_visit", {"config_entry_id": front_door})
    await api.until("sensor.front_door_visit_phase", "idle")


async def media(desktop: BrowserContext, front_door: str) -> None:
    """The entrance's visits in the Media panel, each with its first picture."""
    folders = [f",media-source://{DOMAIN}", f",media-source://{DOMAIN}/{front_door}"]
    await shoot(
        desktop, "/media-browser/browser/" + "/".join(quote(folder, safe="") for folder in folders), "media.png"
    )


async def main() -> None:
    """Run the delivery and take the pictures."""
    DOCS.mkdir(exist_ok=True)
    async with aiohttp.ClientSession() as session:
        await demo.wait_for_api(session)
        token = await demo.login(session)
        api = Demo(session, token)
        front_door = {entry["title"]: entry["entry_id"] for entry in await demo.entries(session, token, DOMAIN)}[
            "Front door"
        ]
        await api.call("switch", "turn_on", {"entity_id": "switch.front_door_deliveries_allowed"})
        now = datetime.now(UTC)
        window = {
            "window_start": (now - timedelta(minutes=10)).isoformat(),
            "window_end": (now + timedelta(hours=2)).isoformat(),
        }
        scheduled = await api.call(
            DOMAIN,
            "schedule_delivery",
            {"config_entry_id": front_door, "carrier": "Parcel service", **window},
            response=True,
        )
        link = str(scheduled["link"])
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            await courier_pages(browser, link)
            desktop = await delivery(browser, api, link)
            await jammed(desktop, api, front_door)
            await media(desktop, front_door)
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
