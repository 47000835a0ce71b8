"""What an oversized request body costs the server: one POST of `--mb` MB (default
300) to the ingest endpoint, sent as fast as the client can, against a Daphne with
the early body limit on and one with it off (`EARLY_BODY_LIMIT`, README
"Reliability").

    .venv/bin/python bench/big_body.py [--mb 300] [--modes on off]

For each mode it prints the time until the answer, the status, how many bytes the
client managed to send, the largest temporary file the server held (sampled every
20 ms from /proc/<pid>/fd: Twisted spools a body of 100 KB or more to an unlinked
temporary file) and the server's peak memory (VmHWM) before and after.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import CLIENT_CORE, daphne_servers, pin_to, server_pids, setup_django


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class SpoolWatcher(threading.Thread):
    """The largest deleted temporary file the server process holds open."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        fd_dir = Path(f"/proc/{self.pid}/fd")
        while not self.done.is_set():
            for fd in list(fd_dir.iterdir()) if fd_dir.exists() else []:
                try:
                    if "(deleted)" in os.readlink(fd):
                        self.peak = max(self.peak, fd.stat().st_size)
                except OSError:
                    continue
            time.sleep(0.02)


def post_big(port: int, path: str, size: int) -> tuple[float, str, int]:
    """Send the headers and up to `size` bytes of body; read the answer. Returns
    seconds until the answer's first line, that line, and the bytes sent."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer ic_{'A' * 40}\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    piece = b" " * (1 << 20)
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(head)
        sock.setblocking(False)
        while b"\r\n" not in answer:
            if sent < size:
                try:
                    sent += sock.send(piece[: min(len(piece), size - sent)])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:  # the server closed: read what it said
                    sent = size
            try:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
            except (BlockingIOError, InterruptedError):
                if sent >= size:
                    time.sleep(0.001)
            except OSError:
                break
            if time.perf_counter() - started > 120:
                break
        took = time.perf_counter() - started
    return took, answer.split(b"\r\n")[0].decode(errors="replace"), sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--modes", nargs="+", default=["on", "off"], choices=["on", "off"])
    args = parser.parse_args()
    pin_to(CLIENT_CORE)
    setup_django()
    size = args.mb * 1024 * 1024
    for mode in args.modes:
        env = {"EARLY_BODY_LIMIT": "true" if mode == "on" else "false"}
        with daphne_servers(extra_env=env) as ports:
            pid = server_pids(ports)[0]
            before = vm_hwm_mib(pid)
            watcher = SpoolWatcher(pid)
            watcher.start()
            took, status, sent = post_big(ports[0], "/api/interviews/1/transcripts/", size)
            time.sleep(0.2)
            watcher.done.set()
            watcher.join()
            print(
                f"[early limit {mode:3}] {args.mb} MB POST: answered in {took * 1000:8.1f} ms"
                f" ({status}); client sent {sent / 2**20:6.1f} MiB; largest spool file"
                f" {watcher.peak / 2**20:6.1f} MiB; server peak RSS {before:.0f} ->"
                f" {vm_hwm_mib(pid):.0f} MiB",
                flush=True,
            )


if __name__ == "__main__":
    main()
