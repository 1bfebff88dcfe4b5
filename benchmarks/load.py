"""Load benchmark: `eti serve` at 1 and 2 workers under a mix of ask, search and streamed ask.

    python benchmarks/load.py [--workers 1,2] [--duration 30] [--state sqlite] [--json out.json]

Everything runs on loopback and stops by itself (every scenario is bounded in requests and time):

* open loop: 50 parents, each asking about every 5 s (random phase and jitter), so ~10 requests/s
  whatever the latency; latency percentiles are what a parent waits.
* closed loop: 50 clients, no pause: throughput (requests/s) and latency; 1 vs 2 workers.
* /healthz p99 while 50 clients post feedback as fast as they can (SQLite or Redis writes); the probe
  runs in a process of its own, as a monitor would.
* 200 connections at once, each asking: every reply must be 200, 429 or 503 with Retry-After,
  and /readyz must answer afterwards.
* one slow client (a body trickling in a byte every 0.5 s) beside the open loop: it is cut off
  (408) and nobody else waits for it.

The server is a child process (`eti serve --workers N`, rate limits lifted, one embedding thread
per worker); the load generator is another child process (asyncio + httpx on uvloop), so the
machine's cores are shared by the workers and one cheap generator, as the docs say.
Work files go under data/bench/load (git-ignored); the default index is built there once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIX = (("ask", 0.5), ("search", 0.3), ("stream", 0.2))


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(times_ms: list[float], seconds: float, errors: int, statuses: dict) -> dict:
    return {"requests": len(times_ms), "seconds": round(seconds, 1), "rps": round(len(times_ms) / seconds, 1),
            "p50_ms": round(pct(times_ms, 50), 1), "p95_ms": round(pct(times_ms, 95), 1),
            "p99_ms": round(pct(times_ms, 99), 1), "errors": errors, "statuses": statuses}


def questions() -> list[str]:
    import yaml

    bank = yaml.safe_load((ROOT / "eval" / "questions" / "dev.yaml").read_text(encoding="utf-8"))["questions"]
    return [q["question"] for q in bank if q["kind"] in ("factual", "multi_sector", "municipal", "unanswerable")]


# --------------------------------------------------------------------------- the generator (child process)


async def one(client, kind: str, q: str) -> tuple[int, float]:
    t = time.perf_counter()
    if kind == "search":
        r = await client.post("/v1/search", json={"query": q, "k": 10})
        status = r.status_code
    elif kind == "ask":
        r = await client.post("/v1/ask", json={"question": q})
        status = r.status_code
    else:
        async with client.stream("POST", "/v1/ask", json={"question": q, "stream": True}) as r:
            status = r.status_code
            body = b"".join([c async for c in r.aiter_bytes()])
            if status == 200 and b"event: done" not in body:
                status = 599  # a stream that ended early
    return status, (time.perf_counter() - t) * 1000


def pick(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for kind, share in MIX:
        acc += share
        if x < acc:
            return kind
    return MIX[-1][0]


async def open_loop(base: str, seconds: float, parents: int = 50, every_s: float = 5.0) -> dict:
    import httpx

    qs, times, statuses, errors = questions(), [], {}, 0
    stop = time.perf_counter() + seconds

    async def parent(i: int, client) -> None:
        nonlocal errors
        rng = random.Random(i)
        await asyncio.sleep(rng.uniform(0, every_s))
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, ms = await one(client, pick(rng), rng.choice(qs))
                statuses[status] = statuses.get(status, 0) + 1
                times.append(ms)
                errors += status != 200
            except httpx.HTTPError:
                errors += 1
            await asyncio.sleep(max(0.0, every_s * rng.uniform(0.8, 1.2) - (time.perf_counter() - started)))

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=parents)) as c:
        t0 = time.perf_counter()
        await asyncio.gather(*(parent(i, c) for i in range(parents)))
        return summary(times, time.perf_counter() - t0, errors, statuses)


async def closed_loop(base: str, seconds: float, clients: int = 50, max_requests: int = 20_000) -> dict:
    import httpx

    qs, times, statuses, errors = questions(), [], {}, 0
    stop = time.perf_counter() + seconds

    async def client_loop(i: int, c) -> None:
        nonlocal errors
        rng = random.Random(1000 + i)
        while time.perf_counter() < stop and len(times) + errors < max_requests:
            try:
                status, ms = await one(c, pick(rng), rng.choice(qs))
                statuses[status] = statuses.get(status, 0) + 1
                times.append(ms)
                errors += status != 200
            except httpx.HTTPError:
                errors += 1

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=clients)) as c:
        for q in qs[:10]:  # warm-up
            await one(c, "ask", q)
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop(i, c) for i in range(clients)))
        return summary(times, time.perf_counter() - t0, errors, statuses)


async def probe_health(base: str, seconds: float, every_s: float = 0.02) -> dict:
    """/healthz, one request at a time, as a monitor outside the load would probe it."""
    import httpx

    health, errors = [], 0
    stop = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=60) as h:
        t0 = time.perf_counter()
        while time.perf_counter() < stop:
            t = time.perf_counter()
            r = await h.get("/healthz")
            health.append((time.perf_counter() - t) * 1000)
            errors += r.status_code != 200
            await asyncio.sleep(every_s)
        return summary(health, time.perf_counter() - t0, errors, {})


async def health_during_feedback(base: str, seconds: float, writers: int = 50) -> dict:
    """50 writers post feedback as fast as they can while /healthz is probed. The probe runs in a
    process of its own: sharing the writers' event loop, it would time the generator's own queue
    (50 busy coroutines) as much as the server's."""
    import httpx

    posted, errors = 0, 0
    stop = time.perf_counter() + seconds
    probe = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--generate", json.dumps({"scenario": "probe", "base": base, "seconds": seconds}),
        stdout=asyncio.subprocess.PIPE)

    async def writer(i: int, c) -> None:
        nonlocal posted, errors
        n = 0
        while time.perf_counter() < stop:
            n += 1
            r = await c.post("/v1/feedback", json={"conversation_id": f"loadtest-{i:04d}", "rating": "up",
                                                   "comment": f"Nyttig svar nummer {n}"},
                             headers={"Idempotency-Key": f"load-{i}-{n}"})
            posted += r.status_code == 201
            errors += r.status_code != 201

    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=writers)) as w:
        t0 = time.perf_counter()
        await asyncio.gather(*(writer(i, w) for i in range(writers)))
        took = time.perf_counter() - t0
    out_bytes, _ = await probe.communicate()
    out = json.loads(out_bytes.decode().strip().splitlines()[-1])
    out["errors"] += errors
    out["feedback_per_s"] = round(posted / took, 1)
    return out


async def burst(base: str, connections: int = 200, rounds: int = 3) -> dict:
    import httpx

    qs, statuses, bad, errors = questions(), {}, 0, 0
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(max_connections=connections)) as c:
        for rnd in range(rounds):
            picked = [qs[(rnd * connections + i) % len(qs)] for i in range(connections)]
            replies = await asyncio.gather(*(c.post("/v1/ask", json={"question": q}) for q in picked),
                                           return_exceptions=True)
            for r in replies:
                if isinstance(r, Exception):
                    errors += 1
                    continue
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code not in (200, 429, 503) or (r.status_code != 200 and "retry-after" not in r.headers):
                    bad += 1
        ready = (await c.get("/readyz")).status_code
    return {"connections": connections, "rounds": rounds, "statuses": statuses, "ungraceful": bad,
            "errors": errors, "readyz_after": ready}


async def slow_client(base: str, seconds: float) -> dict:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
    await writer.drain()

    async def trickle() -> bytes:
        for _ in range(int(seconds * 2)):
            try:
                writer.write(b" ")
                await writer.drain()
            except ConnectionError:
                break
            await asyncio.sleep(0.5)
            if reader.at_eof() or reader._buffer:  # type: ignore[attr-defined]  # the server answered
                break
        return await reader.read(200)

    others, reply = await asyncio.gather(open_loop(base, seconds), trickle())
    writer.close()
    return {"slow_client_reply": reply.split(b"\r\n", 1)[0].decode(errors="replace"), "others": others}


def generate(spec: dict) -> dict:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    fn = {"open": open_loop, "closed": closed_loop, "health": health_during_feedback, "probe": probe_health,
          "burst": burst, "slow": slow_client}[spec.pop("scenario")]
    return asyncio.run(fn(**spec))


# --------------------------------------------------------------------------- the server and main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_index(data: Path) -> None:
    if (data / "index" / "CURRENT").exists():
        return
    print(f"building the default index in {data} (knowledge cards, no network) ...", flush=True)
    subprocess.run([sys.executable, "-m", "eti.cli", "up", "--no-serve", "--data-dir", str(data)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)


def start_server(data: Path, workers: int, env: dict) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "eti.cli", "serve", "--data-dir", str(data), "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, seen = f"http://127.0.0.1:{port}", set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(seen) < workers:  # until every worker has answered
        try:
            with httpx.Client(base_url=base, timeout=5) as c:
                r = c.get("/readyz")
                if r.status_code == 200:
                    seen.add(r.headers["x-eti-worker"])
        except httpx.HTTPError:
            time.sleep(0.5)
    if len(seen) < workers:
        proc.terminate()
        raise SystemExit(f"{workers} worker(s) did not all become ready")
    return proc, base


def run_generator(spec: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, "--generate", json.dumps(spec)], capture_output=True, text=True,
                          timeout=spec.get("seconds", 60) * 3 + 300)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(name: str, r: dict) -> str:
    return (f"{name:<34} {r['requests']:>6} req {r['rps']:>7} req/s  p50 {r['p50_ms']:>7} p95 {r['p95_ms']:>7}"
            f" p99 {r['p99_ms']:>7} ms  errors {r['errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--duration", type=float, default=30, help="seconds per load scenario")
    ap.add_argument("--state", default="sqlite", help="memory | sqlite | redis (needs --redis-url)")
    ap.add_argument("--redis-url")
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "bench" / "load")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--generate", help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args()
    if args.generate:
        print(json.dumps(generate(json.loads(args.generate))))
        return

    ensure_index(args.data)
    env = {"ETI_RATE_LIMIT_PER_MINUTE_IP": str(10**9), "ETI_EMBED_THREADS": "1", "ETI_STATE_BACKEND": args.state,
           "HF_HUB_OFFLINE": "1", "ETI_LOG_LEVEL": "WARNING"}
    if args.redis_url:
        env["ETI_REDIS_URL"] = args.redis_url
    d = args.duration
    results: dict = {"state": args.state, "duration_s": d, "cpus": os.cpu_count(), "runs": {}}
    for workers in [int(w) for w in args.workers.split(",")]:
        proc, base = start_server(args.data, workers, env)
        try:
            run: dict = {}
            run["open"] = run_generator({"scenario": "open", "base": base, "seconds": d})
            print(line(f"{workers}w open loop (50 x 1/5s)", run["open"]), flush=True)
            run["closed"] = run_generator({"scenario": "closed", "base": base, "seconds": d})
            print(line(f"{workers}w closed loop (50 clients)", run["closed"]), flush=True)
            run["health"] = run_generator({"scenario": "health", "base": base, "seconds": min(d, 15)})
            print(line(f"{workers}w /healthz during feedback", run["health"]) +
                  f"  feedback {run['health']['feedback_per_s']}/s", flush=True)
            run["burst"] = run_generator({"scenario": "burst", "base": base})
            print(f"{workers}w 200 connections at once x3: {run['burst']['statuses']}, ungraceful "
                  f"{run['burst']['ungraceful']}, errors {run['burst']['errors']}, /readyz after "
                  f"{run['burst']['readyz_after']}", flush=True)
            run["slow"] = run_generator({"scenario": "slow", "base": base, "seconds": min(d, 15)})
            print(line(f"{workers}w open loop beside a slow client", run["slow"]["others"]) +
                  f"  slow client got: {run['slow']['slow_client_reply']}", flush=True)
            results["runs"][workers] = run
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    runs = results["runs"]
    if 1 in runs and 2 in runs:
        ratio = runs[2]["closed"]["rps"] / runs[1]["closed"]["rps"]
        results["closed_loop_scaling"] = round(ratio, 2)
        print(f"closed-loop throughput 2 workers / 1 worker: {ratio:.2f}x (target >= 1.7)")
    for w, run in runs.items():
        print(f"targets at {w}w: open-loop p95 {run['open']['p95_ms']} ms (<= 150), /healthz p99 during feedback "
              f"{run['health']['p99_ms']} ms (<= 50), errors "
              f"{run['open']['errors'] + run['closed']['errors'] + run['health']['errors']} (0)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
