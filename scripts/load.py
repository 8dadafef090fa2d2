#!/usr/bin/env python3
"""Load test of `footcoach serve`: N concurrent clients for a fixed, bounded time, on loopback only.

A fresh database in a temporary folder (an account, an API token, the shared example runners), then
`footcoach serve` on a free 127.0.0.1 port (``--workers`` processes), then ``--clients`` concurrent
clients, each on its own keep-alive connection, posting the shared example states to
``POST /api/v1/assess`` and reading ``GET /api/v1/caseload`` every ``--caseload-every`` requests, for
``--seconds`` (after ``--warmup`` seconds of the same load that are not counted).

Clients:
- back to back (``--think-ms 0``, the default): each client sends its next request as soon as the
  answer is in.  This measures the most the server carries (saturation): with every client always
  waiting, latency is about clients / throughput, whatever the server does.
- as people use it (``--think-ms MS``): after each answer a client waits a random think time
  (exponential, mean MS; each client starts at a random point of its first wait), so clients are
  independent and do not fire in step.

Every answer is checked: an assessment must be byte for byte what ``footcoach assess --format json``
prints for that state, the caseload a 200 JSON list; anything else (or a transport failure, or a request
still unanswered ``--timeout`` seconds after the end) is an error.

``--client raw`` (the default) is a minimal HTTP/1.1 client on asyncio streams (uvloop when installed),
so the load generator, which shares the cores with the server, takes as little of them as possible;
``--client httpx`` uses httpx.AsyncClient instead (about 3-4 times the client CPU per request).

Prints requests/s, p50/p95/p99/max latency (all requests, and per route), errors, and where the CPU
went during the measured time: the server's processes, this client, and everything else on the machine
(other work on a shared machine slows the server and is reported, not hidden).  Nothing is left behind.

Run: .venv/bin/python scripts/load.py [--clients 50] [--seconds 20] [--workers 2] [--think-ms 0] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "tests" / "data" / "examples").glob("*.json") if ".expected" not in p.name)
FOOTCOACH = [sys.executable, "-m", "footcoach"]
MAX_CLIENTS, MAX_SECONDS = 500, 300
PASSWORD = "load-test password, not secret"
EMAIL = "load@example.org"
MS = 1000
CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
PERCENTILES = (50, 95, 99)


# ---- set-up ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(args: list[str], db: str, stdin: str | None = None) -> str:
    env = {**os.environ, "FOOTCOACH_DB": db}
    done = subprocess.run([*FOOTCOACH, *args], input=stdin, text=True, env=env, check=True, capture_output=True)
    return done.stdout


def _prepare(db: str) -> str:
    """The account, the example runners and an API token (returned)."""
    _cli(["user", "add", EMAIL, "--password-stdin"], db, PASSWORD + "\n")
    for n, path in enumerate(EXAMPLES):
        doc = json.loads(path.read_text())
        doc["runner"].pop("id", None)
        _cli(["diary", "import", f"runner-{n}", "-"], db, json.dumps(doc))
    return _cli(["user", "token", EMAIL], db).strip()


def _expected(db: str) -> list[bytes]:
    """What ``footcoach assess FILE --format json`` prints for each example: each answer must equal it."""
    return [_cli(["assess", str(path), "--format", "json"], db).encode() for path in EXAMPLES]


def _wait_up(port: int, proc: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


# ---- CPU accounting -------------------------------------------------------------------------------


def _tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of a process and each of its living descendants, by process id."""
    found: dict[int, float] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            found[p] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return found


def _machine_busy() -> float:
    """CPU seconds every core of the machine has been busy since boot (not idle, not waiting for I/O)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLK_TCK


def _connections(pids: list[int], port: int) -> list[int]:
    """How many established connections to ``port`` each of these processes holds (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "01":  # not clinical: TCP_ESTABLISHED
                    inodes.add(cols[9])
    counts = []
    for pid in pids:
        held = 0
        with suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    link = os.readlink(fd)
                    held += link.startswith("socket:[") and link[8:-1] in inodes
        counts.append(held)
    return sorted((c for c in counts if c), reverse=True)


@dataclass
class Cpu:
    processes: dict[int, float]
    client: float
    machine: float

    @classmethod
    def now(cls, server_pid: int) -> Cpu:
        return cls(_tree_cpu(server_pid), time.process_time(), _machine_busy())

    def __sub__(self, other: Cpu) -> Cpu:
        both = {p: t - other.processes[p] for p, t in self.processes.items() if p in other.processes}
        return Cpu(both, self.client - other.client, self.machine - other.machine)

    @property
    def server(self) -> float:
        return sum(self.processes.values())


# ---- clients --------------------------------------------------------------------------------------


@dataclass
class Tally:
    measuring: bool = False
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"assess": [], "caseload": []})
    errors: list[str] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)

    def record(self, route: str, seconds: float, error: str | None) -> None:
        if not self.measuring:
            return
        self.latencies[route].append(seconds)
        if error:
            self.errors.append(error)


Send = Callable[[bytes], Awaitable[tuple[int, bytes]]]


class RawConnection:
    """One keep-alive HTTP/1.1 connection: a request is one write (TCP_NODELAY), the answer is read by
    its Content-Length.  Like any HTTP client, it opens a new connection when the server has closed the
    kept one (uvicorn closes a connection idle for 5 s, which a client thinking for longer meets), and
    sends the request once more when the server closed a reused connection before answering a byte."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.streams is not None and self.streams[0].at_eof():
            self.close()
        if self.streams is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.streams = reader, writer
        return self.streams

    async def send(self, request: bytes) -> tuple[int, bytes]:
        reused = self.streams is not None
        try:
            return await self._exchange(*await self._open(), request)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            self.close()
            if not reused or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
        return await self._exchange(*await self._open(), request)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, bytes]:
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            lines = head.lower().split(b"\r\n")
            length = next(int(line[15:]) for line in lines if line.startswith(b"content-length:"))
            body = await reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        if b"connection: close" in lines:
            self.close()
        return status, body

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def _raw_requests(port: int, token: str, bodies: list[bytes]) -> tuple[list[bytes], bytes]:
    common = f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
    posts = [
        (
            f"POST /api/v1/assess HTTP/1.1\r\n{common}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body in bodies
    ]
    return posts, f"GET /api/v1/caseload HTTP/1.1\r\n{common}\r\n".encode()


@dataclass
class Plan:
    port: int
    token: str
    bodies: list[bytes]
    expected: list[bytes]
    every: int
    think_s: float
    kind: str
    stop: float = 0.0


async def _client(plan: Plan, index: int, tally: Tally) -> None:
    rng = random.Random(index)
    n = rng.randrange(len(plan.bodies) * max(plan.every, 1))
    if plan.think_s:
        await asyncio.sleep(rng.uniform(0, plan.think_s))
    if plan.kind == "httpx":
        await _httpx_client(plan, index, tally, rng, n)
        return
    posts, caseload = _raw_requests(plan.port, plan.token, plan.bodies)
    conn = RawConnection(plan.port)
    try:
        while time.monotonic() < plan.stop:
            n += 1
            route = "caseload" if plan.every and n % plan.every == 0 else "assess"
            which = n % len(posts)
            start = time.perf_counter()
            try:
                status, body = await conn.send(caseload if route == "caseload" else posts[which])
                error = _check(plan, route, which, status, body)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                error = type(exc).__name__
            tally.record(route, time.perf_counter() - start, error)
            if plan.think_s:
                await asyncio.sleep(rng.expovariate(1 / plan.think_s))
    finally:
        conn.close()


async def _httpx_client(plan: Plan, index: int, tally: Tally, rng: random.Random, n: int) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {plan.token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{plan.port}", headers=headers, timeout=None) as c:
        while time.monotonic() < plan.stop:
            n += 1
            route = "caseload" if plan.every and n % plan.every == 0 else "assess"
            which = n % len(plan.bodies)
            start = time.perf_counter()
            try:
                if route == "caseload":
                    r = await c.get("/api/v1/caseload")
                else:
                    r = await c.post("/api/v1/assess", content=plan.bodies[which])
                error = _check(plan, route, which, r.status_code, r.content)
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            tally.record(route, time.perf_counter() - start, error)
            if plan.think_s:
                await asyncio.sleep(rng.expovariate(1 / plan.think_s))


def _check(plan: Plan, route: str, which: int, status: int, body: bytes) -> str | None:
    if status != 200:  # not clinical: HTTP OK
        return f"HTTP {status}"
    if route == "assess" and body != plan.expected[which]:
        return "assessment differs from `footcoach assess --format json`"
    if route == "caseload" and not body.startswith(b"["):
        return "caseload is not a JSON list"
    return None


async def _run(plan: Plan, clients: int, warmup: float, seconds: float, timeout: float, server_pid: int) -> Any:
    tally = Tally()
    plan.stop = time.monotonic() + warmup + seconds
    tasks = [asyncio.create_task(_client(plan, i, tally)) for i in range(clients)]
    await asyncio.sleep(warmup)
    tally.measuring = True
    cpu0, began = Cpu.now(server_pid), time.monotonic()
    await asyncio.sleep(max(0.0, plan.stop - time.monotonic()) / 2)
    tally.connections = _connections(list(_tree_cpu(server_pid)), plan.port)
    await asyncio.sleep(max(0.0, plan.stop - time.monotonic()))
    cpu1, took = Cpu.now(server_pid), time.monotonic() - began
    tally.measuring = False
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    tally.errors += [f"no answer {timeout:g} s after the end"] * len(pending)
    tally.errors += [repr(t.exception()) for t in done if not t.cancelled() and t.exception() is not None]
    return tally, cpu1 - cpu0, took


# ---- report ---------------------------------------------------------------------------------------


def _pct(sorted_ms: list[float], p: float) -> float | None:
    if not sorted_ms:
        return None
    return round(sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))], 1)


def _summary(seconds: list[float]) -> dict[str, Any]:
    ms = sorted(x * MS for x in seconds)
    out: dict[str, Any] = {"requests": len(ms)}
    out.update({f"p{p}_ms": _pct(ms, p) for p in PERCENTILES})
    out["max_ms"] = round(ms[-1], 1) if ms else None
    out["mean_ms"] = round(statistics.fmean(ms), 1) if ms else None
    return out


def _report(args: argparse.Namespace, tally: Tally, cpu: Cpu, took: float, load_before: float) -> dict[str, Any]:
    every = [x for xs in tally.latencies.values() for x in xs]
    share = 100 / (took * CORES)
    result: dict[str, Any] = {
        "clients": args.clients,
        "think_ms": args.think_ms,
        "client": args.client,
        "workers": args.workers,
        "seconds": round(took, 1),
        "requests_per_s": round(len(every) / took, 1),
        **_summary(every),
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors))[:5],
        "by_route": {route: _summary(xs) for route, xs in tally.latencies.items()},
        "cpu_percent_of_all_cores": {
            "server": round(cpu.server * share, 1),
            "load_client": round(cpu.client * share, 1),
            "everything_else": round(max(0.0, cpu.machine - cpu.server - cpu.client) * share, 1),
        },
        "server_processes_cpu_percent": sorted((round(t * share, 1) for t in cpu.processes.values()), reverse=True),
        "connections_per_server_process": tally.connections,
        "server_cpu_ms_per_request": round(cpu.server * MS / len(every), 2) if every else None,
        "client_cpu_ms_per_request": round(cpu.client * MS / len(every), 2) if every else None,
        "cores": CORES,
        "load_average_before": load_before,
    }
    return result


def _print(result: dict[str, Any]) -> None:
    r = result
    print(
        f"{r['clients']} clients ({r['client']}, think {r['think_ms']} ms), {r['workers']} workers, "
        f"{r['seconds']} s: {r['requests_per_s']} requests/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
        f"p99 {r['p99_ms']} ms, max {r['max_ms']} ms, errors {r['errors']} {r['error_kinds'] or ''}"
    )
    for route, s in r["by_route"].items():
        print(f"  {route}: {s['requests']} requests, p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms")
    c = r["cpu_percent_of_all_cores"]
    print(
        f"  CPU of all {r['cores']} cores: server {c['server']} %, load client {c['load_client']} %, everything else "
        f"{c['everything_else']} % (load average before {r['load_average_before']}); per request: server "
        f"{r['server_cpu_ms_per_request']} ms, client {r['client_cpu_ms_per_request']} ms; server processes "
        f"{r['server_processes_cpu_percent']} %, holding {r['connections_per_server_process']} connections"
    )


# ---- main -----------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20, help="measured time")
    ap.add_argument("--warmup", type=float, default=2, help="seconds of the same load before measuring (not counted)")
    ap.add_argument("--workers", type=int, default=CORES, help="server processes (default: one per core)")
    ap.add_argument("--caseload-every", type=int, default=10, help="every Nth request of a client reads the caseload")
    ap.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="mean think time of each client between an answer and its next request (exponential; 0: back to back)",
    )
    ap.add_argument("--client", choices=("raw", "httpx"), default="raw", help="HTTP client of the load generator")
    ap.add_argument("--timeout", type=float, default=30, help="seconds to wait after the end for unanswered requests")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.seconds <= MAX_SECONDS:
        ap.error(f"--clients 1-{MAX_CLIENTS}, --seconds up to {MAX_SECONDS}")
    if args.think_ms < 0 or not 0 <= args.warmup <= MAX_SECONDS or args.workers < 1:
        ap.error("--think-ms and --warmup at least 0, --workers at least 1")
    return args


def _event_loop() -> Callable[[Awaitable[Any]], Any]:
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "load.db")
        token = _prepare(db)
        expected = _expected(db)
        port = _free_port()
        serve = ["serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
        proc = subprocess.Popen([*FOOTCOACH, *serve], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _wait_up(port, proc)
            plan = Plan(
                port, token, [p.read_bytes() for p in EXAMPLES], expected, args.caseload_every, 0.0, args.client
            )
            plan.think_s = args.think_ms / MS
            load_before = round(os.getloadavg()[0], 1)
            tally, cpu, took = _event_loop()(
                _run(plan, args.clients, args.warmup, args.seconds, args.timeout, proc.pid)
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    result = _report(args, tally, cpu, took, load_before)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)


if __name__ == "__main__":
    main()
