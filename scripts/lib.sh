# scripts/lib.sh: shared by scripts/demo.sh and scripts/test.sh (sourced).
#
# - installs the Debian packages we need when run as root (prints the apt
#   line and stops otherwise);
# - knows where PostgreSQL 15's binaries are;
# - runs server-side commands as the "postgres" user when we are root,
#   because initdb and postgres refuse to run as root.

PG_MAJOR=15
# PG_CONFIG may point at another (relocated) PostgreSQL 15 installation.
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}
PG_BIN=$(dirname "$PG_CONFIG")
export PG_CONFIG

# Everything the build, the demo and every test suite need.
# wfctl needs libpq-dev; its tests valgrind, IO::Pty (a terminal for its
# questions), zsh (its completion), and clang with libclang-rt for the
# libFuzzer harness of its import parser; the router (docs/scale-out.md)
# needs PL/Proxy.
WFP_PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libjansson-dev \
libipc-run-perl libio-pty-perl zsh pkg-config make gcc libc6-dev perl libpq-dev valgrind clang libclang-rt-14-dev \
postgresql-$PG_MAJOR-plproxy"
# The programs of the checked doc pages (scripts/docs-check.pl; the page
# docs/application-developers.md) run with Debian's python3 and psycopg 3
# (and its pool), PHP's PDO pgsql (also the PHP adapter's suite, php:
# clients/php), and Node.js, whose pg comes from the npm registry at test
# time.  The clients suite's Python adapters (clients/python) need the same
# python3 and psycopg 3 only.  A Node.js that is already installed with an
# npm of its own (as NodeSource's package has) is used as it is.
WFP_PACKAGES="$WFP_PACKAGES python3 python3-psycopg python3-psycopg-pool php-cli php-pgsql"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    WFP_PACKAGES="$WFP_PACKAGES nodejs npm"
fi

# What "make deb" (scripts/deb.sh) needs on top: debian/control's
# Build-Depends (pg_buildext is in postgresql-common, its debhelper add-on
# in postgresql-server-dev-all) and dpkg-buildpackage's build-essential.
WFP_DEB_PACKAGES="debhelper postgresql-server-dev-all postgresql-server-dev-$PG_MAJOR \
libjansson-dev libpq-dev pkg-config dpkg-dev build-essential"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

missing_packages() {      # $1 = package list (default: WFP_PACKAGES)
    missing=""
    for p in ${1:-$WFP_PACKAGES}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    echo "$missing"
}

ensure_packages() {       # $1 = package list (default: WFP_PACKAGES)
    missing=$(missing_packages "${1:-}")
    [ -z "$missing" ] && return 0
    if ! is_root; then
        printf 'These Debian packages are missing:%s\n' "$missing" >&2
        printf 'Install them, then run this again:\n\n  sudo apt-get update && sudo apt-get install -y%s\n\n' "$missing" >&2
        exit 1
    fi
    say "installing missing packages:$missing"
    # Installing postgresql-common would create and start a system cluster
    # ("main" on port 5432).  We never use one: say so before it is installed.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold $missing \
        >/dev/null || die "apt-get install failed"
    id postgres >/dev/null 2>&1 || die "package installation did not create the postgres user"
}

# Node.js and npm, for the clients suite (scripts/clients-test.sh): from
# Debian when missing (bookworm's nodejs is 18; node:test needs 18 or later).
ensure_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    ensure_packages "nodejs npm"
}

# Build with PGXS and install (installing needs root, or passwordless sudo).
# Our own scripts build with WERROR=1: a warning is a bug here, though not
# in a user's plain "make" with another compiler.
build_and_install() {
    say "building workflow_persist and wfctl"
    make -s PG_CONFIG="$PG_CONFIG" with_llvm=no WERROR=1 >/dev/null || die "build failed"
    say "installing into $($PG_CONFIG --pkglibdir) and $($PG_CONFIG --sharedir)/extension"
    if is_root || [ -w "$($PG_CONFIG --pkglibdir)" ]; then
        make -s PG_CONFIG="$PG_CONFIG" with_llvm=no WERROR=1 install >/dev/null || die "make install failed"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo make -s PG_CONFIG="$PG_CONFIG" with_llvm=no WERROR=1 install >/dev/null || die "make install failed"
    else
        die "cannot install into $($PG_CONFIG --pkglibdir): run as root, or run 'sudo make install' first"
    fi
}

# Run a command as the database's owner.
as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A free TCP port on the loopback interface.
free_port() {
    port=$(( 20000 + $$ % 20000 ))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        port=$(( port + 1 ))
    done
    echo "$port"
}

# A scratch directory the server user can own and reach.
scratch_dir() {
    d=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || die "mktemp failed"
    chmod 755 "$d"
    is_root && chown postgres: "$d"
    echo "$d"
}

# Stop every postmaster whose data directory lies under $1 (even after a
# failure half-way), then remove $1.
stop_servers_under() {
    [ -n "$1" ] && [ -d "$1" ] || return 0
    find "$1" -name postmaster.pid 2>/dev/null | while read -r pidfile; do
        as_pg "$PG_BIN/pg_ctl" -D "$(dirname "$pidfile")" -m immediate -w stop >/dev/null 2>&1 || true
    done
}

# Start a throwaway server (initdb'd with PostgreSQL's defaults) in $1/data
# on a free loopback port, as the database's owner, with any further
# arguments as postgres options ("-c name=value"); sets and exports
# PGDATA, PGHOST, PGPORT, PGUSER and PGDATABASE.  stop_servers_under $1
# stops it.
start_scratch_server() {
    dir=$1
    shift
    PGDATA="$dir/data"
    PGPORT=$(free_port)
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -E UTF8 --no-locale -A trust -U postgres >/dev/null ||
        die "initdb failed"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -l "$dir/server.log" \
        -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $dir $*" start >/dev/null ||
        { cat "$dir/server.log" >&2; die "the server did not start"; }
    export PGDATA PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
}
