"""A courier's journey through the demo on a Home Assistant that has no test harness yet (scripts/test-newest).

scripts/test-newest has started Home Assistant on a fresh copy of config/ (as scripts/develop would, see
scripts/_demo). This completes the demo's setup with scripts/dev_bootstrap.py, checks that the
integration's entrances are loaded, and then, over HTTP only:
- the owner schedules a delivery (`schedule_delivery`, REST API, the development login);
- the courier opens the link's page, taps Unlock, goes in and out (the simulated door contact) and taps
  Done, and the page's status is followed until the lock reports `locked`;
- Home Assistant's states agree: the lock is locked and the visit is over.
Last, the log: no error and no traceback of the integration.

    smoke_journey.py LOG      LOG: what Home Assistant wrote to its console
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
import io
from pathlib import Path
import re
import sys
from typing import Any

import aiohttp
from demo_api import Demo
import dev_bootstrap as demo

DOMAIN = "in_home_delivery"
SETUP_SECONDS = 240  # Home Assistant's start, onboarding, the camera and both entrances
JOURNEY_SECONDS = 120
LOCK = "lock.front_door"
PHASE = "sensor.front_door_visit_phase"
DOOR = "input_boolean.sim_door_open"
# A log record's first line, as Home Assistant writes it: time, level, (thread), [logger], message.
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) \([^)]*\) \[(?P<logger>[^\]]+)\]")


def step(text: str) -> None:
    """Say what was checked."""
    print(f"  ok  {text}", flush=True)


async def set_up(session: aiohttp.ClientSession) -> tuple[Demo, str]:
    """The demo's bootstrap (onboarding, camera, entrances), then its entrances loaded; Front door's id."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said):  # only its first line, "Ready: …", is said here
        await demo.main()
    step("Home Assistant answered and the demo was set up: " + said.getvalue().splitlines()[0])
    token = await demo.login(session)
    entrances = {entry["title"]: entry for entry in await demo.entries(session, token, DOMAIN)}
    for title, entry in entrances.items():
        if entry["state"] != "loaded":
            sys.exit(f"The entrance {title} is {entry['state']}: {entry.get('reason')}")
        step(f"entrance {title} loaded")
    api = Demo(session, token)
    for camera in (demo.PORCH_CAMERA, "camera.front_door"):
        if (state := await api.state(camera)) in {"unavailable", "unknown"}:
            sys.exit(f"{camera} is {state}")
    step(f"{demo.PORCH_CAMERA} (the demo's local_file camera) and camera.front_door (the entrance's) are there")
    return api, str(entrances["Front door"]["entry_id"])


class Courier:
    """The courier's phone: the link's page and its buttons, as its script sends them (JSON POSTs)."""

    def __init__(self, session: aiohttp.ClientSession, link: str) -> None:
        """The token rides in the link's fragment, which is never sent; the page posts it."""
        self.session = session
        self.url, _, fragment = link.partition("#")
        self.token = fragment.removeprefix("pass=")

    async def open_page(self) -> str:
        """GET the link: the page."""
        async with self.session.get(self.url) as answer:
            page = await answer.text()
            if answer.status != 200 or answer.content_type != "text/html" or "<html" not in page:
                sys.exit(f"The link's page did not open: {answer.status} {answer.content_type}")
            return page

    async def tap(self, action: str, **fields: Any) -> dict[str, Any]:
        """POST an action; it must be answered 200."""
        body = {"pass": self.token, "action": action, **fields}
        async with self.session.post(self.url, json=body, headers={"Accept": "application/json"}) as answer:
            if answer.status != 200 or answer.content_type != "application/json":
                sys.exit(f"POST {action}: {answer.status} {answer.content_type!r} {await answer.text()}")
            return dict(await answer.json())

    async def until_lock(self, state: str) -> dict[str, Any]:
        """Follow the page's status (long polls, as the page does) until the lock reports `state`."""
        while (status := await self.tap("status", wait=10))["lock"] != state:
            pass
        return status


async def journey(api: Demo, front_door: str) -> None:
    """Schedule a delivery, then let the courier in and out, and see the door locked."""
    await api.call("switch", "turn_on", {"entity_id": "switch.front_door_deliveries_allowed"})
    await api.until(LOCK, "locked")
    now = datetime.now(UTC)
    scheduled = await api.call(
        DOMAIN,
        "schedule_delivery",
        {
            "config_entry_id": front_door,
            "carrier": "Smoke test",
            "tracking_number": f"SMOKE{now:%Y%m%d%H%M%S}",
            "window_start": (now - timedelta(minutes=10)).isoformat(),
            "window_end": (now + timedelta(hours=1)).isoformat(),
        },
        response=True,
    )
    courier = Courier(api.session, str(scheduled["link"]))
    step(f"schedule_delivery answered a link to {courier.url.split('/api/')[0]}/api/webhook/…")
    await courier.open_page()
    step("GET the link: the page")
    answer = await courier.tap("unlock")
    step(f"POST unlock: {answer['result']}")
    await courier.until_lock("unlocked")
    step("the page reports the lock unlocked")
    await api.switch(DOOR, True)
    await api.until(PHASE, "inside")
    step("door opened: inside")
    await api.switch(DOOR, False)
    await api.until(PHASE, "closing")
    step("door closed: closing")
    answer = await courier.tap("done")
    step(f"POST done: {answer['result']}")
    await courier.until_lock("locked")
    step("the page reports the lock locked")
    await api.until(LOCK, "locked")
    await api.until(PHASE, "idle")
    await api.until("binary_sensor.front_door_visit_in_progress", "off")
    step(f"{LOCK} is locked and the visit is over")


def records(log: str) -> list[tuple[str, str, str]]:
    """The log's records: (level, logger, text with its following lines, such as a traceback)."""
    found: list[tuple[str, str, str]] = [("", "", "")]
    for line in log.splitlines():
        if match := RECORD.match(line):
            found.append((match["level"], match["logger"], line))
        else:
            level, logger, text = found[-1]
            found[-1] = (level, logger, f"{text}\n{line}")
    return [record for record in found if record[2]]


def check_log(path: Path) -> None:
    """No error or traceback from the integration; the others are shown, not counted."""
    errors = [
        record
        for record in records(path.read_text(encoding="utf-8", errors="replace"))
        if record[0] in {"ERROR", "CRITICAL"} or "Traceback" in record[2]
    ]
    ours = [text for _, logger, text in errors if DOMAIN in logger or DOMAIN in text]
    others = [text for _, logger, text in errors if not (DOMAIN in logger or DOMAIN in text)]
    for text in others:
        print(f"  note: an error of Home Assistant's, not the integration's:\n    {text.splitlines()[0]}")
    if ours:
        sys.exit("The integration logged errors:\n" + "\n".join(ours))
    step("the log has no error and no traceback of the integration")


async def main(log: Path) -> None:
    """Set up, run the journey, read the log; each part in its time."""
    async with aiohttp.ClientSession() as session:
        try:
            async with asyncio.timeout(SETUP_SECONDS):
                api, front_door = await set_up(session)
        except TimeoutError:
            sys.exit(f"The demo was not set up within {SETUP_SECONDS} s")
        try:
            async with asyncio.timeout(JOURNEY_SECONDS):
                await journey(api, front_door)
        except TimeoutError:
            sys.exit(f"The courier's journey did not end within {JOURNEY_SECONDS} s")
    check_log(log)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
