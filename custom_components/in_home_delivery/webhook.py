"""The courier and guest link: one webhook per entrance, GET for the page, POST for its actions.

The same handler serves every path (local, reverse proxy, Home Assistant Cloud's relay). A wrong token
says nothing about which part was wrong; failures are counted per address and only further failures
from a failing address are refused, never a valid token. A `status` with a `wait` is answered as soon
as what its page shows changes (livestatus.py), so the page follows the lock without polling.
"""

from __future__ import annotations

from functools import partial
from http import HTTPStatus
import logging
from typing import Any

from aiohttp import web

from homeassistant.components import webhook
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .controller import EntranceController
from .core.admission import DenyReason
from .core.carriers import Carrier
from .core.commands import EventType, Message
from .core.door import Link, Purpose
from .core.page import carrier_serves, let_in_by_a_carrier_link
from .core.passes import Delivery, PassDenial
from .core.passindex import Pass
from .data import InHomeDeliveryConfigEntry
from .entrance_parts import VisitDeniedError
from .linkrequest import LinkRequest, read_link_request
from .linkview import LinkView, link_view
from .livestatus import StatusWaiters
from .page import SECURITY_HEADERS, PageRenderer

_LOGGER = logging.getLogger(__name__)

MAX_CARRIER_VISITS = 1000

STATUS_OF: dict[str, HTTPStatus] = {
    DenyReason.VISIT_RUNNING: HTTPStatus.CONFLICT,
    DenyReason.DOOR_OPEN: HTTPStatus.CONFLICT,
    DenyReason.NOT_ACCEPTING: HTTPStatus.LOCKED,
    DenyReason.STREET_DOOR_LIMIT: HTTPStatus.TOO_MANY_REQUESTS,
    DenyReason.NO_STREET_DOOR: HTTPStatus.BAD_REQUEST,
    DenyReason.STREET_DOOR_FAILED: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.STREET_DOOR_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.NOT_STORED: HTTPStatus.SERVICE_UNAVAILABLE,
    DenyReason.NOT_ADMIN: HTTPStatus.FORBIDDEN,
    DenyReason.NOT_ISSUED_FOR: HTTPStatus.FORBIDDEN,
    DenyReason.NO_VISIT: HTTPStatus.CONFLICT,
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
    PassDenial.NO_DELIVERY_EXPECTED: HTTPStatus.FORBIDDEN,
    PassDenial.SUSPENDED: HTTPStatus.FORBIDDEN,
}


@callback
def async_register_link_webhook(hass: HomeAssistant, entry: InHomeDeliveryConfigEntry) -> None:
    """Register the entrance's webhook, and unregister it on unload."""
    controller = entry.runtime_data.controller
    webhook_id = controller.passes.webhook_id
    handler = LinkHandler(controller)
    webhook.async_register(
        hass,
        DOMAIN,
        controller.name,
        webhook_id,
        partial(_async_handle, handler),
        local_only=False,
        allowed_methods=["GET", "POST"],
    )
    entry.async_on_unload(partial(webhook.async_unregister, hass, webhook_id))
    # Every published change (a phase, the lock's state) wakes the waiting statuses; stopping answers them.
    waiters = handler.waiters
    entry.async_on_unload(controller.coordinator.async_add_listener(waiters.changed))
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, callback(lambda _event: waiters.close())))
    entry.async_on_unload(waiters.close)


async def _async_handle(handler: LinkHandler, hass: HomeAssistant, webhook_id: str, request: Any) -> web.Response:
    return await handler.async_handle(request)


class LinkHandler:
    """Answers one entrance's link requests."""

    def __init__(self, controller: EntranceController) -> None:
        """Serve one entrance."""
        self.controller = controller
        self.renderer = PageRenderer(controller.hass)
        self.waiters = StatusWaiters()
        # The delivery each carrier link last let in, so that its page follows that visit to the end.
        self._carrier_visits: dict[str, str] = {}

    async def async_handle(self, request: Any) -> web.Response:
        """Answer a GET (the page) or a POST (an action) from any path: `web.Request` or `MockRequest`."""
        link = await read_link_request(request)
        live = link.action == "status" and link.wait > 0 and not link.malformed and await self._async_wait(link)
        if link.action is None and not link.malformed:
            return await self._neutral(link, HTTPStatus.OK, "page_neutral")
        pass_ = self.controller.passes.find(link.token)
        if pass_ is None:
            # Only failures meet the lockout: a valid token is never refused because of it.
            if self.controller.lockout.is_blocked(link.address, dt_util.utcnow()):
                return await self._refusal(link, HTTPStatus.TOO_MANY_REQUESTS, "too_many_attempts")
            self._failed(link.address)
            if link.malformed:
                return await self._refusal(link, HTTPStatus.BAD_REQUEST, "malformed")
            return await self._refusal(link, HTTPStatus.UNAUTHORIZED, "unknown_link")
        via = self.controller.passes.carrier(pass_.pass_id)
        if via is not None:
            served = self._carrier_delivery(via)
            if served is None:
                return await self._nothing_expected(via, link)
            pass_ = served
        if link.malformed or link.action is None:
            return await self._answer(pass_, link, HTTPStatus.BAD_REQUEST, reason="malformed")
        try:
            result = await self._async_act(pass_, link.action, via)
        except VisitDeniedError as err:
            return await self._answer(pass_, link, STATUS_OF[err.reason], reason=err.reason)
        return await self._answer(pass_, link, HTTPStatus.OK, result=result, live=live)

    async def _async_wait(self, link: LinkRequest) -> bool:
        """Hold a status until what its page shows changes, or its wait ends; False where it may not wait.

        The page says what it shows (phase and lock state): a change it has not seen is answered at
        once. Only a valid token waits; the answer is then made as for any status, from the facts of
        the moment it is sent.
        """
        shown = self._shown(link.token)
        if shown is None:
            return False
        if link.seen is not None and link.seen != (shown.phase, shown.lock):
            return True
        return await self.waiters.async_wait(link.address, lambda: self._shown(link.token) != shown, link.wait)

    def _shown(self, token: str) -> LinkView | None:
        """What a status would show the token's page now; None where the token opens nothing now."""
        found = self.controller.passes.find(token)
        if found is None:
            return None
        via = self.controller.passes.carrier(found.pass_id)
        pass_ = found if via is None else self._carrier_delivery(via)
        return None if pass_ is None else link_view(self.controller, pass_, dt_util.utcnow())

    def _carrier_delivery(self, carrier: Carrier) -> Delivery | None:
        """What a carrier's link stands for now (core.page.carrier_serves)."""
        controller, now = self.controller, dt_util.utcnow()
        remembered = self._carrier_visits.get(carrier.pass_id)
        let_in = remembered or let_in_by_a_carrier_link(controller.visit, controller.last_finished)
        return carrier_serves(
            carrier,
            let_in=controller.passes.delivery(let_in) if let_in else None,
            running=controller.visit,
            last_finished=controller.last_finished,
            expected=controller.passes.expected_for(carrier, now),
            now=now,
        )

    async def _nothing_expected(self, carrier: Carrier, link: LinkRequest) -> web.Response:
        """A carrier's link while nothing is expected from it: the page says so and names nothing of the home."""
        controller = self.controller
        # Outside its own hours a carrier's link says the same as when nothing is expected.
        reason = (
            PassDenial.REVOKED
            if carrier.revoked
            else PassDenial.SUSPENDED
            if carrier.suspended
            else PassDenial.NO_DELIVERY_EXPECTED
        )
        controller.emit(
            EventType.DENIED, reason, pass_id=carrier.pass_id, pass_kind=carrier.kind, pass_label=carrier.label
        )
        if reason is PassDenial.NO_DELIVERY_EXPECTED:
            controller.notify_owner_once(f"carrier_{carrier.pass_id}", Message.CARRIER_TRIED, who=carrier.label)
        return await self._refusal(link, HTTPStatus.FORBIDDEN, reason)

    def _failed(self, address: str) -> None:
        if self.controller.lockout.record_failure(address, dt_util.utcnow()):
            _LOGGER.warning("%s: many failed link attempts from several addresses", self.controller.name)
            self.controller.notify_owner(Message.FLOOD, critical=True)

    async def _async_act(self, pass_: Pass, action: str, via: Carrier | None) -> str:
        controller = self.controller
        asker = Link(token_hash=(via or pass_).token_hash)
        visit = controller.visit
        ours = visit is not None and visit.running and visit.pass_id == pass_.pass_id
        if action == "status":
            controller.greet_courier(pass_, asker=asker, via=via)  # the page opened, or asks again
            return "ok"
        if action == "arrive":
            _current, denial = controller.decide(asker, Purpose.ARRIVE, pass_.pass_id, via=via)
            if denial is not None:
                raise VisitDeniedError(denial, controller.name)
            controller.emit(
                EventType.ARRIVED, None, pass_id=pass_.pass_id, pass_kind=pass_.kind, pass_label=pass_.label
            )
            controller.notify_owner_once(f"arrived_{pass_.pass_id}", Message.ARRIVED, who=pass_.label)
            controller.greet_courier(pass_, asker=asker, via=via)
            return "arrived"
        if action == "street_door":
            await controller.async_open_street_door(pass_, asker=asker, via=via)
            return "street_door_opened"
        if action == "unlock":
            if not ours:
                await controller.async_admit(pass_, asker=asker, via=via)
                if via is not None:
                    if len(self._carrier_visits) >= MAX_CARRIER_VISITS:
                        self._carrier_visits.clear()
                    self._carrier_visits[via.pass_id] = pass_.pass_id
            return "admitted"
        if ours:
            await controller.async_end_visit(asker, pass_, via=via)
        return "done"

    async def _refusal(self, link: LinkRequest, status: HTTPStatus, reason: str) -> web.Response:
        """An answer to a request without a valid token: it names nothing of the home."""
        if link.wants_json:
            # The page's script shows the same neutral view as the HTML answer (and stops asking).
            neutral = self.renderer.neutral_view(await self.renderer.texts(link.language), f"page_{reason}")
            view = await self.renderer.view_json(neutral, link.language)
            body = {"result": "refused", "reason": reason, "visit_id": None, "phase": None, "lock": None, "view": view}
            return web.json_response(body, status=status, headers=SECURITY_HEADERS)
        return await self._neutral(link, status, f"page_{reason}")

    async def _answer(
        self,
        pass_: Pass,
        link: LinkRequest,
        status: HTTPStatus,
        *,
        reason: str | None = None,
        result: str | None = None,
        live: bool = False,
    ) -> web.Response:
        view = link_view(self.controller, pass_, dt_util.utcnow(), reason=reason, result=result)
        if not link.wants_json:
            html = await self.renderer.render(view, link.language, link.token)
            return web.Response(text=html, content_type="text/html", status=status, headers=SECURITY_HEADERS)
        body = {
            "result": "refused" if reason else result or "ok",
            "reason": reason,
            "visit_id": view.visit_id,
            "phase": view.phase,
            "lock": view.lock,
            # This status waited for a change (or answered one the page had not seen): ask again at once.
            "live": live,
            "view": await self.renderer.view_json(view, link.language),
        }
        return web.json_response(body, status=status, headers=SECURITY_HEADERS)

    async def _neutral(self, link: LinkRequest, status: HTTPStatus, message_key: str) -> web.Response:
        html = await self.renderer.render(None, link.language, message_key=message_key)
        return web.Response(text=html, content_type="text/html", status=status, headers=SECURITY_HEADERS)
