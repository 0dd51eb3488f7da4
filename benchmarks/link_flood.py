"""A flood of bad courier-link requests against a running Home Assistant, on this machine only.

Start the demo first (scripts/develop), then:
    .venv/bin/python benchmarks/link_flood.py http://127.0.0.1:8123/api/webhook/<id> [valid link]

It sends REQUESTS posts with made-up tokens (CONCURRENCY at a time, for at most LIMIT seconds), prints
how fast they were answered and with which statuses (401 until the address is locked out, then 429),
and, given a valid link (`...#pass=<token>`), asks that link's `status` from the very address that
flooded: a valid token is never refused by the lockout, so the answer must be 200.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import statistics
import sys
import time
from urllib.parse import urlsplit

import aiohttp

REQUESTS = 2000
CONCURRENCY = 20
LIMIT = 60.0


async def main(webhook_url: str, valid_link: str | None) -> None:
    """Send the flood and print the figures."""
    if urlsplit(webhook_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("This benchmark only talks to a Home Assistant on this machine.")
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(REQUESTS):
        queue.put_nowait(number)
    deadline = time.monotonic() + LIMIT

    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            while not queue.empty() and time.monotonic() < deadline:
                number = queue.get_nowait()
                began = time.perf_counter()
                body = {"pass": f"guess{number}", "action": "unlock"}
                async with session.post(webhook_url, json=body) as response:
                    await response.read()
                    statuses[response.status] += 1
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
        valid = None
        if valid_link:
            address, _, token = valid_link.partition("#pass=")
            async with session.post(address, json={"pass": token, "action": "status"}) as response:
                valid = response.status

    latencies.sort()
    print(f"requests: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f} per second")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(
        f"latency ms: median {statistics.median(latencies):.1f}, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f}, max {latencies[-1]:.1f}"
    )
    if valid is not None:
        print(f"valid link from the flooding address: {valid}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
