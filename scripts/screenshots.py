"""Take the README's pictures from the running demo: scripts/screenshots starts it and calls this.

The owner adds a guest and a carrier link on the integration's page (the dialogs, the link with its QR
code, who has access) and the guest's page is opened on a phone. Then a delivery is run as a courier and
an owner would: the courier's page on a phone (English and German), the dashboard during the visit, a lock
that jams (the repair), and the visit in the Media panel. Chromium is the system's (/usr/bin/chromium),
driven headless by Playwright, as in the browser tests. A link is never printed: its token opens the door.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
import sys
from urllib.parse import quote

import aiohttp
from demo_api import Demo
import dev_bootstrap as demo
from playwright.async_api import (
    Browser,
    BrowserContext,
    Error as PlaywrightError,
    Locator,
    Page,
    async_playwright,
    expect,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOMAIN = "in_home_delivery"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
# Tall enough for the whole dashboard, the whole integration page and the whole Add a guest dialog (which
# would scroll, and be cut off, in a smaller window).
TALL_DESKTOP = {"width": 1400, "height": 1350}
# English with a 24-hour clock: the owner's screens then write times as the courier's page and Media do.
OWNER_LOCALE = "en-GB"
INTEGRATION_PAGE = f"/config/integrations/integration/{DOMAIN}"
ENTRANCE = "Front door"
# Around the dialog in its pictures: a little of the page behind it.
DIALOG_MARGIN = 24


async def owner(browser: Browser, time_zone: str) -> BrowserContext:
    """A desktop browser at the demo's home (its time zone), logged in as the developer."""
    context = await browser.new_context(viewport=DESKTOP, locale=OWNER_LOCALE, timezone_id=time_zone)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(f"{demo.BASE}/")
    await page.wait_for_selector("input[name=username]", timeout=60000)
    await page.fill("input[name=username]", demo.USERNAME)
    await page.fill("input[name=password]", demo.PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/in-home-delivery/**", timeout=60000)
    await page.close()
    return context


async def phone(browser: Browser, time_zone: str, locale: str = "en-US") -> BrowserContext:
    """A phone at the demo's home, in a language."""
    return await browser.new_context(viewport=PHONE, locale=locale, timezone_id=time_zone, is_mobile=True)  # type: ignore[arg-type]


async def open_link(page: Page, link: str) -> None:
    """Open a pass's link. A failure names the page, never the link: Playwright's message would hold it."""
    try:
        await page.goto(link)
    except PlaywrightError:
        sys.exit("A link's page did not open in the browser")


def saved(name: str) -> Path:
    """Where a picture goes (docs/), said on the terminal."""
    print(f"docs/{name}")
    return DOCS / name


async def shoot(
    context: BrowserContext, path: str, name: str, wait: float = 4, viewport: dict[str, int] = DESKTOP
) -> None:
    """Open a page and save its picture under docs/."""
    page = await context.new_page()
    await page.set_viewport_size(viewport)  # type: ignore[arg-type]
    await page.goto(f"{demo.BASE}{path}")
    await page.wait_for_timeout(wait * 1000)
    await page.screenshot(path=saved(name))
    await page.close()


async def shoot_dialog(page: Page, name: str) -> None:
    """The open dialog, with a little of the page around it."""
    await page.wait_for_timeout(500)  # the last change drawn
    box = await page.get_by_role("dialog").bounding_box()
    if box is None:
        sys.exit(f"No dialog to take for {name}")
    viewport = page.viewport_size or TALL_DESKTOP
    left, top = max(box["x"] - DIALOG_MARGIN, 0), max(box["y"] - DIALOG_MARGIN, 0)
    clip = {
        "x": left,
        "y": top,
        "width": min(box["x"] + box["width"] + DIALOG_MARGIN, viewport["width"]) - left,
        "height": min(box["y"] + box["height"] + DIALOG_MARGIN, viewport["height"]) - top,
    }
    await page.screenshot(path=saved(name), clip=clip)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class PassForm:
    """What the owner types into Add a guest / Add a carrier link."""

    name: str
    weekdays: tuple[str, ...]
    hours: tuple[int, int]  # from, until (on the hour)


async def enter_time(page: Page, field: Locator, hours: int, minutes: int) -> None:
    """Type a time into the frontend's time field (24-hour clock), as an owner does: hours, then minutes."""
    await field.get_by_role("spinbutton", name="hh").click()
    await page.keyboard.type(str(hours))
    await field.get_by_role("spinbutton", name="mm").click()
    await page.keyboard.type(f"{minutes:02d}")


async def fill_pass_form(page: Page, dialog: Locator, form: PassForm) -> None:
    """The name, the weekdays and the times of Add a guest / Add a carrier link."""
    name_field = dialog.get_by_role("textbox", name=re.compile(r"^(Name|Carrier)"))
    await name_field.fill(form.name)
    for weekday in form.weekdays:
        await dialog.get_by_text(weekday, exact=True).click()
        await expect(dialog.get_by_role("checkbox", name=weekday)).to_be_checked()
    await enter_time(page, dialog.get_by_role("group", name="From"), form.hours[0], 0)
    await enter_time(page, dialog.get_by_role("group", name="Until"), form.hours[1], 0)
    await name_field.click()  # the time typed last is taken when its field is left


async def add_pass(
    context: BrowserContext,
    button: str,
    title: str,
    form: PassForm,
    pictures: tuple[str, str | None],
) -> str:
    """On the integration's page: the button (Add guest, Add carrier link) for the Front door, the form filled
    in and sent; the link step shows the link and its QR code, and the flow is finished. Returns the link
    (kept from the terminal)."""
    form_picture, link_picture = pictures
    page = await context.new_page()
    await page.set_viewport_size(TALL_DESKTOP)  # type: ignore[arg-type]
    await page.goto(f"{demo.BASE}{INTEGRATION_PAGE}")
    await page.get_by_role("button", name=button).click()
    await page.get_by_role("button", name=ENTRANCE, exact=True).click()  # which entrance
    dialog = page.locator("dialog-data-entry-flow")
    await expect(dialog.get_by_text(title, exact=True)).to_be_visible()
    await fill_pass_form(page, dialog, form)
    await shoot_dialog(page, form_picture)
    await dialog.get_by_role("button", name="Submit").click()

    await expect(dialog.get_by_text(f"The link for {form.name}")).to_be_visible()
    link = (await dialog.get_by_text(re.compile(r"/api/webhook/")).inner_text()).strip()
    qr = dialog.locator('img[src^="data:image/png"]')
    await expect(qr).to_be_visible()
    await page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=await qr.element_handle())
    if link_picture:
        await shoot_dialog(page, link_picture)
    await dialog.get_by_role("button", name="Submit").click()
    await dialog.get_by_role("button", name="Finish").click()
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await page.close()
    return link


async def access(browser: Browser, desktop: BrowserContext, time_zone: str) -> None:
    """A cleaner and a carrier link added in the frontend; who has access; the cleaner's page on a phone."""
    guest_link = await add_pass(
        desktop,
        "Add guest",
        "Add a guest",
        PassForm(name="Anna (cleaner)", weekdays=("Tuesday", "Friday"), hours=(9, 12)),
        ("add-guest.png", "guest-link.png"),
    )
    await add_pass(
        desktop,
        "Add carrier link",
        "Add a carrier link",
        PassForm(
            name="UPS", weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"), hours=(8, 20)
        ),
        ("add-carrier-link.png", None),
    )
    await shoot(desktop, INTEGRATION_PAGE, "guests-listed.png", wait=3, viewport=TALL_DESKTOP)
    guest = await phone(browser, time_zone)
    page = await guest.new_page()
    await open_link(page, guest_link)
    await expect(page.locator("h1")).to_have_text("Anna (cleaner)")
    await page.wait_for_timeout(1000)
    await page.screenshot(path=saved("guest-page.png"))
    await guest.close()


async def courier_pages(browser: Browser, link: str, time_zone: str) -> None:
    """The courier's page on a phone, in English and German, before anything is tapped."""
    for language, locale in (("en", "en-US"), ("de", "de-DE")):
        courier = await phone(browser, time_zone, locale)
        page = await courier.new_page()
        await open_link(page, link)
        await page.wait_for_timeout(2500)
        await page.screenshot(path=saved(f"courier-page-{language}.png"))
        await courier.close()


async def delivery(browser: Browser, desktop: BrowserContext, api: Demo, link: str, time_zone: str) -> None:
    """The courier opens the street door and the front door; the owner watches the dashboard."""
    courier = await phone(browser, time_zone)
    page = await courier.new_page()
    await open_link(page, link)
    await page.wait_for_timeout(2000)
    if await page.get_by_role("button", name="Open the street door").count():
        await page.get_by_role("button", name="Open the street door").click()
        await page.wait_for_timeout(1500)
    await page.get_by_role("button", name="Unlock").click()
    await api.until("lock.smart_lock", "unlocked")
    await api.switch("input_boolean.sim_door_open", True)
    await page.wait_for_timeout(2500)
    await page.screenshot(path=saved("courier-page-inside.png"))
    await shoot(desktop, "/in-home-delivery/front-door", "dashboard-visit.png", viewport=TALL_DESKTOP)
    await api.switch("input_boolean.sim_door_open", False)
    await page.get_by_role("button", name="Done").click()
    await api.until("lock.smart_lock", "locked")
    await page.wait_for_timeout(2500)
    await page.screenshot(path=saved("courier-page-locked.png"))
    await courier.close()


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


async def home_time_zone(session: aiohttp.ClientSession, token: str) -> str:
    """The demo's time zone (configuration.yaml's), where its owner, guests and couriers are."""
    async with session.get(f"{demo.BASE}/api/config", headers={"Authorization": f"Bearer {token}"}) as answer:
        answer.raise_for_status()
        return str((await answer.json())["time_zone"])


async def main() -> None:
    """Add the guest and the carrier link, run the delivery, and take the pictures."""
    DOCS.mkdir(exist_ok=True)
    async with aiohttp.ClientSession() as session:
        await demo.wait_for_api(session)
        token = await demo.login(session)
        api = Demo(session, token)
        time_zone = await home_time_zone(session, token)
        front_door = {entry["title"]: entry["entry_id"] for entry in await demo.entries(session, token, DOMAIN)}[
            ENTRANCE
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
            desktop = await owner(browser, time_zone)
            await access(browser, desktop, time_zone)
            await courier_pages(browser, link, time_zone)
            await delivery(browser, desktop, api, link, time_zone)
            await jammed(desktop, api, front_door)
            await media(desktop, front_door)
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
