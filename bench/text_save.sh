#!/usr/bin/env bash
# bench/text_save.sh: wf_save(text) against the path a Node.js client took
# before it (the snapshot cast to jsonb: wf_save($1, $2::jsonb)) and
# against the published awaitly-postgres store, in one run on a throwaway
# cluster with default settings (fsync on).  awaitly's durable.run
# pattern: the whole snapshot re-saved after each of N steps (~200 B
# each), from node-postgres, 1 and 8 clients; the sides alternate within
# each round (their order rotating), figures are medians over the rounds
# and ratios are paired within a round (as bench/client.sh does).
#
#   bench/text_save.sh                   N=1000, 3 rounds, 1 and 8 clients
#   N=200 ROUNDS=5 CLIENTS="1" bench/text_save.sh
#
# Needs Node.js 20+ and bench/node's packages (npm ci there).
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

export N=${N:-1000} ROUNDS=${ROUNDS:-3} CLIENTS=${CLIENTS:-1 8}
command -v node >/dev/null || die "Node.js 20+ is needed"
ensure_packages
build_and_install
[ -d bench/node/node_modules/pg ] || (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)

BENCH_DIR=$(scratch_dir wfp-bench-text)
cleanup() {
    stop_servers_under "$BENCH_DIR"
    rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_scratch_server "$BENCH_DIR"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION workflow_persist"
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
node bench/node/textsave.mjs
say "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
