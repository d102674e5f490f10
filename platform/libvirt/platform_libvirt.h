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

/* A guest started for virtbench's own use rather than as a benchmark
 * platform: another built image (its disk, kernel and initrd) and CPU
 * mode, e.g. the kvm-host test host under TCG with "maximum" (AMD-V
 * visible inside). Strings and image are borrowed for the call. */
struct image_info;
struct platform_libvirt_guest {
	const struct image_info *image;
	const char *cpu_mode;
};

/* start() with g's image and CPU mode (NULL fields: the defaults);
 * p comes from platform_new() of a "qemu" or "kvm" name. As start(). */
int platform_libvirt_start_guest(struct platform *p,
				 const struct platform_libvirt_guest *g);

/* The accelerator a guest runs on, from what its own kernel reports:
 * flag is "yes"/"no" (the CPUID hypervisor bit in /proc/cpuinfo),
 * detected the name after dmesg's "Hypervisor detected:" ("" if none),
 * clocksources the guest's available_clocksource. Returns "kvm", "tcg",
 * "none" (no hypervisor bit: not a guest) or "unknown" (another
 * hypervisor). Static string. */
const char *platform_libvirt_accelerator(const char *flag, const char *detected,
					 const char *clocksources);

/* Seconds from start() to the first successful SSH command of the guest
 * (negative before that), for bench/provision. */
double platform_libvirt_boot_seconds(const struct platform *p);

/* For the running guest's commands from now on: vbssh_set_idle_timeout()
 * (a guest that stops answering is given up in that time). */
void platform_libvirt_set_idle_timeout(struct platform *p, double seconds);

/* Appends the last lines of the guest's serial console log to out
 * (control sequences dropped), e.g. to show why a guest hung. */
struct sb;
void platform_libvirt_console_tail(const struct platform *p, int lines,
				   struct sb *out);

#endif
