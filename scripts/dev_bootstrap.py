"""Prepare the development Home Assistant the way a newcomer would by hand, through its public APIs.

On first start: onboarding with the development login, a camera on the simulated porch picture, and
the "Front door" entrance on the simulated hardware (with a DHL carrier link and the simulated DHL
parcel counter as a source of expected deliveries) and the "Garage" entrance; then the In-Home Delivery dashboard becomes the
default. Run by scripts/develop while Home Assistant starts (and by scripts/test-newest, on a copy of
config/ named by IHD_DEMO_CONFIG); does nothing where that is already done.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
import logging
import os
from pathlib import Path
import socket
import sys
from typing import Any

import aiohttp

# scripts/develop picks the port (a free one from 8123 on, or --port) and says which instance it started.
BASE = os.environ.get("IHD_DEMO_URL", "http://127.0.0.1:8123")
CLIENT_ID = f"{BASE}/"
INSTANCE_FILE = "demo-instance.txt"  # in config/www, served at /local/: proves which Home Assistant answers
FIRST_PORT = 8123
USERNAME = "dev"
PASSWORD = "dev"
ROOT = Path(__file__).resolve().parent.parent
# scripts/test-newest runs the same demo in a fresh directory of its own.
CONFIG = Path(os.environ.get("IHD_DEMO_CONFIG") or ROOT / "config").resolve()
DHL_COUNTER = "sensor.dhl_parcels_out_for_delivery"
PORCH_CAMERA = "camera.porch_camera"


def free_port(first: int = FIRST_PORT, tries: int = 100) -> int:
    """The first port from `first` on that nothing listens on (a Home Assistant may already use 8123)."""
    for port in range(first, first + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"No free port between {first} and {first + tries - 1}; pass one with --port")


def write_http_port(port: int) -> None:
    """Make Home Assistant listen on `port`: its HTTP settings live in .storage/http (YAML is only
    imported once), and a changed port would otherwise be a trial that reverts after five minutes."""
    from homeassistant.components.http.config import HTTP_STORAGE_SCHEMA  # noqa: PLC0415

    path = CONFIG / ".storage" / "http"
    store: dict[str, Any] = {"version": 2, "minor_version": 2, "key": "http", "data": {"stable": {}}}
    if path.exists():
        store = json.loads(path.read_text(encoding="utf-8"))
    meta = ("created_at", "error", "error_message")
    stable = {key: value for key, value in store["data"].get("stable", {}).items() if key not in meta}
    store["data"] = {
        "stable": dict(HTTP_STORAGE_SCHEMA({**stable, "server_port": port}))
        | {"created_at": datetime.now(UTC).isoformat(), "error": None, "error_message": None},
        "pending": None,
        "yaml_migration_done": True,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(store, indent=2), encoding="utf-8")


async def is_ours(session: aiohttp.ClientSession, instance: str) -> bool:
    """Whether the Home Assistant at BASE is the one scripts/develop started with this checkout's config.

    scripts/develop writes a random word to config/www/demo-instance.txt; only our Home Assistant
    serves that file (at /local/). Nothing is sent to any other Home Assistant: no login, no setup.
    """
    try:
        async with session.get(f"{BASE}/local/{INSTANCE_FILE}") as response:
            return response.status == 200 and (await response.text()).strip() == instance
    except aiohttp.ClientError:
        return False


async def wait_for_api(session: aiohttp.ClientSession) -> bool:
    """Wait until Home Assistant answers; return whether onboarding is still to do."""
    for _ in range(600):
        try:
            async with session.get(f"{BASE}/api/onboarding") as response:
                if response.status == 200:
                    return not all(step["done"] for step in await response.json())
                if response.status == 404:  # onboarding is over and its API gone
                    return False
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(1)
    sys.exit("Home Assistant did not answer within 10 minutes")


async def token_from_code(session: aiohttp.ClientSession, code: str) -> str:
    """Exchange an authorization code for an access token."""
    data = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
    async with session.post(f"{BASE}/auth/token", data=data) as response:
        response.raise_for_status()
        return str((await response.json())["access_token"])


async def login(session: aiohttp.ClientSession) -> str:
    """Log in with the development login, as the login page would."""
    flow_data = {"client_id": CLIENT_ID, "handler": ["homeassistant", None], "redirect_uri": CLIENT_ID}
    async with session.post(f"{BASE}/auth/login_flow", json=flow_data) as response:
        flow = await response.json()
    credentials = {"username": USERNAME, "password": PASSWORD, "client_id": CLIENT_ID}
    async with session.post(f"{BASE}/auth/login_flow/{flow['flow_id']}", json=credentials) as response:
        result = await response.json()
    return await token_from_code(session, result["result"])


async def onboard(session: aiohttp.ClientSession) -> str:
    """Create the development user and finish every onboarding step."""
    user = {"client_id": CLIENT_ID, "name": "Developer", "username": USERNAME, "password": PASSWORD, "language": "en"}
    async with session.post(f"{BASE}/api/onboarding/users", json=user) as response:
        response.raise_for_status()
        token = await token_from_code(session, (await response.json())["auth_code"])
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{BASE}/api/onboarding") as response:
        done = {step["step"] for step in await response.json() if step["done"]}
    # scripts/develop marks core_config done beforehand: that step would add integrations that need the
    # internet (a weather forecast, a radio directory, online text-to-speech); configuration.yaml sets the home.
    for step, body in (
        ("core_config", {}),
        ("analytics", {}),
        ("integration", {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID}),
    ):
        if step in done:
            continue
        async with session.post(f"{BASE}/api/onboarding/{step}", json=body, headers=headers) as response:
            response.raise_for_status()
    return token


async def start_flow(session: aiohttp.ClientSession, token: str, handler: str) -> dict[str, Any]:
    """Start a config flow; return its first form (its fields are in `data_schema`)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{BASE}/api/config/config_entries/flow", json={"handler": handler}, headers=headers
    ) as response:
        return dict(await response.json())


async def config_flow(session: aiohttp.ClientSession, token: str, handler: str, user_input: dict[str, Any]) -> str:
    """Run a config flow's one form with user_input; return the new entry's id."""
    return await finish_flow(session, token, handler, await start_flow(session, token, handler), user_input)


async def finish_flow(
    session: aiohttp.ClientSession, token: str, handler: str, flow: dict[str, Any], user_input: dict[str, Any]
) -> str:
    """Submit a started flow's one form; return the new entry's id."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{BASE}/api/config/config_entries/flow/{flow['flow_id']}", json=user_input, headers=headers
    ) as response:
        result = await response.json()
    if result.get("type") != "create_entry":
        sys.exit(f"Setting up {handler} failed: {result}")
    return str(result["result"]["entry_id"])


async def entries(session: aiohttp.ClientSession, token: str, domain: str) -> list[dict[str, Any]]:
    """The config entries of a domain."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{BASE}/api/config/config_entries/entry?domain={domain}", headers=headers) as response:
        return list(await response.json())


async def delete_entry(session: aiohttp.ClientSession, token: str, entry_id: str) -> None:
    """Remove a config entry."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.delete(f"{BASE}/api/config/config_entries/entry/{entry_id}", headers=headers):
        pass


async def expect_dhl_parcels(session: aiohttp.ClientSession, token: str, entry_id: str) -> None:
    """Front door's options: the simulated DHL counter is a source of expected deliveries."""
    sys.path.insert(0, str(ROOT))
    # Importing the options' layout loads Home Assistant's camera module, which logs a traceback where
    # libturbojpeg is missing; scripts/develop has said that once already.
    logging.getLogger("homeassistant.components.camera.img_util").setLevel(logging.CRITICAL)
    from custom_components.in_home_delivery.options_flow import (  # noqa: PLC0415
        EXPECTED_DEFAULTS,
        OPTION_SECTIONS,
        as_duration,
    )
    from custom_components.in_home_delivery.settings import DEFAULT_OPTIONS  # noqa: PLC0415

    headers = {"Authorization": f"Bearer {token}"}
    options = {
        "timings": {key: as_duration(int(DEFAULT_OPTIONS[key])) for key in OPTION_SECTIONS["timings"]},
        "rules": {key: DEFAULT_OPTIONS[key] for key in OPTION_SECTIONS["rules"]},
        "access": {key: DEFAULT_OPTIONS[key] for key in OPTION_SECTIONS["access"]},
        # Deliveries around the clock, every day, so the DHL link can be tried whenever the demo runs
        # (an entrance's own delivery hours default to Mon-Sat, 08:00-20:00).
        "expected": EXPECTED_DEFAULTS
        | {
            "delivery_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "delivery_from": "00:00:00",
            "delivery_until": "00:00:00",
            "source_counters": [DHL_COUNTER],
        },
    }
    url = f"{BASE}/api/config/config_entries/options/flow"
    async with session.post(url, json={"handler": entry_id}, headers=headers) as response:
        flow = await response.json()
    for user_input in (options, {DHL_COUNTER: "DHL"}):
        async with session.post(f"{url}/{flow['flow_id']}", json=user_input, headers=headers) as response:
            flow = await response.json()
    if flow.get("type") != "create_entry":
        sys.exit(f"Setting Front door's sources failed: {flow}")


async def add_carrier_link(session: aiohttp.ClientSession, token: str, entry_id: str) -> str:
    """A standing DHL link, as an owner pastes into DHL's delivery instructions."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(
        f"{BASE}/api/services/in_home_delivery/add_carrier?return_response",
        json={"config_entry_id": entry_id, "name": "DHL"},
        headers=headers,
    ) as response:
        response.raise_for_status()
        return str((await response.json())["service_response"]["link"])


async def websocket(session: aiohttp.ClientSession, token: str, *commands: dict[str, Any]) -> list[Any]:
    """Send commands over the websocket API, one after the other; return their results."""
    results = []
    async with session.ws_connect(f"{BASE}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()
        for number, command in enumerate(commands, start=1):
            await ws.send_json({"id": number, **command})
            answer = await ws.receive_json()
            if not answer.get("success"):
                sys.exit(f"{command['type']} failed: {answer}")
            results.append(answer.get("result"))
    return results


async def add_porch_camera(session: aiohttp.ClientSession, token: str) -> None:
    """A camera showing the simulated porch picture (Home Assistant's local_file), named Porch camera.

    Up to Home Assistant 2026.10 local_file's form asks for the name. From 2026.11 it takes only the file
    and names the camera after it (front_door, the entrance's own camera's name); the camera is then named
    in its entity settings, as a user would.
    """
    flow = await start_flow(session, token, "local_file")
    takes_name = any(field["name"] == "name" for field in flow.get("data_schema", []))
    user_input = {"file_path": str(CONFIG / "www" / "front_door.jpg")}
    if takes_name:
        user_input["name"] = "Porch camera"
    entry_id = await finish_flow(session, token, "local_file", flow, user_input)
    if takes_name:
        return
    for _ in range(40):
        [registry] = await websocket(session, token, {"type": "config/entity_registry/list"})
        cameras = [entity["entity_id"] for entity in registry if entity["config_entry_id"] == entry_id]
        if cameras:
            break
        await asyncio.sleep(0.25)
    else:
        sys.exit("The local_file camera did not appear")
    rename = {"entity_id": cameras[0], "new_entity_id": PORCH_CAMERA, "name": "Porch camera"}
    await websocket(session, token, {"type": "config/entity_registry/update", **rename})


async def set_default_dashboard(session: aiohttp.ClientSession, token: str) -> None:
    """Open the In-Home Delivery dashboard first."""
    await websocket(
        session,
        token,
        {"type": "frontend/set_system_data", "key": "core", "value": {"default_panel": "in-home-delivery"}},
    )


def write_dashboard(entry_id: str, garage_entry_id: str) -> None:
    """Fill the entrances' ids into the dashboard."""
    template = (CONFIG / "dashboard.template.yaml").read_text(encoding="utf-8")
    dashboard = template.replace("${ENTRY_ID}", entry_id).replace("${GARAGE_ENTRY_ID}", garage_entry_id)
    (CONFIG / "dashboard.yaml").write_text(dashboard, encoding="utf-8")


async def main() -> None:
    """Onboard and configure once; afterwards only refresh the dashboard."""
    async with aiohttp.ClientSession() as session:
        onboarding = await wait_for_api(session)
        instance = os.environ.get("IHD_DEMO_INSTANCE") or (CONFIG / "www" / INSTANCE_FILE).read_text().strip()
        if not await is_ours(session, instance):
            sys.exit(f"The Home Assistant at {BASE} is not the one scripts/develop started; not touching it.")
        if not onboarding:
            token = await login(session)
        else:
            token = await onboard(session)
            # Onboarding adds a weather forecast that needs the internet; the demo does without it.
            for entry in await entries(session, token, "met"):
                await delete_entry(session, token, entry["entry_id"])
        if not await entries(session, token, "local_file"):
            await add_porch_camera(session, token)
        existing = {entry["title"]: entry["entry_id"] for entry in await entries(session, token, "in_home_delivery")}
        entry_id = existing.get("Front door") or await config_flow(
            session,
            token,
            "in_home_delivery",
            {
                "name": "Front door",
                "lock": "lock.smart_lock",
                "door": {
                    "door_sensor": "binary_sensor.door_contact",
                    "doorbell": "binary_sensor.doorbell",
                    "street_door": "button.street_door_opener",
                },
                "camera": {"camera": PORCH_CAMERA},
                "comfort": {"lights": ["light.hall_light"], "notify_targets": ["notify.persistent_notification"]},
                "alarm": {},
            },
        )
        carrier_link = None
        if "Front door" not in existing:
            # The link first: setting the options reloads the entrance.
            carrier_link = await add_carrier_link(session, token, entry_id)
            await expect_dhl_parcels(session, token, entry_id)
        garage_entry_id = existing.get("Garage") or await config_flow(
            session,
            token,
            "in_home_delivery",
            {
                "name": "Garage",
                "garage_door": "cover.garage_door",
                "door": {},
                "camera": {"camera": PORCH_CAMERA},
                "comfort": {"notify_targets": ["notify.persistent_notification"]},
                "alarm": {},
            },
        )
        write_dashboard(entry_id, garage_entry_id)
        await set_default_dashboard(session, token)
    print(f"Ready: open {BASE} and log in as {USERNAME} / {PASSWORD}")
    if carrier_link:
        # Shown once, here only: the link is a secret, like a key. renew_link makes a new one.
        print(f"Front door's DHL link (raise the simulated DHL parcels above 0, then open it): {carrier_link}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--free-port"]:
        print(free_port(*map(int, sys.argv[2:3])))
    elif sys.argv[1:2] == ["--http-port"]:
        write_http_port(int(sys.argv[2]))
    else:
        asyncio.run(main())
