#!/usr/bin/env bash
# Start the web application on an embedded SQLite database with the demo data loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
SHENBAO_SKIP_BROWSER=1 scripts/bootstrap.sh
.venv/bin/shenbao init --demo
.venv/bin/shenbao document --prepare-fonts   # cut the CJK font once, so no applicant waits for it
# Password-reset links are built from the configured address only (never the request's Host):
# the demo serves on localhost:8080 unless told otherwise.
export SHENBAO_BASE_URL="${SHENBAO_BASE_URL:-http://localhost:8080}"
exec .venv/bin/shenbao serve "$@"
