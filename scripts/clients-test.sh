#!/usr/bin/env bash
# scripts/clients-test.sh: the "clients" suite of `make test` (scripts/test.sh
# runs it as the postgres user when it is root): the client adapters' tests
# against one throwaway server (start_scratch_server: initdb'd with defaults,
# a free loopback port), stopped and removed again whatever happens.
# CLIENTS picks the adapters (default "awaitly python"); each part ends with
# its "# pass N" / "# fail N" / "# todo N" lines, which scripts/test.sh adds up.
#
# awaitly (clients/awaitly): npm ci from its lock file (the real awaitly
# 1.35.0 from the npm registry), then node:test over test/*.test.mjs, TAP.
# python (clients/python): Debian's python3 with psycopg 3 (PYTHON picks
# another), unittest over the NeuroCore and Flujo conformance suites
# (tests/run.py), as a role with only wf_grant_access's grants; its
# expected failures (what the SQL API cannot serve yet) count as todo.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

CLIENTS=${CLIENTS:-awaitly python}
PYTHON=${PYTHON:-/usr/bin/python3}
for c in $CLIENTS; do
    case $c in
    awaitly) command -v node >/dev/null && command -v npm >/dev/null ||
        die "the awaitly client tests need Node.js and npm" ;;
    python) "$PYTHON" -c 'import psycopg' 2>/dev/null ||
        die "the python client tests need $PYTHON with psycopg 3 (python3-psycopg)" ;;
    *) die "unknown client: $c" ;;
    esac
done
DIR=$(scratch_dir wfp-clients) || exit 1
cleanup() { stop_servers_under "$DIR"; rm -rf "$DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_scratch_server "$DIR"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION workflow_persist" || die "CREATE EXTENSION failed"
rc=0
for c in $CLIENTS; do
    case $c in
    awaitly)
        export npm_config_cache="$DIR/npm-cache"
        (cd clients/awaitly && npm ci --include=dev --no-audit --no-fund --loglevel=error >/dev/null) ||
            die "npm ci failed in clients/awaitly"
        (cd clients/awaitly && node --test --test-reporter=tap test/*.test.mjs) || rc=1
        ;;
    python)
        "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE ROLE wfp_python_app LOGIN" \
            -c "SELECT workflow_persist.wf_grant_access('wfp_python_app')" >/dev/null ||
            die "could not create the python tests' role"
        (cd clients/python && PGUSER=wfp_python_app PYTHONDONTWRITEBYTECODE=1 "$PYTHON" tests/run.py 2>&1) || rc=1
        ;;
    esac
done
exit $rc
