#!/usr/bin/env bash
# bench/profile.sh: where one kind of write spends its time, with perf
# (software clock: it works in VMs without hardware counters), on a
# throwaway cluster with default settings, as bench/client.sh measures it.
# For the write-path work of issue 14: profile before and after a change.
#
#   bench/profile.sh wf_save            durable.run's pattern from Node.js through wf_save (N steps, 1 client)
#   bench/profile.sh awaitly-postgres   the same pattern into the plain jsonb table
#   bench/profile.sh wf_save_step       pgbench: wf_save_step of a 1 KB step (T s, 1 client)
#   bench/profile.sh insert             pgbench: the same 1 KB step inserted as one row
#
# N (default 1000) steps; T (default 10) seconds; SYNC (default off for
# the pgbench workloads, on for the Node ones) sets synchronous_commit, so
# that the flush does not hide the work; TOP (default 25) symbols;
# PERF_DATA=DIR keeps perf's data files there (perf report -i DIR/server.data).
#
# Prints where the server's CPU goes (for the Node workloads every backend
# of the cluster, perf following the postmaster's children; for pgbench
# its backend), by shared object and by symbol, self and with callees; for the Node workloads also the client's (node, with
# --perf-basic-prof so that JavaScript frames have names).  Needs perf
# (Debian's linux-perf) and, for the Node workloads, bench/node's packages.
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

WHAT=${1:-}
N=${N:-1000}
T=${T:-10}
TOP=${TOP:-25}
case $WHAT in
wf_save | awaitly-postgres) SYNC=${SYNC:-on} ;;
wf_save_step | insert) SYNC=${SYNC:-off} ;;
*) die "usage: bench/profile.sh wf_save | awaitly-postgres | wf_save_step | insert" ;;
esac
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
ensure_packages
build_and_install

BENCH_DIR=$(scratch_dir wfp-bench-profile)
PERF_PID=""
MAP=""
cleanup() {
    [ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null
    stop_servers_under "$BENCH_DIR"
    rm -rf "$BENCH_DIR" ${MAP:+"$MAP"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_scratch_server "$BENCH_DIR" -c synchronous_commit="$SYNC"
PSQL="$PG_BIN/psql -X -q -v ON_ERROR_STOP=1"
$PSQL -c "CREATE EXTENSION workflow_persist"
PM=$(head -n 1 "$PGDATA/postmaster.pid")

# the tables and documents first, outside the profile
case $WHAT in
wf_save | awaitly-postgres)
    [ -d bench/node/node_modules ] || (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)
    $PSQL -c "$(node -e "import('./bench/node/sides.mjs').then(m => console.log(m.PLAIN_DDL))")" ;;
*)  $PSQL -f bench/setup.sql >/dev/null ;;
esac

case $WHAT in
wf_save | awaitly-postgres)
    # perf on the postmaster follows every backend forked from now on
    perf record -q -e cpu-clock -F 999 -g -p "$PM" -o "$BENCH_DIR/server.data" 2>"$BENCH_DIR/perf.err" &
    PERF_PID=$!
    sleep 1
    say "$WHAT: 1 client, one workflow of $N steps, the whole snapshot saved after each (synchronous_commit $SYNC)"
    # (node writes its V8 log into the working directory, and its symbol map to /tmp/perf-PID.map)
    cfg="{\"op\": \"workflow\", \"side\": \"$WHAT\", \"n\": $N, \"clients\": 1, \"workflows\": 1, \"seed\": 1}"
    (cd "$BENCH_DIR" && PG_POSTMASTER_PID=$PM perf record -q -e cpu-clock -F 999 -g -o "$BENCH_DIR/client.data" -- \
        sh -c 'echo $$ > node.pid; exec node --perf-basic-prof --no-deprecation "$0" "$1"' "$OLDPWD/bench/node/measure.mjs" "$cfg") |
        node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => { const r = JSON.parse(s);
            console.log(`${r.ops} steps in ${r.seconds.toFixed(2)} s: ${(1e6 * r.seconds / r.ops).toFixed(0)} µs per step, of which CPU: client ${(1e6 * r.client_cpu / r.ops).toFixed(0)} µs, server ${(1e6 * r.server_cpu / r.ops).toFixed(0)} µs`); })'
    ;;
wf_save_step | insert)
    if [ "$WHAT" = wf_save_step ]; then
        sql="SELECT workflow_persist.wf_save_step('pb-' || :w, 'x' || :k, v) FROM bench.steps WHERE i = :v;"
    else
        sql="INSERT INTO bench.raw_steps SELECT 'pb-' || :w, 'x' || :k, v FROM bench.steps WHERE i = :v ON CONFLICT DO NOTHING;"
    fi
    printf '\\set w random(1, 200)\n\\set k random(1, 1000000000)\n\\set v random(1, 1000)\n%s\n' "$sql" > "$BENCH_DIR/script.sql"
    chmod 644 "$BENCH_DIR/script.sql"
    say "$WHAT: pgbench -M prepared, 1 client, $T s (synchronous_commit $SYNC); perf on its backend after the first second"
    "$PG_BIN/pgbench" -n -M prepared -c 1 -T "$T" -f "$BENCH_DIR/script.sql" > "$BENCH_DIR/pgbench.out" &
    PGBENCH_PID=$!
    sleep 1
    backend=$($PSQL -At -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'")
    [ -n "$backend" ] || die "pgbench's backend not found"
    perf record -q -e cpu-clock -F 999 -g -p "$backend" -o "$BENCH_DIR/server.data" 2>"$BENCH_DIR/perf.err" &
    PERF_PID=$!
    wait "$PGBENCH_PID" || die "pgbench failed"
    grep -E '^(tps|latency average)' "$BENCH_DIR/pgbench.out"
    ;;
esac

kill -INT "$PERF_PID"
wait "$PERF_PID" || true
PERF_PID=""

report() {   # report DATA TITLE
    say "$2: by shared object (self)"
    perf report -i "$1" --stdio --no-children --sort dso -g none 2>/dev/null | grep -E '^ +[0-9]' | head -n 12
    say "$2: symbols (self)"
    perf report -i "$1" --stdio --no-children --sort dso,sym -g none 2>/dev/null | grep -E '^ +[0-9]' | head -n "$TOP"
    say "$2: symbols with their callees (children)"
    perf report -i "$1" --stdio --children --sort sym -g none 2>/dev/null | grep -E '^ +[0-9]' | head -n "$TOP"
}
if [ -n "${PERF_DATA:-}" ]; then
    mkdir -p "$PERF_DATA"
    cp "$BENCH_DIR"/*.data "$PERF_DATA"/
fi
[ -f "$BENCH_DIR/node.pid" ] && MAP=/tmp/perf-$(cat "$BENCH_DIR/node.pid").map
report "$BENCH_DIR/server.data" "server"
[ -f "$BENCH_DIR/client.data" ] && report "$BENCH_DIR/client.data" "client (node)"
true
