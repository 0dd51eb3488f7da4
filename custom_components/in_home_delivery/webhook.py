"""The courier and guest link: one webhook per entrance, GET for the page, POST for arrive, unlock, done.

A wrong token says nothing about which part was wrong; failures are counted per address and an
address that keeps failing is locked out, while valid links from elsewhere keep working.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from http import HTTPStatus
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .controller import EntranceController, InHomeDeliveryConfigEntry, VisitDeniedError
from .core.admission import DenyReason
from .core.commands import EventType, Message
from .core.guests import Guest
from .core.passes import Delivery, DeliveryStatus, PassDenial
from .page import PageContent, PageRenderer, pick_language
from .passbook import Pass

_LOGGER = logging.getLogger(__name__)

MAX_BODY = 2048
ACTIONS = ("arrive", "unlock", "done")
STATUS_OF: dict[str, HTTPStatus] = {
    DenyReason.VISIT_RUNNING: HTTPStatus.CONFLICT,
    DenyReason.DOOR_OPEN: HTTPStatus.CONFLICT,
    DenyReason.NOT_ACCEPTING: HTTPStatus.LOCKED,
    DenyReason.LOCK_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.LOCK_JAMMED: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.DOOR_UNKNOWN: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.CAMERA_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.SOMEONE_HOME: HTTPStatus.FORBIDDEN,
    PassDenial.TOO_EARLY: HTTPStatus.FORBIDDEN,
    PassDenial.TOO_LATE: HTTPStatus.FORBIDDEN,
    PassDenial.USED: HTTPStatus.FORBIDDEN,
    PassDenial.REVOKED: HTTPStatus.FORBIDDEN,
    PassDenial.OUTSIDE_WINDOW: HTTPStatus.FORBIDDEN,
}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}


class Malformed(Exception):  # noqa: N818 - internal signal, never leaves this module
    """The request body is not an action we understand."""


@callback
def async_register_link_webhook(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """Register the entrance's webhook, and unregister it on unload."""
    controller = entry.runtime_data
    webhook_id = controller.passes.webhook_id
    webhook.async_register(
        hass,
        DOMAIN,
        controller.name,
        webhook_id,
        partial(_async_handle, LinkHandler(controller)),
        local_only=False,
        allowed_methods=["GET", "POST"],
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))


async def _async_handle(
    handler: LinkHandler, hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    return await handler.async_handle(request)


async def read_action(request: web.Request) -> str:
    """The `action` field of a form or JSON body, or Malformed."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Malformed
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise Malformed
    try:
        if request.content_type == "application/json":
            data = json.loads(body)
            action = data.get("action") if isinstance(data, dict) else None
        else:
            action = parse_qs(body.decode(), strict_parsing=False).get("action", [None])[0]
    except ValueError, UnicodeDecodeError:
        raise Malformed from None
    if action not in ACTIONS:
        raise Malformed
    return str(action)


class LinkHandler:
    """Answers one entrance's link requests."""

    def __init__(self, controller: EntranceController) -> None:
        """Serve one entrance."""
        self.controller = controller
        self.renderer = PageRenderer(controller.hass)

    async def async_handle(self, request: web.Request) -> web.Response:
        """Answer a GET or POST on the link."""
        wants_json = request.method == "POST" and request.content_type == "application/json"
        language = pick_language(request.headers.get("Accept-Language"))
        remote = request.remote or "unknown"
        lockout = self.controller.lockout
        if lockout.is_blocked(remote, dt_util.utcnow()):
            return await self._answer(None, HTTPStatus.TOO_MANY_REQUESTS, "too_many_attempts", wants_json, language)
        action = ""
        if request.method == "POST":
            try:
                action = await read_action(request)
            except Malformed:
                self._failed(remote)
                return await self._answer(None, HTTPStatus.BAD_REQUEST, "malformed", wants_json, language)
        pass_ = self.controller.passes.find(request.query.get("pass", ""))
        if pass_ is None:
            self._failed(remote)
            return await self._answer(None, HTTPStatus.UNAUTHORIZED, "unknown_link", wants_json, language)
        if not action:
            return await self._answer(pass_, HTTPStatus.OK, None, wants_json, language)
        try:
            result = await self._async_act(pass_, action)
        except VisitDeniedError as err:
            return await self._answer(pass_, STATUS_OF[err.reason], err.reason, wants_json, language)
        return await self._answer(pass_, HTTPStatus.OK, None, wants_json, language, result=result)

    def _failed(self, remote: str) -> None:
        if self.controller.lockout.record_failure(remote, dt_util.utcnow()):
            _LOGGER.warning("%s: many failed link attempts from several addresses", self.controller.name)
            self.controller.notify_owner(Message.FLOOD, critical=True)

    async def _async_act(self, pass_: Pass, action: str) -> str:
        controller = self.controller
        visit = controller.visit
        ours = visit is not None and visit.running and visit.pass_id == pass_.pass_id
        if action == "arrive":
            if denial := controller.passes.denial(pass_, dt_util.utcnow()):
                raise VisitDeniedError(denial, controller.name)
            controller.emit(
                EventType.ARRIVED, None, pass_id=pass_.pass_id, pass_kind=pass_.kind, pass_label=pass_.label
            )
            controller.notify_owner(Message.ARRIVED, who=pass_.label)
            return "arrived"
        if action == "unlock":
            if ours:
                return "admitted"
            await controller.async_admit(pass_, by_owner=False)
            return "admitted"
        if ours:
            if controller.door_open():
                raise VisitDeniedError(DenyReason.DOOR_OPEN, controller.name)
            await controller.async_end_visit()
        return "done"

    def _content(self, pass_: Pass | None, reason: str | None, result: str | None) -> PageContent:
        controller = self.controller
        if pass_ is None:
            return PageContent(title=controller.name, message_key=f"page_{reason}", problem=True)
        now = dt_util.utcnow()
        window = controller.passes.window(pass_, now)
        guest = isinstance(pass_, Guest)
        base = PageContent(
            title=pass_.label if guest else controller.name,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            window_key="page_guest_window" if guest else "page_window",
            message_key="page_guest_ready" if guest else "page_ready",
            button="unlock",
        )
        visit = controller.visit
        if visit is not None and visit.running and visit.pass_id == pass_.pass_id:
            key = (
                "page_door_open" if reason == DenyReason.DOOR_OPEN else "page_guest_inside" if guest else "page_inside"
            )
            return replace(base, message_key=key, problem=reason is not None, button="done")
        if result == "done" or (isinstance(pass_, Delivery) and pass_.status is DeliveryStatus.COMPLETED):
            return replace(base, message_key="page_thanks", button=None)
        if reason is None:
            reason = controller.passes.denial(pass_, now)
        if reason is not None:
            return replace(base, message_key=f"page_{reason}", problem=True, button=None)
        return replace(base, message_key="page_arrived") if result == "arrived" else base

    async def _answer(
        self,
        pass_: Pass | None,
        status: HTTPStatus,
        reason: str | None,
        wants_json: bool,
        language: str,
        *,
        result: str | None = None,
    ) -> web.Response:
        if wants_json:
            visit = self.controller.visit
            visit_id = visit.visit_id if visit and pass_ and visit.pass_id == pass_.pass_id else None
            body: dict[str, Any] = {"result": result or ("refused" if reason else "ok"), "reason": reason}
            body["visit_id"] = visit_id
            return web.json_response(body, status=status, headers=SECURITY_HEADERS)
        html = await self.renderer.render(self._content(pass_, reason, result), language)
        return web.Response(text=html, content_type="text/html", status=status, headers=SECURITY_HEADERS)
