#!/bin/sh
# bench/provision_remote.sh - what a remote libvirt host costs virtbench:
# provisioning the qemu platform through --connect qemu+ssh://... (a
# private sshd on 127.0.0.1, so the "remote" host is this one: the ratio is
# the SSH transport, the volume API and the jump, not a network) against
# the same provisioning on qemu:///system, interleaved in random order,
# timed to the first successful SSH command. One cold round first (the
# cached base image, kernel and initrd removed, so they are uploaded),
# then ROUNDS with them cached, as in real use. Needs root, libvirtd,
# sshd and the guest image.
# usage: bench/provision_remote.sh [ROUNDS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/lib.sh"
start_sshd
printf '#!/bin/sh\nexec ssh -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes "$@"\n' \
	"$T/known_hosts" >"$T/ssh"
chmod 0755 "$T/ssh"
uri="qemu+ssh://root@127.0.0.1:$sshd_port/system?keyfile=$T/id&known_hosts=$T/known_hosts&command=$T/ssh"
# First the cold case: the cached uploads (base, kernel, initrd) removed,
# so round 1's remote side includes uploading them; it also warms the
# cache for the rounds that follow.
virsh -c "$uri" pool-refresh virtbench >/dev/null 2>&1 || true
for v in $(virsh -c "$uri" vol-list virtbench 2>/dev/null |
	awk '$1 ~ /^virtbench-(base|kernel|initrd)-/ { print $1 }'); do
	virsh -c "$uri" vol-delete --pool virtbench "$v" >/dev/null
done
echo "cold (uploads included):"
sh "$top/bench/provision.sh" 1 "$uri" | grep -E '^(round|median)'
echo "cached:"
sh "$top/bench/provision.sh" "${1:-3}" "$uri"
