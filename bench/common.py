"""Shared plumbing for the benchmarks: real Daphne servers, a real database, and
percentiles. Every benchmark prints its figures; none of them is a test."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ic_bench"
)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
SERVER_CORE = os.environ.get("BENCH_SERVER_CORES", "0")
CLIENT_CORE = os.environ.get("BENCH_CLIENT_CORES", "1")


def setup_django(redis: bool = False) -> None:
    """Point this process at the benchmark database and make it current."""
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interview_companion.settings")
    if redis:
        os.environ["REDIS_URL"] = BENCH_REDIS_URL
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ["ANALYSIS_IN_PROCESS"] = "false"
    sys.path.insert(0, str(ROOT))
    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ensure_database() -> None:
    import psycopg

    base, name = BENCH_DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def pin_to(cores: str) -> None:
    """Pin this process (the load generator) away from the server's core."""
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {int(c) for c in cores.split(",")})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(*, redis: bool = False, extra_env: dict | None = None) -> dict:
    """The environment a benchmarked Daphne runs with: production-like, analysis off
    unless `extra_env` says otherwise, Redis only when asked."""
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ANALYSIS_IN_PROCESS": "false",
        "LOG_LEVEL": "WARNING",
        # Production setting (README): a psycopg connection pool.
        "DB_POOL": os.environ.get("DB_POOL", "true"),
        **(extra_env or {}),
    }
    if redis:
        env["REDIS_URL"] = BENCH_REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    return env


def daphne_command(root: Path | str, port: int) -> list[str]:
    """A Daphne of the checkout at `root` on `port`, pinned to the server core."""
    return [
        "taskset",
        "-c",
        SERVER_CORE,
        str(Path(root) / ".venv/bin/daphne"),
        "-b",
        "127.0.0.1",
        "-p",
        str(port),
        "--websocket_timeout",
        "-1",
        "interview_companion.asgi:application",
    ]


@contextlib.contextmanager
def daphne_servers(
    count: int = 1, redis: bool = False, extra_env: dict | None = None
) -> Iterator[list[int]]:
    """Start `count` Daphne processes pinned to the server core(s); yield their ports."""
    env = server_env(redis=redis, extra_env=extra_env)
    ports = [free_port() for _ in range(count)]
    procs = []
    for port in ports:
        cmd = daphne_command(ROOT, port)
        # Server output goes to a file, not a pipe nobody reads while the benchmark
        # runs: a full pipe would block the server's next log line (and its thread).
        with tempfile.NamedTemporaryFile(
            prefix=f"daphne-{port}-", suffix=".log", delete=False
        ) as log:
            procs.append(
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
            )
        procs[-1].log_path = log.name
    try:
        for port, proc in zip(ports, procs, strict=True):
            wait_healthy(port, proc)
        yield ports
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log = Path(proc.log_path)
            text = log.read_text(errors="replace")
            if "Traceback" in text or " ERROR " in text:
                print(f"(the server logged errors: {log})", file=sys.stderr)
            else:
                log.unlink()


def server_pids(ports: list[int]) -> list[int]:
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    pids = []
    for port in ports:
        for line in out.splitlines():
            if f"127.0.0.1:{port} " in line and "pid=" in line:
                pids.append(int(line.split("pid=")[1].split(",")[0]))
                break
    return pids


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited: {Path(proc.log_path).read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"daphne on {port} did not become healthy")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "p50": pick(50),
        "p95": pick(95),
        "p99": pick(99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def candidate_cv(n: int) -> dict:
    """Candidate n's CV: skills and employers of their own. The built-in rules
    compile patterns per interview from these, so a benchmark whose interviews all
    share one CV measures a cache that live interviews do not hit."""
    return {
        "skills": [{"name": "Python"}, {"name": "Django"}, {"name": f"Framework{n}"}],
        "work": [
            {"company": f"Empresa {n} Technologies", "startDate": "2019-01"},
            {"company": f"Consultora {n}", "startDate": "2016-03", "endDate": "2018-12"},
        ],
    }


def live_interview(*, candidate, user):
    """A new interview of `candidate` by `user`, live as the product has it go live:
    the candidate agreed to the notice first (CANDIDATE_NOTICE_REQUIRED)."""
    from interviews.models import Interview
    from interviews.notices import notice_record
    from interviews.services import interview_transition

    interview = Interview.objects.create(candidate=candidate, interviewer=user)
    notice_record(interview=interview, decision="agreed", channel="spoken", by=user)
    return interview_transition(interview=interview, to="live")


def make_interview_with_token():
    """A live interview, its interviewer and an API token, in the bench database."""
    from accounts.models import User
    from accounts.services import api_token_create
    from candidates.models import Candidate

    user, _ = User.objects.get_or_create(email="bench@example.com", defaults={"name": "Bench"})
    interview = live_interview(
        candidate=Candidate.objects.create(name="Bench Candidate"), user=user
    )
    _row, token = api_token_create(user=user, name="bench")
    return interview, token
