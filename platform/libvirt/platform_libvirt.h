/*
 * platform/libvirt/platform_libvirt.h - extras of the kvm/qemu platform beyond the
 * ops table (platform_libvirt_ops in platform.h), for doctor and tests.
 */
#ifndef VB_PLATFORM_LIBVIRT_PLATFORM_LIBVIRT_H
#define VB_PLATFORM_LIBVIRT_PLATFORM_LIBVIRT_H

#include "platform/platform.h"

/* platform_libvirt_ops.probe, for one kind ("kvm" or "qemu"). Returns
 * 1 when it can run here (*reason, owned, may hold a note: where, for a
 * remote host), 0 with *reason (owned: why and what fixes it).
 * For kvm, a usable /dev/kvm is necessary but not proof: only a guest
 * start shows whether guests run (collect checks that within seconds). */
int platform_libvirt_probe_kind(const char *kind, const struct platform_opts *o,
				char **reason);

/* Seconds from start() to the first successful SSH command of the guest
 * (negative before that), for bench/provision. */
double platform_libvirt_boot_seconds(const struct platform *p);

#endif
