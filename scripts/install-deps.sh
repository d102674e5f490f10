#!/bin/sh
# Installs the Debian/Ubuntu packages virtbench needs to build, test and run
# its demo.  Idempotent: packages already present are not reinstalled, and
# apt is not touched at all when nothing is missing.
#
# usage: scripts/install-deps.sh [build|test|bench|demo|all]   (default: all)
# (bench: what bench/*.sh need, including the pandas references)
set -eu

build="make gcc pkg-config libsqlite3-dev libcjson-dev libgsl-dev libvirt-dev
libssh-dev libcurl4-openssl-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
sqlite3"
test="libcmocka-dev clang gnuplot-nox sysbench iperf3 fio python3 python3-scipy r-base-core
openssh-server openssh-client chromium hyperfine"
bench="time bc python3-pandas python3-scipy python3-matplotlib"
daemons="curl libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
genisoimage debootstrap docker.io ca-certificates"

case "${1:-all}" in
build) want="$build" ;;
test) want="$build $test" ;;
bench) want="$build $test $bench" ;;
demo|all) want="$build $test $bench $daemons" ;;
*) echo "install-deps: unknown set '$1' (build, test, bench, demo, all)" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root (sudo $0 ${1:-all}) to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Without systemd the postinst scripts cannot start services; that is
# harmless: the daemons are started by hand (scripts/start-daemons.sh).
apt-get update -qq >/dev/null 2>&1 || apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
	apt-get install -y --no-install-recommends $missing
