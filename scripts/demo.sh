#!/usr/bin/env bash
# scripts/demo.sh: `make demo`, the README's first command.
#
# Installs what is missing (as root), builds and installs workflow_persist,
# starts a private throwaway PostgreSQL 15 (its own data directory under
# /tmp, owned by the postgres user, listening on a free loopback port; no
# system cluster is touched), runs the scripted demo in scripts/demo/, and stops
# and removes the server whatever happens.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ensure_packages
build_and_install

DEMO_DIR=$(scratch_dir wfp-demo)
PGDATA="$DEMO_DIR/data"
cleanup() {
    stop_servers_under "$DEMO_DIR"
    rm -rf "$DEMO_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(free_port)
say "starting a throwaway PostgreSQL $PG_MAJOR on 127.0.0.1:$PORT (data in $PGDATA)"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null ||
    die "initdb failed"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$DEMO_DIR/server.log" \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DEMO_DIR" start >/dev/null ||
    { cat "$DEMO_DIR/server.log"; die "the server did not start"; }

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres
PSQL="$PG_BIN/psql -X -q -v ON_ERROR_STOP=1 --pset=pager=off"

$PSQL -c "CREATE EXTENSION workflow_persist" || die "CREATE EXTENSION failed"
# Acts run in order: *.sql through psql, *.sh sourced (they see $PSQL,
# $DEMO_DIR and the PG* variables).
for act in scripts/demo/[0-9]*; do
    case $act in
    *.sql) $PSQL -f "$act" || die "demo step $act failed" ;;
    *.sh)  . "$act" || die "demo step $act failed" ;;
    esac
done
say "demo finished; stopping the server and removing $DEMO_DIR"
