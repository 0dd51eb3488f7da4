"""The courier's path at scale: 10,000 passes and 1,000 finished visits, and 50 entrances in one Home Assistant.

Run: .venv/bin/python benchmarks/courier_path.py
It runs inside the test harness (a real Home Assistant with the simulated hardware of config/), builds
the store through the public actions (passes made "in the past" by setting Home Assistant's clock
back while they are made, so most are finished, as in a home that has used the integration for a
year), and prints:
- POST of a courier link → `lock.unlock` called, against a bare webhook that calls `lock.unlock` on
  the same lock (the floor), interleaved in one run, p50/p99 at 10, 1,000 and 10,000 passes;
- `schedule_delivery`, `add_guest`, `cancel_delivery` at 10, 1,000 and 10,000 passes;
- the size of the write made before the lock is touched;
- a 30-day calendar query (deliveries and guests) over 10,000 stored passes;
- setting the entrance up again with that store, and 50 entrances of 1,000 passes each set up together;
- event-loop lag while a flood of bad links is answered, beside the same flood against the bare
  webhook, and Python's garbage collections during it (the only pauses over a few milliseconds);
- memory per stored pass and per visit, and the lockout's tables after the flood;
- (test_live_status, alone with `courier_path.py live`) lock reports → a page's waiting `status`
  answered, p50/p99, at IHD_LIVE_PASSES stored passes (1,000 by default), and floods of waiting
  statuses from many addresses: how many wait (bounded), event-loop lag, and memory at two flood sizes.
The event loop runs as in Home Assistant itself: the test harness's asyncio debug mode (which
records a traceback for every future and task, several times slower) is turned off here.
Nothing here is a pass/fail test: the figures are for the README and the issue notes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from datetime import datetime, timedelta
import gc
import json
import logging
import os
from pathlib import Path
import platform
import shutil
import sqlite3
import sys
import time
import tracemalloc
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if __name__ == "__main__":  # the test harness loads Home Assistant itself, so before any import of it
    sys.exit(
        pytest.main(
            [
                __file__,
                "-q",
                "-s",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
                "-W",
                "ignore",
                "--rootdir",
                str(Path(__file__).resolve().parent.parent),
                # `courier_path.py live`: only the live status (its store size from IHD_LIVE_PASSES).
                *(["-k", "live_status"] if sys.argv[1:] == ["live"] else []),
            ]
        )
    )


from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.passindex import PassIndex, pass_from_dict
from custom_components.in_home_delivery.livestatus import MAX_WAITING
from custom_components.in_home_delivery.passbook import PassBook
from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS
from custom_components.in_home_delivery.store import passes_path
from homeassistant.components import webhook
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import (  # noqa: F401 - fixtures of the test suite
    ENTRY_DATA,
    LOCK,
    auto_enable_custom_integrations,
    files_in_tmp,
    fixed_access_tokens,
    hardware,
    phone_messages,
    plain_messages,
    porch_camera,
)

ENTRY_ID = "01JFRONTDOOR000000000000000"


@pytest.fixture(autouse=True)
async def enable_event_loop_debug() -> None:
    """Run the loop as Home Assistant does: the harness's fixture of this name turns debug mode on."""
    asyncio.get_running_loop().set_debug(False)


ROUNDS = 100  # courier requests, and as many floor requests, per store size
ACTION_SAMPLES = 30
FLOOD = 2000
FLOOD_CONCURRENCY = 20
ENTRANCES = 50
LIVE_ROUNDS = 100
WAIT_FLOODS = (500, 2000)
WAIT_FLOOD_CONCURRENCY = 100


def clock() -> float:
    """Wall time in seconds (CLOCK_MONOTONIC itself, which no test clock patches)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def ms(values: list[float], quantile: float) -> float:
    """A quantile of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Home Assistant's clock set back (or on) while passes are made; timers keep the real time."""
    with patch.object(dt_util, "utcnow", lambda: when):
        yield


class Bench:
    """One Home Assistant, one entrance, and what was measured."""

    def __init__(self, hass: HomeAssistant, client: Any) -> None:
        """Hold the instance and a client from the internet."""
        self.hass = hass
        self.client = client
        self.unlock_called: float | None = None
        self.lines: list[str] = []
        hass.bus.async_listen(EVENT_CALL_SERVICE, self._on_call)

    @callback
    def _on_call(self, event: Event) -> None:
        data = event.data
        if data["domain"] == "lock" and data["service"] == "unlock" and self.unlock_called is None:
            self.unlock_called = clock()

    def say(self, line: str) -> None:
        """Print a figure now and keep it for the summary."""
        print(line, flush=True)
        self.lines.append(line)

    async def action(self, action: str, /, **data: Any) -> Any:
        """Call one of the integration's actions."""
        return await self.hass.services.async_call(
            DOMAIN,
            action,
            {"config_entry_id": ENTRY_ID, **data},
            blocking=True,
            return_response=action in ("schedule_delivery", "add_guest", "renew_link", "list_passes"),
        )

    async def delivery(self, start: datetime, hours: float = 2, carrier: str = "DHL") -> dict[str, Any]:
        """schedule_delivery for a window."""
        return await self.action(
            "schedule_delivery",
            window_start=start.isoformat(),
            window_end=(start + timedelta(hours=hours)).isoformat(),
            carrier=carrier,
        )

    async def guest(self, name: str, valid_from: datetime, valid_until: datetime) -> dict[str, Any]:
        """add_guest, weekdays in the morning."""
        return await self.action(
            "add_guest",
            name=name,
            weekdays=["mon"],
            start_time="08:00:00",
            end_time="12:00:00",
            valid_from=valid_from.isoformat(),
            valid_until=valid_until.isoformat(),
        )

    def stored(self) -> int:
        """How many passes the entrance holds."""
        return len(self.hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.passes)

    async def grow_to(self, target: int) -> None:
        """Add finished passes made over the past year (a quarter guests, some cancelled) up to target."""
        now = dt_util.utcnow()
        number = self.stored()
        while number < target:
            made = now - timedelta(days=80) + timedelta(minutes=11 * number)  # kept: finished less than 90 days ago
            with clock_at(made):
                if number % 4 == 3:
                    await self.guest(f"Helper {number}", made, made + timedelta(days=14))
                else:
                    result = await self.delivery(made + timedelta(hours=1))
                    if number % 10 == 0:
                        with suppress(ServiceValidationError):  # already marked missed: a past window
                            await self.action("cancel_delivery", delivery_id=result["delivery_id"])
            number += 1
        # Back at the real time: a change makes the entrance look at its windows, and the past ones
        # are marked missed (once, all together), before anything is measured.
        settle = await self.delivery(dt_util.now() + timedelta(days=400))
        await self.action("cancel_delivery", delivery_id=settle["delivery_id"])
        await self.hass.async_block_till_done()

    async def reset_lock(self) -> None:
        """The lock locked, no visit running."""
        await self.hass.services.async_call("lock", "lock", {"entity_id": LOCK}, blocking=True)
        await self.hass.async_block_till_done()

    async def courier_round(self, size: int) -> None:
        """Interleaved floor and courier requests: POST → lock.unlock called, and the response time."""
        floor_unlock, floor_answer, ours_unlock, ours_answer = [], [], [], []
        for _ in range(ROUNDS):
            await self.reset_lock()
            began, self.unlock_called = clock(), None
            response = await self.client.post("/api/webhook/floor", json={"action": "unlock"})
            await response.read()
            floor_answer.append(clock() - began)
            assert self.unlock_called is not None
            floor_unlock.append(self.unlock_called - began)

            await self.reset_lock()
            link = await self.delivery(dt_util.now() - timedelta(minutes=5))
            token = link["link"].partition("#pass=")[2]
            path = "/api/webhook/" + self.hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.passes.webhook_id
            began, self.unlock_called = clock(), None
            response = await self.client.post(path, json={"pass": token, "action": "unlock"})
            await response.read()
            ours_answer.append(clock() - began)
            assert response.status == 200, await response.text()
            assert self.unlock_called is not None
            ours_unlock.append(self.unlock_called - began)
            await self.hass.async_block_till_done()
            await self.action("end_visit")
            await self.hass.async_block_till_done()
        self.say(
            f"  {size:>6} passes | POST → lock.unlock p50 floor {ms(floor_unlock, 0.5):5.1f} / ours "
            f"{ms(ours_unlock, 0.5):5.1f} ms (x{ms(ours_unlock, 0.5) / ms(floor_unlock, 0.5):.2f}), p99 "
            f"{ms(floor_unlock, 0.99):5.1f} / {ms(ours_unlock, 0.99):5.1f} ms (+{ms(ours_unlock, 0.99) - ms(floor_unlock, 0.99):.1f})"
            f" | answer p50 {ms(floor_answer, 0.5):5.1f} / {ms(ours_answer, 0.5):5.1f} ms"
        )

    async def action_round(self, size: int) -> None:
        """Each action's cost at this store size."""
        costs: dict[str, list[float]] = {"schedule_delivery": [], "add_guest": [], "cancel_delivery": []}
        made = []
        for number in range(ACTION_SAMPLES):
            start = dt_util.now() + timedelta(days=40 + number)
            began = clock()
            made.append((await self.delivery(start))["delivery_id"])
            costs["schedule_delivery"].append(clock() - began)
            began = clock()
            await self.guest(f"Guest {size}-{number}", start, start + timedelta(days=30))
            costs["add_guest"].append(clock() - began)
        for delivery_id in made:
            began = clock()
            await self.action("cancel_delivery", delivery_id=delivery_id)
            costs["cancel_delivery"].append(clock() - began)
        self.say(
            f"  {size:>6} passes | "
            + ", ".join(f"{name} p50 {ms(values, 0.5):.1f} ms" for name, values in costs.items())
        )

    async def finished_visits(self, count: int) -> None:
        """Owner visits that run to the end, for the history."""
        for _ in range(count):
            await self.action("admit")
            await self.hass.async_block_till_done()
            await self.action("end_visit")
            await self.hass.async_block_till_done()


class LockReports:
    """When the lock last reported `locked`: followed before the entrance follows it, so nothing runs first."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Follow the lock."""
        self.locked_at: float | None = None
        async_track_state_change_event(hass, [LOCK], self._on_lock)

    @callback
    def _on_lock(self, event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None and new.state == "locked":
            self.locked_at = clock()


async def visit_locking(bench: Bench) -> tuple[str, str]:
    """A courier's visit after Done with a lock slow to answer: the page shows "locking". Its path and token."""
    hass = bench.hass
    await bench.reset_lock()
    link = await bench.delivery(dt_util.now() - timedelta(minutes=5))
    token = link["link"].partition("#pass=")[2]
    path = "/api/webhook/" + hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.passes.webhook_id
    assert (await bench.client.post(path, json={"pass": token, "action": "unlock"})).status == 200
    await hass.async_block_till_done()
    await switch(hass, "input_boolean.sim_lock_responds", on=False)
    response = await bench.client.post(path, json={"pass": token, "action": "done"})
    assert (await response.json())["phase"] == "locking"
    return path, token


async def switch(hass: HomeAssistant, entity_id: str, *, on: bool) -> None:
    """Flip a simulation switch."""
    await hass.services.async_call("input_boolean", "turn_on" if on else "turn_off", {"entity_id": entity_id})
    await hass.async_block_till_done()


def waiting_status(token: str, seconds: float = 10) -> dict[str, Any]:
    """The page's waiting status while it shows "locking"."""
    return {"pass": token, "action": "status", "wait": seconds, "phase": "locking", "lock": "unlocked"}


async def live_status_round(bench: Bench, reports: LockReports) -> None:
    """A page waits on "locking"; the lock reports locked: how long until the page has its answer."""
    answered: list[float] = []
    for _ in range(LIVE_ROUNDS):
        path, token = await visit_locking(bench)
        waiting = asyncio.create_task(bench.client.post(path, json=waiting_status(token)))
        await asyncio.sleep(0.02)
        assert not waiting.done()
        reports.locked_at = None
        await bench.hass.services.async_call(
            "input_select", "select_option", {"entity_id": "input_select.sim_lock_state", "option": "locked"}
        )
        response = await waiting
        body = await response.json()
        ended = clock()
        assert (body["phase"], body["lock"], body["live"]) == ("done", "locked", True), body
        assert reports.locked_at is not None
        answered.append(ended - reports.locked_at)
        await switch(bench.hass, "input_boolean.sim_lock_responds", on=True)
    bench.say(
        f"  {bench.stored()} passes | lock reports → status answered (a page waiting): p50 {ms(answered, 0.5):.1f} ms, "
        f"p99 {ms(answered, 0.99):.1f} ms (polling every 1.5 s: 750 ms on average, 1,500 ms at worst)"
    )


async def flood_of_waits(bench: Bench, count: int, *, traced: bool) -> tuple[int, float, float, float, float]:
    """Waiting statuses with a valid link from many addresses at once: most waiting, worst lag, rate, memory.

    Memory as traced from the flood's start (server and client alike): its peak, and what is still held
    after it once the garbage is collected.
    """
    path, token = await visit_locking(bench)
    # The entrance's link handler, as registered with the webhook: partial(_async_handle, handler).
    waiters = bench.hass.data["webhook"][path.rsplit("/", 1)[1]].handler.args[0].waiters
    lags: list[float] = []
    most = 0
    running = True

    async def watch() -> None:
        nonlocal most
        while running:
            began = clock()
            await asyncio.sleep(0.005)
            lags.append(clock() - began - 0.005)
            most = max(most, waiters.waiting)

    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(count):
        queue.put_nowait(number)

    url = bench.client.make_url(path)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            number = queue.get_nowait()
            address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
            async with session.post(url, json=waiting_status(token, 2), headers={"X-Forwarded-For": address}) as answer:
                await answer.read()
                assert answer.status == 200, answer.status

    # The harness keeps every log record it captures: the access log of a flood is not the server's memory.
    access_log = logging.getLogger("aiohttp.access")
    level = access_log.level
    access_log.setLevel(logging.WARNING)
    if traced:
        tracemalloc.start()
    watcher = asyncio.create_task(watch())
    began = clock()
    # A plain session: the test client keeps every response it made, which is not the server's memory.
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(WAIT_FLOOD_CONCURRENCY)))
    elapsed = clock() - began
    running = False
    await watcher
    peak = kept = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1024
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] / 1024
        tracemalloc.stop()
    access_log.setLevel(level)
    await bench.action("end_visit")
    await switch(bench.hass, "input_boolean.sim_lock_responds", on=True)
    await bench.hass.async_block_till_done()
    return most, ms(lags, 1.0), count / elapsed, peak, kept


class Collections:
    """Python's garbage collections while it is entered: how many of the oldest generation, and the longest."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.pauses: list[tuple[int, float]] = []
        self._began = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = clock()
        else:
            self.pauses.append((info["generation"], clock() - self._began))

    def __enter__(self) -> Collections:
        """Listen to the collector."""
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *_: object) -> None:
        """Stop listening."""
        gc.callbacks.remove(self._on_gc)

    def __str__(self) -> str:
        """Say what was seen."""
        full = [pause for generation, pause in self.pauses if generation == 2]
        longest_young = max((pause for generation, pause in self.pauses if generation < 2), default=0.0)
        return (
            f"{len(self.pauses)} collections, longest young {1000 * longest_young:.1f} ms, "
            f"{len(full)} full ({', '.join(f'{1000 * pause:.0f}' for pause in full) or 'none'} ms)"
        )


def full_collection() -> tuple[int, float]:
    """How many objects the collector tracks, and how long a full collection of them takes now."""
    gc.collect()
    began = clock()
    gc.collect()
    return len(gc.get_objects()), clock() - began


async def flood(bench: Bench, path: str, answers: Sequence[int]) -> tuple[float, float, int]:
    """Bad links while a task measures how late the event loop wakes it: worst lag, rate, samples."""
    lags: list[float] = []
    running = True

    async def watch() -> None:
        while running:
            began = clock()
            await asyncio.sleep(0.005)
            lags.append(clock() - began - 0.005)

    watcher = asyncio.create_task(watch())
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(FLOOD):
        queue.put_nowait(number)

    async def worker() -> None:
        while not queue.empty():
            number = queue.get_nowait()
            response = await bench.client.post(path, json={"pass": f"guess{number}", "action": "unlock"})
            await response.read()
            assert response.status in answers, response.status

    began = clock()
    await asyncio.gather(*(worker() for _ in range(FLOOD_CONCURRENCY)))
    elapsed = clock() - began
    running = False
    await watcher
    return ms(lags, 1.0), FLOOD / elapsed, len(lags)


@pytest.mark.usefixtures("hardware")
async def test_courier_path_at_scale(hass: HomeAssistant, hass_client_no_auth: Any) -> None:  # noqa: PLR0915
    """Build the store, measure, print."""
    assert await async_setup_component(
        hass, "http", {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1", "::1"]}}
    )
    await hass.config.async_update(external_url="https://home.example.org")
    entry = MockConfigEntry(
        domain=DOMAIN, title="Front door", data=dict(ENTRY_DATA), options=DEFAULT_OPTIONS, entry_id=ENTRY_ID
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()

    async def floor(hass: HomeAssistant, webhook_id: str, request: Any) -> Any:
        from aiohttp import web  # noqa: PLC0415

        await request.json()
        await hass.services.async_call("lock", "unlock", {"entity_id": LOCK}, blocking=True)
        return web.json_response({"state": "unlocked"})

    async def floor_refusing(hass: HomeAssistant, webhook_id: str, request: Any) -> Any:
        from aiohttp import web  # noqa: PLC0415

        await request.json()
        return web.json_response({"error": "invalid_pass"}, status=401)

    webhook.async_register(hass, "floor", "Floor", "floor", floor, allowed_methods=["POST"])
    webhook.async_register(hass, "refuse", "Refuse", "refuse", floor_refusing, allowed_methods=["POST"])
    bench = Bench(hass, await hass_client_no_auth())
    print(
        f"\nmachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    controller = entry.runtime_data.controller

    print("courier link POST → lock.unlock called (floor: a bare webhook calling lock.unlock), and actions")
    snapshot_1000 = Path(hass.config.path("bench_1000.db"))
    for size in (10, 1_000, 10_000):
        began = clock()
        await bench.grow_to(size)
        print(f"  (grew to {bench.stored()} passes in {clock() - began:.1f} s)")
        if size == 1_000:
            with (
                closing(sqlite3.connect(passes_path(hass, ENTRY_ID))) as source,
                closing(sqlite3.connect(snapshot_1000)) as copy,
            ):
                source.backup(copy)
        await bench.courier_round(bench.stored())
        await bench.action_round(bench.stored())

    print("history")
    began = clock()
    await bench.finished_visits(1_000 - len(controller.history))
    print(f"  {len(controller.history)} finished visits in the history ({clock() - began:.1f} s to make)")

    visit_write = json.dumps(controller._visit_data())  # noqa: SLF001 - what is written before the lock
    await bench.action("admit")
    running_write = json.dumps(controller._visit_data())  # noqa: SLF001
    await bench.action("end_visit")
    await hass.async_block_till_done()
    bench.say(
        f"  written before the lock is touched: {len(running_write.encode())} bytes (the running visit; "
        f"{len(visit_write.encode())} bytes idle), with {bench.stored()} passes and {len(controller.history)} visits"
    )

    print("calendar, 30 days ahead")
    now = dt_util.now()
    for number in range(200 - len(controller.passes.deliveries(now, now + timedelta(days=30)))):
        await bench.delivery(now + timedelta(hours=3 + number * 3.5))
    for number in range(50 - len(controller.passes.guests(now, now + timedelta(days=30)))):
        await bench.guest(f"Now {number}", now - timedelta(days=1), now + timedelta(days=60))
    deliveries_calendar, guests_calendar = "calendar.front_door_deliveries", "calendar.front_door_guest_access"
    timings = []
    found = 0
    for _ in range(20):
        began = clock()
        result = await hass.services.async_call(
            "calendar",
            "get_events",
            {"entity_id": [deliveries_calendar, guests_calendar], "duration": {"days": 30}},
            blocking=True,
            return_response=True,
        )
        timings.append(clock() - began)
        found = sum(len(item["events"]) for item in result.values())  # type: ignore[union-attr, arg-type]
    shown = (
        len(controller.passes.deliveries(now, now + timedelta(days=30))),
        len(controller.passes.guests(now, now + timedelta(days=30))),
    )
    bench.say(
        f"  30-day query (calendar.get_events on both calendars): p50 {ms(timings, 0.5):.1f} ms, "
        f"{shown[0]} deliveries and {shown[1]} guests ({found} events) among {bench.stored()} passes"
    )

    print("setup")
    stored = bench.stored()
    loading: list[float] = []
    load = PassBook.async_load

    async def timed_load(self: PassBook, data: dict[str, Any], journal: list[dict[str, Any]]) -> bool:
        began = clock()
        try:
            return await load(self, data, journal)
        finally:
            loading.append(clock() - began)

    began = clock()
    with patch.object(PassBook, "async_load", timed_load):
        await hass.config_entries.async_reload(ENTRY_ID)
        await hass.async_block_till_done()
    bench.say(
        f"  reload of the entrance with {stored} passes: {1000 * (clock() - began):.0f} ms, of which reading and "
        f"indexing the passes {1000 * loading[0]:.0f} ms ({bench.stored()} kept after the retention run)"
    )
    began = clock()
    with closing(sqlite3.connect(passes_path(hass, ENTRY_ID))) as db:
        rows = [json.loads(data) for (data,) in db.execute("SELECT data FROM passes")]
    read = clock() - began
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    index = PassIndex(pass_from_dict(row) for row in rows)
    after = tracemalloc.take_snapshot()
    per_pass = sum(stat.size_diff for stat in after.compare_to(before, "filename")) / len(index)
    history_copy = json.loads(json.dumps(controller.history))
    per_visit = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(after, "filename")) / max(
        1, len(history_copy)
    )
    tracemalloc.stop()
    bench.say(
        f"  reading {len(rows)} rows: {1000 * read:.0f} ms; memory {per_pass:.0f} bytes per pass, "
        f"{per_visit:.0f} bytes per visit in the history"
    )

    entries = []
    for number in range(ENTRANCES):
        entry_id = f"01JBENCH{number:019d}"
        shutil.copy(snapshot_1000, passes_path(hass, entry_id))
        other = MockConfigEntry(
            domain=DOMAIN,
            title=f"Door {number}",
            data=dict(ENTRY_DATA) | {"name": f"Door {number}"},
            options=DEFAULT_OPTIONS,
            entry_id=entry_id,
        )
        other.add_to_hass(hass)
        entries.append(entry_id)
    objects_before, collection_before = full_collection()
    began = clock()
    results = await asyncio.gather(*(hass.config_entries.async_setup(entry_id) for entry_id in entries))
    await hass.async_block_till_done()
    bench.say(
        f"  {ENTRANCES} more entrances of 1,000 passes each set up together: {clock() - began:.2f} s "
        f"({sum(results)} loaded)"
    )
    objects_after, collection_after = full_collection()
    added = sum(len(hass.config_entries.async_get_entry(entry_id).runtime_data.passes) for entry_id in entries)
    bench.say(
        f"  objects the garbage collector tracks: {objects_before:,} → {objects_after:,} "
        f"({(objects_after - objects_before) / added:.1f} per pass added, entities included); "
        f"a full collection {1000 * collection_before:.0f} → {1000 * collection_after:.0f} ms"
    )

    print("flood of bad links")
    controller = hass.config_entries.async_get_entry(ENTRY_ID).runtime_data.controller
    for name, path, answers in (
        ("bare webhook answering 401", "/api/webhook/refuse", (401,)),
        ("courier links", "/api/webhook/" + controller.passes.webhook_id, (401, 429)),
    ):
        with Collections() as collections:
            worst, rate, samples = await flood(bench, path, answers)
        bench.say(
            f"  {FLOOD} bad links, {name}: {rate:.0f}/s, worst event-loop lag {worst:.1f} ms "
            f"({samples} samples); {collections}"
        )
    failures, blocked, flood_count = controller.lockout.size
    bench.say(f"  lockout tables after the flood: {failures} / {blocked} / {flood_count} entries (capped)")

    print("\nsummary")
    for line in bench.lines:
        print(line)


@pytest.fixture
async def reverse_proxy(hass: HomeAssistant) -> None:
    """Home Assistant behind a reverse proxy (before the client is made), so requests come from many addresses."""
    assert await async_setup_component(
        hass, "http", {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1", "::1"]}}
    )


@pytest.mark.usefixtures("reverse_proxy", "hardware")
async def test_live_status(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    """A page waiting on the lock: lock reports → status answered, and floods of waits."""
    await hass.config.async_update(external_url="https://home.example.org")
    MockConfigEntry(
        domain=DOMAIN, title="Front door", data=dict(ENTRY_DATA), options=DEFAULT_OPTIONS, entry_id=ENTRY_ID
    ).add_to_hass(hass)
    reports = LockReports(hass)  # before the entrance follows the lock: the report's time comes first
    assert await hass.config_entries.async_setup(ENTRY_ID)
    await hass.async_block_till_done()
    bench = Bench(hass, await hass_client_no_auth())
    await bench.grow_to(int(os.environ.get("IHD_LIVE_PASSES", "1000")))
    print(
        f"\nlive status: a page waiting on the lock ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"
    )
    await live_status_round(bench, reports)
    for count in WAIT_FLOODS:
        most, worst, rate, _peak, _kept = await flood_of_waits(bench, count, traced=False)
        *_, peak, kept = await flood_of_waits(bench, count, traced=True)
        bench.say(
            f"  {count} waiting statuses from {count} addresses, {WAIT_FLOOD_CONCURRENCY} at a time: at most {most} "
            f"waiting (bound {MAX_WAITING}), the rest answered at once, {rate:.0f}/s; worst event-loop lag "
            f"{worst:.1f} ms; memory during the flood (server and client) peak +{peak:.0f} KiB, held after it +{kept:.0f} KiB"
        )
