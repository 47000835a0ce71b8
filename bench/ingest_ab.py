"""A/B ingest comparison on a shared machine: a Daphne from another checkout (A, e.g.
the commit before a change, `git worktree add ../before <commit>` with a .venv) and
one from this one (B), serving 100 streams each, in alternating short phases (A B,
B A, ...) so that both see the same background load. Prints chunks/s, ack p50/p99
and the server's CPU time per chunk (less sensitive to other processes than
latency) per phase, and the medians.

    .venv/bin/python bench/ingest_ab.py ../before [--rounds 8] [--rate 500] [--seconds 6]

`--rate 0` is flat out. Same database as the other benchmarks (same schema in both).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (
    CLIENT_CORE,
    daphne_command,
    free_port,
    percentiles,
    pin_to,
    server_env,
    setup_django,
    wait_healthy,
)
from ingest import phase

HERE = Path(__file__).resolve().parent


def start(root, port):
    env = server_env(extra_env={"DB_POOL": "true"})
    log = open(f"/tmp/ingest-ab-{port}.log", "w")  # noqa: SIM115 - the server's, for its life
    p = subprocess.Popen(
        daphne_command(root, port),
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    p.log_path = log.name
    wait_healthy(port, p)
    return p


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("other_tree", help="checkout A (with its own .venv)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--rate", type=float, default=500, help="chunks/s offered; 0 = flat out")
    parser.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args()
    rounds, rate, seconds = args.rounds, args.rate, args.seconds
    trees = {"A": str(Path(args.other_tree).resolve()), "B": str(HERE.parent)}
    pin_to(CLIENT_CORE)
    setup_django()
    from accounts.models import User
    from accounts.services import api_token_create
    from candidates.models import Candidate
    from interviews.models import Interview
    from interviews.notices import notice_record
    from interviews.services import interview_transition

    user, _ = User.objects.get_or_create(email="bench@example.com", defaults={"name": "Bench"})
    candidate = Candidate.objects.create(name="Paired bench")
    sets = {}
    for name in ("A", "B"):
        ivs = []
        for _ in range(100):
            iv = Interview.objects.create(candidate=candidate, interviewer=user)
            notice_record(interview=iv, decision="agreed", channel="spoken", by=user)
            ivs.append(interview_transition(interview=iv, to="live"))
        sets[name] = ivs
    _row, token = api_token_create(user=user, name="paired")
    ports = {"A": free_port(), "B": free_port()}
    procs = {name: start(trees[name], ports[name]) for name in ("A", "B")}
    offsets = {n: [0] * 100 for n in sets}
    res = {n: [] for n in sets}
    try:
        for r in range(rounds):
            order = ("A", "B") if r % 2 == 0 else ("B", "A")
            for name in order:
                interval = 100 / rate if rate else 0.0
                cpu0 = cpu_seconds(procs[name].pid)
                lat, _finals, elapsed, offsets[name] = asyncio.run(
                    phase([ports[name]], sets[name], token, seconds, interval, offsets[name])
                )
                cpu = (cpu_seconds(procs[name].pid) - cpu0) / len(lat) * 1000
                p = percentiles(lat)
                res[name].append((len(lat) / elapsed, p["p50"], p["p99"], cpu))
                print(
                    f"round {r} {name:6}: {len(lat) / elapsed:7.1f} chunks/s p50 {p['p50']:.1f} p99 {p['p99']:.1f} ms  server CPU {cpu:.3f} ms/chunk",
                    flush=True,
                )
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
            p.wait(10)
        candidate.delete()
    for name in sets:
        rates = [x[0] for x in res[name]]
        print(
            f"{name:6}: chunks/s median {statistics.median(rates):.1f} (mean {statistics.mean(rates):.1f}); "
            f"p50 median {statistics.median(x[1] for x in res[name]):.1f} ms; p99 median {statistics.median(x[2] for x in res[name]):.1f} ms; "
            f"server CPU median {statistics.median(x[3] for x in res[name]):.3f} ms/chunk"
        )
    ratios = [a[0] / b[0] for a, b in zip(res["B"], res["A"], strict=True)]
    print(
        f"B/A chunks/s per round: {[round(x, 2) for x in ratios]} median {statistics.median(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
