"""The demo never touches another Home Assistant: it takes a free port, and its bootstrap refuses a
server that is not the Home Assistant scripts/develop started."""

from __future__ import annotations

from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import socket
import sys
from types import ModuleType

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

SCRIPTS = Path(__file__).parent.parent / "scripts"

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
