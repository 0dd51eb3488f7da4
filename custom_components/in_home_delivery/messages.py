"""The owner's notifications, in Home Assistant's language."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .core.commands import Message
from .core.visit import OWNER, Visit
from .house import Notification
from .phone_actions import button_of
from .texts import async_get_cached_texts, async_get_texts


def spoken_duration(seconds: int, text: Callable[..., str]) -> str:
    """A length as people say it: "45 s", "2 min 5 s", "1 h 3 min" (text: a translation lookup)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return text("logbook_hours", hours=str(hours), minutes=str(minutes))
    if minutes:
        return text("logbook_minutes", minutes=str(minutes), seconds=str(secs))
    return text("logbook_seconds", seconds=str(secs))


class Messages:
    """Builds translated notifications for one entrance."""

    def __init__(self, hass: HomeAssistant, entrance: str) -> None:
        """Remember the entrance's name."""
        self.hass = hass
        self.entrance = entrance

    def _text(self, key: str, **placeholders: str) -> str:
        template = async_get_cached_texts(self.hass, self.hass.config.language).get(key, key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError, ValueError:
            return template

    def text(self, key: str) -> str:
        """One translated text (loaded with the notifications)."""
        return self._text(key)

    def duration(self, seconds: int) -> str:
        """A length as people say it."""
        return spoken_duration(seconds, self._text)

    def owner_label(self) -> str:
        """How a visit the owner started without a pass is named."""
        return self._text("label_owner")

    async def notification(
        self,
        message: Message,
        visit: Visit | None,
        *,
        critical: bool = False,
        placeholders: dict[str, str] | None = None,
    ) -> Notification:
        """Return the notification for a message about a visit."""
        await async_get_texts(self.hass, self.hass.config.language)
        who = visit.pass_label if visit else ""
        duration = ""
        if visit is not None and visit.ended is not None:
            duration = self.duration(int((visit.ended - visit.started).total_seconds()))
        outcome = visit.outcome.value if visit and visit.outcome else ""
        key = f"notify_{message.value}"
        if message is Message.COMPLETED and outcome and outcome != "locked":
            key = f"notify_completed_{outcome}"
        elif message is Message.COMPLETED and visit is not None and visit.pass_kind == OWNER:
            key = "notify_completed_owner"  # the owner let someone in: it was not the owner's visit
        extra = dict(placeholders or {})
        actions = tuple(
            (action, self._text(f"action_{button_of(action)}"))
            for action in filter(None, extra.pop("actions", "").split(","))
        )
        if reason := extra.pop("reason", None):
            extra["reason"] = self._text(f"reason_{reason}")
        values = {
            "entrance": self.entrance,
            "who": who,
            "duration": duration,
            "reason": "",
            "time": dt_util.as_local(dt_util.utcnow()).strftime("%H:%M"),
        } | extra
        return Notification(
            title=self._text("notify_title", **values),
            message=self._text(key, **values),
            critical=critical,
            actions=actions,
            hint=self._text(f"hint_{button_of(actions[0][0])}", **values) if actions else "",
        )
