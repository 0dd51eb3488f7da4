"""Soak the visit core and the one decision: the fail-secure properties over many random inputs.

Run: .venv/bin/python benchmarks/soak.py [--sequences 100000] [--seed 1] [--decisions 50000]
Each sequence is a random visit configuration and up to 40 random inputs (lock states including
unavailable, the door opening, closing or going silent, End visit, a lost camera, waits up to 20
minutes, restarts), the same alphabet the property tests of tests/test_core_properties.py draw from.
Every sequence is checked against each of those properties (their bodies, called directly, without
hypothesis's shrinking); the script prints sequences per second and the violations, which must be zero.
CI runs the same properties through hypothesis with 5,000 examples each.
Then each property of the one decision (tests/test_door_properties.py: every way in, every purpose)
runs through hypothesis with --decisions examples; a violation stops it with the falsifying request.
Then --code-days random days of keypad codes (tests/test_code_properties.py: the same simulation of
the lock, the shell's loop and the real core, checked at every instant), with the figures of the lot:
codes issued, the lock's writes and clears, the longest a code overstayed its time, and violations.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta
import importlib
import logging
import os
from pathlib import Path
import random
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
logging.getLogger().addHandler(logging.NullHandler())  # Home Assistant's import-time notes are not ours


from custom_components.in_home_delivery.core.visit import (
    CameraLost,
    DoorReported,
    EndRequested,
    LockReported,
    VisitSettings,
)
from tests import test_code_properties as codes, test_core_properties as properties

PROPERTIES: list[Callable[..., None]] = [
    properties.test_unlock_only_at_admission.hypothesis.inner_test,  # type: ignore[attr-defined]
    properties.test_every_visit_ends_locked_or_alerted.hypothesis.inner_test,  # type: ignore[attr-defined]
    properties.test_restart_goes_straight_to_locking.hypothesis.inner_test,  # type: ignore[attr-defined]
    properties.test_a_closed_door_never_stays_unlocked.hypothesis.inner_test,  # type: ignore[attr-defined]
]


def random_settings(rng: random.Random) -> VisitSettings:
    """A visit configuration within the ranges the options allow (and a little beyond)."""
    return VisitSettings(
        relock_delay=timedelta(seconds=rng.randint(0, 60)),
        entry_timeout=timedelta(seconds=rng.randint(10, 300)),
        max_visit=timedelta(seconds=rng.randint(60, 1800)),
        door_open_alert=timedelta(seconds=rng.randint(10, 600)),
        has_door_sensor=rng.random() < 0.5,
        lock_when_camera_lost=rng.random() < 0.5,
    )


def random_step(rng: random.Random) -> Any:
    """One input of the same alphabet as the property tests."""
    match rng.randrange(6):
        case 0:
            return LockReported(rng.choice(properties.LOCK_STATES))
        case 1:
            return DoorReported(rng.choice([True, False, None]))
        case 2:
            return EndRequested()
        case 3:
            return CameraLost()
        case 4:
            return ("wait", rng.randint(0, 1200))
        case _:
            return "restart"


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--decisions", type=int, default=50_000)
    parser.add_argument("--code-days", type=int, default=2_000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    violations: list[tuple[str, VisitSettings, list[Any], str]] = []
    steps_total = 0
    started = time.perf_counter()
    for _ in range(args.sequences):
        config = random_settings(rng)
        steps = [random_step(rng) for _ in range(rng.randint(0, 40))]
        steps_total += len(steps)
        for check in PROPERTIES:
            try:
                check(config=config, steps=steps)
            except AssertionError as err:
                violations.append((check.__name__, config, steps, str(err)))
    elapsed = time.perf_counter() - started
    print(
        f"sequences:  {args.sequences:,} (seed {args.seed}), {steps_total:,} inputs, {len(PROPERTIES)} properties each"
    )
    print(f"time:       {elapsed:.1f} s, {args.sequences / elapsed:,.0f} sequences/s")
    print(f"violations: {len(violations)}")
    for name, config, steps, message in violations[:3]:
        print(f"  {name}: {message}\n    {config}\n    {steps}")
    failed = soak_decisions(args.decisions)
    failed += soak_codes(args.code_days, rng)
    sys.exit(1 if violations or failed else 0)


def soak_decisions(examples: int) -> int:
    """Run each property of the one decision with many examples; return how many failed."""
    os.environ["IN_HOME_DELIVERY_EXAMPLES"] = str(examples)
    door_properties = importlib.import_module("tests.test_door_properties")  # reads the number at import
    started = time.perf_counter()
    try:
        door_properties.test_the_one_decision()
        failed = 0
    except AssertionError as err:
        failed = 1
        print(f"decision violation: {err}")
    elapsed = time.perf_counter() - started
    rules = len(door_properties.PROPERTIES)
    print(
        f"decisions:  {examples:,} requests, {rules} rules each, {elapsed:.1f} s, {examples / elapsed:,.0f} requests/s"
    )
    print(f"decision violations: {failed}")
    return failed


def random_code_step(rng: random.Random) -> codes.Step:
    """One step of a keypad code day, of the alphabet the property test draws from."""
    hours = codes.Schedule(weekdays=("mon", "wed", "sat"), start_time=codes.time(7), end_time=codes.time(19))
    match rng.randrange(14):
        case 0 | 1 | 2:
            return ("wait", rng.choice([rng.randint(1, 90), rng.randint(60, 3600), rng.randint(3600, 4 * 3600)]))
        case 3:
            start = rng.choice([0, -30, rng.randint(-60, 240)])
            return ("delivery", start, rng.randint(5, 480), rng.choice(codes.CARRIERS), rng.random() < 0.7)
        case 4:
            start = rng.randrange(24)
            schedule = codes.Schedule(
                weekdays=tuple(rng.sample(codes.WEEKDAYS, rng.randint(1, 7))),
                start_time=codes.time(start),
                end_time=codes.time((start + rng.randint(1, 12)) % 24),
            )
            return ("guest", schedule, rng.choice([None, 1, 3]), rng.choice([None, 12, 48]), rng.random() < 0.7)
        case 5:
            return ("carrier", rng.choice(["DHL", "*"]), rng.choice([None, hours]), rng.random() < 0.7)
        case 6 | 7:
            return ("type", rng.randrange(8), rng.random() < 0.7)
        case 8:
            return (rng.choice(["close", "renew"]), rng.randrange(8))
        case 9:
            return ("suspend", rng.randrange(8), rng.random() < 0.5)
        case 10:
            return ("visit_ends", rng.random() < 0.7)
        case 11:
            return ("reachable", rng.random() < 0.6)
        case 12:
            return ("failure", rng.choice(list(codes.Failure)))
        case _:
            return rng.choice([("restart", rng.randint(0, 600)), ("accepting", rng.random() < 0.7)])


def soak_codes(days: int, rng: random.Random) -> int:
    """Run random days of keypad codes; print what they did and how long a code overstayed; return violations."""
    total = codes.Figures()
    violations: list[tuple[dict[str, int], list[codes.Step], str]] = []
    steps_total = 0
    started = time.perf_counter()
    for _ in range(days):
        setup = {
            "code_length": rng.choice([4, 6]),
            "latency": rng.choice([0, 0, 1, 2]),
            "digits": rng.choice([3, 10]),
            "seed": rng.randrange(2**32),
        }
        steps: list[codes.Step] = []
        waited = 0
        while waited < 24 * 3600:  # a day of the home's time
            steps.append(step := random_code_step(rng))
            waited += step[1] if step[0] in ("wait", "restart") else 0  # type: ignore[operator]
        steps_total += len(steps)
        try:
            total.add(codes.run(setup, steps))
        except AssertionError as err:
            violations.append((setup, steps, str(err)))
    elapsed = time.perf_counter() - started
    print(f"code days:  {days:,} ({steps_total:,} steps), {elapsed:.1f} s, {days / max(elapsed, 1e-9):,.1f} days/s")
    print(
        f"codes:      {total.issued:,} issued, {total.admitted:,} let in, {total.refused_codes:,} refused, "
        f"{total.opened_unheard:,} opened while Home Assistant could not hear"
    )
    print(f"lock:       {total.writes:,} writes, {total.clears:,} clears, {total.refused:,} failed or unanswered")
    print(
        f"overstay:   at most {total.max_overstay.total_seconds():.0f} s on a lock that worked "
        f"(allowed {codes.OVERSTAY.total_seconds():.0f} s), {total.max_overstay_any.total_seconds():,.0f} s at all"
    )
    print(f"code violations: {len(violations)}")
    for setup, steps, message in violations[:3]:
        print(f"  {message}\n    {setup}\n    {steps}")
    return len(violations)


if __name__ == "__main__":
    main()
