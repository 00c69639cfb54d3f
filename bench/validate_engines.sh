#!/usr/bin/env bash
# bench/validate_engines.sh: jsonb-native vs jansson snapshot validation.
#
# Run as root from anywhere:   PG_CONFIG=/path/to/pg_config bench/validate_engines.sh
#
# Builds and installs workflow_persist and the bench-only module
# bench/validate_engines/ (jansson validator) into the PostgreSQL 15 found
# by $PG_CONFIG, starts a throwaway server as the postgres user on a free
# loopback port (stopped and removed on exit, whatever happens), and runs
# bench/validate_engines.sql in one session: it builds ~1 KB, ~16 KB and
# ~1 MB awaitly snapshots, checks that both engines agree on them and on
# invalid documents, times both, and prints markdown tables (also saved to
# bench/out/validate_engines-<timestamp>.md).
#
# Environment: REPS (default 5, median taken), TARGET_SECS (default 1.0:
# every measurement lasts at least this long), SEED (default 0.42).
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

REPS=${REPS:-5}
TARGET_SECS=${TARGET_SECS:-1.0}
SEED=${SEED:-0.42}

is_root || die "run as root (installs into $($PG_CONFIG --pkglibdir), runs the server as postgres)"
[ -x "$PG_CONFIG" ] || die "no pg_config at $PG_CONFIG (set PG_CONFIG)"
case $("$PG_CONFIG" --version) in
*" 15."*) ;;
*) die "PostgreSQL 15 expected, $PG_CONFIG is $("$PG_CONFIG" --version)" ;;
esac
[ -f /usr/include/jansson.h ] || die "jansson headers missing: apt-get install libjansson-dev"
id postgres >/dev/null 2>&1 || die "no postgres user"

build_and_install
say "building and installing the bench-only module bench/validate_engines"
make -s -C bench/validate_engines PG_CONFIG="$PG_CONFIG" with_llvm=no >/dev/null ||
    die "bench module build failed"
make -s -C bench/validate_engines PG_CONFIG="$PG_CONFIG" with_llvm=no install >/dev/null ||
    die "bench module install failed"

WORK=$(scratch_dir wfp-bench)
PGDATA="$WORK/data"
cleanup() {
    stop_servers_under "$WORK"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
say "starting a throwaway PostgreSQL on 127.0.0.1:$PORT (data in $PGDATA)"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null ||
    die "initdb failed"
# jit off and no parallel workers: one backend does all the work, no
# compile time inside the measurements.
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$WORK/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c jit=off -c max_parallel_workers_per_gather=0" \
    start >/dev/null ||
    { cat "$WORK/server.log"; die "the server did not start"; }

mkdir -p bench/out
OUT=bench/out/validate_engines-$(date -u +%Y%m%dT%H%M%SZ).md
{
    echo "# validate_engines run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
        "$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -sr); load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- PostgreSQL: $("$PG_BIN/postgres" --version); jansson $(pkg-config --modversion jansson 2>/dev/null || echo '?')"
    echo "- compiler: $(${CC:-gcc} --version | head -n 1); CFLAGS: $("$PG_CONFIG" --cflags | grep -o -- '-O[0-9s]' | head -n 1)"
    echo "- settings: jit=off, max_parallel_workers_per_gather=0, repetitions=$REPS, every measurement ≥ ${TARGET_SECS} s"
} | tee "$OUT"

steal0=$(awk '/^cpu / {print $9}' /proc/stat)
"$PG_BIN/psql" -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -v reps="$REPS" -v target_secs="$TARGET_SECS" -v seed="$SEED" -v clk_tck="$(getconf CLK_TCK)" \
    -f bench/validate_engines.sql 2>&1 | tee -a "$OUT"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || die "benchmark failed (psql exit $status); see above"
steal1=$(awk '/^cpu / {print $9}' /proc/stat)
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg); CPU steal during the run:" \
    "$(( (steal1 - steal0) * 100 / $(getconf CLK_TCK) / 100 )) s" | tee -a "$OUT"
say "results saved to $OUT"
