"""Prepare the development Home Assistant the way a newcomer would by hand, through its public APIs.

On first start: onboarding with the development login, a camera on the simulated porch picture, and
the "Front door" entrance on the simulated hardware (with the simulated lock's keypad in its *Keypad
codes* section, a DHL carrier link, and the simulated DHL parcel counter as a source of expected
deliveries) and the "Garage" entrance; then the In-Home Delivery dashboard becomes the default. A Front
door set up before the keypad existed gets it through its Reconfigure form. Run by scripts/develop while
Home Assistant starts (and by scripts/test-newest, on a copy of config/ named by IHD_DEMO_CONFIG); does
nothing where that is already done. The DHL link is kept in config/demo-links.txt; at every start a
persistent notification says where.

scripts/develop also asks it for the demo's port (--demo-port): the one it ran on before, so that a restart
keeps its links working.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
import json
import logging
import os
from pathlib import Path
import re
import socket
import sys
from typing import Any
import urllib.request

import aiohttp

# scripts/develop picks the port (a free one from 8123 on, or --port) and says which instance it started.
BASE = os.environ.get("IHD_DEMO_URL", "http://127.0.0.1:8123")
CLIENT_ID = f"{BASE}/"
INSTANCE_FILE = "demo-instance.txt"  # in config/www, served at /local/: proves which Home Assistant answers
LINKS_FILE = "demo-links.txt"  # in config/ (never served, never committed): the links the demo handed out
FIRST_PORT = 8123
USERNAME = "dev"
PASSWORD = "dev"
ROOT = Path(__file__).resolve().parent.parent
# scripts/test-newest runs the same demo in a fresh directory of its own.
CONFIG = Path(os.environ.get("IHD_DEMO_CONFIG") or ROOT / "config").resolve()
DHL_COUNTER = "sensor.dhl_parcels_out_for_delivery"
# Front door's keypad: the simulated lock's (config/simulated_keypad.yaml), written to and cleared through the
# owner's two scripts, as a Nuki Hub owner's would be; slots 20-29 are In-Home Delivery's, codes have 6 digits.
# As the owner fills in the entrance form's *Keypad codes* section.
DEMO_KEYPAD_FORM = {
    "provider": "script",
    "slots": "20-29",
    "code_length": 6,
    "set_script": "script.sim_keypad_set_code",
    "clear_script": "script.sim_keypad_clear_code",
}
PORCH_CAMERA = "camera.porch_camera"
FRONT_DOOR_FORM = {
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
    "keypad": DEMO_KEYPAD_FORM,
}
# The address part of a link in LINKS_FILE, up to its webhook path: what changes when the demo's port does.
LINK_BASE = re.compile(r"^https?://[^/\s]+(?=/api/webhook/)", re.MULTILINE)
LINKS_HEADER = """\
# The links the In-Home Delivery demo handed out (scripts/develop writes them here; a link is shown nowhere else).
# Each one opens a door like a key: this file is yours alone. A renewed link (renew_link) stops the old one.
"""
DHL_LINK_LABEL = (
    "Front door's DHL carrier link (raise DHL parcels out for delivery above 0 on the Simulation card, then open it)"
)
# The persistent notification that says where the links are (never the links: a notification is no place for a key).
LINKS_NOTIFICATION_ID = "in_home_delivery_demo_links"
LINKS_NOTIFICATION = {
    "en": (
        "The demo's DHL link",
        "Front door's DHL carrier link is in the file `{path}` on the computer that runs the demo. A link opens"
        " the door like a key, so it is not shown here. To try it, raise *DHL parcels out for delivery* above 0"
        " on the *Simulation* card, then open the link.",
    ),
    "de": (
        "Der DHL-Link der Demo",
        "Der DHL-Link der Haustür (Front door) steht in der Datei `{path}` auf dem Rechner, auf dem die Demo"
        " läuft. Ein Link öffnet die Tür wie ein Schlüssel und wird deshalb hier nicht gezeigt. Zum Ausprobieren"
        " *DHL parcels out for delivery* auf der Karte *Simulation* über 0 stellen und dann den Link öffnen.",
    ),
}


def listened_on(port: int) -> bool:
    """Whether something listens on `port`: a connection to it is accepted, or it cannot be bound even with
    SO_REUSEADDR, as Home Assistant binds it. A port whose server has just stopped, its last connections
    still closing (TIME_WAIT), is not taken: Home Assistant starts on it again at once."""
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            if probe.connect_ex((address, port)) == 0:
                return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))  # Home Assistant listens on every address
        except OSError:
            return True
    return False


def free_port(first: int = FIRST_PORT, tries: int = 100) -> int:
    """The first port from `first` on that nothing listens on (a Home Assistant may already use 8123)."""
    for port in range(first, first + tries):
        if not listened_on(port):
            return port
    sys.exit(f"No free port between {first} and {first + tries - 1}; pass one with --port")


def remembered_port() -> int | None:
    """The port the demo in CONFIG was last started on: its Home Assistant's own setting (.storage/http)."""
    try:
        store = json.loads((CONFIG / ".storage" / "http").read_text(encoding="utf-8"))
        return int(store["data"]["stable"]["server_port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def demo_port() -> int:
    """The port for the demo in CONFIG: the one it ran on before, so that its links keep working (a restart
    right after a stop included); a free one from 8123 on where it never ran or something else took it."""
    if (port := remembered_port()) is None:
        return free_port()
    if not listened_on(port):
        return port
    if demo_answers_on(port):
        sys.exit(
            f"The demo already runs at http://127.0.0.1:{port} (scripts/develop in another terminal?): "
            "stop it first, or open that address."
        )
    moved = free_port()
    print(
        f"Port {port}, where this demo ran before, is taken by another program: the demo moves to {moved},"
        f" and the links it saved ({CONFIG / LINKS_FILE}) move with it.",
        file=sys.stderr,
    )
    return moved


def demo_answers_on(port: int) -> bool:
    """Whether the Home Assistant at `port` is this demo's, still running: it serves the word that
    scripts/develop left in CONFIG/www when it started it (nothing else is asked of it)."""
    try:
        instance = (CONFIG / "www" / INSTANCE_FILE).read_text(encoding="utf-8").strip()
        url = f"http://127.0.0.1:{port}/local/{INSTANCE_FILE}"
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(instance) and response.read().decode().strip() == instance
    except (OSError, ValueError):
        return False


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
    async with session.post(f"{url}/{flow['flow_id']}", json=options, headers=headers) as response:
        flow = await response.json()
    # The next step names the counter's carrier; its one field is labelled with the sensor's name.
    carriers = {field["name"]: "DHL" for field in flow.get("data_schema") or []}
    async with session.post(f"{url}/{flow['flow_id']}", json=carriers, headers=headers) as response:
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


async def add_front_door(session: aiohttp.ClientSession, token: str) -> str:
    """The Front door entrance on the simulated hardware, its keypad included, as an owner fills in its form."""
    await wait_for_entities(session, token, DEMO_KEYPAD_FORM["set_script"], DEMO_KEYPAD_FORM["clear_script"])
    return await config_flow(session, token, "in_home_delivery", FRONT_DOOR_FORM)


async def wait_for_entities(session: aiohttp.ClientSession, token: str, *entity_ids: str) -> None:
    """Wait until Home Assistant has set up these entities (it answers before it has set up everything)."""
    headers = {"Authorization": f"Bearer {token}"}
    for entity_id in entity_ids:
        for _ in range(240):
            async with session.get(f"{BASE}/api/states/{entity_id}", headers=headers) as response:
                if response.status == 200:
                    break
            await asyncio.sleep(0.5)
        else:
            sys.exit(f"{entity_id} did not appear within 2 minutes: see Home Assistant's log")


def form_values(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """What a form shows filled in (its suggested values), sections as nested values, as the frontend sends them."""
    values: dict[str, Any] = {}
    for field in fields:
        if field.get("type") == "expandable":
            values[field["name"]] = form_values(field["schema"])
        elif (value := (field.get("description") or {}).get("suggested_value")) is not None:
            values[field["name"]] = value
    return values


async def give_keypad(session: aiohttp.ClientSession, token: str, entry_id: str) -> None:
    """Front door, set up before the keypad existed, gets the simulated lock's keypad as an owner gives it:
    the entrance's Reconfigure form, its *Keypad codes* section filled in, everything else as it was. An
    entrance that already has a keypad (the demo's or one its owner chose) is left as it is."""
    await wait_for_entities(session, token, DEMO_KEYPAD_FORM["set_script"], DEMO_KEYPAD_FORM["clear_script"])
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{BASE}/api/config/config_entries/flow"
    # As the frontend's Reconfigure starts it: the entry's id makes it the entry's reconfigure flow.
    start = {"handler": "in_home_delivery", "entry_id": entry_id, "show_advanced_options": False}
    async with session.post(url, json=start, headers=headers) as response:
        flow = await response.json()
    if flow.get("type") != "form":
        sys.exit(f"Front door's Reconfigure did not open: {flow}")
    values = form_values(flow["data_schema"])
    if values.get("keypad", {}).get("provider", "none") != "none":
        async with session.delete(f"{url}/{flow['flow_id']}", headers=headers):
            return  # closed unchanged, as an owner closes the dialog
    async with session.post(
        f"{url}/{flow['flow_id']}", json=values | {"keypad": DEMO_KEYPAD_FORM}, headers=headers
    ) as response:
        result = await response.json()
    if result.get("type") != "abort" or result.get("reason") != "reconfigure_successful":
        sys.exit(f"Giving Front door its keypad failed: {result}")


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


def save_link(label: str, link: str) -> Path:
    """Keep a link the demo handed out in CONFIG/demo-links.txt, a file only its owner can read."""
    path = CONFIG / LINKS_FILE
    text = path.read_text(encoding="utf-8") if path.exists() else LINKS_HEADER
    write_private(path, f"{text}\n{label}:\n{link}\n")
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file that only its owner can read, from its first byte on."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file made earlier by hand, too
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def links_follow_port() -> Path | None:
    """The saved links, pointed at the demo's address of this start (where it had to move to another port,
    the links' webhooks and tokens are unchanged: only the address is); None where the demo saved none."""
    path = CONFIG / LINKS_FILE
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if (moved := LINK_BASE.sub(BASE, text)) != text:
        write_private(path, moved)
    return path


async def announce_links(session: aiohttp.ClientSession, token: str, path: Path) -> None:
    """A persistent notification, in Home Assistant's language, that says in which file the links are."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{BASE}/api/config", headers=headers) as response:
        language = str((await response.json()).get("language") or "en").split("-")[0]
    title, message = LINKS_NOTIFICATION.get(language, LINKS_NOTIFICATION["en"])
    notification = {"notification_id": LINKS_NOTIFICATION_ID, "title": title, "message": message.format(path=path)}
    async with session.post(
        f"{BASE}/api/services/persistent_notification/create", json=notification, headers=headers
    ) as response:
        response.raise_for_status()


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
        if "Front door" in existing:
            entry_id = existing["Front door"]
            # A demo set up before the keypad existed gets it, as its owner would add it.
            await give_keypad(session, token, entry_id)
        else:
            entry_id = await add_front_door(session, token)
            # The link first: setting the options reloads the entrance. A secret, like a key: kept in a file
            # of the owner's, never printed (a terminal's lines end up in logs).
            save_link(DHL_LINK_LABEL, await add_carrier_link(session, token, entry_id))
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
        if links := links_follow_port():
            await announce_links(session, token, links)
    print(f"Ready: open {BASE} and log in as {USERNAME} / {PASSWORD}")
    if links:
        print(f"Front door's DHL link is in {links} (raise DHL parcels out for delivery above 0, then open it)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--free-port"]:
        print(free_port(*map(int, sys.argv[2:3])))
    elif sys.argv[1:2] == ["--demo-port"]:
        print(demo_port())
    elif sys.argv[1:2] == ["--http-port"]:
        write_http_port(int(sys.argv[2]))
    else:
        asyncio.run(main())
