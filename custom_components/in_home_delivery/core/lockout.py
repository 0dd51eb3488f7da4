"""Failed link attempts: an address that keeps failing is locked out; a flood alerts the owner once.

Only failures are counted, and only further failures are refused: a request with a valid token never
asks the lockout. Every structure has a cap, so a flood from very many addresses costs bounded memory
and constant (amortised) work per request.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES = 10
LOCKOUT = timedelta(minutes=15)
FLOOD_FAILURES = 50
FLOOD_BUCKET = timedelta(minutes=1)
MAX_TRACKED_ADDRESSES = 10_000
MAX_BLOCKED_ADDRESSES = 10_000
# Requests relayed by Home Assistant Cloud carry no address: they share one budget.
RELAYED = "relayed"


@dataclass
class Lockout:
    """Counts failures per remote address within a sliding window."""

    # Per address, its recent failures (at most MAX_FAILURES); ordered by last failure, oldest first.
    failures: dict[str, deque[datetime]] = field(default_factory=dict)
    # Every block lasts LOCKOUT, so insertion order is also the order in which blocks expire.
    blocked_until: dict[str, datetime] = field(default_factory=dict)
    # Failures of all addresses, counted per minute: at most FAILURE_WINDOW / FLOOD_BUCKET + 1 buckets.
    recent: deque[tuple[datetime, int]] = field(default_factory=deque)
    flood_alerted_until: datetime | None = None

    def is_blocked(self, address: str, now: datetime) -> bool:
        """Whether further failures from the address are refused now."""
        self._expire_blocks(now)
        return address in self.blocked_until

    def record_failure(self, address: str, now: datetime) -> bool:
        """Count a failure; return True when this failure starts a flood the owner should hear of."""
        horizon = now - FAILURE_WINDOW
        attempts = self.failures.pop(address, None) or deque(maxlen=MAX_FAILURES)
        while attempts and attempts[0] < horizon:
            attempts.popleft()
        attempts.append(now)
        if len(attempts) >= MAX_FAILURES:
            self._block(address, now)
        else:
            self.failures[address] = attempts  # re-inserted last: the dict stays ordered by last failure
            if len(self.failures) > MAX_TRACKED_ADDRESSES:
                del self.failures[next(iter(self.failures))]
        return self._count_for_flood(now)

    @property
    def size(self) -> tuple[int, int, int]:
        """How many addresses, blocks and flood buckets are held (for benchmarks and tests)."""
        return len(self.failures), len(self.blocked_until), len(self.recent)

    def _block(self, address: str, now: datetime) -> None:
        self._expire_blocks(now)
        self.blocked_until.pop(address, None)
        self.blocked_until[address] = now + LOCKOUT
        if len(self.blocked_until) > MAX_BLOCKED_ADDRESSES:
            del self.blocked_until[next(iter(self.blocked_until))]

    def _expire_blocks(self, now: datetime) -> None:
        while self.blocked_until:
            first = next(iter(self.blocked_until))
            if self.blocked_until[first] > now:
                return
            del self.blocked_until[first]

    def _count_for_flood(self, now: datetime) -> bool:
        bucket = now - timedelta(seconds=now.second, microseconds=now.microsecond)
        if self.recent and self.recent[-1][0] == bucket:
            self.recent[-1] = (bucket, self.recent[-1][1] + 1)
        else:
            self.recent.append((bucket, 1))
        while self.recent[0][0] <= bucket - FAILURE_WINDOW:
            self.recent.popleft()
        total = sum(count for _, count in self.recent)
        if total >= FLOOD_FAILURES and (self.flood_alerted_until is None or self.flood_alerted_until <= now):
            self.flood_alerted_until = now + LOCKOUT
            return True
        return False
