#!/usr/bin/env bash
# bench/cleanup.sh: what retention's cleanup costs.
#
#   R1  delete rate: CALL wf_cleanup_all(1000) over N expired workflows of
#       10 steps of 1 KB each (half expired by a ttl, half completed runs
#       past their retention), in workflows/s;
#   R2  p99 latency of wf_save_step from 4 pgbench clients (-M prepared) on
#       live workflows, without cleanup and while a backlog of 100,000
#       expired workflows is deleted: at full speed by CALL
#       wf_cleanup_all(B) for B = 1000 and 100, and by the cleanup worker
#       with its defaults (batches of 20, a 50 ms pause after each);
#       R2_BATCHES="1000 20/50ms worker" picks runs (B/Pms: batches of B
#       and a pause of P ms, looped in SQL);
#       target: p99 under cleanup <= 2 x the baseline p99;
#   R3  what looking costs: wf_cleanup(dry_run) and wf_cleanup_status
#       (both count expired rows) over the backlog.
#
#   bench/cleanup.sh                       N="20000 100000", backlog 100000, T=20
#   N="20000" BACKLOG=50000 T=10 R2_BATCHES=1000 bench/cleanup.sh   quicker
#
# Run as root (it builds, installs and runs a throwaway server as postgres,
# with the library preloaded and the cleanup worker off).  The results are
# printed and written to docs/performance-retention.md.
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

N=${N:-20000 100000}
BACKLOG=${BACKLOG:-100000}
R2_BATCHES=${R2_BATCHES:-1000 100 worker}
T=${T:-20}
CLIENTS=4
LIVE=400
OUT=${OUT:-docs/performance-retention.md}

ensure_packages
build_and_install
command -v python3 >/dev/null || die "python3 is needed to compute percentiles"

BENCH_DIR=$(scratch_dir wfp-bench-cleanup)
PGDATA="$BENCH_DIR/data"
cleanup() { stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null
cat >> "$PGDATA/postgresql.conf" <<EOF
shared_preload_libraries = 'workflow_persist'
workflow_persist.cleanup_interval = 0
EOF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$BENCH_DIR/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $BENCH_DIR" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PSQL="$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -At"
$PSQL -c "CREATE EXTENSION workflow_persist"

# A template workflow of 10 steps of 1 KB (distinct values), stored with
# wf_save; expired copies are cloned from its rows (the store's own
# writes would take minutes for 100,000 workflows and change nothing in
# what the cleanup deletes).
$PSQL >/dev/null <<'SQL'
SELECT workflow_persist.wf_save('tmpl-running', jsonb_build_object(
    'formatVersion', 1,
    'steps', (SELECT jsonb_object_agg('step-' || s, jsonb_build_object('ok', true, 'value',
                     (SELECT string_agg(md5(s::text || ':' || i), '') FROM generate_series(1, 31) AS i)))
                FROM generate_series(1, 10) AS s),
    'execution', jsonb_build_object('status', 'running', 'lastUpdated', '2026-01-01T00:00:00.000Z')));
SELECT workflow_persist.wf_save('tmpl-completed', jsonb_set(workflow_persist.wf_load('tmpl-running'),
    '{execution,status}', '"completed"'));
SELECT workflow_persist.wf_set_retention('completed', '30 days');
SQL

# add_expired COUNT PREFIX: COUNT expired workflows (half by ttl, half by
# retention), with their 10 step rows each
add_expired() {
    $PSQL -v n="$1" -v p="$2" <<'SQL'
INSERT INTO workflow_persist.wf_workflow
      (id, status, version, execution, extra, step_count, next_pos, size_bytes, created_at,
       updated_at, expires_at, checked, pending)
SELECT :'p' || i, w.status, w.version, w.execution, w.extra, w.step_count, w.next_pos, w.size_bytes,
       now() - '40 days'::interval,
       CASE WHEN w.status = 'completed' THEN now() - '31 days'::interval - i * '1 millisecond'::interval
            ELSE now() - '1 day'::interval END,
       CASE WHEN w.status = 'running' THEN now() - '1 day'::interval + i * '1 millisecond'::interval END,
       w.checked, w.pending
  FROM generate_series(1, :n) AS i
  JOIN workflow_persist.wf_workflow AS w
    ON w.id = CASE WHEN i % 2 = 0 THEN 'tmpl-running' ELSE 'tmpl-completed' END;
INSERT INTO workflow_persist.wf_step
      (workflow_id, step_key, pos, ok, result, hash, size_bytes, recorded_at, pending)
SELECT :'p' || i, s.step_key, s.pos, s.ok, s.result, s.hash, s.size_bytes, s.recorded_at, s.pending
  FROM generate_series(1, :n) AS i
  JOIN workflow_persist.wf_step AS s
    ON s.workflow_id = CASE WHEN i % 2 = 0 THEN 'tmpl-running' ELSE 'tmpl-completed' END;
SQL
    $PSQL -c "VACUUM ANALYZE workflow_persist.wf_workflow" -c "VACUUM ANALYZE workflow_persist.wf_step" \
          -c "CHECKPOINT"
}

now_s() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

RESULTS="$BENCH_DIR/results.md"
: > "$RESULTS"
row() { printf '| %s |\n' "$*" | tee -a "$RESULTS"; }

# ---------------------------------------------------------------------------
say "R1: delete rate of CALL wf_cleanup_all(1000)"
row "R1 | expired workflows (10 x 1 KB steps) | step rows | seconds | workflows/s | step rows/s"
for n in $N; do
    add_expired "$n" "r1-$n-"
    waiting=$($PSQL -c "SELECT expired_waiting FROM workflow_persist.wf_cleanup_status")
    [ "$waiting" = "$n" ] || die "expected $n expired workflows, found $waiting"
    t0=$(now_s)
    $PSQL -c "CALL workflow_persist.wf_cleanup_all(1000)" 2>/dev/null
    t1=$(now_s)
    left=$($PSQL -c "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id LIKE 'r1-%'")
    [ "$left" = 0 ] || die "wf_cleanup_all left $left expired workflows"
    s=$(secs "$t0" "$t1")
    row "R1 | $n | $((n * 10)) | $s | $(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.0f", n / s }') | $(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.0f", 10 * n / s }')"
    $PSQL -c "VACUUM workflow_persist.wf_workflow" -c "VACUUM workflow_persist.wf_step"
done

# ---------------------------------------------------------------------------
say "R2: p99 of wf_save_step (4 clients) without and during a cleanup of $BACKLOG workflows"
$PSQL -v live="$LIVE" >/dev/null <<'SQL'
SELECT count(workflow_persist.wf_save('live-' || i, workflow_persist.wf_load('tmpl-running')))
  FROM generate_series(1, :live) AS i;
SQL
cat > "$BENCH_DIR/step.sql" <<EOF
\\set id random(1, $LIVE)
\\set k random(1, 200)
SELECT workflow_persist.wf_save_step('live-' || :id, 'k' || :k, '{"ok": true, "value": "a step result of about a hundred bytes, as engines record them after each call ....."}');
EOF
chmod 644 "$BENCH_DIR/step.sql"

# pgbench_log NAME: T seconds of wf_save_step; per-transaction logs under NAME
pgbench_log() {
    mkdir -p "$BENCH_DIR/$1"
    chmod 777 "$BENCH_DIR/$1"
    (cd "$BENCH_DIR/$1" && "$PG_BIN/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$T" \
        -f "$BENCH_DIR/step.sql" --log --log-prefix=tx >"$BENCH_DIR/$1.out" 2>&1) ||
        { cat "$BENCH_DIR/$1.out" >&2; die "pgbench failed"; }
}

# stats NAME [FROM TO]: "transactions tps p50_ms p99_ms" of the logged
# transactions (those that ended between FROM and TO, epoch seconds)
stats() {
    python3 - "$BENCH_DIR/$1" "${2:-0}" "${3:-1e12}" <<'PY'
import glob, sys
d, lo, hi = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
lat, ends = [], []
for f in glob.glob(d + "/tx.*"):
    for line in open(f):
        c = line.split()
        end = int(c[4]) + int(c[5]) / 1e6
        if lo <= end <= hi:
            lat.append(int(c[2]) / 1000.0)
            ends.append(end)
lat.sort()
if not lat:
    print("0 0 0 0"); sys.exit()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100.0 * len(lat) + 0.5)) - 1)]
span = max(ends) - min(ends) or 1
print("%d %.0f %.2f %.2f" % (len(lat), len(lat) / span, pct(50), pct(99)))
PY
}

# warm up, then the baseline
T_SAVE=$T; T=5; pgbench_log warmup; T=$T_SAVE
pgbench_log baseline
read -r b_n b_tps b_p50 b_p99 <<<"$(stats baseline)"

row "R2 | run | transactions | tps | p50 ms | p99 ms | p99 / baseline | target ≤ 2"
row "R2 | baseline (no cleanup) | $b_n | $b_tps | $b_p50 | $b_p99 | 1.00 | "
for batch in $R2_BATCHES; do
    add_expired "$BACKLOG" "r2-"
    t0=$(now_s)
    case $batch in
    worker) # the worker itself, with its default batch and pause
        what="the cleanup worker (batches of $($PSQL -c 'SHOW workflow_persist.cleanup_batch_size'), a pause of $($PSQL -c 'SHOW workflow_persist.cleanup_batch_delay'))"
        clean() {
            $PSQL -c "ALTER SYSTEM SET workflow_persist.cleanup_databases = 'postgres'" \
                  -c "ALTER SYSTEM SET workflow_persist.cleanup_interval = 1" -c "SELECT pg_reload_conf()" >/dev/null
            until [ "$($PSQL -c "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id LIKE 'r2-%'")" = 0 ]; do
                sleep 0.2
            done
            $PSQL -c "ALTER SYSTEM RESET workflow_persist.cleanup_databases" \
                  -c "ALTER SYSTEM RESET workflow_persist.cleanup_interval" -c "SELECT pg_reload_conf()" >/dev/null
        } ;;
    */*ms)  # batches of ${batch%/*}, a pause of ${batch#*/} after each, from SQL
        b=${batch%/*}; pause=${batch#*/}; pause=${pause%ms}
        what="batches of $b with a ${pause} ms pause"
        sql="DO \$\$ BEGIN LOOP EXIT WHEN workflow_persist.wf_cleanup($b, $b) < $b; COMMIT; PERFORM pg_sleep($pause / 1000.0); END LOOP; END \$\$"
        clean() { $PSQL -c "$sql" 2>/dev/null; } ;;
    *)  what="wf_cleanup_all($batch)"
        sql="CALL workflow_persist.wf_cleanup_all($batch)"
        clean() { $PSQL -c "$sql" 2>/dev/null; } ;;
    esac
    ( clean; now_s > "$BENCH_DIR/cleanup.end" ) &
    cleaner=$!
    pgbench_log "during-${batch%%/*}-${#batch}"
    wait "$cleaner"
    t1=$(cat "$BENCH_DIR/cleanup.end")
    read -r d_n d_tps d_p50 d_p99 <<<"$(stats "during-${batch%%/*}-${#batch}" "$t0" "$t1")"
    left=$($PSQL -c "SELECT count(*) FROM workflow_persist.wf_workflow WHERE id LIKE 'r2-%'")
    [ "$left" = 0 ] || die "the cleanup left $left expired workflows"
    ratio=$(awk -v a="$d_p99" -v b="$b_p99" 'BEGIN { printf "%.2f", a / b }')
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 2) ? "met" : "**missed**" }')
    cs=$(secs "$t0" "$t1")
    overlap=$(awk -v c="$cs" -v t="$T" 'BEGIN { printf "%.1f", (c < t ? c : t) }')
    row "R2 | during $what of $BACKLOG ($cs s; ${overlap} s measured) | $d_n | $d_tps | $d_p50 | $d_p99 | $ratio | $verdict"
    $PSQL -c "VACUUM workflow_persist.wf_workflow" -c "VACUUM workflow_persist.wf_step"
done

# ---------------------------------------------------------------------------
say "R3: counting the backlog"
add_expired "$BACKLOG" "r3-"
timed() {   # milliseconds of one statement, best of 3
    for _ in 1 2 3; do
        $PSQL -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
    done | sort -n | head -n 1
}
dry=$(timed "SELECT workflow_persist.wf_cleanup(dry_run => true)")
status=$(timed "SELECT expired_waiting FROM workflow_persist.wf_cleanup_status")
live_total=$($PSQL -c "SELECT count(*) FROM workflow_persist.wf_workflow")
row "R3 | statement | workflows stored | expired | ms (best of 3)"
row "R3 | wf_cleanup(dry_run => true) | $live_total | $BACKLOG | $dry"
row "R3 | SELECT expired_waiting FROM wf_cleanup_status | $live_total | $BACKLOG | $status"

# ---------------------------------------------------------------------------
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MACHINE="$(nproc) cores ($CPU), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($PG_BIN/postgres --version), PostgreSQL defaults (fsync on), pgbench $CLIENTS clients -M prepared, $T s per measurement"
say "machine: $MACHINE"
{
    cat <<'EOF'
# Retention: what the cleanup costs

Generated by `bench/cleanup.sh` (run it as root; it builds, installs and
starts a throwaway server with the library preloaded and the cleanup
worker off). Expired workflows have 10 steps of 1 KB each; half are
expired by a ttl, half are completed runs past a 30-day retention. See
docs/retention.md for how cleanup works.

The p99 rows compare runs made minutes apart on the same server; on a
shared 2-core machine the baseline itself varies by up to 2x between
runs of the script, so read the ratios of one run together. At full
speed (CALL wf_cleanup_all) the cleanup slows concurrent writers several
times whatever the batch size: a batch's delete writes much WAL (old
rows' pages are usually touched for the first time since the last
checkpoint, so they are logged whole), the concurrent commits queue
behind its flush, and autovacuum follows the mass delete. Pacing is what
keeps writers' p99 within 2x: the worker's defaults (20 workflows per
batch, a 50 ms pause after each) trade the cleanup's speed (some 375
workflows/s instead of thousands) for the application's latency. The
worker's row measures the writers during the first seconds of its much
longer cleanup (the "measured" figure).

EOF
    printf 'Measured %s on %s.\n\n' "$(date -u +%Y-%m-%d)" "$MACHINE"
    awk '
        BEGIN { t["R1"] = "R1: delete rate of CALL wf_cleanup_all(1000)";
                t["R2"] = "R2: p99 of wf_save_step on live workflows, without and during a cleanup";
                t["R3"] = "R3: counting expired workflows (dry run, wf_cleanup_status)" }
        { sub(/^\| /, ""); sub(/ \|$/, ""); n = split($0, c, / \| /) }
        c[1] != last { if (last != "") print ""; last = c[1]; hdr = 1; print "## " t[c[1]]; print "" }
        { line = "|"; for (i = 2; i <= n; i++) line = line " " c[i] " |"; print line
          if (hdr) { sep = "|"; for (i = 2; i <= n; i++) sep = sep " --- |"; print sep; hdr = 0 } }
    ' "$RESULTS"
} > "$OUT"
say "$OUT written"
