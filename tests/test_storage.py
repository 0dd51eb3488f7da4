"""Storage at scale: the pass index agrees with a scan, passes are on disk before their token is answered,
and the first release's store moves over with every pass and link still working."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta
import sqlite3
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.in_home_delivery.const import DOMAIN
from custom_components.in_home_delivery.core.guests import Guest, Schedule
from custom_components.in_home_delivery.core.passes import Delivery, DeliveryStatus
from custom_components.in_home_delivery.core.passindex import PassIndex
from custom_components.in_home_delivery.core.tokens import hash_token
from custom_components.in_home_delivery.store import passes_path
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import LOCK
from .helpers import ENTRY_ID, post_link, schedule_now

BASE = datetime(2026, 11, 1, tzinfo=UTC)
minutes = st.integers(0, 20 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))
pass_ids = st.sampled_from([f"P{number:02d}" for number in range(30)])

deliveries = st.builds(
    lambda pass_id, start, length, status: Delivery(
        pass_id=pass_id,
        token_hash=f"h{pass_id}{start:%j%H%M}",
        window_start=start,
        window_end=start + timedelta(minutes=length),
        status=status,
    ),
    pass_ids,
    minutes,
    st.integers(1, 24 * 60),
    st.sampled_from(list(DeliveryStatus)),
)
guests = st.builds(
    lambda pass_id, valid_from, valid_until, revoked: Guest(
        pass_id=pass_id,
        token_hash=f"g{pass_id}",
        name="Guest",
        schedule=Schedule(weekdays=("mon",)),
        valid_from=valid_from,
        valid_until=valid_until,
        revoked=revoked,
    ),
    pass_ids,
    st.none() | minutes,
    st.none() | minutes,
    st.booleans(),
)
operations = st.lists(st.tuples(st.sampled_from(["put", "remove"]), deliveries | guests), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.lists(deliveries | guests, max_size=30), steps=operations, now=minutes, span=st.integers(0, 3000))
def test_pass_index_agrees_with_a_scan(initial: list, steps: list, now: datetime, span: int) -> None:
    """Whatever passes are added, replaced and removed, every query of the index answers what a scan of
    every pass answers."""
    truth = {item.pass_id: item for item in initial}
    index = PassIndex(truth.values())
    for operation, item in steps:
        if operation == "put":
            truth[item.pass_id] = item
            index.put(item)
        else:
            truth.pop(item.pass_id, None)
            index.remove(item.pass_id)
    grace = timedelta(minutes=15)
    end = now + timedelta(minutes=span)
    every = list(truth.values())
    all_deliveries = [item for item in every if isinstance(item, Delivery)]
    scheduled = sorted(
        (item for item in all_deliveries if item.status is DeliveryStatus.SCHEDULED),
        key=lambda item: (item.window_start, item.pass_id),
    )

    assert len(index) == len(truth)
    assert all(index.get(pass_id) == item for pass_id, item in truth.items())
    assert all(
        index.by_hash(item.token_hash) == item
        for item in every
        if sum(other.token_hash == item.token_hash for other in every) == 1
    )
    assert [item.pass_id for item in index.deliveries_overlapping(now, end)] == [
        item.pass_id
        for item in sorted(all_deliveries, key=lambda item: (item.window_start, item.pass_id))
        if item.window_start < end and item.window_end > now
    ]
    assert list(index.upcoming(now)) == [item for item in scheduled if item.window_end > now]
    assert index.open_window(now, grace) == next(
        (item for item in scheduled if item.window_start - grace <= now <= item.window_end + grace), None
    )
    assert index.first_scheduled_end() == min((item.window_end for item in scheduled), default=None)
    assert sorted(item.pass_id for item in index.scheduled_ended_by(now)) == sorted(
        item.pass_id for item in scheduled if item.window_end <= now
    )
    assert sorted(item.pass_id for item in index.guests_overlapping(now, end)) == sorted(
        item.pass_id
        for item in every
        if isinstance(item, Guest)
        and not item.revoked
        and (item.valid_until is None or item.valid_until >= now)
        and (item.valid_from is None or item.valid_from < end)
    )


async def list_passes(hass: HomeAssistant) -> list[dict[str, Any]]:
    """What list_passes answers."""
    result = await hass.services.async_call(
        DOMAIN, "list_passes", {"config_entry_id": ENTRY_ID}, blocking=True, return_response=True
    )
    assert result is not None
    return list(result["passes"])  # type: ignore[arg-type]


def stored_rows(hass: HomeAssistant) -> dict[str, str]:
    """The pass database as another process (or Home Assistant after a crash) reads it."""
    with closing(sqlite3.connect(passes_path(hass, ENTRY_ID))) as db:
        return dict(db.execute("SELECT pass_id, data FROM passes"))


@pytest.fixture
async def client(hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator) -> Any:
    """An HTTP client from the internet."""
    assert await async_setup_component(hass, "http", {})
    await hass.config.async_update(external_url="https://home.example.org")
    return await hass_client_no_auth()


async def test_pass_is_on_disk_before_its_token_is_answered(
    hass: HomeAssistant, init_integration: MockConfigEntry, client: Any
) -> None:
    """Home Assistant dies after the pass is written and before the link is answered: after the restart
    the pass is there, and the token it was made with opens the door."""
    tokens: list[str] = []

    def keep(token: str) -> str:
        tokens.append(token)
        return token

    from custom_components.in_home_delivery import passchanges  # noqa: PLC0415

    made = passchanges.new_token
    with (
        patch.object(passchanges, "new_token", lambda: keep(made())),
        patch("custom_components.in_home_delivery.services.async_pass_link", side_effect=RuntimeError("crash")),
        pytest.raises(RuntimeError),
    ):
        await schedule_now(hass)
    (token,) = tokens
    (row,) = stored_rows(hass).values()
    assert hash_token(token) in row
    assert token not in row
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    (listed,) = await list_passes(hass)
    assert listed["status"] == "scheduled"
    webhook_id = init_integration.runtime_data.passes.webhook_id
    response = await post_link(client, f"https://home.example.org/api/webhook/{webhook_id}#pass={token}", "unlock")
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


@pytest.mark.usefixtures("init_integration")
async def test_a_failed_write_changes_nothing(hass: HomeAssistant) -> None:
    """The disk refuses the write: a clear error, no link, no pass."""
    await schedule_now(hass, carrier="UPS")
    with (
        patch("custom_components.in_home_delivery.store.PassStore._write", side_effect=sqlite3.OperationalError),
        pytest.raises(HomeAssistantError) as raised,
    ):
        await schedule_now(hass)
    assert raised.value.translation_key == "pass_not_stored"
    assert [item["carrier"] for item in await list_passes(hass)] == ["UPS"]
    assert len(stored_rows(hass)) == 1


async def test_the_first_release_store_moves_over(
    hass: HomeAssistant,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A store of the first release (passes, visit and history in one file) is moved: every pass is
    listed, its old link opens the door, the history stays, and the entrance store no longer holds them."""
    now = dt_util.utcnow()
    token = "firstReleaseToken-0123456789abcdefghijk"
    hass_storage[f"{DOMAIN}.{ENTRY_ID}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{ENTRY_ID}",
        "data": {
            "webhook_id": "0123456789abcdef0123456789abcdef",
            "visit": None,
            "remembered": {"lights_turned_on": [], "alarm_mode": None},
            "history": [{"visit_id": "01OLD", "pass_label": "Owner", "outcome": "locked", "files": []}],
            "last_picture": None,
            "passes": [
                {
                    "kind": "delivery",
                    "pass_id": "01DELIVERY",
                    "token_hash": hash_token(token),
                    "window_start": (now - timedelta(minutes=5)).isoformat(),
                    "window_end": (now + timedelta(hours=1)).isoformat(),
                    "carrier": "DHL",
                    "description": None,
                    "tracking_number": "00340434161094042557",
                    "status": "scheduled",
                },
                {
                    "kind": "guest",
                    "pass_id": "01GUEST",
                    "token_hash": hash_token("another-token"),
                    "name": "Maria",
                    "schedule": {"weekdays": ["mon"], "start_time": "08:00:00", "end_time": "12:00:00"},
                    "revoked": False,
                },
            ],
        },
    }
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert sorted(item["pass_id"] for item in await list_passes(hass)) == ["01DELIVERY", "01GUEST"]
    assert sorted(stored_rows(hass)) == ["01DELIVERY", "01GUEST"]
    stored = hass_storage[f"{DOMAIN}.{ENTRY_ID}"]
    assert "passes" not in stored["data"]
    assert stored["data"]["webhook_id"] == "0123456789abcdef0123456789abcdef"
    assert stored["data"]["history"][0]["visit_id"] == "01OLD"
    link = f"https://home.example.org/api/webhook/0123456789abcdef0123456789abcdef#pass={token}"
    response = await post_link(await hass_client_no_auth(), link, "unlock")
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"


async def test_removing_the_entrance_deletes_its_passes(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Deleting the entrance deletes its pass database with it."""
    await schedule_now(hass)
    assert passes_path(hass, ENTRY_ID).exists()
    await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert not passes_path(hass, ENTRY_ID).exists()


async def test_a_backup_copies_a_consistent_database(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """Before a backup every pass is in the database's main file; passes made during the backup are kept,
    and the copy of the main file alone already holds everything made before it."""
    from custom_components.in_home_delivery import backup  # noqa: PLC0415

    await schedule_now(hass, carrier="DHL")
    await backup.async_pre_backup(hass)
    path = passes_path(hass, ENTRY_ID)
    copy = path.with_name("copy.db")
    copy.write_bytes(path.read_bytes())  # what the backup archives, without the write-ahead log
    await schedule_now(hass, carrier="UPS")  # made while the backup runs
    await backup.async_post_backup(hass)
    with closing(sqlite3.connect(copy)) as db:
        assert [row[0] for row in db.execute("SELECT json_extract(data, '$.carrier') FROM passes")] == ["DHL"]
    assert sorted(item["carrier"] for item in await list_passes(hass)) == ["DHL", "UPS"]
    assert len(stored_rows(hass)) == 2
