"""Reading a request on the link, the same way on every path it takes to us.

Straight in, behind a reverse proxy, or through Home Assistant Cloud's relay, which hands the webhook
a `MockRequest`: no `content_type`, no `content_length`, `remote=None`, and maybe no Content-Type
header either. So only what both kinds of request have is used here: `method`, `headers`, `query`,
`remote` and `content.read()`, with the body's size limited either way.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import math
from typing import Any, Protocol
from urllib.parse import parse_qs

from .core.lockout import RELAYED
from .livestatus import MAX_WAIT
from .page import pick_language

MAX_BODY = 2048
ACTIONS = ("arrive", "street_door", "unlock", "done", "status")
JSON = "application/json"


class _Body(Protocol):
    async def read(self, n: int = -1, /) -> bytes: ...


class _Request(Protocol):
    """What `aiohttp.web.Request` and Home Assistant's `MockRequest` have in common."""

    method: str

    @property
    def headers(self) -> Any: ...

    @property
    def query(self) -> Any: ...

    @property
    def remote(self) -> str | None: ...

    @property
    def content(self) -> Any: ...


@dataclass(frozen=True, kw_only=True)
class LinkRequest:
    """What a request asks for, whichever way it came."""

    action: str | None  # None: a GET, which only ever gets the page
    token: str
    wants_json: bool
    language: str
    address: str
    malformed: bool = False
    wait: float = 0.0  # a `status` may wait this long (at most MAX_WAIT seconds) for a change
    seen: tuple[str, str | None] | None = None  # the phase and lock state the page shows now


async def read_link_request(request: _Request) -> LinkRequest:
    """Read the method, the token (body first, then the old `?pass=` query) and the action."""
    headers = request.headers
    language = pick_language(headers.get("Accept-Language"))
    address = request.remote or RELAYED
    if request.method != "POST":
        # A GET never looks at a token: its page is the same for every visitor, and a link preview
        # or a browser without script learns nothing of the home.
        return LinkRequest(action=None, token="", wants_json=False, language=language, address=address)
    content_type = str(headers.get("Content-Type", "")).partition(";")[0].strip().lower()
    body = await _read_body(request.content, headers.get("Content-Length"))
    is_json = content_type == JSON or (not content_type and body is not None and body.lstrip()[:1] == b"{")
    fields = None if body is None else _fields(body, is_json=is_json)
    query_token = str(request.query.get("pass", ""))
    if fields is None:
        return LinkRequest(
            action=None, token=query_token, wants_json=is_json, language=language, address=address, malformed=True
        )
    token = fields.get("pass")
    action = fields.get("action")
    wait = _wait(fields.get("wait", 0))
    return LinkRequest(
        action=action if action in ACTIONS else None,
        token=token if isinstance(token, str) and token else query_token,
        wants_json=is_json,
        language=language,
        address=address,
        malformed=action not in ACTIONS or wait is None,
        wait=wait or 0.0,
        seen=_seen(fields),
    )


def _wait(value: Any) -> float | None:
    """The seconds a status may wait, at most MAX_WAIT; None where it is not a number of seconds."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except TypeError, ValueError:
        return None
    return min(seconds, MAX_WAIT) if math.isfinite(seconds) and seconds >= 0 else None


def _seen(fields: dict[str, Any]) -> tuple[str, str | None] | None:
    """What the page shows now (`phase`, `lock`), as its last answer said; None where it does not say."""
    phase, lock = fields.get("phase"), fields.get("lock")
    if not isinstance(phase, str):
        return None
    return phase, lock if isinstance(lock, str) and lock else None


async def _read_body(content: _Body, declared_length: str | None) -> bytes | None:
    """The body, or None where it is larger than MAX_BODY (declared or read)."""
    if declared_length is not None and declared_length.isdigit() and int(declared_length) > MAX_BODY:
        return None
    body = b""
    while len(body) <= MAX_BODY:
        chunk = await content.read(MAX_BODY + 1 - len(body))
        if not chunk:
            return body
        body += chunk
    return None


def _fields(body: bytes, *, is_json: bool) -> dict[str, Any] | None:
    """The body's fields as a JSON object or a form, or None where it is neither."""
    try:
        if is_json:
            data = json.loads(body)
            return data if isinstance(data, dict) else None
        return {key: values[0] for key, values in parse_qs(body.decode(), strict_parsing=False).items()}
    except ValueError, UnicodeDecodeError:
        return None
