#!/usr/bin/env bash
# Run the whole test suite: SQLite always; PostgreSQL too when it answers on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ -z "${SHENBAO_TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    # Start the local cluster if this machine has one (CI machines do).
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    fi
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    export SHENBAO_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test
  fi
fi
echo "test.sh: PostgreSQL tests: ${SHENBAO_TEST_PG_URL:-skipped (no server)}" >&2
# In parallel (pytest-xdist): SHENBAO_TEST_WORKERS processes, 3 unless set (measured on 2 cores: the
# browser, server and database tests wait on other processes much of the time); each worker has a
# PostgreSQL database of its own (tests/testworkers.py). loadgroup keeps the tests that share one
# expensive module fixture (an xdist_group mark) on one worker. Arguments that choose otherwise
# (-n, --dist, -p no:xdist, --pdb) are left alone; SHENBAO_TEST_WORKERS=0 runs in this one process.
parallel=(-n "${SHENBAO_TEST_WORKERS:-3}" --dist loadgroup)
for arg in "$@"; do
  case "$arg" in
    -n | -n[0-9]* | --numprocesses* | --dist* | no:xdist | -pno:xdist | --pdb | --trace) parallel=() ;;
  esac
done
exec .venv/bin/python -m pytest ${parallel[@]+"${parallel[@]}"} "$@"
