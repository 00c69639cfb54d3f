#!/usr/bin/env bash
# scripts/clients-test.sh: the "clients" suite of `make test` (scripts/test.sh
# runs it as the postgres user when it is root): the client adapters' tests
# against a throwaway server (start_scratch_server: initdb'd with defaults,
# a free loopback port), stopped and removed again whatever happens.
#
# clients/awaitly: npm ci from its lock file (the real awaitly 1.35.0 from
# the npm registry), then node:test over test/*.test.mjs, TAP on stdout,
# ending with node's "# pass N" / "# fail N" / "# todo N" lines.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

command -v node >/dev/null && command -v npm >/dev/null || die "the clients suite needs Node.js and npm"
DIR=$(scratch_dir wfp-clients) || exit 1
cleanup() { stop_servers_under "$DIR"; rm -rf "$DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_scratch_server "$DIR"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION workflow_persist" || die "CREATE EXTENSION failed"
export npm_config_cache="$DIR/npm-cache"
(cd clients/awaitly && npm ci --include=dev --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in clients/awaitly"
cd clients/awaitly && node --test --test-reporter=tap test/*.test.mjs
