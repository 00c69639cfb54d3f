#!/usr/bin/env bash
# bench/tenants.sh: what tenants cost a checkpoint and a load, on a
# throwaway cluster (synchronous_commit off, so that the CPU cost is not
# hidden behind the WAL flush).  Three configurations, in turn within each
# round so that a slow patch of a shared machine hits all of them:
#   none     workflows without a tenant, isolation off (the store as before)
#   counted  workflows of tenant A, isolation off: the counter triggers run
#   isolated workflows of tenant A, wf_enable_isolation(), as a role bound
#            to A (policies on every statement; wf_load takes the SPI path)
# Each figure is the median latency (microseconds) over the rounds.
#
#   bench/tenants.sh                 T=8 ROUNDS=3 (about 2 minutes)
#   T=3 ROUNDS=1 bench/tenants.sh    a quick look
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

T=${T:-8}
ROUNDS=${ROUNDS:-3}
ensure_packages
build_and_install

BENCH_DIR=$(scratch_dir wfp-bench-tenants)
PGDATA="$BENCH_DIR/data"
cleanup() {
    stop_servers_under "$BENCH_DIR"
    rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$BENCH_DIR/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $BENCH_DIR -c synchronous_commit=off" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PSQL="$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -At"
$PSQL <<'SQL'
CREATE EXTENSION workflow_persist;
CREATE ROLE bench_a LOGIN;
SELECT workflow_persist.wf_grant_access('bench_a');
SELECT workflow_persist.wf_bind_tenant('bench_a', '{A}');
SQL

cat > "$BENCH_DIR/checkpoint.sql" <<'SQL'
\set w random(1, 200)
\set k random(1, 1000000000)
SELECT workflow_persist.wf_save_step('bench:' || :w, 'k' || :k, '{"ok":true,"value":1}');
SQL
echo "SELECT workflow_persist.wf_load('load:100') IS NOT NULL;" > "$BENCH_DIR/load100.sql"
echo "SELECT workflow_persist.wf_load('load:1000') IS NOT NULL;" > "$BENCH_DIR/load1000.sql"
chmod a+r "$BENCH_DIR"/*.sql

# $1 = configuration: fresh tables, the workflows to load, isolation
prepare() {
    local tenant=""
    [ "$1" != none ] && tenant=A
    $PSQL <<SQL
SELECT workflow_persist.wf_disable_isolation();
DELETE FROM workflow_persist.wf_event;
DELETE FROM workflow_persist.wf_step;
DELETE FROM workflow_persist.wf_workflow;
DELETE FROM workflow_persist.wf_tenant_counter;
SET workflow_persist.tenant = '$tenant';
SELECT count(workflow_persist.wf_save_step('load:' || n, 's' || i, '{"ok":true,"value":"abcdefghij"}'))
  FROM (VALUES (100), (1000)) AS v(n), generate_series(1, n) AS i;
SELECT count(workflow_persist.wf_save_step('bench:' || w, 'first', '{"ok":true}'))
  FROM generate_series(1, 200) AS w;
VACUUM ANALYZE workflow_persist.wf_workflow, workflow_persist.wf_step;
SQL
    [ "$1" = isolated ] && $PSQL -c "SELECT workflow_persist.wf_enable_isolation()"
    return 0
}
# latency in microseconds of one pgbench run of script $1 as role $2
run() {
    as_pg "$PG_BIN/pgbench" -n -h "$BENCH_DIR" -p "$PORT" -U "$2" -T "$T" -c 1 \
        -f "$BENCH_DIR/$1" postgres 2>/dev/null |
        awk '/^latency average/ { printf "%.0f", $4 * 1000 }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A R
for round in $(seq "$ROUNDS"); do
    for conf in none counted isolated; do
        prepare "$conf" >/dev/null
        for s in checkpoint load100 load1000; do
            R[$conf.$s]="${R[$conf.$s]:-} $(run "$s.sql" bench_a)"
        done
    done
done

printf '\n%-22s %10s %10s %10s %10s\n' "latency (us, median)" none counted isolated "iso/none"
for s in checkpoint load100 load1000; do
    n=$(median ${R[none.$s]}); c=$(median ${R[counted.$s]}); i=$(median ${R[isolated.$s]})
    printf '%-22s %10s %10s %10s %10s\n' "$s" "$n" "$c" "$i" \
        "$(awk -v a="$i" -v b="$n" 'BEGIN { printf "%.2f", a / b }')"
done
printf '\n(%s rounds of %s s, 1 client; load average at the end: %s)\n' \
    "$ROUNDS" "$T" "$(cut -d' ' -f1-3 /proc/loadavg)"
