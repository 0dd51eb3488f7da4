"""The owner's notifications, in Home Assistant's language.

A text reads in the entrance's words: at a garage entrance the garage door opens and closes (the
`_garage` variants); a visit the owner let in, or an unlock by hand, is not "Owner" (the `_owner`
variants). A visit Home Assistant restarted during ends with a message that says so, with when it
began and when it was locked, never with the downtime as its length.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .core.commands import Message
from .core.visit import OWNER, Outcome, Visit
from .core.when import moment, seconds_between, span, spoken_duration
from .core.wording import variant
from .house import Notification
from .phone_actions import button_of
from .texts import async_get_cached_texts, async_get_texts

GARAGE = "_garage"
OWNERS = "_owner"


def completed_key(visit: Visit) -> str:
    """Which text tells how a visit ended: after a restart, a problem, or the usual end."""
    if visit.resumed:
        return "notify_completed_resumed"
    if visit.outcome is not None and visit.outcome is not Outcome.LOCKED:
        return f"notify_completed_{visit.outcome.value}"
    return "notify_completed"


class Messages:
    """Builds translated notifications for one entrance."""

    def __init__(self, hass: HomeAssistant, entrance: str, *, garage: bool = False) -> None:
        """Remember the entrance's name, and whether its access point is a garage door."""
        self.hass = hass
        self.entrance = entrance
        self.garage = garage

    def _texts(self) -> Mapping[str, str]:
        return async_get_cached_texts(self.hass, self.hass.config.language)

    def _text(self, key: str, **placeholders: str) -> str:
        return self._fill(key, placeholders)

    def _fill(self, key: str, placeholders: Mapping[str, str], *, owner: bool = False) -> str:
        """A text in the entrance's words (and the owner's, for the owner's visit), filled in."""
        texts = self._texts()
        suffixes = ((OWNERS,) if owner else ()) + ((GARAGE,) if self.garage else ())
        template = texts.get(variant(texts, key, suffixes), key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template

    def text(self, key: str) -> str:
        """One translated text in the entrance's words (loaded with the notifications)."""
        return self._text(key)

    def duration(self, seconds: int) -> str:
        """A length as people say it."""
        return spoken_duration(seconds, self._text)

    def window(self, start: datetime, end: datetime) -> str:
        """A window as people read it: "today 09:00-11:00" (an en dash), in the home's time zone."""
        return span(start, end, dt_util.utcnow(), dt_util.get_default_time_zone(), self._texts())

    def owner_label(self) -> str:
        """How a visit the owner started without a pass is named."""
        return self._text("label_owner")

    def _visit_placeholders(self, visit: Visit) -> dict[str, str]:
        """Who, and for a visit that ended: how long it took, when it began and when it was locked."""
        values = {"who": visit.pass_label}
        if visit.ended is not None:
            now, tz, texts = dt_util.utcnow(), dt_util.get_default_time_zone(), self._texts()
            values |= {
                "duration": self.duration(seconds_between(visit.started, visit.ended)),
                "started": moment(visit.started, now, tz, texts),
                "ended": moment(visit.ended, now, tz, texts),
            }
        return values

    async def notification(
        self,
        message: Message,
        visit: Visit | None,
        *,
        critical: bool = False,
        placeholders: dict[str, str] | None = None,
    ) -> Notification:
        """Return the notification for a message about a visit.

        Outside a visit, placeholders may say the pass's `kind` (the owner's words for the owner's own).
        """
        await async_get_texts(self.hass, self.hass.config.language)
        extra = dict(placeholders or {})
        kind = visit.pass_kind if visit is not None else extra.pop("kind", "")
        key = completed_key(visit) if message is Message.COMPLETED and visit is not None else f"notify_{message.value}"
        actions = tuple(
            (action, self._text(f"action_{button_of(action)}"))
            for action in filter(None, extra.pop("actions", "").split(","))
        )
        if reason := extra.pop("reason", None):
            extra["reason"] = self._text(f"reason_{reason}")
        values = {
            "entrance": self.entrance,
            "who": "",
            "duration": "",
            "reason": "",
            "time": dt_util.as_local(dt_util.utcnow()).strftime("%H:%M"),
        }
        if visit is not None:
            values |= self._visit_placeholders(visit)
        values |= extra
        return Notification(
            title=self._text("notify_title", **values),
            message=self._fill(key, values, owner=kind == OWNER),
            critical=critical,
            actions=actions,
            hint=self._text(f"hint_{button_of(actions[0][0])}", **values) if actions else "",
        )
