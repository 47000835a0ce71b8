#!/usr/bin/env bash
# The demo a newcomer sees first: migrate, seed demo data, serve the app on
# http://127.0.0.1:8000 and replay the recorded English interview into it in real
# time, so its live page fills up (transcript, insights, scores) as you watch.
#
#   scripts/demo.sh                          # from the repository root or anywhere
#   scripts/demo.sh --port 8001 --speed 4    # another port, four times faster
#   scripts/demo.sh --address 0.0.0.0        # reachable from other machines
#   scripts/demo.sh --no-replay              # just the server and the demo data
#   scripts/demo.sh --reset-demo             # delete the interviews replayed into before
#
# (PORT, ADDRESS and SPEED in the environment work too.) Running it again keeps
# what you did: the interview replayed into last time stays, with its notes, and
# the replay goes into a fresh one; --reset-demo deletes the replayed ones.
# Ctrl-C stops the server and the replay. Needs the virtual environment
# (.venv, see the README); PYTHON points at another interpreter.
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PORT="${PORT:-8000}"
ADDRESS="${ADDRESS:-127.0.0.1}"
SPEED="${SPEED:-1}"
REPLAY=1
SEED_ARGS=()
while (($#)); do
    case "$1" in
        --port) PORT="$2"; shift 2 ;;
        --address) ADDRESS="$2"; shift 2 ;;
        --speed) SPEED="$2"; shift 2 ;;
        --no-replay) REPLAY=0; shift ;;
        --reset-demo) SEED_ARGS+=(--reset-demo); shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "Unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
done
# A few seconds to open the live page before the conversation starts (it catches
# up on anything it missed anyway).
REPLAY_DELAY="${REPLAY_DELAY:-5}"
RECORDING="interviews/recordings/interview_frontend_en.jsonl"
# The replay posts to the server on this machine, whatever address it listens on.
SERVER_URL="http://127.0.0.1:${PORT}"
PAGE_HOST="$ADDRESS"
if [[ "$ADDRESS" == "0.0.0.0" || "$ADDRESS" == "::" ]]; then PAGE_HOST="127.0.0.1"; fi

if [[ ! -x "$PY" ]]; then
    echo "No Python at $PY: create the virtual environment first (see README.md)." >&2
    exit 1
fi
DAPHNE="$(dirname "$PY")/daphne"

server_pid=""
replay_pid=""
cleanup() {
    trap - INT TERM EXIT
    # Background jobs of a script ignore Ctrl-C, so stop them by their ids.
    [[ -n "$replay_pid" ]] && kill "$replay_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

"$PY" manage.py migrate --no-input -v 0
seed_output="$("$PY" manage.py seed_demo ${SEED_ARGS[@]+"${SEED_ARGS[@]}"})"
echo "$seed_output"
interview_id="$(sed -n 's/^REPLAY_INTERVIEW_ID=\([0-9][0-9]*\)$/\1/p' <<<"$seed_output")"
if [[ -z "$interview_id" ]]; then
    echo "seed_demo did not name the interview to replay into." >&2
    exit 1
fi

# No access log: one line per posted chunk would drown the replay's progress.
"$DAPHNE" -b "$ADDRESS" -p "$PORT" --access-log /dev/null interview_companion.asgi:application &
server_pid=$!

# Wait for /healthz (200 once the database and channel layer answer).
if ! "$PY" - "$SERVER_URL/healthz" "$server_pid" <<'EOF'; then
import os, sys, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)  # the server is still running
    except OSError:
        sys.exit("The server exited while starting (is the port already in use?).")
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(f"No answer from {url} within 60 seconds.")
EOF
    exit 1
fi

# How long the replay lasts: the recording's last words, at this speed.
minutes="$(DJANGO_SETTINGS_MODULE=interview_companion.settings "$PY" -c '
import sys
from pathlib import Path
import django
django.setup()
from interviews.live.recordings import load_recording
from interviews.management.commands.replay_interview import due_times
dues, speed = due_times(load_recording(Path(sys.argv[1]))), float(sys.argv[2])
print(round(dues[-1] / speed / 60, 1) if dues and speed > 0 else 0)
' "$RECORDING" "$SPEED" 2>/dev/null)"
PAGE="http://$PAGE_HOST:${PORT}"
echo
echo "Serving on $PAGE. Open first, and sign in as the interviewer above:"
echo "  $PAGE/interviews/$interview_id/live/   the live page (the replay starts in ${REPLAY_DELAY} s)"
echo "Then: $PAGE/ (Home: yesterday's finished interview, its scorecard and report),"
echo "and $PAGE/admin/ as the recruiter."
if ((REPLAY)); then
    echo "The replay lasts about ${minutes} minutes at speed ${SPEED} (--speed N makes it N times faster)."
fi
echo "Ctrl-C stops everything."
echo

# `exec`: the replay takes the subshell's id, so cleanup stops the replay itself.
if ((REPLAY)); then (
    sleep "$REPLAY_DELAY"
    exec "$PY" manage.py replay_interview "$RECORDING" --interview "$interview_id" \
        --server "$SERVER_URL" --speed "$SPEED" --complete
) &
replay_pid=$!
fi

# The server in the foreground: the script ends when it does.
wait "$server_pid"
