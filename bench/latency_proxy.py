"""A TCP proxy that adds a fixed one-way delay, to benchmark against "remote" databases on one
machine (the kernel here has no netem). Every chunk is delivered `delay` after it arrived, and
chunks are pipelined, so the proxy adds latency without capping throughput.

    proxies = start_proxies([5432, 5433], delay_ms=10)   # -> {5432: 40001, 5433: 40002}
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from typing import Any


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def receive() -> None:
        while data := await reader.read(65536):
            queue.put_nowait((time.monotonic() + delay, data))
        queue.put_nowait((0.0, b""))

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    await asyncio.gather(receive(), deliver(), return_exceptions=True)


async def _serve(mapping: dict[int, int], delay: float, ready: Any) -> None:
    async def handle(target: int, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(_pipe(client_r, server_w, delay), _pipe(server_r, client_w, delay), return_exceptions=True)

    servers = [
        await asyncio.start_server(lambda r, w, t=target: handle(t, r, w), "127.0.0.1", listen)
        for target, listen in mapping.items()
    ]
    ready.set()
    await asyncio.gather(*(s.serve_forever() for s in servers))


def _run(mapping: dict[int, int], delay: float, ready: Any) -> None:
    asyncio.run(_serve(mapping, delay, ready))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_proxies(targets: list[int], delay_ms: float) -> tuple[dict[int, int], multiprocessing.Process]:
    """Proxy each target port through a new port with `delay_ms` each way, in a separate process."""
    mapping = {target: _free_port() for target in targets}
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=_run, args=(mapping, delay_ms / 1000, ready), daemon=True)
    process.start()
    ready.wait(10)
    return mapping, process
