"""Benchmark `conduit probe`; figures are ratios against baselines measured in the same run.

1. Mean connection time of the probe against `pgbench -C` (pgbench's "average connection time")
   on the same local server, sequential connections both. Goal: within 1.2x.
2. The largest K (concurrent connections) the probe sustains with event-loop lag under 5 ms,
   lag being how late a 1 ms timer fires while the K connections open.
3. `conduit probe --redis-url`: mean connect + AUTH + PING time per connection, sequential
   connections, against `redis-benchmark -t ping -k 0 -c 1` (a new connection per request; its
   time per request, 1 / requests per second) on the same local redis-server. Goal: within 1.2x.
   Beside them, the same session on bare asyncio streams (no client library): what Python's event
   loop alone costs, the floor any asyncio client starts from.

Run: make bench  (or .venv/bin/python bench/probe.py [--rounds N]); the figures go to their
section of bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import figures  # noqa: E402
from conduit.probe.postgres import parse_dsn, probe  # noqa: E402
from conduit.probe.redis import parse_redis_url, probe_redis  # noqa: E402
from tests.support.postgres import PASSWORD, _bin, remove, start_postgres  # noqa: E402
from tests.support.redis_server import REDIS_PASSWORD, start_redis  # noqa: E402

LAG_GOAL_MS = 5.0
say = figures.Lines()


def pgbench_connect_ms(port: int, transactions: int) -> float:
    """pgbench -C: a new connection per transaction; its own average connection time."""
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    common = ["-h", "127.0.0.1", "-p", str(port), "-U", "app"]
    subprocess.run(
        [_bin("pgbench"), "-i", "-q", *common, "app"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [
            _bin("pgbench"),
            "-C",
            "-S",
            "-c",
            "1",
            "-j",
            "1",
            "-t",
            str(transactions),
            *common,
            "app",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"average connection time = ([0-9.]+) ms", out)
    if match is None:
        raise RuntimeError(f"pgbench printed no average connection time:\n{out}")
    return float(match.group(1))


def probe_connect_ms(dsn: str, rounds: int) -> float:
    """The probe, one connection at a time: the mean of its connect phase (TCP, startup, auth)."""
    parsed = parse_dsn(dsn)

    async def rounds_of_one() -> list[float]:
        times = []
        for _ in range(rounds):
            result = await probe(parsed, 1, 10)
            times += result.connect_times()
        return times

    return statistics.fmean(asyncio.run(rounds_of_one())) * 1000


async def _lag_during(dsn: str, connections: int) -> tuple[float, bool]:
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - before - 0.001) * 1000)

    tick = asyncio.create_task(ticker())
    result = await probe(parse_dsn(dsn), connections, 60)
    stop.set()
    await tick
    return max(lags) if lags else 0.0, result.ok


def largest_k(dsn: str, ks: list[int]) -> int:
    best = 0
    for k in ks:
        lag, ok = asyncio.run(_lag_during(dsn, k))
        say(f"  K={k:4d}: max event-loop lag {lag:6.2f} ms, all connected: {ok}")
        if ok and lag < LAG_GOAL_MS:
            best = k
    return best


def redis_benchmark_ms(port: int, requests: int) -> float:
    """redis-benchmark, PING with a new connection (and AUTH) per request: ms per request."""
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-a", REDIS_PASSWORD,
         "-t", "ping", "-k", "0", "-c", "1", "-n", str(requests), "--csv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    rates = [float(line.split(",")[1].strip('"')) for line in out.splitlines()[1:] if line]
    return 1000 / statistics.fmean(rates)


def redis_probe_ms(url: str, rounds: int) -> float:
    """The Redis probe, one connection at a time: connect (TCP, AUTH) + PING, mean in ms."""
    target = parse_redis_url(url)

    async def rounds_of_one() -> list[float]:
        times = []
        for _ in range(rounds):
            result = await probe_redis(target, 1, 10)
            times += [(a.connect or 0) + (a.query or 0) for a in result.attempts if a.ok]
        return times

    return statistics.fmean(asyncio.run(rounds_of_one())) * 1000


def bare_asyncio_ms(port: int, rounds: int) -> float:
    """TCP connect, AUTH, PING on asyncio's own streams, written by hand: mean ms."""

    async def sessions() -> list[float]:
        auth = f"*2\r\n$4\r\nAUTH\r\n${len(REDIS_PASSWORD)}\r\n{REDIS_PASSWORD}\r\n".encode()
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(auth)
            await reader.readline()
            writer.write(b"*1\r\n$4\r\nPING\r\n")
            await reader.readline()
            times.append(time.perf_counter() - started)
            writer.close()
            await writer.wait_closed()
        return times

    return statistics.fmean(asyncio.run(sessions())) * 1000


def redis_figures(rounds: int) -> None:
    server = start_redis()
    try:
        redis_probe_ms(server.url(), 10)  # warm-up, both sides
        redis_benchmark_ms(server.port, 10)
        bench = redis_benchmark_ms(server.port, rounds)
        mine = redis_probe_ms(server.url(), rounds)
        bare = bare_asyncio_ms(server.port, rounds)
        say(f"redis-benchmark -k 0 time per request: {bench:.3f} ms ({rounds} connections)")
        say(f"conduit probe --redis-url connect + AUTH + PING: {mine:.3f} ms ({rounds})")
        say(f"bare asyncio streams, the same session: {bare:.3f} ms ({rounds})")
        say(f"ratio probe/redis-benchmark: {mine / bench:.2f}x (goal <= 1.2x)")
        say(f"ratio bare asyncio/redis-benchmark: {bare / bench:.2f}x (Python's own floor)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--ks", default="1,2,4,8,16,32,64,128,256,512")
    args = parser.parse_args()
    server = start_postgres(max_connections=1000)
    try:
        dsn = server.dsn()
        probe_connect_ms(dsn, 10)  # warm-up, both sides
        pgbench_connect_ms(server.port, 10)
        pgbench = pgbench_connect_ms(server.port, args.rounds)
        mine = probe_connect_ms(dsn, args.rounds)
        say(f"pgbench -C average connection time: {pgbench:.3f} ms ({args.rounds} connections)")
        say(f"conduit probe mean connect time:    {mine:.3f} ms ({args.rounds} connections)")
        say(f"ratio probe/pgbench: {mine / pgbench:.2f}x (goal <= 1.2x)")
        say(f"event-loop lag while K connections open (goal < {LAG_GOAL_MS:g} ms):")
        best = largest_k(dsn, [int(k) for k in args.ks.split(",")])
        say(f"largest K with lag under {LAG_GOAL_MS:g} ms: {best}")
    finally:
        remove(server)
    redis_figures(args.rounds)
    say(f"(--rounds {args.rounds} --ks {args.ks})")
    figures.record("probe", say.lines, "bench/probe.py")


if __name__ == "__main__":
    main()
