"""The courier link over real HTTP: the page, each action, each status, honest answers, the lockout."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN, EVENT_IN_HOME_DELIVERY
from custom_components.in_home_delivery.livestatus import MAX_WAITING, MAX_WAITING_PER_ADDRESS
from custom_components.in_home_delivery.page import SCRIPT_HASH
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component

from .conftest import LOCK, PorchCamera
from .helpers import (
    ENTRY_ID,
    PHASE,
    close_door,
    link_parts,
    open_door,
    post_link,
    schedule_now,
    set_lock_state,
    set_switch,
    tick,
)

type Client = Any


@pytest.fixture(autouse=True)
async def reverse_proxy(hass: HomeAssistant) -> None:
    """Home Assistant behind a reverse proxy, so requests can come from several addresses."""
    assert await async_setup_component(
        hass, "http", {"http": {"use_x_forwarded_for": True, "trusted_proxies": ["127.0.0.1", "::1"]}}
    )
    assert await async_setup_component(hass, "diagnostics", {})
    await hass.config.async_update(external_url="https://home.example.org")


async def answer(client: Client, link: str, action: str, address: str = "203.0.113.7") -> tuple[int, dict[str, Any]]:
    """What the page's script sends, and what it gets back."""
    response = await post_link(client, link, action, address=address)
    return response.status, await response.json()


@pytest.fixture
async def client(
    hass: HomeAssistant, init_integration: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> Client:
    """An HTTP client from the internet."""
    return await hass_client_no_auth()


async def test_full_courier_journey(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Page, status, arrive, unlock, in, out, done, locking, locked: every answer tells the truth."""
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    delivery = await schedule_now(hass)
    link = delivery["link"]
    assert "#pass=" in link
    assert "?" not in link

    page = await client.get(link_parts(link)[0], headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.status == 200
    html = await page.text()
    assert "Front door" not in html  # the page's address alone names nothing of the home
    assert "DHL" not in html
    assert "http://" not in html  # no outside assets
    assert "https://" not in html
    assert f"script-src '{SCRIPT_HASH}'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]

    status, body = await answer(client, link, "status")
    assert status == 200
    assert body["view"]["title"] == "Front door"
    assert body["view"]["detail"] == "DHL"
    assert body["view"]["button"] == {"action": "unlock", "label": "Unlock"}
    assert (body["phase"], body["lock"]) == ("idle", None)  # no visit of ours: the lock's state is not ours to know
    assert body["view"]["final"] is False  # the page keeps its token (for its tab) while the link is still to use

    status, body = await answer(client, link, "arrive")
    assert (status, body["result"]) == (200, "arrived")
    assert any("DHL is at the door" in call.data["message"] for call in phone_messages)

    status, body = await answer(client, link, "unlock")
    assert (status, body["result"]) == (200, "admitted")
    assert body["visit_id"]
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    status, body = await answer(client, link, "status")
    assert (body["phase"], body["lock"]) == ("waiting_for_entry", "unlocked")
    assert body["view"]["button"]["action"] == "done"
    assert body["view"]["final"] is False

    await open_door(hass)
    status, body = await answer(client, link, "done")
    assert (status, body["reason"]) == (409, "door_open")
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)  # the lock takes its time
    status, body = await answer(client, link, "done")
    assert (status, body["result"], body["phase"]) == (200, "done", "locking")
    assert body["lock"] == "unlocked"
    assert body["view"]["poll"] is True
    assert body["view"]["final"] is False
    assert "locking" in body["view"]["message"]
    assert "Locked" not in body["view"]["message"]

    await set_switch(hass, "input_boolean.sim_lock_responds", True)
    await set_lock_state(hass, "locked")  # the lock reports in
    status, body = await answer(client, link, "status")
    assert (body["phase"], body["lock"], body["view"]["message"]) == ("done", "locked", "Locked — thank you!")
    assert body["view"]["poll"] is False
    assert body["view"]["final"] is True  # the visit is over: the page forgets its token
    assert hass.states.get(PHASE).state == "idle"

    status, body = await answer(client, link, "unlock")
    assert (status, body["reason"]) == (403, "used")
    types = [event.data["type"] for event in events]
    assert types[:3] == ["arrived", "admitted", "unlocked"]
    assert "completed" in types
    assert all(delivery["token"] not in str(event.data) for event in events)

    freezer.tick(timedelta(minutes=11))  # later, the page no longer speaks of that visit or the lock
    status, body = await answer(client, link, "status")
    assert (status, body["phase"], body["lock"], body["reason"]) == (200, "idle", None, None)
    assert body["view"]["message"] == "This link has already been used."
    assert body["view"]["final"] is True


async def test_jam_after_done_is_never_called_locked(hass: HomeAssistant, client: Client) -> None:
    """The lock jams after Done: the page and status say so and never claim locked, until it is."""
    delivery = await schedule_now(hass)
    await answer(client, delivery["link"], "unlock")
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_jams", True)
    status, body = await answer(client, delivery["link"], "done")
    await hass.async_block_till_done()
    for _ in range(3):
        status, body = await answer(client, delivery["link"], "status")
        assert (status, body["phase"], body["lock"]) == (200, "relock_failed", "jammed")
        assert "could not be locked" in body["view"]["message"]
        assert "owner has been alerted" in body["view"]["message"]
        assert body["view"]["tone"] == "problem"
        assert body["view"]["poll"] is True
        assert body["view"]["final"] is False  # a visit not yet locked keeps its page
    response = await post_link(client, delivery["link"], "status", form=True)
    assert "Locked" not in await response.text()

    await set_switch(hass, "input_boolean.sim_lock_jams", False)
    await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
    await hass.async_block_till_done()
    status, body = await answer(client, delivery["link"], "status")
    assert (body["phase"], body["lock"], body["view"]["message"]) == ("done", "locked", "Locked — thank you!")


async def test_form_posts_answer_with_the_page_in_german(hass: HomeAssistant, client: Client) -> None:
    """A browser without script posts a form: it gets the page back, in German where it asks for it."""
    delivery = await schedule_now(hass)
    response = await post_link(client, delivery["link"], "unlock", form=True, language="de-DE,de;q=0.9,en;q=0.5")
    assert response.status == 200
    html = await response.text()
    assert response.content_type == "text/html"
    assert 'lang="de"' in html
    assert "Fertig" in html
    assert "Legen Sie das Paket hinein" in html  # couriers are addressed formally
    assert f'name="pass" value="{delivery["token"]}"' in html  # the token rides in the next form's body
    assert response.headers["Cache-Control"] == "no-store"


async def test_old_query_links_keep_working(hass: HomeAssistant, client: Client) -> None:
    """Links handed out before (`?pass=`) still admit, with the token taken from the query."""
    delivery = await schedule_now(hass)
    path, token = link_parts(delivery["link"])
    response = await client.post(f"{path}?pass={token}", json={"action": "unlock"})
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    page = await client.get(f"{path}?pass={token}")
    assert "Front door" not in await page.text()  # a preview of an old link names nothing either


@pytest.mark.parametrize(
    ("start_in", "status", "reason"),
    [
        (timedelta(minutes=30), 403, "too_early"),
        (timedelta(minutes=14), 200, None),  # inside the 15 minutes of grace before the window
    ],
)
async def test_early_and_grace_before(
    hass: HomeAssistant, client: Client, start_in: timedelta, status: int, reason: str | None
) -> None:
    """Early is refused (and the door stays locked); within the grace before the window is admitted."""
    delivery = await schedule_now(hass, start_in=start_in, hours=1)
    assert (await answer(client, delivery["link"], "unlock"))[0] == status
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == ("unlocked" if status == 200 else "locked")
    if reason:
        assert (await answer(client, delivery["link"], "unlock"))[1]["reason"] == reason


async def test_grace_after_the_window(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """A courier 10 minutes late still gets in."""
    delivery = await schedule_now(hass, start_in=timedelta(minutes=1), hours=1)
    freezer.tick(timedelta(hours=1, minutes=11))
    assert (await answer(client, delivery["link"], "unlock"))[0] == 200


async def test_late_arrival_refused(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """After the window and its grace the link no longer opens the door."""
    delivery = await schedule_now(hass, start_in=timedelta(minutes=1), hours=1)
    freezer.tick(timedelta(hours=1, minutes=17))
    status, body = await answer(client, delivery["link"], "unlock")
    assert status == 403
    assert body["reason"] in ("too_late", "used")
    assert hass.states.get(LOCK).state == "locked"


async def test_cancelled_and_renewed_links(hass: HomeAssistant, client: Client) -> None:
    """A cancelled delivery's link is refused; after a renewal the old link is unknown and the new one works."""
    first = await schedule_now(hass)
    renewed = await hass.services.async_call(
        DOMAIN,
        "renew_link",
        {"config_entry_id": ENTRY_ID, "pass_id": first["delivery_id"]},
        blocking=True,
        return_response=True,
    )
    status, body = await answer(client, first["link"], "status")
    assert (status, body["view"]["message"], body["view"]["final"]) == (401, "This link is not valid.", True)
    assert (await answer(client, renewed["link"], "status"))[0] == 200

    second = await schedule_now(hass)
    await hass.services.async_call(
        DOMAIN, "cancel_delivery", {"config_entry_id": ENTRY_ID, "delivery_id": second["delivery_id"]}, blocking=True
    )
    assert await answer(client, second["link"], "unlock") == (
        403,
        {
            "result": "refused",
            "reason": "revoked",
            "visit_id": None,
            "phase": "idle",
            "lock": None,
            "live": False,
            "view": {
                "title": "Front door",
                "detail": "DHL",
                "window": (await answer(client, second["link"], "status"))[1]["view"]["window"],
                "message": "This link is no longer valid.",
                "tone": "problem",
                "button": None,
                "also": None,
                "poll": False,
                "final": True,
            },
        },
    )


async def test_statuses_of_the_entrance(hass: HomeAssistant, client: Client) -> None:
    """409 while another visit runs, 423 when not accepting, 503 when the lock is unavailable."""
    first, second = await schedule_now(hass), await schedule_now(hass)
    assert (await answer(client, first["link"], "unlock"))[0] == 200
    status, body = await answer(client, second["link"], "unlock")
    assert (status, body["phase"], body["lock"]) == (409, "idle", None)  # someone else's visit stays theirs
    await hass.services.async_call(DOMAIN, "end_visit", {"config_entry_id": ENTRY_ID}, blocking=True)
    await hass.async_block_till_done()

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.front_door_deliveries_allowed"}, blocking=True
    )
    status, body = await answer(client, second["link"], "status")
    assert body["view"]["message"] == "Deliveries are not accepted right now."  # before anything is tapped
    assert body["view"]["button"] is None
    assert body["view"]["final"] is False  # for now: the page keeps its token
    assert (await answer(client, second["link"], "unlock"))[0] == 423
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": "switch.front_door_deliveries_allowed"}, blocking=True
    )

    await set_switch(hass, "input_boolean.sim_lock_online", False)
    status, body = await answer(client, second["link"], "unlock")
    assert (status, body["reason"]) == (503, "lock_unavailable")
    await set_switch(hass, "input_boolean.sim_lock_online", True)
    await set_lock_state(hass, "jammed")
    response = await post_link(client, second["link"], "unlock", form=True)
    assert response.status == 503
    assert "cannot be opened" in await response.text()


@pytest.mark.parametrize(
    "body",
    [
        {"json": {"action": "explode"}},
        {"json": ["unlock"]},
        {"data": "action=unlock&" + "x" * 5000, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"data": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
        {"data": "{not json", "headers": {"Content-Type": "application/json"}},
        {"data": b""},
    ],
)
async def test_malformed_requests_change_nothing(hass: HomeAssistant, client: Client, body: dict[str, Any]) -> None:
    """Unknown actions, wrong shapes, oversized, broken or missing bodies: 400, and the door stays locked."""
    delivery = await schedule_now(hass)
    response = await client.post(link_parts(delivery["link"])[0], **body)
    assert response.status == 400
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


async def test_malformed_action_with_a_valid_token(hass: HomeAssistant, client: Client) -> None:
    """A valid token with an unknown action: 400, nothing happens, the page still reads as the pass's."""
    delivery = await schedule_now(hass)
    status, body = await answer(client, delivery["link"], "explode")
    assert (status, body["reason"], body["view"]["title"], body["view"]["final"]) == (
        400,
        "malformed",
        "Front door",
        False,
    )
    assert hass.states.get(LOCK).state == "locked"


async def test_wrong_tokens_say_nothing(hass: HomeAssistant, client: Client) -> None:
    """A token with one character changed, a missing token and a made-up one all get the same 401."""
    delivery = await schedule_now(hass)
    token = delivery["token"]
    answers = set()
    for variant in (token[:-1] + ("A" if token[-1] != "A" else "B"), "", "x" * 200):
        response = await post_link(client, delivery["link"], "unlock", token=variant, address="198.51.100.1")
        answers.add((response.status, str(await response.json())))
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 401
    assert body.startswith("{'result': 'refused', 'reason': 'unknown_link', 'visit_id': None, 'phase': None")
    assert "This link is not valid." in body
    assert "Front door" not in body  # the page's view names nothing of the home


async def test_lockout_never_refuses_a_valid_token(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory
) -> None:
    """Ten failures lock an address out for further failures; a valid link from that very address gets in."""
    delivery = await schedule_now(hass)
    for _ in range(10):
        response = await post_link(client, delivery["link"], "unlock", token="guess", address="192.0.2.66")
        assert response.status == 401
    response = await post_link(client, delivery["link"], "unlock", token="guess", address="192.0.2.66")
    assert response.status == 429
    assert hass.states.get(LOCK).state == "locked"

    assert (await answer(client, delivery["link"], "unlock", address="192.0.2.66"))[0] == 200

    freezer.tick(timedelta(minutes=16))
    response = await post_link(client, delivery["link"], "status", token="guess", address="192.0.2.66")
    assert response.status == 401


async def test_flood_alerts_the_owner_once(
    hass: HomeAssistant, client: Client, phone_messages: list[ServiceCall]
) -> None:
    """Many failures across addresses: one critical alert, not one per request."""
    delivery = await schedule_now(hass)
    for number in range(120):
        await post_link(client, delivery["link"], "unlock", token="nope", address=f"198.51.100.{number}")
    await hass.async_block_till_done()
    floods = [call for call in phone_messages if "Many failed attempts" in call.data["message"]]
    assert len(floods) == 1
    assert floods[0].data["data"]["push"]["interruption-level"] == "critical"


async def test_refused_presses_notify_once(
    hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory, phone_messages: list[ServiceCall]
) -> None:
    """Thirty presses of a link outside its window: one notification; ten minutes later, one more."""
    delivery = await schedule_now(hass, start_in=timedelta(hours=3), hours=1)
    for _ in range(30):
        assert (await answer(client, delivery["link"], "unlock"))[0] == 403
    await hass.async_block_till_done()
    refused = [call for call in phone_messages if "refused" in call.data["message"]]
    assert len(refused) == 1
    freezer.tick(timedelta(minutes=11))
    await answer(client, delivery["link"], "unlock")
    await hass.async_block_till_done()
    assert len([call for call in phone_messages if "refused" in call.data["message"]]) == 2


async def test_two_couriers_at_the_same_instant(hass: HomeAssistant, client: Client, porch_camera: PorchCamera) -> None:
    """Two links (and one link twice) pressed while the first admission is being decided: one visit, one unlock."""
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    first, second = await schedule_now(hass), await schedule_now(hass)
    porch_camera.held = asyncio.Event()
    pressed = asyncio.ensure_future(answer(client, first["link"], "unlock"))
    await porch_camera.asked.wait()  # the first admission waits for its picture
    others = await asyncio.gather(
        answer(client, second["link"], "unlock", address="198.51.100.8"),
        answer(client, first["link"], "unlock", address="198.51.100.9"),
    )
    porch_camera.held.set()
    results = [await pressed, *others]
    await hass.async_block_till_done()
    assert [status for status, _ in results] == [200, 409, 409]
    assert (await answer(client, first["link"], "unlock"))[1]["result"] == "admitted"  # a tap on a visit that runs
    unlocks = [call for call in calls if call.data["domain"] == "lock" and call.data["service"] == "unlock"]
    assert len(unlocks) == 1
    assert hass.states.get(PHASE).state == "waiting_for_entry"


async def test_restart_between_scheduling_and_arrival(
    hass: HomeAssistant, client: Client, init_integration: MockConfigEntry
) -> None:
    """The entrance is set up again: the same link opens the door."""
    delivery = await schedule_now(hass)
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert (await answer(client, delivery["link"], "unlock"))[0] == 200


async def test_no_token_in_logs_states_or_diagnostics(
    hass: HomeAssistant,
    client: Client,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The token never reaches a log line (the access log included), a state, an event or diagnostics."""
    from pytest_homeassistant_custom_component.components.diagnostics import (  # noqa: PLC0415
        get_diagnostics_for_config_entry,
    )

    caplog.set_level("DEBUG")
    events = async_capture_events(hass, EVENT_IN_HOME_DELIVERY)
    delivery = await schedule_now(hass)
    link = delivery["link"]
    await client.get(link_parts(link)[0])
    for action in ("status", "arrive", "unlock"):
        await answer(client, link, action)
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await tick(hass, freezer, 11)
    token, webhook_id = delivery["token"], link_parts(link)[0].split("/")[3]
    access = [record.getMessage() for record in caplog.records if record.name == "aiohttp.access"]
    assert len(access) >= 4
    assert all(webhook_id in line and token not in line for line in access)
    assert all(token not in record.getMessage() for record in caplog.records)
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("custom_components")]
    assert ours
    assert all(webhook_id not in message for message in ours)
    for state in hass.states.async_all():
        assert token not in str(state.attributes)
        assert webhook_id not in str(state.attributes)
    assert all(token not in str(event.data) for event in events)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert token not in str(diagnostics)
    assert webhook_id not in str(diagnostics)


async def test_a_lock_that_never_unlocks(hass: HomeAssistant, client: Client, freezer: FrozenDateTimeFactory) -> None:
    """The page says the door is being unlocked, then that it could not be; never that it is open."""
    delivery = await schedule_now(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    await answer(client, delivery["link"], "unlock")
    await hass.async_block_till_done()
    _, body = await answer(client, delivery["link"], "status")
    assert (body["phase"], body["lock"], body["view"]["button"]) == ("unlocking", "locked", None)
    assert body["view"]["message"].startswith("Unlocking the door")
    await tick(hass, freezer, 31)
    _, body = await answer(client, delivery["link"], "status")
    assert (body["phase"], body["lock"], body["view"]["tone"]) == ("done", "locked", "problem")
    assert body["view"]["message"].startswith("The door could not be unlocked")


async def test_finished_but_unlocked_again_is_not_called_locked(hass: HomeAssistant, client: Client) -> None:
    """Right after the visit the owner unlocks by hand: the courier's page thanks, but does not say locked."""
    delivery = await schedule_now(hass)
    await answer(client, delivery["link"], "unlock")
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await answer(client, delivery["link"], "done")
    await hass.async_block_till_done()
    await set_lock_state(hass, "unlocked")
    _, body = await answer(client, delivery["link"], "status")
    assert (body["phase"], body["lock"]) == ("done", "unlocked")
    assert body["view"]["message"] == "Thank you, the visit is over."


async def wait_status(
    client: Client, link: str, *, seconds: float | str = 10, address: str = "203.0.113.7", **seen: str | None
) -> tuple[int, dict[str, Any], float]:
    """A waiting status as the page's script sends it (with what it shows), its answer and how long it took."""
    path, token = link_parts(link)
    loop = asyncio.get_running_loop()
    began = loop.time()
    response = await client.post(
        path,
        json={"pass": token, "action": "status", "wait": seconds, **seen},
        headers={"X-Forwarded-For": address},
    )
    return response.status, await response.json(), loop.time() - began


async def locking_visit(hass: HomeAssistant, client: Client) -> str:
    """A courier's visit after Done, the lock slow to answer: the page shows "locking". Its link."""
    link = (await schedule_now(hass))["link"]
    await answer(client, link, "unlock")
    await hass.async_block_till_done()
    await open_door(hass)
    await close_door(hass)
    await set_switch(hass, "input_boolean.sim_lock_responds", False)
    status, body = await answer(client, link, "done")
    assert (status, body["phase"], body["lock"]) == (200, "locking", "unlocked")
    return link


LOCKING = {"phase": "locking", "lock": "unlocked"}


async def test_a_waiting_status_is_answered_when_the_lock_reports(hass: HomeAssistant, client: Client) -> None:
    """The page waits on "locking"; the moment the lock reports locked, it is answered, not when its wait ends."""
    link = await locking_visit(hass, client)
    waiting = asyncio.create_task(wait_status(client, link, **LOCKING))
    await asyncio.sleep(0.3)
    assert not waiting.done()  # nothing changed: the status waits
    await set_lock_state(hass, "locked")
    status, body, took = await asyncio.wait_for(waiting, 2)
    assert (status, body["phase"], body["lock"], body["live"]) == (200, "done", "locked", True)
    assert body["view"]["message"] == "Locked — thank you!"
    assert took < 2  # its wait was 10 s


async def test_a_change_the_page_has_not_seen_is_answered_at_once(hass: HomeAssistant, client: Client) -> None:
    """The lock reports between two of the page's requests: the next waiting status does not wait for another."""
    link = await locking_visit(hass, client)
    status, body, took = await wait_status(client, link, seconds=0.5, **LOCKING)
    assert (status, body["phase"], body["live"]) == (200, "locking", True)
    assert took >= 0.5  # nothing changed: answered when its wait ended, no sooner
    await set_lock_state(hass, "locked")
    status, body, took = await wait_status(client, link, **LOCKING)
    assert (status, body["phase"], body["lock"], body["live"]) == (200, "done", "locked", True)
    assert took < 2


async def test_waiting_statuses_are_bounded_per_address_and_per_entrance(hass: HomeAssistant, client: Client) -> None:
    """One address holds a few waiting statuses, the entrance a few more; beyond them a status is answered at once."""
    link = await locking_visit(hass, client)
    first = [
        asyncio.create_task(wait_status(client, link, address="198.51.100.1", **LOCKING))
        for _ in range(MAX_WAITING_PER_ADDRESS + 1)
    ]
    done, pending = await asyncio.wait(first, timeout=2, return_when=asyncio.FIRST_COMPLETED)
    assert (len(done), len(pending)) == (1, MAX_WAITING_PER_ADDRESS)
    status, body, _took = done.pop().result()
    assert (status, body["phase"], body["live"]) == (200, "locking", False)  # the page polls instead

    others = [
        asyncio.create_task(wait_status(client, link, address=f"198.51.100.{10 + number // MAX_WAITING_PER_ADDRESS}"))
        for number in range(MAX_WAITING - MAX_WAITING_PER_ADDRESS)
    ]
    await asyncio.sleep(0.3)
    assert not any(task.done() for task in others)
    status, body, took = await wait_status(client, link, address="198.51.100.99", **LOCKING)
    assert (status, body["live"], took < 1) == (200, False, True)  # the entrance holds no more

    await set_lock_state(hass, "locked")
    answers = await asyncio.wait_for(asyncio.gather(*pending, *others), 2)
    assert len(answers) == MAX_WAITING
    assert {(body["phase"], body["lock"], body["live"]) for _status, body, _took in answers} == {
        ("done", "locked", True)
    }
    status, body, took = await wait_status(
        client, link, seconds=0.2, address="198.51.100.1", phase="done", lock="locked"
    )
    assert (body["live"], took >= 0.2) == (True, True)  # the places are free again


@pytest.mark.parametrize("seconds", ["soon", -1, True, None])
async def test_a_wait_that_is_no_number_is_malformed(hass: HomeAssistant, client: Client, seconds: Any) -> None:
    """A wait that is not a number of seconds: 400, at once."""
    link = await locking_visit(hass, client)
    status, body, took = await wait_status(client, link, seconds=seconds, **LOCKING)
    assert (status, body["reason"], took < 1) == (400, "malformed", True)


async def test_only_a_valid_link_waits(hass: HomeAssistant, client: Client) -> None:
    """An unknown token asking to wait is refused at once (and counted as a failure), not held open."""
    link = await locking_visit(hass, client)
    path, _token = link_parts(link)
    status, body, took = await wait_status(client, f"{path}#pass=guess", **LOCKING)
    assert (status, body["reason"], took < 1) == (401, "unknown_link", True)


async def test_stopping_the_entrance_answers_waiting_statuses(
    hass: HomeAssistant, client: Client, init_integration: MockConfigEntry
) -> None:
    """A reload (as when Home Assistant stops) answers the waiting page at once instead of holding it."""
    link = await locking_visit(hass, client)
    waiting = asyncio.create_task(wait_status(client, link, **LOCKING))
    await asyncio.sleep(0.3)
    await hass.config_entries.async_unload(init_integration.entry_id)
    status, _body, took = await asyncio.wait_for(waiting, 2)
    assert (status, took < 2) == (200, True)
