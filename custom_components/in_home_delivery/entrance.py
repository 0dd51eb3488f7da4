"""What the parts of an entrance see of it.

The pass book and the command runner are given these narrow views instead of the controller: neither
imports it, and each names exactly what it reads and calls. The controller provides both.
"""

from __future__ import annotations

from typing import Protocol

from .core.commands import EventType, Message
from .house import House, Remembered
from .media import VisitPictures
from .messages import Messages
from .phone_actions import OneTimeActions
from .store import EntranceStore


class Events(Protocol):
    """Fires the entrance's events and refreshes its entities."""

    @property
    def name(self) -> str:
        """The entrance's name, for the log and repairs."""

    def emit(
        self,
        event_type: EventType,
        reason: str | None,
        *,
        pass_id: str | None,
        pass_kind: str,
        pass_label: str,
        visit_id: str | None = None,
        admitted_by: str | None = None,
        duration: int | None = None,
        resumed: bool | None = None,
    ) -> None:
        """Fire the public bus event."""

    def notify_listeners(self) -> None:
        """Tell every entity that the entrance changed."""


class Announcer(Events, Protocol):
    """Tells the world, and the owner, that something happened at the entrance."""

    def notify_owner_once(
        self, key: str, message: Message, *, who: str, reason: str = "", critical: bool = False
    ) -> None:
        """Tell the owner, unless the same was told a moment ago."""

    def journal_changed(self) -> None:
        """The pass changes waiting for the database changed: the visit store keeps them."""

    def notify_owner(
        self, message: Message, *, critical: bool = False, live_picture: bool = False, **placeholders: str
    ) -> None:
        """Tell the owner something that is not a step of the running visit."""


class VisitRecords(Events, Protocol):
    """What carrying out a visit's commands reads and writes besides Home Assistant itself."""

    @property
    def camera(self) -> str | None:
        """The camera entity, where there is one."""

    @property
    def lock_entity(self) -> str:
        """The access point (a lock or a garage door), named in repairs."""

    @property
    def door_sensor(self) -> str | None:
        """The door sensor, named in repairs."""

    @property
    def house(self) -> House:
        """The entrance's entities, as actions."""

    @property
    def messages(self) -> Messages:
        """The owner's notifications, translated."""

    @property
    def media(self) -> VisitPictures:
        """Pictures and recordings of visits."""

    @property
    def remembered(self) -> Remembered:
        """What the lights and alarm were before the visit."""

    def file_kept(self, visit_id: str, name: str) -> None:
        """A picture or recording of a visit was written: the entrance lists it and shows it."""

    def files_removed(self, visit_ids: set[str]) -> None:
        """The files of these visits were deleted (retention): the entrance forgets them."""

    @property
    def visit_store(self) -> EntranceStore:
        """The store of the running visit."""

    @property
    def phone_actions(self) -> OneTimeActions:
        """The open action ids of buttons on the owner's phones."""

    def door_open(self) -> bool | None:
        """Whether the door is open now (None when nobody knows)."""
