"""Buttons on the owner's phone notifications, answered through one-time, expiring action ids.

A button's action id is a prefix and a random nonce; the answer comes back as the companion app's
`mobile_app_notification_action` event. An id works once, from any phone, and only until it expires,
so an old notification can never act later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import secrets

from homeassistant.util import dt as dt_util

ACTION_PREFIX = "IN_HOME_DELIVERY_"
# The buttons, each an action id prefix; their titles and hints are translated by kind (let_in, …).
LET_IN = f"{ACTION_PREFIX}LET_IN_"
NOT_NOW = f"{ACTION_PREFIX}NOT_NOW_"
LOCK_NOW = f"{ACTION_PREFIX}LOCK_NOW_"
BUTTONS = {LET_IN: "let_in", NOT_NOW: "not_now", LOCK_NOW: "lock_now"}
MOBILE_APP_ACTION_EVENT = "mobile_app_notification_action"
MAX_OPEN = 1000


def button_of(action: str) -> str:
    """A button's kind from its action id: IN_HOME_DELIVERY_LET_IN_<nonce> → let_in."""
    return next((kind for prefix, kind in BUTTONS.items() if action.startswith(prefix)), "not_now")


@dataclass(frozen=True)
class Answer:
    """A redeemed button: which one was pressed, and what it was issued for (a pass, a visit)."""

    prefix: str
    payload: str | None


@dataclass(frozen=True)
class _Issued:
    prefixes: frozenset[str]  # the buttons this nonce was issued as
    payload: str | None
    expires: datetime


class OneTimeActions:
    """The open action ids of one entrance, each bound to the buttons and the pass or visit it was issued for."""

    def __init__(self) -> None:
        """Nothing is open yet."""
        self._open: dict[str, _Issued] = {}

    def issue(self, prefix: str, payload: str | None, valid: timedelta, *also: str) -> str:
        """A new action id for a button (and the other buttons of its question, also); payload says what it acts on."""
        now = dt_util.utcnow()
        self._open = {nonce: item for nonce, item in self._open.items() if item.expires >= now}
        if len(self._open) >= MAX_OPEN:
            self._open.clear()
        nonce = secrets.token_hex(8)
        self._open[nonce] = _Issued(frozenset({prefix, *also}), payload, now + valid)
        return f"{prefix}{nonce}"

    def redeem(self, action: str) -> Answer | None:
        """The answer to an action id, once and before it expires; else None.

        An id counts only with a prefix it was issued as: a *Lock now* id sent back as *Let in* or *Not
        now* is nothing, and does not use the *Lock now* button up. Buttons issued together (Let in /
        Not now) share their nonce: the first answer closes both.
        """
        prefix = next((prefix for prefix in BUTTONS if action.startswith(prefix)), None)
        if prefix is None:
            return None
        nonce = action.removeprefix(prefix)
        item = self._open.get(nonce)
        if item is None or prefix not in item.prefixes:
            return None
        del self._open[nonce]
        if item.expires < dt_util.utcnow():
            return None
        return Answer(prefix, item.payload)

    def issue_pair(self, first: str, second: str, payload: str | None, valid: timedelta) -> tuple[str, str]:
        """Two buttons of one question (the first answer closes both)."""
        action = self.issue(first, payload, valid, second)
        nonce = action.removeprefix(first)
        return action, f"{second}{nonce}"
