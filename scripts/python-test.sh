#!/usr/bin/env bash
# scripts/python-test.sh: the "python" suite of `make test` (scripts/test.sh
# runs it as the postgres user when it is root): the conformance suites of
# clients/python (NeuroCore's RunStore, Flujo's StateBackend) against a
# throwaway server (start_scratch_server: initdb'd with defaults, a free
# loopback port), stopped and removed again whatever happens.  The tests
# connect as an application role that has only wf_grant_access's grants.
# Debian's python3 with python3-psycopg (scripts/lib.sh installs both);
# PYTHON picks another interpreter.  Ends with "# pass N", "# fail N" and
# "# todo N" (expected failures: what the SQL API cannot serve yet).
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

PYTHON=${PYTHON:-/usr/bin/python3}
"$PYTHON" -c 'import psycopg' 2>/dev/null || die "the python suite needs $PYTHON with psycopg 3 (python3-psycopg)"
DIR=$(scratch_dir wfp-python) || exit 1
cleanup() { stop_servers_under "$DIR"; rm -rf "$DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_scratch_server "$DIR"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION workflow_persist" \
    -c "CREATE ROLE wfp_python_app LOGIN" -c "SELECT workflow_persist.wf_grant_access('wfp_python_app')" \
    >/dev/null || die "could not set up the database"
cd clients/python && PGUSER=wfp_python_app PYTHONDONTWRITEBYTECODE=1 "$PYTHON" tests/run.py 2>&1
