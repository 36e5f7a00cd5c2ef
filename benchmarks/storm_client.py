"""An open-loop HTTP/1.1 load client for the storm benchmark (asyncio streams, keep-alive).

Request i is due at start + i / rate whatever happened to earlier ones (so a slow server
cannot slow the offered load down); `connections` keep-alive connections take the next due
request. A 503 with `Retry-After` is sent again that many seconds later, as Alertmanager and
Prometheus retry, until `deadline_s`. Loopback only; bounded by count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from dataclasses import dataclass, field


@dataclass
class Sent:
    """One answered request: which body, when it was first due, when sent, status, latency."""

    index: int
    due: float
    sent: float
    status: int
    latency_s: float
    attempt: int


@dataclass
class StormStats:
    """Everything the client saw."""

    answers: list[Sent] = field(default_factory=list)
    retries: int = 0
    errors: int = 0
    given_up: int = 0
    started: float = 0.0
    finished: float = 0.0

    def by_status(self) -> dict[int, int]:
        """How many answers per status code (retries included)."""
        out: dict[int, int] = {}
        for a in self.answers:
            out[a.status] = out.get(a.status, 0) + 1
        return out


def _request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n")
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


async def _answer(reader: asyncio.StreamReader) -> tuple[int, int | None]:
    """Read one response; (status, Retry-After seconds or None)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, retry = 0, None
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "retry-after":
            retry = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status, retry


async def storm(url: str, path: str, bodies: list[bytes], *, rate: float, connections: int,
                headers: dict[str, str] | None = None, deadline_s: float = 120.0
                ) -> StormStats:
    """Send every body once at `rate`/s, plus retries after a 503 until `deadline_s`."""
    host, port = url.split("//", 1)[1].split(":")
    stats = StormStats()
    start = time.monotonic()
    stats.started = time.time()
    queue: list[tuple[float, int, int, str, bytes]] = []  # (due, index, attempt, path, body)
    for i, body in enumerate(bodies):
        queue.append((start + i / rate, i, 0, path, body))
    heapq.heapify(queue)
    hdrs = headers or {}
    stop_at = start + deadline_s
    wake = asyncio.Event()

    async def conn() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while queue:
                due, index, attempt, p, body = queue[0]
                now = time.monotonic()
                if now > stop_at:
                    return
                if due > now:
                    wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), timeout=min(due - now, 0.05))
                    continue
                heapq.heappop(queue)
                sent = time.monotonic()
                try:
                    writer.write(_request(host, int(port), p, body, hdrs))
                    status, retry = await _answer(reader)
                except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
                    stats.errors += 1
                    heapq.heappush(queue, (time.monotonic() + 1.0, index, attempt + 1, p, body))
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                done = time.monotonic()
                stats.answers.append(Sent(index, due - start, sent - start, status,
                                          done - sent, attempt))
                if status == 503:
                    stats.retries += 1
                    again = done + (retry if retry is not None else 1)
                    if again < stop_at:
                        heapq.heappush(queue, (again, index, attempt + 1, p, body))
                        wake.set()
                    else:
                        stats.given_up += 1
        finally:
            writer.close()

    await asyncio.gather(*[conn() for _ in range(connections)])
    stats.finished = time.time()
    stats.given_up += len(queue)
    return stats
