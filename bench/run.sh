#!/usr/bin/env bash
# bench/run.sh: the store's benchmarks (issue 3: B1-B7), each measured
# against its baseline in the same run, on the same throwaway cluster
# (PostgreSQL defaults, fsync on), with the same documents.
#
#   bench/run.sh                 all benchmarks, then rewrites its section of docs/performance.md
#   T=5 bench/run.sh             seconds per pgbench measurement (default 10)
#   ONLY="B1 B3" bench/run.sh    a subset (docs/performance.md is then left alone)
#
# Run as root (it builds, installs and runs the server as postgres) or as
# a user who can install into $PG_CONFIG's PostgreSQL.  Figures are ratios
# against baselines measured in this run; absolute numbers depend on the
# machine, which the report names.
set -eu
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

T=${T:-10}
ONLY=${ONLY:-B1 B2 B3 B4 B5 B6 B7}
ensure_packages
build_and_install

BENCH_DIR=$(scratch_dir wfp-bench)
PGDATA="$BENCH_DIR/data"
cleanup() { stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$BENCH_DIR/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $BENCH_DIR" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PSQL="$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -At"
$PSQL -c "CREATE EXTENSION workflow_persist"
say "preparing documents"
$PSQL -f bench/setup.sql >/dev/null

CC=${CC:-gcc}
$CC -O2 -o "$BENCH_DIR/b7_driver" bench/b7_driver.c -I"$($PG_CONFIG --includedir)" \
    -L"$($PG_CONFIG --libdir)" -lpq

RESULTS="$BENCH_DIR/results.md"
: > "$RESULTS"
row() { printf '| %s |\n' "$*" | tee -a "$RESULTS"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
verdict() { awk -v r="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "ge") ? r >= t : r <= t; print ok ? "met" : "**missed**" }'; }

# tps CLIENTS SCRIPT [PGOPTIONS]: pgbench's tps for a custom script
tps() {
    printf '%s\n' "$2" > "$BENCH_DIR/script.sql"
    chmod 644 "$BENCH_DIR/script.sql"
    PGOPTIONS="${3:-}" "$PG_BIN/pgbench" -n -M prepared -c "$1" -j "$(( $1 < 2 ? 1 : 2 ))" -T "$T" \
        -f "$BENCH_DIR/script.sql" 2>"$BENCH_DIR/pgbench.err" |
        sed -n 's/^tps = \([0-9]*\)[.0-9]* .*/\1/p' | head -n 1 | grep . ||
        { cat "$BENCH_DIR/pgbench.err" >&2; die "pgbench failed"; }
}

wants() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

if wants B1; then
    say "B1: wf_save of a whole snapshot vs a raw upsert of the same jsonb"
    row "B1 | size | clients | raw upsert tps | wf_save tps | ratio | target ≥ 0.8"
    for kind in 1k 16k 256k; do
        for c in 1 8; do
            raw=$(tps "$c" "\\set i random(1, 20)
\\set id random(1, 200)
INSERT INTO bench.raw SELECT 'b1-$kind-' || :id, doc FROM bench.docs WHERE kind = '$kind' AND i = :i ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;")
            wf=$(tps "$c" "\\set i random(1, 20)
\\set id random(1, 200)
SELECT workflow_persist.wf_save('b1-$kind-' || :id, doc) FROM bench.docs WHERE kind = '$kind' AND i = :i;")
            r=$(ratio "$wf" "$raw")
            row "B1 | $kind | $c | $raw | $wf | $r | $(verdict "$r" 0.8 ge)"
        done
    done
fi

if wants B2; then
    say "B2: wf_load vs a raw SELECT of the stored document"
    for n in 10 100 1000; do
        w=$(( n == 1000 ? 20 : 50 ))
        $PSQL -c "CALL bench.populate('b2-$n-', $w, $n)"
    done
    $PSQL -c "VACUUM ANALYZE"
    row "B2 | steps | clients | raw select tps | wf_load tps | ratio | target ≥ 0.9"
    for n in 10 100 1000; do
        w=$(( n == 1000 ? 20 : 50 ))
        for c in 1 8; do
            raw=$(tps "$c" "\\set w random(1, $w)
SELECT doc FROM bench.raw WHERE id = 'b2-$n-' || :w;")
            wf=$(tps "$c" "\\set w random(1, $w)
SELECT workflow_persist.wf_load('b2-$n-' || :w);")
            r=$(ratio "$wf" "$raw")
            row "B2 | $n | $c | $raw | $wf | $r | $(verdict "$r" 0.9 ge)"
        done
    done
fi

if wants B3; then
    say "B3: wf_save_step at step 10 and 1,000 vs a whole-document rewrite and a raw row insert"
    $PSQL -c "CALL bench.populate('b3-10-', 200, 10)"
    $PSQL -c "CALL bench.populate('b3-1000-', 100, 1000)"
    $PSQL -c "VACUUM ANALYZE"
    row "B3 | clients | wf_save_step @10 | wf_save_step @1000 | rewrite @1000 | raw insert | @1000/@10 (≥ 0.8) | vs rewrite (≥ 15) | vs raw insert (≥ 0.9)"
    for c in 1 8; do
        s10=$(tps "$c" "\\set w random(1, 200)
\\set k random(1, 1000000000)
\\set v random(1, 1000)
SELECT workflow_persist.wf_save_step('b3-10-' || :w, 'x' || :k, v) FROM bench.steps WHERE i = :v;")
        s1000=$(tps "$c" "\\set w random(1, 100)
\\set k random(1, 1000000000)
\\set v random(1, 1000)
SELECT workflow_persist.wf_save_step('b3-1000-' || :w, 'x' || :k, v) FROM bench.steps WHERE i = :v;")
        rw=$(tps "$c" "\\set w random(1, 100)
\\set k random(1, 1000000000)
\\set v random(1, 1000)
UPDATE bench.raw SET doc = jsonb_set(doc, ARRAY['steps', 'x' || :k], s.v) FROM bench.steps s WHERE bench.raw.id = 'b3-1000-' || :w AND s.i = :v;")
        ins=$(tps "$c" "\\set w random(1, 100)
\\set k random(1, 1000000000)
\\set v random(1, 1000)
INSERT INTO bench.raw_steps SELECT 'b3-' || :w, 'x' || :k, v FROM bench.steps WHERE i = :v ON CONFLICT DO NOTHING;")
        a=$(ratio "$s1000" "$s10"); b=$(ratio "$s1000" "$rw"); d=$(ratio "$s1000" "$ins")
        row "B3 | $c | $s10 | $s1000 | $rw | $ins | $a $(verdict "$a" 0.8 ge) | $b $(verdict "$b" 15 ge) | $d $(verdict "$d" 0.9 ge)"
    done
    $PSQL -c "SELECT 'B3 positions reached: @10 avg ' || round(avg(step_count)) FROM workflow_persist.wf_workflow WHERE id LIKE 'b3-10-%'" \
          -c "SELECT 'B3 positions reached: @1000 avg ' || round(avg(step_count)) FROM workflow_persist.wf_workflow WHERE id LIKE 'b3-1000-%'"
fi

if wants B4; then
    say "B4: WAL written by re-saving a 1,000-step snapshot with one step changed"
    $PSQL -c "CALL bench.populate('b4', 1, 1000)"
    out=$($PSQL <<'SQL'
\o /dev/null
SELECT pg_current_wal_lsn() AS l0 \gset
SELECT workflow_persist.wf_save('b41', jsonb_set(doc, '{steps,step-00500,value,n}', to_jsonb(g))) FROM bench.raw, generate_series(1, 1) g WHERE id = 'b41';
SELECT workflow_persist.wf_save('b41', jsonb_set(doc, '{steps,step-00501,value,n}', to_jsonb(2))) FROM bench.raw WHERE id = 'b41';
SELECT workflow_persist.wf_save('b41', jsonb_set(doc, '{steps,step-00502,value,n}', to_jsonb(3))) FROM bench.raw WHERE id = 'b41';
SELECT workflow_persist.wf_save('b41', jsonb_set(doc, '{steps,step-00503,value,n}', to_jsonb(4))) FROM bench.raw WHERE id = 'b41';
SELECT workflow_persist.wf_save('b41', jsonb_set(doc, '{steps,step-00504,value,n}', to_jsonb(5))) FROM bench.raw WHERE id = 'b41';
SELECT pg_current_wal_lsn() AS l1 \gset
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00500,value,n}', to_jsonb(1)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
SELECT pg_current_wal_lsn() AS l2 \gset
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00501,value,n}', to_jsonb(2)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00502,value,n}', to_jsonb(3)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00503,value,n}', to_jsonb(4)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00504,value,n}', to_jsonb(5)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
INSERT INTO bench.raw SELECT 'b4raw', jsonb_set(doc, '{steps,step-00505,value,n}', to_jsonb(6)) FROM bench.raw WHERE id = 'b41' ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
SELECT pg_current_wal_lsn() AS l3 \gset
\o
SELECT ((:'l1'::pg_lsn - :'l0'::pg_lsn) / 5)::bigint || ' ' || ((:'l3'::pg_lsn - :'l2'::pg_lsn) / 5)::bigint;
SQL
)
    wfw=${out%% *}; raww=${out##* }
    r=$(ratio "$wfw" "$raww")
    pct=$(awk -v a="$wfw" -v b="$raww" 'BEGIN { printf "%.2f%%", 100 * a / b }')
    row "B4 | WAL bytes per re-save: raw upsert | wf_save | ratio | target ≤ 5%"
    row "B4 | $raww | $wfw | $pct | $(verdict "$r" 0.05 le)"
fi

if wants B5; then
    say "B5: validation cost in wf_save of a 16 KB snapshot (awaitly vs off)"
    row "B5 | clients | validation off tps (median of 3) | validation awaitly tps (median of 3) | ratio | target ≥ 0.95"
    for c in 1 8; do
        script="\\set i random(1, 20)
\\set id random(1, 200)
SELECT workflow_persist.wf_save('b5-' || :id, doc) FROM bench.docs WHERE kind = '16k' AND i = :i;"
        # validation costs microseconds, well below pgbench's run-to-run
        # noise: alternate the two settings three times, compare medians
        o1=$(tps "$c" "$script" "-c workflow_persist.validation=off")
        a1=$(tps "$c" "$script" "-c workflow_persist.validation=awaitly")
        o2=$(tps "$c" "$script" "-c workflow_persist.validation=off")
        a2=$(tps "$c" "$script" "-c workflow_persist.validation=awaitly")
        o3=$(tps "$c" "$script" "-c workflow_persist.validation=off")
        a3=$(tps "$c" "$script" "-c workflow_persist.validation=awaitly")
        off=$(median3 "$o1" "$o2" "$o3"); on=$(median3 "$a1" "$a2" "$a3")
        r=$(ratio "$on" "$off")
        row "B5 | $c | $off | $on | $r | $(verdict "$r" 0.95 ge)"
    done
fi

if wants B6; then
    say "B6: wf_merge_snapshots vs the same semantics in SQL, 100-step inputs"
    same=$($PSQL -c "SELECT bool_and(workflow_persist.wf_merge_snapshots(base, delta) = bench.merge_sql(base, delta)) FROM bench.pairs")
    [ "$same" = t ] || die "B6: the SQL merge and wf_merge_snapshots disagree"
    out=$($PSQL <<'SQL'
CREATE TEMP TABLE t(c text, n int, s float8);
DO $$
DECLARE t0 timestamptz; n int;
BEGIN
  FOR rep IN 1 .. 3 LOOP
    t0 := clock_timestamp();
    SELECT count(workflow_persist.wf_merge_snapshots(base, delta)) INTO n FROM bench.pairs, generate_series(1, 50);
    INSERT INTO t VALUES ('c', n, extract(epoch FROM clock_timestamp() - t0));
    t0 := clock_timestamp();
    SELECT count(bench.merge_sql(base, delta)) INTO n FROM bench.pairs, generate_series(1, 50);
    INSERT INTO t VALUES ('sql', n, extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
END $$;
SELECT round((SELECT n / min(s) FROM t WHERE c = 'sql' GROUP BY n)::numeric, 1) || ' ' ||
       round((SELECT n / min(s) FROM t WHERE c = 'c' GROUP BY n)::numeric, 1);
SQL
)
    sqlr=${out%% *}; cr=${out##* }
    r=$(ratio "$cr" "$sqlr")
    row "B6 | merges/s in SQL | merges/s wf_merge_snapshots | ratio | target ≥ 3"
    row "B6 | $sqlr | $cr | $r | $(verdict "$r" 3 ge)"
fi

if wants B7; then
    say "B7: awaitly's pattern, the whole snapshot re-saved after each of 1,000 steps"
    conn="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
    raw=$("$BENCH_DIR/b7_driver" "$conn" raw 1000)
    wf=$("$BENCH_DIR/b7_driver" "$conn" wf 1000)
    rs=$(echo "$raw" | cut -d' ' -f3); ws=$(echo "$wf" | cut -d' ' -f3)
    rwal=$(echo "$raw" | cut -d' ' -f5); wwal=$(echo "$wf" | cut -d' ' -f5)
    r=$(ratio "$rs" "$ws")
    row "B7 | plain jsonb table: seconds, WAL MB | wf_save: seconds, WAL MB | speed-up | target ≥ 3"
    row "B7 | $rs s, $(awk -v b="$rwal" 'BEGIN{printf "%.0f", b/1048576}') MB | $ws s, $(awk -v b="$wwal" 'BEGIN{printf "%.0f", b/1048576}') MB | $r | $(verdict "$r" 3 ge)"
fi

# the machine, for the record
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MACHINE="$(nproc) cores ($CPU), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $($PG_BIN/postgres --version), PostgreSQL defaults (fsync on), $T s per pgbench measurement"
say "machine: $MACHINE"
if [ "$ONLY" = "B1 B2 B3 B4 B5 B6 B7" ]; then
    # this script's section of docs/performance.md (bench/client.sh writes another)
    grep -q '<!-- bench/run.sh: begin' docs/performance.md ||
        die "docs/performance.md has no section for bench/run.sh (<!-- bench/run.sh: begin ... end -->)"
    {
        cat bench/performance-head.md
        printf '\nMeasured %s on %s.\n\n' "$(date -u +%Y-%m-%d)" "$MACHINE"
        awk '
            BEGIN { t["B1"] = "B1: wf_save of a whole snapshot"; t["B2"] = "B2: wf_load";
                    t["B3"] = "B3: wf_save_step as workflows grow"; t["B4"] = "B4: WAL of a re-save with one step changed";
                    t["B5"] = "B5: cost of validation"; t["B6"] = "B6: wf_merge_snapshots vs SQL";
                    t["B7"] = "B7: awaitly re-saving the whole snapshot after every step" }
            { sub(/^\| /, ""); sub(/ \|$/, ""); n = split($0, c, / \| /) }
            c[1] != last { if (last != "") print ""; last = c[1]; hdr = 1; print "### " t[c[1]]; print "" }
            { line = "|"; for (i = 2; i <= n; i++) line = line " " c[i] " |"; print line
              if (hdr) { sep = "|"; for (i = 2; i <= n; i++) sep = sep " --- |"; print sep; hdr = 0 } }
        ' "$RESULTS"
    } > "$BENCH_DIR/section.md"
    SECTION=$(cat "$BENCH_DIR/section.md") perl -0pi -e \
        's/(<!-- bench\/run\.sh: begin[^\n]*\n).*?(\n<!-- bench\/run\.sh: end -->)/$1$ENV{SECTION}$2/s' docs/performance.md
    say "docs/performance.md updated (its bench/run.sh section)"
fi
