#!/bin/sh
# bench/provision.sh - builds and runs bench/provision.c (virtbench's
# provisioning vs a direct qemu-system-x86_64 boot of the same guest, to
# the first successful SSH command). Needs root, libvirtd and the guest
# image ("virtbench image build"). usage: bench/provision.sh [ROUNDS [URI]]
# (with URI: virtbench through URI against virtbench on qemu:///system)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s build/libvirtbench.a
mkdir -p build/bench
# Named virtbench-*: "virtbench cleanup" spares guests of live virtbench
# processes only.
cc -std=gnu11 -O2 -I. -o build/bench/virtbench-provision bench/provision.c \
	-Wl,-u,platform_libvirt_ops build/libvirtbench.a $(pkg-config --cflags --libs sqlite3 libcjson gsl \
	libvirt libssh libcurl) -lm
exec build/bench/virtbench-provision "${1:-3}" ${2:+"$2"}
