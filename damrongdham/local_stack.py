"""A whole `damrongdham up` in a subprocess on free loopback ports (tests, chaos, bench)."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@dataclass
class RunningStack:
    """`damrongdham up` in a subprocess, with what it wrote."""

    data_dir: Path
    proc: subprocess.Popen[str]
    info: dict
    output_file: Path

    @property
    def output(self) -> str:
        return self.output_file.read_text(encoding="utf-8")

    def credentials(self) -> dict[str, dict[str, str]]:
        with (self.data_dir / "credentials.csv").open(encoding="utf-8") as fh:
            return {row["slug"]: row for row in csv.DictReader(fh)}

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_stack(
    data_dir: Path, ports: list[int] | None = None, timeout: float = 90,
    extra: list[str] | None = None,
) -> RunningStack:
    """Run `python -m damrongdham up` on free loopback ports and wait for stack.json."""
    c2s, comp, http, web = ports or free_ports(4)
    data_dir.mkdir(parents=True, exist_ok=True)
    out = data_dir.parent / f"{data_dir.name}-up-{uuid.uuid4().hex[:6]}.log"
    env = dict(os.environ, PYTHAINLP_OFFLINE="1", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "damrongdham", "up", "--data-dir", str(data_dir),
           "--c2s-port", str(c2s), "--component-port", str(comp), "--http-port", str(http),
           "--web-port", str(web), "--registration-throttle-max", "10000", *(extra or [])]
    with out.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=REPO)
    stack_file = data_dir / "stack.json"
    deadline = time.monotonic() + timeout
    while not stack_file.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"up exited with {proc.returncode}:\n{out.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"up not ready after {timeout} s:\n{out.read_text()}")
        time.sleep(0.1)
    info = json.loads(stack_file.read_text(encoding="utf-8"))
    return RunningStack(data_dir, proc, info, out)
