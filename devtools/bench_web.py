"""Web bench: requests/s on loopback against the stack's gunicorn, with wrk when installed
(Debian's ``wrk``), else a Python load generator of threads with keep-alive connections
(labelled ``python-threads``: it measures less than wrk can, being Python itself)."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _wrk_script(method: str, bodies: list[str], content_type: str) -> str:
    """A wrk Lua script sending `bodies` in turn."""
    items = ", ".join("[==[" + b + "]==]" for b in bodies)
    return (
        f'wrk.method = "{method}"\n'
        f'wrk.headers["Content-Type"] = "{content_type}"\n'
        f"local bodies = {{{items}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[i])\nend\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("STATUS_ERRORS %d\\n", summary.errors.status))\n'
        '  io.write(string.format("P99_US %d\\n", latency:percentile(99)))\n'
        '  io.write(string.format("P50_US %d\\n", latency:percentile(50)))\nend\n'
    )


def parse_wrk(text: str) -> dict:
    """Requests/s, non-2xx/3xx responses and latency percentiles from wrk's output."""
    out: dict = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        out["req_per_s"] = round(float(m.group(1)), 1)
    if m := re.search(r"(\d+) requests in", text):
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    if m := re.search(r"P50_US (\d+)", text):
        out["p50_ms"] = round(int(m.group(1)) / 1000, 2)
    if m := re.search(r"P99_US (\d+)", text):
        out["p99_ms"] = round(int(m.group(1)) / 1000, 2)
    return out


def run_wrk(url: str, seconds: float, connections: int, method: str = "GET",
            bodies: list[str] | None = None,
            content_type: str = "application/json") -> dict:  # fmt: skip
    exe = wrk_path()
    assert exe is not None
    with tempfile.TemporaryDirectory(prefix="damrongdham-wrk-") as tmp:
        script = Path(tmp) / "bench.lua"
        script.write_text(_wrk_script(method, bodies or [""], content_type), encoding="utf-8")
        done = subprocess.run(
            [exe, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script),
             url],
            capture_output=True, text=True, timeout=seconds + 60,
        )  # fmt: skip
    out = parse_wrk(done.stdout)
    if "req_per_s" not in out:
        out["error"] = (done.stderr or done.stdout).strip()[-300:]
    return out


def run_python(url: str, seconds: float, connections: int, method: str = "GET",
               bodies: list[str] | None = None,
               content_type: str = "application/json") -> dict:  # fmt: skip
    """Threads, each with one keep-alive connection, sending as fast as answers come."""
    from devtools.bench import percentile

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    stop = time.perf_counter() + seconds
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    payloads = [b.encode() for b in (bodies or [""])]

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        codes: Counter[int] = Counter()
        n = i
        while time.perf_counter() < stop:
            body = payloads[n % len(payloads)] if method != "GET" else None
            n += 1
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body,
                             headers={"Content-Type": content_type} if body else {})  # fmt: skip
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                with lock:
                    errors[0] += 1
                continue
            mine.append((time.perf_counter() - t) * 1000)
            codes[resp.status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    total = sum(statuses.values())
    return {
        "req_per_s": round(total / wall, 1),
        "requests": total,
        "non_2xx": sum(v for k, v in statuses.items() if not 200 <= k < 400),
        "socket_errors": errors[0],
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "statuses": dict(statuses),
    }


def bench_web(base_url: str, seconds: float, pins: list[tuple[str, str]],
              connections: int = 16, force_python: bool = False) -> dict:  # fmt: skip
    """Open311 reads and /healthz at full speed; /track.json with a few valid ref+PINs."""
    use_wrk = wrk_path() is not None and not force_python
    run = run_wrk if use_wrk else run_python
    base = base_url.rstrip("/")
    endpoints: dict[str, dict] = {}
    for name, path in (
        ("healthz", "/healthz"),
        ("open311_services", "/open311/v2/services.json"),
        ("open311_requests", "/open311/v2/requests.json"),
    ):
        endpoints[name] = run(base + path, seconds, connections)
    if pins:
        bodies = [json.dumps({"ref": ref, "pin": pin}) for ref, pin in pins]
        endpoints["track_json"] = run(base + "/track.json", seconds, 4, "POST", bodies)
    main = endpoints["open311_requests"].get("req_per_s")
    return {
        "tool": "wrk" if use_wrk else "python-threads (wrk not installed: apt-get install wrk)",
        "connections": connections,
        "seconds_each": seconds,
        "req_per_s": main,
        "req_per_s_is": "GET /open311/v2/requests.json",
        "endpoints": endpoints,
    }
