"""The demo as a newcomer runs it (scripts/develop). It never touches another Home Assistant: it takes a
free port, and its bootstrap refuses a server that is not the Home Assistant scripts/develop started. Started
again, it comes back on its port, so the links it gave keep working; its DHL link can be found again; its
simulated hardware keeps its state over a restart, as real hardware does; and a missing FFmpeg is said once,
not warned at every start."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import importlib
import json
import logging
import os
from pathlib import Path
import socket
import stat
import sys
from types import ModuleType
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, mock_restore_cache
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.in_home_delivery.const import DOMAIN
from homeassistant.core import HomeAssistant, State
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict

from .conftest import DOOR, LOCK
from .helpers import ENTRY_ID, PHASE, close_door, tick

SCRIPTS = Path(__file__).parent.parent / "scripts"
CONFIGURATION = Path(__file__).parent.parent / "config" / "configuration.yaml"
TOKEN = "Vq3-the-carriers-secret-token"

# These tests listen on real local ports, as the demo does.
pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
def bootstrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """scripts/dev_bootstrap.py as scripts/develop runs it."""
    monkeypatch.syspath_prepend(str(SCRIPTS))
    module = importlib.import_module("dev_bootstrap")
    yield module
    sys.modules.pop("dev_bootstrap", None)


def test_a_taken_port_is_skipped(bootstrap: ModuleType) -> None:
    """Something already listens on the first port (another Home Assistant on 8123): the next free one is taken."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert bootstrap.free_port(port) > port


async def test_another_home_assistant_is_never_touched(bootstrap: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server answering like Home Assistant, but not ours: the bootstrap stops before any login or setup."""
    seen: list[tuple[str, str]] = []

    async def other_home_assistant(request: web.Request) -> web.Response:
        seen.append((request.method, request.path))
        if request.path == "/api/onboarding":
            return web.json_response([{"step": "user", "done": True}])
        if request.path.startswith("/local/"):
            return web.Response(status=404)
        return web.json_response({"message": "API running."})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", other_home_assistant)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        monkeypatch.setattr(bootstrap, "BASE", str(server.make_url("")).rstrip("/"))
        monkeypatch.setenv("IHD_DEMO_INSTANCE", "our-own-instance")
        with pytest.raises(SystemExit, match="not the one scripts/develop started"):
            await bootstrap.main()
    finally:
        await server.close()
    assert all(method == "GET" for method, _ in seen)
    assert not [path for _, path in seen if path.startswith(("/auth", "/api/onboarding/", "/api/config"))]


def test_the_port_is_home_assistants_own_setting(
    bootstrap: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The chosen port goes where Home Assistant reads it (.storage/http), as a confirmed setting, not a trial."""
    monkeypatch.setattr(bootstrap, "CONFIG", tmp_path)
    bootstrap.write_http_port(8124)
    bootstrap.write_http_port(8125)
    data = json.loads((tmp_path / ".storage" / "http").read_text())["data"]
    assert data["stable"]["server_port"] == 8125
    assert data["pending"] is None
    assert data["yaml_migration_done"] is True


def unused_port() -> int:
    """A port nothing listens on, from the system (a test never takes 8123 from a Home Assistant)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def serve_and_stop(port: int) -> None:
    """A web server on `port` that binds as Home Assistant's does, stopped while a browser is connected (the
    dashboard's keep-alive connection): the server closes that connection itself, so its end of it stays in
    TIME_WAIT for a while after the server is gone."""
    app = web.Application()
    app.router.add_get("/", lambda _: web.Response(text="Home Assistant"))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200
        await runner.cleanup()


async def develops_port(config: Path) -> tuple[int | None, str]:
    """What scripts/develop asks for the demo in `config` (dev_bootstrap.py --demo-port): the port, or None
    where it refuses to start; and what it said."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPTS / "dev_bootstrap.py"),
        "--demo-port",
        env={**os.environ, "IHD_DEMO_CONFIG": str(config)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return (int(out) if process.returncode == 0 else None), err.decode()


def still_closing(port: int) -> bool:
    """Whether the port's last connections are still closing: a bind without SO_REUSEADDR fails."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


async def test_a_restarted_demo_keeps_its_port(bootstrap: ModuleType, tmp_path: Path) -> None:
    """The demo stopped with a browser connected and started again at once, twice: each time on the same port,
    so the links it handed out (their address is the port's) keep working."""
    port = unused_port()
    bootstrap.CONFIG = tmp_path
    bootstrap.write_http_port(port)  # it ran there before
    for _ in range(2):
        await serve_and_stop(port)
        assert still_closing(port)
        assert await develops_port(tmp_path) == (port, "")
        bootstrap.write_http_port(port)  # as scripts/develop then does (prepare_demo)


async def test_a_first_start_takes_a_free_port(bootstrap: ModuleType, tmp_path: Path) -> None:
    """A demo that never ran: the first port from 8123 on that nothing listens on."""
    port, said = await develops_port(tmp_path)
    assert port is not None
    assert port >= bootstrap.FIRST_PORT
    assert said == ""


async def test_a_port_another_program_took_is_left(bootstrap: ModuleType, tmp_path: Path) -> None:
    """Something else listens where the demo ran before: the demo moves to a free port and says so, and that
    its saved links move with it."""
    bootstrap.CONFIG = tmp_path
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        bootstrap.write_http_port(port)
        moved, said = await develops_port(tmp_path)
    assert moved is not None
    assert moved != port
    assert f"Port {port}, where this demo ran before, is taken" in said
    assert "demo-links.txt) move with it" in said


async def test_a_demo_still_running_is_not_started_twice(bootstrap: ModuleType, tmp_path: Path) -> None:
    """scripts/develop run again while the demo still runs: it stops and says where the demo is, instead of
    starting a second Home Assistant on the same configuration."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "demo-instance.txt").write_text("the-running-demo\n")
    app = web.Application()
    app.router.add_get("/local/demo-instance.txt", lambda _: web.Response(text="the-running-demo\n"))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    running = server.port
    try:
        bootstrap.CONFIG = tmp_path
        bootstrap.write_http_port(running)
        port, said = await develops_port(tmp_path)
    finally:
        await server.close()
    assert port is None
    assert f"The demo already runs at http://127.0.0.1:{running}" in said


@pytest.mark.parametrize(("language", "title"), [("en", "The demo's DHL link"), ("de", "Der DHL-Link der Demo")])
async def test_the_dhl_link_can_be_found_again(
    hass: HomeAssistant,
    bootstrap: ModuleType,
    tmp_path: Path,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    hass_access_token: str,
    language: str,
    title: str,
) -> None:
    """The DHL link is kept in config/demo-links.txt, readable by its owner only, pointing at the demo's
    address of this start; Home Assistant's notifications say where, in its language, without the link."""
    for domain in ("api", "websocket_api", "persistent_notification"):
        assert await async_setup_component(hass, domain, {})
    await hass.config.async_update(language=language)
    base = str((await hass_client()).make_url("")).rstrip("/")
    bootstrap.CONFIG = tmp_path
    bootstrap.BASE = base
    # Handed out on a first start on another port; this start had to move.
    bootstrap.save_link(bootstrap.DHL_LINK_LABEL, f"http://127.0.0.1:8123/api/webhook/f00d#pass={TOKEN}")
    path = bootstrap.links_follow_port()
    async with aiohttp.ClientSession() as session:
        await bootstrap.announce_links(session, hass_access_token, path)

    assert path == tmp_path / "demo-links.txt"
    assert f"{base}/api/webhook/f00d#pass={TOKEN}" in path.read_text()
    assert "8123" not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    [notification] = (await client.receive_json())["result"]
    assert notification["title"] == title
    assert str(path) in notification["message"]
    assert TOKEN not in notification["message"]
    assert "f00d" not in notification["message"]


@pytest.fixture
def demo_stopped_mid_visit(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """Home Assistant stopped while a courier was inside: the door open, the lock unlocked (what Home
    Assistant saved of its helpers), and the visit on disk."""
    mock_restore_cache(
        hass, [State("input_boolean.sim_door_open", "on"), State("input_select.sim_lock_state", "unlocked")]
    )
    hass_storage[f"{DOMAIN}.{ENTRY_ID}"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{ENTRY_ID}",
        "data": {
            "visit": {
                "visit_id": "01JVISIT",
                "pass_id": None,
                "pass_kind": "owner",
                "pass_label": "Owner",
                "started": "2026-11-24T09:00:00+00:00",
                "phase": "inside",
                "door_open": True,
                "lock_state": "unlocked",
                "deadlines": {"door_open_alert": "2026-11-24T09:03:00+00:00"},
                "entered": "2026-11-24T09:00:30+00:00",
            },
            "remembered": {"lights_turned_on": [], "alarm_mode": None},
            "history": [],
        },
    }


async def test_the_demo_door_stays_open_over_a_restart(
    hass: HomeAssistant,
    demo_stopped_mid_visit: None,
    hardware: None,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The simulated door, left open when Home Assistant stopped, is still open when it is back, like a real
    one: the entrance does not lock it open, and locks once the door is closed."""
    assert hass.states.get(DOOR).state == "on"
    assert hass.states.get(LOCK).state == "unlocked"
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == "unlocked"
    assert hass.states.get(PHASE).state == "inside"
    await close_door(hass)
    await tick(hass, freezer, 11)
    assert hass.states.get(LOCK).state == "locked"
    assert hass.states.get(PHASE).state == "idle"


@pytest.fixture
def haffmpeg_log_levels() -> Iterator[None]:
    """The logger integration changes Python's loggers for the whole process: put them back."""
    loggers = [logging.getLogger(name) for name in ("haffmpeg.core", "haffmpeg.tools")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
    logging.setLoggerClass(logging.Logger)


@pytest.mark.usefixtures("haffmpeg_log_levels")
@pytest.mark.parametrize(("ffmpeg_log", "warned"), [("critical", False), (None, True)])
async def test_a_missing_ffmpeg_is_not_warned_at_every_start(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    ffmpeg_log: str | None,
    warned: bool,
) -> None:
    """Every Home Assistant sets up its FFmpeg integration (text-to-speech, loaded by default, needs it),
    which warns where the program is missing. With the demo's logger settings, as scripts/develop starts it
    without FFmpeg (IHD_FFMPEG_LOG=critical), that start is quiet; with FFmpeg installed (no IHD_FFMPEG_LOG),
    its warnings still show."""
    if ffmpeg_log is None:
        monkeypatch.delenv("IHD_FFMPEG_LOG", raising=False)
    else:
        monkeypatch.setenv("IHD_FFMPEG_LOG", ffmpeg_log)
    configuration = await hass.async_add_executor_job(load_yaml_dict, CONFIGURATION)
    haffmpeg = {name: level for name, level in configuration["logger"]["logs"].items() if name.startswith("haffmpeg")}
    assert await async_setup_component(hass, "logger", {"logger": {"logs": haffmpeg}})
    caplog.clear()
    assert await async_setup_component(hass, "ffmpeg", {"ffmpeg": {"ffmpeg_bin": str(Path("/nonexistent/ffmpeg"))}})
    await hass.async_block_till_done()
    assert any(record.name.startswith("haffmpeg") for record in caplog.records) is warned
