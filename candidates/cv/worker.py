"""Reading a PDF CV in a child process, bounded in time, CPU and memory.

pypdf does whatever a PDF's content streams say, and a small file can say a lot: a
6.4 KB page of 1 pt text 8,000 pt wide once took 16.7 s to read. In the server
process that work would hold the GIL against every other request and could not be
stopped; in a child it competes for nothing, is killed at
`CV_PARSE_TIMEOUT_SECONDS` (wall clock), stopped by the kernel past as many CPU
seconds, and cannot grow past `CV_PARSE_MEMORY_MB`. The thread that serves the
upload waits for it without holding the GIL.

The child is `python -m candidates.cv.worker`: the PDF on stdin, one JSON object on
stdout (`{"data": ..., "text": ...}` or `{"refused": code}`). It imports pypdf and
the CV text readers, not Django's settings: a fresh interpreter, about 0.2 s.
"""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys

from candidates.cv.pdf import PDFRefused, read_pdf

logger = logging.getLogger(__name__)


def read_pdf_in_child(content: bytes) -> dict:
    """`read_pdf(content)` in a child process; PDFRefused when it refuses, runs past
    the time limit or dies."""
    from django.conf import settings

    timeout = settings.CV_PARSE_TIMEOUT_SECONDS
    command = [
        sys.executable,
        "-m",
        "candidates.cv.worker",
        str(math.ceil(timeout) + 1),
        str(settings.CV_PARSE_MEMORY_MB),
    ]
    try:
        # run() kills the child (SIGKILL) and reaps it when the timeout passes.
        done = subprocess.run(
            command,
            input=content,
            capture_output=True,
            timeout=timeout,
            cwd=settings.BASE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        logger.warning("PDF reading stopped after %s s (%d bytes)", timeout, len(content))
        raise PDFRefused("timeout") from exc
    if done.returncode < 0:
        # Killed by the kernel: SIGXCPU past the CPU limit, SIGKILL, SIGSEGV.
        logger.warning("PDF reader killed by signal %d (%d bytes)", -done.returncode, len(content))
        raise PDFRefused("too_complex")
    try:
        result = json.loads(done.stdout)
    except ValueError:
        result = None
    if done.returncode != 0 or not isinstance(result, dict):
        # A bug in our readers, not the file's fault: the log has the traceback.
        logger.error(
            "PDF reader failed (exit %d): %s",
            done.returncode,
            done.stderr.decode(errors="replace")[-3000:],
        )
        raise PDFRefused("corrupt")
    if "refused" in result:
        raise PDFRefused(result["refused"])
    return result


def _limit(cpu_seconds: int, memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows: the wall-clock limit still holds
        return
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    cpu_seconds, memory_mb = int(argv[0]), int(argv[1])
    _limit(cpu_seconds, memory_mb)
    # pypdf warns once per row it trims ("Limiting excessive whitespace"): thousands
    # of lines for a hostile page, and nothing anyone acts on.
    logging.basicConfig(level=logging.ERROR)
    content = sys.stdin.buffer.read()
    try:
        result = read_pdf(content)
    except PDFRefused as exc:
        result = {"refused": exc.code}
    except MemoryError:
        result = {"refused": "too_complex"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
