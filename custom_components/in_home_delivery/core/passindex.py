"""Every pass of an entrance, found by id or token hash, with deliveries and guests in time order.

What a courier's request, an entity's state or a calendar query needs costs in proportion to what it
finds, not to how many passes are stored: lookups go through dicts, time ranges through sorted lists
(bisect). Delivery windows are bounded (at most a day when made), so a range query looks back by the
longest window stored.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from itertools import chain

from .carriers import Carrier, carrier_from_dict
from .guests import Guest, guest_from_dict
from .passes import Delivery, DeliveryStatus, delivery_from_dict

# Every kind has the same interface (open_at, status_at, window_at, started, after_visit, closed, used,
# forgettable, as_dict, label, detail, recurring, max_visit): the shell never asks which kind it holds.
type Pass = Delivery | Guest | Carrier


def pass_from_dict(data: Mapping[str, object]) -> Pass:
    """Read a stored pass of any kind."""
    match data.get("kind"):
        case "guest":
            return guest_from_dict(data)
        case "carrier":
            return carrier_from_dict(data)
    return delivery_from_dict(data)


FOREVER = datetime.max.replace(tzinfo=UTC)
GUEST_LOG = 16


class PassIndex:
    """The passes in memory, indexed; a pure structure, persisted elsewhere."""

    def __init__(self, passes: Iterable[Pass] = ()) -> None:
        """Index the given passes."""
        self._delivery: dict[str, Delivery] = {}
        self._guest: dict[str, Guest] = {}
        self._carrier: dict[str, Carrier] = {}
        self._by_tracking: dict[str, str] = {}  # a tracking number's latest delivery
        self._by_source: dict[str, str] = {}  # an expected-delivery source's key: its delivery
        self._by_hash: dict[str, str] = {}
        self._deliveries: list[tuple[datetime, str]] = []  # every delivery, by window start
        self._scheduled: list[tuple[datetime, str]] = []  # scheduled deliveries, by window start
        self._scheduled_ends: list[tuple[datetime, str]] = []  # scheduled deliveries, by window end
        self._guests: list[tuple[datetime, str]] = []  # guests not revoked, by the end of their validity
        self._longest = timedelta(0)
        self.guests_changed = 0  # counts every change of a guest, for what is computed from the guests
        # The latest guest changes: the id of a guest added, None for a guest changed or removed.
        self._guest_log: deque[tuple[int, str | None]] = deque(maxlen=GUEST_LOG)
        for item in passes:
            self._add(item, sort=False)
        for keys in (self._deliveries, self._scheduled, self._scheduled_ends, self._guests):
            keys.sort()

    def __len__(self) -> int:
        """How many passes are stored."""
        return len(self._delivery) + len(self._guest) + len(self._carrier)

    def __contains__(self, pass_id: object) -> bool:
        """Whether a pass id is stored."""
        return pass_id in self._delivery or pass_id in self._guest or pass_id in self._carrier

    def get(self, pass_id: str) -> Pass | None:
        """The pass with this id."""
        return self._delivery.get(pass_id) or self._guest.get(pass_id) or self._carrier.get(pass_id)

    def values(self) -> Iterable[Pass]:
        """Every pass."""
        return chain(self._delivery.values(), self._guest.values(), self._carrier.values())

    def delivery(self, pass_id: str) -> Delivery | None:
        """A delivery by id (None: none, or a pass of another kind)."""
        return self._delivery.get(pass_id)

    def guest(self, pass_id: str) -> Guest | None:
        """A guest by id (None: none, or a pass of another kind)."""
        return self._guest.get(pass_id)

    def carrier(self, pass_id: str) -> Carrier | None:
        """A carrier's link by id (None: none, or a pass of another kind)."""
        return self._carrier.get(pass_id)

    def guests(self) -> Iterable[Guest]:
        """Every guest, revoked ones too."""
        return self._guest.values()

    def carriers(self) -> Iterable[Carrier]:
        """Every carrier pass."""
        return self._carrier.values()

    def by_tracking(self, tracking_number: str) -> Delivery | None:
        """The latest delivery with this tracking number."""
        pass_id = self._by_tracking.get(tracking_number)
        return None if pass_id is None else self._delivery.get(pass_id)

    def by_source(self, key: str) -> Delivery | None:
        """The delivery an expected-delivery source made for one of its items."""
        pass_id = self._by_source.get(key)
        return None if pass_id is None else self._delivery.get(pass_id)

    def from_source(self, entity_id: str) -> list[Delivery]:
        """Every delivery one source entity made."""
        prefix = f"{entity_id}|"
        return [self._delivery[pass_id] for key, pass_id in self._by_source.items() if key.startswith(prefix)]

    def by_hash(self, token_hash: str) -> Pass | None:
        """The pass whose token has this SHA-256 (a dict of hashes of 192-bit random tokens leaks nothing)."""
        pass_id = self._by_hash.get(token_hash)
        return None if pass_id is None else self.get(pass_id)

    def put(self, item: Pass) -> None:
        """Add a pass, or replace the one with its id."""
        if (old := self.get(item.pass_id)) is not None:
            self._drop(old)
        self._add(item, sort=True)
        if isinstance(item, Guest) or isinstance(old, Guest):
            self._guest_changed(item.pass_id if old is None else None)

    def remove(self, pass_id: str) -> None:
        """Forget a pass."""
        if (old := self.get(pass_id)) is not None:
            self._drop(old)
            if isinstance(old, Guest):
                self._guest_changed(None)

    def _guest_changed(self, added: str | None) -> None:
        self.guests_changed += 1
        self._guest_log.append((self.guests_changed, added))

    def guests_added_since(self, seen: int) -> list[Guest] | None:
        """The guests added after change number seen; None when a guest was changed or removed since.

        What is worked out from all guests (the next guest window) then only has to look at the new ones.
        """
        log = [(number, pass_id) for number, pass_id in self._guest_log if number > seen]
        if len(log) != self.guests_changed - seen or any(pass_id is None for _, pass_id in log):
            return None
        return [self._guest[pass_id] for _, pass_id in log if pass_id is not None]

    def _drop(self, item: Pass) -> None:
        if isinstance(item, Guest):
            del self._guest[item.pass_id]
        elif isinstance(item, Carrier):
            del self._carrier[item.pass_id]
        else:
            del self._delivery[item.pass_id]
            if item.tracking_number and self._by_tracking.get(item.tracking_number) == item.pass_id:
                del self._by_tracking[item.tracking_number]
            if item.source and self._by_source.get(item.source) == item.pass_id:
                del self._by_source[item.source]
        if self._by_hash.get(item.token_hash) == item.pass_id:
            del self._by_hash[item.token_hash]
        for keys, key in self._keys(item):
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                del keys[index]

    def _add(self, item: Pass, *, sort: bool) -> None:
        self._by_hash[item.token_hash] = item.pass_id
        if isinstance(item, Guest):
            self._guest[item.pass_id] = item
        elif isinstance(item, Carrier):
            self._carrier[item.pass_id] = item
        else:
            self._delivery[item.pass_id] = item
            if item.tracking_number:
                latest = self._delivery.get(self._by_tracking.get(item.tracking_number, ""))
                if latest is None or latest.window_start <= item.window_start:
                    self._by_tracking[item.tracking_number] = item.pass_id
            if item.source:
                self._by_source[item.source] = item.pass_id
            self._longest = max(self._longest, item.window_end - item.window_start)
        for keys, key in self._keys(item):
            if sort:
                insort(keys, key)
            else:
                keys.append(key)

    def _keys(self, item: Pass) -> Iterator[tuple[list[tuple[datetime, str]], tuple[datetime, str]]]:
        if isinstance(item, Carrier):
            return
        if isinstance(item, Guest):
            if not item.revoked:
                yield self._guests, (item.valid_until or FOREVER, item.pass_id)
            return
        yield self._deliveries, (item.window_start, item.pass_id)
        if item.status is DeliveryStatus.SCHEDULED:
            yield self._scheduled, (item.window_start, item.pass_id)
            yield self._scheduled_ends, (item.window_end, item.pass_id)

    def _starting_from(self, keys: list[tuple[datetime, str]], start: datetime) -> Iterator[Delivery]:
        """Deliveries of a start-ordered list whose window may still be open at start, in order."""
        for index in range(bisect_left(keys, (start - self._longest, "")), len(keys)):
            yield self._delivery[keys[index][1]]

    def deliveries_overlapping(self, start: datetime, end: datetime) -> list[Delivery]:
        """Deliveries (any status) whose window overlaps [start, end), by window start."""
        found = []
        for item in self._starting_from(self._deliveries, start):
            if item.window_start >= end:
                break
            if item.window_end > start:
                found.append(item)
        return found

    def upcoming(self, now: datetime) -> Iterator[Delivery]:
        """Scheduled deliveries whose window has not ended, soonest start first."""
        return (item for item in self._starting_from(self._scheduled, now) if item.window_end > now)

    def next_delivery(self, now: datetime) -> Delivery | None:
        """The scheduled delivery whose window is open now or comes next."""
        return next(self.upcoming(now), None)

    def open_window(self, now: datetime, grace: timedelta) -> Delivery | None:
        """The first scheduled delivery whose window, widened by grace, holds now."""
        return next(self.open_windows(now, grace), None)

    def open_windows(self, now: datetime, grace: timedelta) -> Iterator[Delivery]:
        """The scheduled deliveries whose window, widened by grace, holds now, by window start."""
        for item in self._starting_from(self._scheduled, now - grace):
            if item.window_start - grace > now:
                return
            if item.window_end + grace >= now:
                yield item

    def first_scheduled_end(self) -> datetime | None:
        """The earliest window end among scheduled deliveries (when the next one can be missed)."""
        return self._scheduled_ends[0][0] if self._scheduled_ends else None

    def scheduled_ended_by(self, when: datetime) -> list[Delivery]:
        """Scheduled deliveries whose window ended at or before when."""
        found = []
        for window_end, pass_id in self._scheduled_ends:
            if window_end > when:
                break
            found.append(self._delivery[pass_id])
        return found

    def guests_overlapping(self, start: datetime, end: datetime) -> list[Guest]:
        """Guests not revoked whose validity overlaps [start, end) (their windows are checked later)."""
        found = []
        for index in range(bisect_left(self._guests, (start, "")), len(self._guests)):
            item = self._guest[self._guests[index][1]]
            if item.valid_from is None or item.valid_from < end:
                found.append(item)
        return found
