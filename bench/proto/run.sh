#!/usr/bin/env bash
# bench/proto/run.sh: checkpoint and load rates of the layout prototypes.
# Usage: PGHOST=... PGPORT=... bench/proto/run.sh [seconds]
set -eu
cd "$(dirname "$0")"
T=${1:-8}
PGBIN=${PGBIN:-$(dirname "${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}")}
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -f layouts.sql >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tps() {  # $1 = script text; prints TPS
    printf '%s\n' "$1" > "$tmp/s.sql"
    "$PGBIN/pgbench" -n -M prepared -c 1 -T "$T" -f "$tmp/s.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
W=${W:-100}
printf '%-44s %10s %10s\n' "operation (1 KB steps, 1 client)" "at 10" "at 1000"
for what in raw rows A B; do
    for n in 10 1000; do
        psql -c "SELECT proto.populate($W, $n)" >/dev/null
        psql -c "VACUUM ANALYZE" >/dev/null
        case $what in
        raw)  s="UPDATE proto.raw SET doc = jsonb_set(doc, ARRAY['steps', 'x' || :k], (SELECT v FROM proto.vals WHERE i = :v)) WHERE id = 'wf' || :w;" ;;
        rows) s="INSERT INTO proto.rows VALUES ('wf' || :w, 'x' || :k, (SELECT v FROM proto.vals WHERE i = :v)) ON CONFLICT (id, key) DO UPDATE SET v = EXCLUDED.v;" ;;
        A)    s="SELECT proto.a_save_step('wf' || :w, 'x' || :k, (SELECT v FROM proto.vals WHERE i = :v));" ;;
        B)    s="SELECT proto.b_save_step('wf' || :w, 'x' || :k, (SELECT v FROM proto.vals WHERE i = :v));" ;;
        esac
        r=$(tps "\\set w random(1, $W)
\\set k random(1, 1000000000)
\\set v random(1, 1000)
$s")
        eval "ck_${what}_$n=$r"
        case $what in
        raw)  l="SELECT doc FROM proto.raw WHERE id = 'wf' || :w;" ;;
        rows) l="SELECT jsonb_object_agg(key, v) FROM proto.rows WHERE id = 'wf' || :w;" ;;
        A)    l="SELECT proto.a_load('wf' || :w);" ;;
        B)    l="SELECT proto.b_load('wf' || :w);" ;;
        esac
        r=$(tps "\\set w random(1, $W)
$l")
        eval "ld_${what}_$n=$r"
    done
done
for what in raw rows A B; do
    eval "printf '%-44s %10s %10s\n' \"checkpoint  $what\" \$ck_${what}_10 \$ck_${what}_1000"
done
for what in raw rows A B; do
    eval "printf '%-44s %10s %10s\n' \"load        $what\" \$ld_${what}_10 \$ld_${what}_1000"
done
