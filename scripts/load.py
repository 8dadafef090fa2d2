#!/usr/bin/env python3
"""Load test of `footcoach serve`: N concurrent clients for a fixed, bounded time, on loopback only.

A fresh database in a temporary folder (an account, an API token, the shared example runners), then
`footcoach serve` on a free 127.0.0.1 port (``--workers`` processes), then ``--clients`` concurrent
httpx clients, each posting the shared example states to ``POST /api/v1/assess`` and reading
``GET /api/v1/caseload`` every ``--caseload-every`` requests, for ``--seconds``.  Prints requests/s,
p50/p95/p99 latency and the errors (any non-2xx answer or transport failure).  Nothing is left behind.

Run: .venv/bin/python scripts/load.py [--clients 50] [--seconds 20] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "tests" / "data" / "examples").glob("*.json") if ".expected" not in p.name)
FOOTCOACH = [sys.executable, "-m", "footcoach"]
MAX_CLIENTS, MAX_SECONDS = 500, 300
PASSWORD = "load-test password, not secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(db: str) -> str:
    env = {**os.environ, "FOOTCOACH_DB": db}
    subprocess.run(
        [*FOOTCOACH, "user", "add", "load@example.org", "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    for n, path in enumerate(EXAMPLES):
        doc = json.loads(path.read_text())
        doc["runner"].pop("id", None)
        subprocess.run(
            [*FOOTCOACH, "diary", "import", f"runner-{n}", "-"],
            input=json.dumps(doc),
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
    token = subprocess.run(
        [*FOOTCOACH, "user", "token", "load@example.org"], text=True, env=env, check=True, capture_output=True
    ).stdout.strip()
    return token


async def _client(
    base: str, token: str, bodies: list[bytes], stop: float, every: int, pace: float, out: list, errors: list
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
        n = 0
        while time.monotonic() < stop:
            n += 1
            start = time.perf_counter()
            try:
                if every and n % every == 0:
                    r = await c.get("/api/v1/caseload")
                else:
                    r = await c.post("/api/v1/assess", content=bodies[n % len(bodies)])
                ok = r.status_code < 300
            except httpx.HTTPError as exc:
                ok, r = False, exc
            out.append(time.perf_counter() - start)
            if not ok:
                errors.append(str(getattr(r, "status_code", r)))
            if pace:
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - start)))


async def _run(
    base: str, token: str, clients: int, seconds: float, every: int, pace: float
) -> tuple[list[float], list[str], float]:
    bodies = [p.read_bytes() for p in EXAMPLES]
    latencies: list[float] = []
    errors: list[str] = []
    began = time.monotonic()
    stop = began + seconds
    await asyncio.gather(*(_client(base, token, bodies, stop, every, pace, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.monotonic() - began


def _wait_up(base: str, proc: subprocess.Popen, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read() if proc.stderr else ''}")
        try:
            httpx.get(base + "/login", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _pct(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--caseload-every", type=int, default=10, help="every Nth request of a client reads the caseload")
    ap.add_argument(
        "--pace", type=float, default=0, help="seconds each client waits between requests (0: back to back)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.seconds <= MAX_SECONDS:
        raise SystemExit(f"--clients 1-{MAX_CLIENTS}, --seconds up to {MAX_SECONDS}")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "load.db")
        token = _prepare(db)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [
                *FOOTCOACH,
                "serve",
                "--db",
                db,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_up(base, proc)
            latencies, errors, took = asyncio.run(
                _run(base, token, args.clients, args.seconds, args.caseload_every, args.pace)
            )
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    ms = sorted(x * 1000 for x in latencies)
    result = {
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(took, 1),
        "requests": len(ms),
        "requests_per_s": round(len(ms) / took, 1),
        "p50_ms": round(_pct(ms, 50), 1),
        "p95_ms": round(_pct(ms, 95), 1),
        "p99_ms": round(_pct(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(" ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
