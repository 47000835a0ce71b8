#!/usr/bin/env bash
# The demo a newcomer sees first: migrate, seed demo data, serve the app on
# http://127.0.0.1:8000 and replay the recorded English interview into it in real
# time, so its live page fills up (transcript, insights, scores) as you watch.
#
#   scripts/demo.sh                      # from the repository root or anywhere
#   SPEED=4 PORT=8001 scripts/demo.sh    # faster replay, another port
#
# Ctrl-C stops the server and the replay. Needs the virtual environment
# (.venv, see the README); PYTHON points at another interpreter.
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PORT="${PORT:-8000}"
SPEED="${SPEED:-1}"
# A few seconds to open the live page before the conversation starts (it catches
# up on anything it missed anyway).
REPLAY_DELAY="${REPLAY_DELAY:-5}"
RECORDING="interviews/recordings/interview_frontend_en.jsonl"
SERVER_URL="http://127.0.0.1:${PORT}"

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
seed_output="$("$PY" manage.py seed_demo)"
echo "$seed_output"
interview_id="$(sed -n 's/^REPLAY_INTERVIEW_ID=\([0-9][0-9]*\)$/\1/p' <<<"$seed_output")"
if [[ -z "$interview_id" ]]; then
    echo "seed_demo did not name the interview to replay into." >&2
    exit 1
fi

# No access log: one line per posted chunk would drown the replay's progress.
"$DAPHNE" -b 127.0.0.1 -p "$PORT" --access-log /dev/null interview_companion.asgi:application &
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

echo
echo "Serving on $SERVER_URL. Watch the interview live at:"
echo "  $SERVER_URL/interviews/$interview_id/live/"
echo "(sign in with the interviewer's email and password above). Ctrl-C stops everything."
echo

# `exec`: the replay takes the subshell's id, so cleanup stops the replay itself.
(
    sleep "$REPLAY_DELAY"
    exec "$PY" manage.py replay_interview "$RECORDING" --interview "$interview_id" \
        --server "$SERVER_URL" --speed "$SPEED" --complete
) &
replay_pid=$!

# The server in the foreground: the script ends when it does.
wait "$server_pid"
