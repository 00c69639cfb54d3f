#!/usr/bin/env bash
# bench/router.sh: the router's cost (issue 16, docs/scale-out.md).
#
# Five throwaway PostgreSQL 15 clusters with default settings (fsync on) on
# this machine: four shards and a router (workflow_persist_router over
# PL/Proxy), plus a sixth, "single", holding every workflow the shards
# hold.  pgbench, in the same run:
#   - a checkpoint (wf_save_step of one step of a 50-step workflow) and a
#     load (wf_load of that workflow), each called directly on the shard
#     that owns the workflow and through the router: latency and the ratio;
#     the checkpoint also with synchronous_commit off on the shard, where
#     the commit's flush no longer hides the router's own work;
#   - fan-out listing: wf_list of 100 rows (first page and a page deep in
#     the keyset) through the router over 4 shards of 1,000 workflows, and
#     on the single server holding all 4,000;
#   - the capacity model's inputs: checkpoints per second of one shard at 4
#     clients, and the router's CPU per routed call (the router
#     postmaster's children's CPU time over the calls it routed).
# Prints the table and rewrites its section of docs/performance.md.
#
#   bench/router.sh               T=10 seconds per run
#   T=30 bench/router.sh          longer runs
#   OUT= bench/router.sh          print only, leave docs/performance.md alone
#
# Run as root (it builds, installs into $PG_CONFIG's PostgreSQL and runs
# the servers as postgres) or as a user who can install there.  Needs
# PL/Proxy (postgresql-15-plproxy) in that PostgreSQL.
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

export OUT=${OUT-docs/performance.md}
T=${T:-10}
[ -z "$OUT" ] || grep -q '<!-- bench/router.sh: begin' "$OUT" ||
    die "$OUT has no section for bench/router.sh (<!-- bench/router.sh: begin ... end -->)"

ensure_packages
build_and_install

BENCH_DIR=$(scratch_dir wfp-bench-router)
cleanup() { stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME: a cluster in $BENCH_DIR/NAME; sets PORT_<NAME>
start_server() {
    mkdir -p "$BENCH_DIR/$1"
    is_root && chown postgres: "$BENCH_DIR/$1"
    start_scratch_server "$BENCH_DIR/$1"
    eval "PORT_$1=$PGPORT"
}
say "starting four shards, a router and a single server (defaults, fsync on)"
for s in shard0 shard1 shard2 shard3 single router; do start_server "$s"; done

q() {    # q PORT SQL...
    local port=$1
    shift
    "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}
# each shard's database is named after it (PL/Proxy's errors name it)
for s in 0 1 2 3; do
    eval "p=\$PORT_shard$s"
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$p" -U postgres -d template1 \
        -c "CREATE DATABASE shard$s" -c "\\c shard$s" -c "CREATE EXTENSION workflow_persist" >/dev/null
done
q "$PORT_single" -c "CREATE EXTENSION workflow_persist"
q "$PORT_router" -c "CREATE EXTENSION workflow_persist_router CASCADE" \
    -c "CREATE SERVER workflow_persist FOREIGN DATA WRAPPER plproxy OPTIONS (
          p0 'host=127.0.0.1 port=$PORT_shard0 dbname=shard0 user=postgres',
          p1 'host=127.0.0.1 port=$PORT_shard1 dbname=shard1 user=postgres',
          p2 'host=127.0.0.1 port=$PORT_shard2 dbname=shard2 user=postgres',
          p3 'host=127.0.0.1 port=$PORT_shard3 dbname=shard3 user=postgres')" \
    -c "CREATE USER MAPPING FOR PUBLIC SERVER workflow_persist" >/dev/null

say "loading 4,000 workflows (through the router, and on the single server)"
FILL="SELECT count(workflow_persist.wf_save_step('wf-' || i, 's' || j,
            ('{\"ok\": true, \"value\": {\"n\": ' || i || ', \"note\": \"a result of a few dozen bytes\"}}')::jsonb))
       FROM generate_series(1, 4000) AS i, generate_series(1, 3) AS j"
q "$PORT_router" -c "$FILL" >/dev/null
q "$PORT_single" -c "$FILL" >/dev/null
# the workflow the per-call runs use: 50 steps, on its own shard
BENCH_ID=bench-1
OWNER=$(q "$PORT_router" -c "SELECT workflow_persist.wf_router_shard('$BENCH_ID')")
eval "PORT_OWNER=\$PORT_shard$OWNER"
q "$PORT_router" -c "SELECT count(workflow_persist.wf_save_step('$BENCH_ID', 's' || j,
        '{\"ok\": true, \"value\": {\"note\": \"a step result of about sixty bytes in all\"}}'))
      FROM generate_series(1, 50) AS j" >/dev/null
for s in 0 1 2 3; do eval "p=\$PORT_shard$s"; q "$p" -d "shard$s" -c "VACUUM ANALYZE" 2>/dev/null || true; done
q "$PORT_single" -c "VACUUM ANALYZE"
# a cursor ten pages deep, the same on both (the rows are the same)
# (as updated_at and id: pgbench would read the cursor's ":" as a variable)
DEEP_AT=$(q "$PORT_single" -c "SELECT updated_at FROM workflow_persist.wf_list(max_rows => 1000) OFFSET 999 LIMIT 1")
DEEP_ID=$(q "$PORT_single" -c "SELECT id FROM workflow_persist.wf_list(max_rows => 1000) OFFSET 999 LIMIT 1")

cat > "$BENCH_DIR/ckpt.sql" <<EOF
\\set n random(1, 50)
SELECT workflow_persist.wf_save_step('$BENCH_ID', 's' || :n, '{"ok": true, "value": {"note": "a step result of about sixty bytes in all"}}');
EOF
# (synchronous_commit is set on the owning shard's database for these rows:
# a SET in the router's session would not reach the shard's commit)
cat > "$BENCH_DIR/ckpt_async.sql" <<EOF
\\set n random(1, 50)
SELECT workflow_persist.wf_save_step('$BENCH_ID', 's' || :n, '{"ok": true, "value": {"note": "a step result of about sixty bytes in all"}}');
EOF
cat > "$BENCH_DIR/load.sql" <<EOF
SELECT workflow_persist.wf_load('$BENCH_ID');
EOF
cat > "$BENCH_DIR/list.sql" <<EOF
SELECT count(*) FROM workflow_persist.wf_list(max_rows => 100);
EOF
cat > "$BENCH_DIR/list_deep.sql" <<EOF
SELECT count(*) FROM workflow_persist.wf_list(NULL, NULL, 100,
    workflow_persist.wf_list_cursor('$DEEP_AT'::timestamptz, '$DEEP_ID'));
EOF
cat > "$BENCH_DIR/ckpt4.sql" <<EOF
\\set n random(1, 50)
SELECT workflow_persist.wf_save_step('cap-' || :client_id, 's' || :n, '{"ok": true, "value": 1}');
EOF
chmod 644 "$BENCH_DIR"/*.sql

# pgbench PORT DB SCRIPT CLIENTS -> "tps latency_ms"
pgb() {
    out=$(as_pg "$PG_BIN/pgbench" -n -M prepared -h 127.0.0.1 -p "$1" -U postgres -d "$2" \
        -f "$3" -c "$4" -j "$4" -T "$T" 2>&1) || { printf '%s\n' "$out" >&2; die "pgbench failed"; }
    tps=$(printf '%s\n' "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    lat=$(printf '%s\n' "$out" | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
    echo "$tps $lat"
}
# CPU seconds the children of a postmaster have used (the backends, once
# they exit: the postmaster waits for them)
CLK_TCK=$(getconf CLK_TCK)
child_cpu() {
    pid=$(head -n 1 "$BENCH_DIR/$1/data/postmaster.pid")
    awk -v t="$CLK_TCK" '{ sub(/^.*\) /, ""); print ($14 + $15) / t }' "/proc/$pid/stat"
}

ROUNDS=${ROUNDS:-3}
say "measuring: $ROUNDS rounds, the rows alternating within each, $T s per row"
# label|port|database|script|clients
CASES="ck_d|$PORT_OWNER|shard$OWNER|ckpt.sql|1
ck_r|$PORT_router|postgres|ckpt.sql|1
ca_d|$PORT_OWNER|shard$OWNER|ckpt_async.sql|1
ca_r|$PORT_router|postgres|ckpt_async.sql|1
ld_d|$PORT_OWNER|shard$OWNER|load.sql|1
ld_r|$PORT_router|postgres|load.sql|1
ls_1|$PORT_single|postgres|list.sql|1
ls_r|$PORT_router|postgres|list.sql|1
lp_1|$PORT_single|postgres|list_deep.sql|1
lp_r|$PORT_router|postgres|list_deep.sql|1
cap|$PORT_shard0|shard0|ckpt4.sql|4"
mkdir -p "$BENCH_DIR/res"
for round in $(seq 1 "$ROUNDS"); do
    printf '%s\n' "$CASES" | while IFS='|' read -r label port db script clients; do
        case $label in ca_*)
            q "$PORT_OWNER" -d "shard$OWNER" -c "ALTER DATABASE shard$OWNER SET synchronous_commit = off" </dev/null ;;
        esac
        c0=$(child_cpu router)
        r=$(pgb "$port" "$db" "$BENCH_DIR/$script" "$clients" </dev/null)
        sleep 0.3    # the backends reaped, their CPU counted
        c1=$(child_cpu router)
        case $label in ca_*)
            q "$PORT_OWNER" -d "shard$OWNER" -c "ALTER DATABASE shard$OWNER RESET synchronous_commit" </dev/null ;;
        esac
        printf '  round %s  %-5s tps %-12s latency %s ms\n' "$round" "$label" ${r% *} ${r#* } >&2
        # tps latency router-cpu-seconds
        echo "$r $(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" >> "$BENCH_DIR/res/$label"
    done
done
# the median of a column of a label's rounds
med() { sort -g -k"$2" "$BENCH_DIR/res/$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
for label in ck_d ck_r ca_d ca_r ld_d ld_r ls_1 ls_r lp_1 lp_r cap; do
    eval "${label}_lat=$(med "$label" 2)"
    eval "${label}_tps=$(med "$label" 1)"
done
# router CPU per routed call: all rounds' CPU over all rounds' calls
cpu_per_call() {
    awk -v t="$T" '{ cpu += $3; calls += $1 * t } END { printf "%.0f", cpu * 1e6 / calls }' "$BENCH_DIR/res/$1"
}
ck_cpu=$(cpu_per_call ck_r)
ld_cpu=$(cpu_per_call ld_r)
ls_cpu=$(cpu_per_call ls_r)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ncpu=$(nproc)
# the model: S shards of measured capacity, a router that spends ck_cpu
# microseconds of CPU per routed checkpoint on ncpu cores
router_cap=$(awk -v c="$ck_cpu" -v n="$ncpu" 'BEGIN { printf "%.0f", n * 1e6 / c }')
load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
when=$(date -u +%Y-%m-%d)
pgver=$("$PG_BIN/postgres" --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/')
plproxy=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$("$PG_CONFIG" --sharedir)/extension/plproxy.control")

section=$(cat <<EOF
<!-- bench/router.sh: begin (generated by bench/router.sh on $when; edit the script, not this section) -->
Run of $when: $cpu, $ncpu cores shared with other work (load average
$load at the end), PostgreSQL $pgver with default settings (fsync on),
PL/Proxy $plproxy; four shards, the router and the single server on this
one machine, over TCP on the loopback; pgbench, prepared statements, one
client, $T s per row, $ROUNDS rounds with the rows alternating, medians. The workflow of the per-call rows has 50 steps and
lives on shard $OWNER; "direct" is the same call on that shard.

| call | direct (ms) | through the router (ms) | router / direct |
| --- | ---: | ---: | ---: |
| checkpoint (\`wf_save_step\`, commit flushed) | $ck_d_lat | $ck_r_lat | $(ratio "$ck_r_lat" "$ck_d_lat")x |
| checkpoint, \`synchronous_commit = off\` on the shard | $ca_d_lat | $ca_r_lat | $(ratio "$ca_r_lat" "$ca_d_lat")x |
| load (\`wf_load\`, 50 steps) | $ld_d_lat | $ld_r_lat | $(ratio "$ld_r_lat" "$ld_d_lat")x |

| listing (\`wf_list\`, 100 rows of 4,000) | one server (ms) | router, 4 shards (ms) | router / one server |
| --- | ---: | ---: | ---: |
| first page | $ls_1_lat | $ls_r_lat | $(ratio "$ls_r_lat" "$ls_1_lat")x |
| page 11 (keyset cursor) | $lp_1_lat | $lp_r_lat | $(ratio "$lp_r_lat" "$lp_1_lat")x |

Capacity model inputs (docs/scale-out.md): one shard takes $(printf '%.0f' "$cap_tps")
checkpoints per second at 4 clients (commit flushed); the router spends
$ck_cpu µs of CPU per routed checkpoint, $ld_cpu µs per routed load and
$ls_cpu µs per fan-out page of 100 rows over 4 shards (its backends' CPU
time over the calls), so one router of $ncpu cores routes at most about
$router_cap checkpoints per second.
<!-- bench/router.sh: end -->
EOF
)
printf '\n%s\n' "$section"
if [ -n "$OUT" ]; then
    SECTION="$section" perl -0pi -e 's/<!-- bench\/router\.sh: begin.*?<!-- bench\/router\.sh: end -->/$ENV{SECTION}/s' "$OUT"
    say "rewrote the bench/router.sh section of $OUT"
fi
