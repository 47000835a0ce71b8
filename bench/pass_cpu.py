"""CPU of analysis itself: what one question and its answer cost the process that
analyses them (the built-in provider, PostgreSQL), with nothing else running.

    .venv/bin/python bench/pass_cpu.py [--answers 300] [--interviews 20] [--profile]

Each round ingests an interviewer's question and a two-final answer (the last
with `speech_final`) into one of `--interviews` live interviews (each candidate
with a CV of their own) through the ingest service, then runs that interview's
pass as the runner does. It prints the CPU time per question and answer (this
process's, broadcasts to the event loop included; the database's own work is not
in it), mean and p50/p95, and the SQL statements each sent; with `--profile`, the
top of a cProfile of the passes alone.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answer_latency import ANSWERS, GUEST, HOST, QUESTIONS
from common import candidate_cv, live_interview, setup_django

from interviews.tests.deepgram_messages import results


def count_query(executed: list[int], execute, sql, params, many, context):
    executed[0] += 1
    return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--interviews", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ["DEBUG"] = "false"  # as served: no query log
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    setup_django()
    from django.db import connection

    from accounts.models import User
    from candidates.models import Candidate
    from interviews.analysis.runner import interview_pass
    from interviews.live.events import bind_server_loop
    from interviews.live.ingest import transcript_ingest
    from interviews.services import interview_set_roles

    # Broadcasts go to a running event loop, as in the server (not async_to_sync
    # per commit, which a management command pays and a server does not).
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    bind_server_loop(loop)
    user, _ = User.objects.get_or_create(email="passcpu@example.com", defaults={"name": "P"})
    interviews = []
    for n in range(args.interviews):
        # Each candidate has a CV of their own, as live interviews do: the rules
        # compile patterns per CV (its skills and employers).
        candidate = Candidate.objects.create(name=f"Pass CPU {n}", cv_data=candidate_cv(n))
        interview = live_interview(candidate=candidate, user=user)
        interview_set_roles(interview=interview, host=f"speaker_{HOST}", guest=f"speaker_{GUEST}")
        interviews.append(interview)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    costs = []
    query_counts = []
    start_s = [0.0] * len(interviews)
    for n in range(args.answers + 10):
        index = n % len(interviews)
        interview, at = interviews[index], start_s[index]
        lines = [(HOST, QUESTIONS[n % 3]), *[(GUEST, text) for text in ANSWERS[n % 3]]]
        for i, (speaker, text) in enumerate(lines):
            last = i == len(lines) - 1
            message = results(
                text, start=at, speaker=speaker, request_id=f"r{n}", speech_final=last
            )
            transcript_ingest(interview=interview, results=message)
            at += 4.0
        start_s[index] = at
        began = time.process_time()
        if profiler is not None and n >= 10:
            profiler.enable()
        executed = [0]
        with connection.execute_wrapper(partial(count_query, executed)):
            result = interview_pass(interview.pk)
        if profiler is not None:
            profiler.disable()
        query_counts.append(executed[0])
        if n >= 10:  # warm caches and connections first
            costs.append((time.process_time() - began) * 1000)
        if result.committed != 3:
            raise SystemExit(f"round {n}: the pass committed {result.committed} chunks, not 3")
    costs.sort()
    print(
        f"a question and its answer, analysed and committed: CPU mean "
        f"{statistics.mean(costs):.2f} ms, p50 {costs[len(costs) // 2]:.2f} ms, "
        f"p95 {costs[int(len(costs) * 0.95)]:.2f} ms over {len(costs)} answers; "
        f"{statistics.mean(query_counts[10:]):.1f} SQL statements each "
        "(BEGIN and COMMIT not counted)"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
