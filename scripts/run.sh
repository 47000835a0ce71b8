#!/usr/bin/env bash
# One command for a fresh machine: install, migrate, load demo data, serve on
# http://127.0.0.1:8000 and replay a recorded interview so the live page moves.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./scripts/demo.sh "$@"
