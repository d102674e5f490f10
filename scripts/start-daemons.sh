#!/bin/sh
# Starts the daemons virtbench's docker and libvirt platforms need, when they
# are not already running: virtlogd, then libvirtd, then dockerd. Uses
# systemctl where systemd runs; otherwise starts them by hand with pid files
# and logs under /var/log/virtbench-*.log. Idempotent. Never enables
# libvirt's "default" NAT network (virtbench's tests never use it).
#
# usage: scripts/start-daemons.sh [libvirt] [docker]   (default: both)
set -u
want=${*:-libvirt docker}
log() { echo "start-daemons: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "not root: cannot start daemons (run as root)"
	exit 1
fi

running() { # pidfile
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

wait_for() { # seconds description command...
	secs=$1 what=$2
	shift 2
	i=0
	while [ $i -lt $((secs * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	log "$what did not come up within ${secs}s"
	return 1
}

systemd=0
[ -d /run/systemd/system ] && systemd=1
rc=0

for d in $want; do
case $d in
libvirt)
	command -v libvirtd >/dev/null || { log "libvirtd not installed (scripts/install-deps.sh demo)"; rc=1; continue; }
	# Never autostart the default NAT network.
	rm -f /etc/libvirt/qemu/networks/autostart/default.xml
	# Without udev, /dev/kvm keeps mode 0600 root: libvirt then re-probes
	# QEMU's capabilities on every call (about 37 s per guest start). udev
	# would make it group kvm, 0660; do what it would.
	if [ -c /dev/kvm ] && getent group kvm >/dev/null &&
	   [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
		log "giving /dev/kvm to group kvm, mode 0660 (as udev would)"
		chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
	fi
	if [ $systemd = 1 ]; then
		systemctl start virtlogd.socket libvirtd.socket libvirtd 2>/dev/null ||
			systemctl start virtlogd libvirtd || rc=1
	else
		if ! running /run/virtlogd.pid; then
			log "starting virtlogd (log /var/log/virtbench-virtlogd.log)"
			virtlogd -d -p /run/virtlogd.pid || rc=1
		fi
		if ! running /run/libvirtd.pid; then
			log "starting libvirtd (log /var/log/virtbench-libvirtd.log)"
			LIBVIRT_LOG_OUTPUTS="3:file:/var/log/virtbench-libvirtd.log" \
				libvirtd -d -p /run/libvirtd.pid || rc=1
		fi
	fi
	wait_for 30 libvirtd virsh -c qemu:///system version || rc=1
	;;
docker)
	command -v dockerd >/dev/null || { log "dockerd not installed (scripts/install-deps.sh demo)"; rc=1; continue; }
	if [ $systemd = 1 ]; then
		systemctl start docker || rc=1
	elif ! running /run/virtbench-dockerd.pid && ! [ -S /var/run/docker.sock -a -n "$(pidof dockerd)" ]; then
		log "starting dockerd (log /var/log/virtbench-dockerd.log)"
		# No bridge, no iptables: containers use host or no networking.
		nohup dockerd --iptables=false --bridge=none \
			-p /run/virtbench-dockerd.pid \
			>/var/log/virtbench-dockerd.log 2>&1 &
	fi
	wait_for 60 dockerd curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping || rc=1
	;;
*) log "unknown daemon '$d' (libvirt, docker)"; rc=2 ;;
esac
done
exit $rc
