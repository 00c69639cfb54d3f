#!/usr/bin/env bash
# scripts/test-valgrind.sh: `make test-valgrind`, the extension in a server
# run under valgrind (not part of `make test`: the first run builds
# PostgreSQL, some 10 minutes on 2 cores).
#
# 1. Builds PostgreSQL 15 from Debian's source tarball (the installed minor
#    version when Debian's archive still has it, else the newest one of
#    bookworm's main suite; its checksum is checked against the archive's
#    Sources index) with --enable-cassert and USE_VALGRIND, so that freed
#    memory is wiped and marked inaccessible, into build/valgrind/ of this
#    tree (nothing is cached outside it; a second run reuses the build).
# 2. Builds and installs the extension into it, from a copy of the tree.
# 3. Starts that server under valgrind (memcheck, PostgreSQL's own
#    src/tools/valgrind.supp), runs test/valgrind/*.sh against it, stops
#    it, and fails when valgrind reported an error in any process, a
#    process died of a signal or an assertion failed, or a workload
#    failed.
#
# The workloads are the code paths valgrind is there for: wf_load's
# direct read path (src/wfp_store_scan.c) while other sessions GRANT,
# REVOKE and ANALYZE the store's tables, which invalidates their relcache
# entries, and the same with debug_discard_caches = 1, which discards
# every cache at every invalidation point, deterministically.
#
# Environment: VALGRIND_LOADS (default 150) is the number of loads of each
# of the two concurrent loaders; VALGRIND_SCRATCH=1 runs the server from a
# scratch copy even when the postgres user can reach this tree. Needs root (to install packages and to run the server as
# "postgres") or a user that owns the tree.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ensure_packages "valgrind curl xz-utils bzip2 gcc make libc6-dev perl"

TOP=$PWD
VG=$TOP/build/valgrind
INST=$VG/inst
mkdir -p "$VG"

# ---------------------------------------------------------------------------
# PostgreSQL, built once per tree
# ---------------------------------------------------------------------------
installed_version() {
    "$PG_CONFIG" --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\.[0-9]*\).*/\1/p'
}

# $1 = archive root, $2 = suite: prints "version sha256 directory" of
# postgresql-15's orig tarball in that suite's Sources index
orig_in_suite() {
    curl -fsS "$1/dists/$2/main/source/Sources.xz" 2>/dev/null | xz -dc 2>/dev/null |
        awk -v pkg="postgresql-$PG_MAJOR" '
            /^Package: / { p = ($2 == pkg) }
            p && /^Version: / { v = $2; sub(/-.*/, "", v) }
            p && /^Directory: / { d = $2 }
            p && /^ / && length($1) == 64 && $3 ~ /\.orig\.tar\.bz2$/ { s = $1 }
            p && /^$/ { if (s != "") print v, s, d; p = 0; s = "" }'
}

fetch_source() {
    want=$(installed_version)
    found=""
    for archive in "http://deb.debian.org/debian bookworm" \
                   "http://deb.debian.org/debian-security bookworm-security" \
                   "http://deb.debian.org/debian bookworm-updates"; do
        set -- $archive
        while read -r v sum dir; do
            [ -n "$v" ] || continue
            url="$1/$dir/postgresql-${PG_MAJOR}_$v.orig.tar.bz2"
            # the archive's index may list a tarball its mirror no longer serves
            curl -fsS -r 0-0 -o /dev/null "$url" 2>/dev/null || continue
            if [ "$v" = "$want" ]; then found="$v $sum $url"; break 2; fi
            [ -z "$found" ] && found="$v $sum $url"
        done <<EOF
$(orig_in_suite "$1" "$2")
EOF
    done
    [ -n "$found" ] || die "no postgresql-$PG_MAJOR source tarball found in Debian's archive"
    set -- $found
    [ "$1" = "$want" ] || say "PostgreSQL $want's source is not in the archive; building $1 instead"
    say "downloading $3"
    curl -fsS -o "$VG/postgresql.tar.bz2.part" "$3" || die "download failed"
    echo "$2  $VG/postgresql.tar.bz2.part" | sha256sum -c --quiet - || die "checksum mismatch"
    mv "$VG/postgresql.tar.bz2.part" "$VG/postgresql.tar.bz2"
    echo "$1" > "$VG/version"
}

build_postgres() {
    [ -x "$INST/bin/postgres" ] && [ -f "$VG/built" ] && return 0
    [ -f "$VG/postgresql.tar.bz2" ] || fetch_source
    say "building PostgreSQL $(cat "$VG/version") with --enable-cassert and USE_VALGRIND (build/valgrind/)"
    rm -rf "$VG/src" "$INST"
    mkdir -p "$VG/src"
    tar -C "$VG/src" --strip-components=1 -xjf "$VG/postgresql.tar.bz2" || die "cannot unpack the source"
    # PostgreSQL's build makes its generated headers only at MAKELEVEL 0:
    # started from make test (or make test-valgrind) it must not inherit
    # the outer make's level and flags.
    (unset MAKELEVEL MAKEFLAGS MFLAGS && cd "$VG/src" &&
        ./configure --prefix="$INST" --enable-cassert --enable-debug \
            --without-readline --without-zlib --without-icu \
            CFLAGS="-O1 -g -fno-omit-frame-pointer" CPPFLAGS="-DUSE_VALGRIND" \
            >"$VG/configure.log" 2>&1 &&
        make -s -j"$(nproc)" >"$VG/build.log" 2>&1 &&
        make -s install >>"$VG/build.log" 2>&1) ||
        { tail -n 30 "$VG/configure.log" "$VG/build.log" >&2; die "the PostgreSQL build failed"; }
    touch "$VG/built"
}

build_postgres

# ---------------------------------------------------------------------------
# The extension, built against it from a copy of the tree
# ---------------------------------------------------------------------------
say "building workflow_persist against it"
rm -rf "$VG/ext"
mkdir -p "$VG/ext"
tar --exclude=./.git --exclude=./build --exclude='./tmp_check*' --exclude=./results \
    --exclude=./output_iso --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude='./src/*.d' \
    -cf - . | tar -C "$VG/ext" -xf -
# (no WERROR: at this build's -O1 gcc warns of maybe-uninitialized fields
# that -O2, which `make test` checks with WERROR=1, sees through)
make -s -C "$VG/ext" PG_CONFIG="$INST/bin/pg_config" NO_WFCTL=1 with_llvm=no install \
    >"$VG/ext.log" 2>&1 || { cat "$VG/ext.log" >&2; die "the extension did not build"; }

# ---------------------------------------------------------------------------
# The server under valgrind
# ---------------------------------------------------------------------------
RUN=$VG/run
SCRATCH=""
rm -rf "$RUN"
# The server runs as postgres: when it cannot reach this tree (a clone
# under /root), the installation runs from a scratch copy, removed at the
# end (the build itself stays in build/valgrind/).
if is_root && { [ -n "${VALGRIND_SCRATCH-}" ] ||
               ! runuser -u postgres -- test -x "$INST/bin/postgres"; }; then
    SCRATCH=$(scratch_dir wfp-valgrind)
    cp -a "$INST" "$SCRATCH/inst"
    INST=$SCRATCH/inst
    RUN=$SCRATCH/run
fi
mkdir -p "$RUN/valgrind"
cp "$VG/src/src/tools/valgrind.supp" "$RUN/valgrind.supp"
is_root && chown -R postgres: "$RUN"
PGDATA=$RUN/data
as_pg "$INST/bin/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null ||
    die "initdb failed"
cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$RUN'
port = 5432
shared_preload_libraries = 'workflow_persist'
max_connections = 20
# valgrind makes everything some 30 times slower
autovacuum = off
statement_timeout = 0
CONF
# PostgreSQL's own suggestions (src/tools/valgrind.supp, the wiki): every
# process, errors marked, no leak check (memory contexts free in bulk)
as_pg valgrind --quiet --trace-children=yes --leak-check=no --num-callers=30 \
    --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --gen-suppressions=all \
    --suppressions="$RUN/valgrind.supp" \
    --log-file="$RUN/valgrind/%p.log" \
    "$INST/bin/postgres" -D "$PGDATA" >"$RUN/server.log" 2>&1 &
SERVER=$!
stop_server() {
    as_pg "$INST/bin/pg_ctl" -D "$PGDATA" -m fast -w -t 600 stop >/dev/null 2>&1 ||
        as_pg "$INST/bin/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
    wait "$SERVER" 2>/dev/null
}
remove_scratch() {
    # the logs stay in build/valgrind/run
    if [ -n "$SCRATCH" ]; then
        rm -rf "$VG/run" && mkdir -p "$VG/run" &&
            cp -a "$RUN/server.log" "$RUN/valgrind" "$VG/run/" 2>/dev/null
        rm -rf "$SCRATCH"
    fi
}
trap 'stop_server; remove_scratch' EXIT
export PGHOST=$RUN PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
for _ in $(seq 1 300); do
    "$INST/bin/pg_isready" -q && break
    sleep 1
done
"$INST/bin/pg_isready" -q || { cat "$RUN/server.log" >&2; die "the server did not start under valgrind"; }

failed=0
passed=0
for w in test/valgrind/*.sh; do
    say "workload $w"
    if PSQL="$INST/bin/psql -X -q -v ON_ERROR_STOP=1" bash "$w"; then
        passed=$((passed + 1))
    else
        say "workload $w failed"
        failed=$((failed + 1))
    fi
done
stop_server
trap remove_scratch EXIT

# ---------------------------------------------------------------------------
# What valgrind and the server said
# ---------------------------------------------------------------------------
errors=$(cat "$RUN"/valgrind/*.log 2>/dev/null | grep -c 'VALGRINDERROR-BEGIN')
if [ "$errors" != 0 ]; then
    say "valgrind reported $errors errors:"
    cat "$RUN"/valgrind/*.log | sed -n '/VALGRINDERROR-BEGIN/,/VALGRINDERROR-END/p' | head -300
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
if grep -E 'terminated by signal|TRAP:|was terminated by exception' "$RUN/server.log"; then
    say "a server process crashed (build/valgrind/run/server.log)"
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
echo "valgrind: $passed passed, $failed failed"
[ "$failed" = 0 ]
