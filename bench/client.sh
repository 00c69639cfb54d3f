#!/usr/bin/env bash
# bench/client.sh: the client-path benchmark of issue 14.  Measures what a
# Node.js client (pg, the snapshot sent as JSON text) gets from the store,
# against the published awaitly-postgres store, DBOS Transact and Absurd,
# plus the pgbench rows of the issue, every side in the same run on one
# throwaway PostgreSQL 15 cluster with default settings (fsync on).  Prints
# issue 14's table (what / when filed / now / target) and rewrites its
# section of docs/performance.md.
#
#   bench/client.sh                                  the full run (about 40 minutes)
#   ABSURD_SQL=/path/to/absurd.sql bench/client.sh   with Absurd (its schema is not in its npm package;
#                                                    ABSURD_SQL_NOTE says in the report where it came from)
#   QUICK=1 bench/client.sh                          a few minutes: 1 round, 10 and 100 steps
#   OUT= bench/client.sh                             print only, leave docs/performance.md alone
#   BENCH_SCRIPT=awaitly-adapter.mjs OUT= bench/client.sh
#                                                    instead, a 1,000-step durable.run through the shipped
#                                                    adapter vs the awaitly-postgres store (bench/node/awaitly-adapter.mjs)
#
# Everything bench/node/main.mjs reads can be set: RUNS, NS, CLIENTS,
# MIN_STEPS, SIDES, SIZES, SAVE_CLIENTS, SAVE_T, PGBENCH_T, PARTS (see
# there).  ADAPTER_DIR (default clients/awaitly): when it holds a
# package.json, the shipped adapter is packed, installed and measured.
#
# Needs Node.js 20+ and npm (the packages come from bench/node's lock file).
# Run as root (it builds, installs into $PG_CONFIG's PostgreSQL and runs the
# server as postgres) or as a user who can install into $PG_CONFIG's
# PostgreSQL.  The raw results are kept in bench/out/.
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

export OUT=${OUT-docs/performance.md}
ADAPTER_DIR=${ADAPTER_DIR:-clients/awaitly}
command -v node >/dev/null && command -v npm >/dev/null || die "Node.js 20+ and npm are needed"
[ -z "${ABSURD_SQL:-}" ] || [ -f "$ABSURD_SQL" ] || die "ABSURD_SQL=$ABSURD_SQL: no such file"
[ -z "${ABSURD_SQL:-}" ] || ABSURD_SQL=$(realpath "$ABSURD_SQL")
export ABSURD_SQL=${ABSURD_SQL:-}
[ -z "$OUT" ] || grep -q '<!-- bench/client.sh: begin' "$OUT" ||
    die "$OUT has no section for bench/client.sh (<!-- bench/client.sh: begin ... end -->)"

ensure_packages
build_and_install

BENCH_DIR=$(scratch_dir wfp-bench-client)
cleanup() { stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "installing the benchmark's npm packages (bench/node/package-lock.json)"
(cd bench/node && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in bench/node"
export ADAPTER=0
if [ -f "$ADAPTER_DIR/package.json" ]; then
    # as a user installs it: packed (its prepare/prepack scripts build it), then installed
    say "packing and installing the shipped adapter ($ADAPTER_DIR)"
    mkdir "$BENCH_DIR/adapter"
    tar -C "$ADAPTER_DIR" --exclude=./node_modules -cf - . | tar -C "$BENCH_DIR/adapter" -xf -
    (cd "$BENCH_DIR/adapter" && npm install --no-audit --no-fund --loglevel=error >/dev/null &&
        npm pack --pack-destination "$BENCH_DIR" --loglevel=error >/dev/null) ||
        die "could not pack $ADAPTER_DIR"
    (cd bench/node && npm install --no-save --no-audit --no-fund --loglevel=error "$BENCH_DIR"/*.tgz) ||
        die "could not install the packed adapter"
    ADAPTER=1
fi

say "starting a throwaway PostgreSQL (defaults, fsync on)"
start_scratch_server "$BENCH_DIR"
export PG_BIN BENCH_DIR
PG_POSTMASTER_PID=$(head -n 1 "$PGDATA/postmaster.pid")
CLK_TCK=$(getconf CLK_TCK)
export PG_POSTMASTER_PID CLK_TCK
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION workflow_persist"

mkdir -p bench/out
export RAW=${RAW:-bench/out/client-$(date -u +%Y%m%dT%H%M%SZ).json}
say "measuring (progress below; raw results to $RAW)"
node "bench/node/${BENCH_SCRIPT:-main.mjs}" || { tail -n 30 "$BENCH_DIR/server.log" >&2; die "the benchmark failed"; }
