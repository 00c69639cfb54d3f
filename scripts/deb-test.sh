#!/usr/bin/env bash
# scripts/deb-test.sh: the deb suite of `make test`.
#
# Builds the package (scripts/deb.sh) and runs its smoke test
# (debian/tests/smoke, also its autopkgtest) in one of two modes:
#
#   WFP_DEB_TEST=install  (.ci/run sets it: CI is root on a machine of its
#       own) installs the .deb into the system with apt-get, as the README
#       tells users to, runs the smoke test against the system, then
#       removes the package and puts back whatever files of ours were
#       there before (make test's own make install).
#   otherwise: extract, for a machine that others share: the system
#       PostgreSQL is never written.  The .deb is extracted (dpkg-deb -x)
#       into a scratch root beside a copy of the server of $PG_CONFIG with
#       workflow_persist's files taken out, and the smoke test runs from
#       there.
set -u
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

MODE=${WFP_DEB_TEST:-extract}
case $MODE in
install | extract) ;;
*) die "WFP_DEB_TEST must be install or extract, not \"$MODE\"" ;;
esac

./scripts/deb.sh || die "make deb failed"
VERSION=$(sed -n "s/^default_version = '\(.*\)'/\1/p" workflow_persist.control)
PACKAGE=postgresql-$PG_MAJOR-workflow-persist
# VERSION-REVISION; scripts/deb.sh emptied the directory first.
DEB=$(compgen -G "${WFP_DEB_DIR:-$PWD/build/deb}/${PACKAGE}_${VERSION}-*_$(dpkg --print-architecture).deb")
[ -n "$DEB" ] && [ -f "$DEB" ] || die "make deb made no single ${PACKAGE}_${VERSION}-* package"

WORK=$(mktemp -d /tmp/wfp-deb-test.XXXXXX) || die "mktemp failed"
chmod 755 "$WORK"
# The package's files (not directories), as absolute paths.
dpkg-deb -c "$DEB" | awk '$6 !~ /\/$/ { print substr($6, 2) }' > "$WORK/files"

if [ "$MODE" = install ]; then
    say "deb suite, install mode: apt-get install $DEB into the system"
    is_root || die "WFP_DEB_TEST=install needs root"
    if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
        die "$PACKAGE is already installed on this machine: not replacing it"
    fi
    # Keep the files the package will overwrite (make install's).
    while read -r f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\n' "$f"; done < "$WORK/files" > "$WORK/kept"
    tar -cPf "$WORK/kept.tar" --files-from="$WORK/kept" || die "cannot save $(wc -l < "$WORK/kept") files"
    restore() {
        say "removing $PACKAGE, putting back $(wc -l < "$WORK/kept") files it replaced"
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$PACKAGE" >/dev/null ||
            echo "error: apt-get purge $PACKAGE failed" >&2
        tar -xPf "$WORK/kept.tar" || echo "error: could not restore the files in $WORK/kept.tar" >&2
        rm -rf "$WORK"
    }
    trap restore EXIT
    trap 'exit 130' INT TERM
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" \
        > "$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log"; die "apt-get install $DEB failed"; }
    debian/tests/smoke
    exit
fi

say "deb suite, extract mode: $DEB extracted into $WORK/root (set WFP_DEB_TEST=install to install it)"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
# The server of $PG_CONFIG, in Debian's layout under the scratch root.
SERVER=$(dirname "$PG_BIN")
SHARE=$("$PG_CONFIG" --sharedir)
[ "${SERVER%/lib/postgresql/$PG_MAJOR}" != "$SERVER" ] && [ "$SHARE" = "${SERVER%/lib/postgresql/$PG_MAJOR}/share/postgresql/$PG_MAJOR" ] ||
    die "$PG_CONFIG is not in Debian's layout (.../lib/postgresql/$PG_MAJOR/bin, .../share/postgresql/$PG_MAJOR)"
mkdir -p "$WORK/root/usr/lib/postgresql" "$WORK/root/usr/share/postgresql"
cp -a "$SERVER" "$WORK/root/usr/lib/postgresql/" && cp -a "$SHARE" "$WORK/root/usr/share/postgresql/" ||
    die "cannot copy the server of $PG_CONFIG"
# Without the files of ours that make install put there: only the
# package's may be found.
(cd "$WORK/root/usr" && rm -rf lib/postgresql/$PG_MAJOR/bin/wfctl lib/postgresql/$PG_MAJOR/lib/workflow_persist.so \
    lib/postgresql/$PG_MAJOR/lib/bitcode/workflow_persist lib/postgresql/$PG_MAJOR/lib/bitcode/workflow_persist.index.bc \
    share/postgresql/$PG_MAJOR/extension/workflow_persist[.-]*)
dpkg-deb -x "$DEB" "$WORK/root" || die "dpkg-deb -x failed"
ROOT=$WORK/root debian/tests/smoke
