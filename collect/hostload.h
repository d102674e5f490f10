/*
 * collect/hostload.h - how busy the host was while a sample ran: the CPU
 * that processes other than the benchmark and the collector used, and the
 * steal time, so that a sample taken on a busy host is flagged
 * "disturbed" instead of silently adding noise (issue 14).
 *
 * Method: a snapshot before and after the sample of
 *   - /proc/stat's aggregate cpu line: busy = user + nice + system + irq +
 *     softirq (guest time is already inside user/nice), steal, total;
 *   - the collector's own CPU and that of its reaped children
 *     (getrusage SELF + CHILDREN: a native benchmark and its shell);
 *   - the CPU of the processes that serve the benchmark but are not
 *     reaped during it: the collector's iperf3 server (/proc/PID/stat),
 *     a container's cgroup (cpuacct.usage or cpu.stat usage_usec, which
 *     also counts processes that exited during the sample), a guest's
 *     QEMU process (/proc/PID/stat, every thread).
 * other_cpu = (busy delta - all of ours) / wall seconds, in cores (>= 0);
 * steal = steal delta / total delta, a fraction.
 *
 * Cost: a few small /proc reads per sample (the QEMU pid is found once by
 * scanning /proc for the domain's UUID on its command line).
 */
#ifndef VB_COLLECT_HOSTLOAD_H
#define VB_COLLECT_HOSTLOAD_H

#include <sys/types.h>

/* Defaults of the thresholds (collect --disturbed-cpu, --disturbed-steal). */
#define HOSTLOAD_OTHER_CPU 0.25  /* cores */
#define HOSTLOAD_STEAL 0.05      /* fraction of the host's CPU time */

/* What serves the benchmark besides the collector's children. */
struct hostload_target {
	pid_t iperf_pid;         /* 0 = none */
	const char *kind;        /* "native", "docker", "kvm", "qemu", "ssh" */
	const char *instance_id; /* container id / domain UUID, or NULL */
	pid_t qemu_pid;          /* found by hostload_find_qemu(); 0 = none */
};

struct hostload_snap {
	double t;                /* monotonic seconds */
	unsigned long long busy, steal, total; /* /proc/stat ticks */
	double own;              /* seconds of CPU that are ours */
	int ok;                  /* 0 when /proc/stat could not be read */
};

/* Whether the host's load can be attributed for this kind of platform
 * here: native and docker yes; a guest when its QEMU process runs on this
 * host (qemu_pid found); an ssh host or a remote libvirt host no. */
int hostload_measurable(const struct hostload_target *t);

/* The pid of the QEMU process whose command line carries "-uuid UUID",
 * or 0. */
pid_t hostload_find_qemu(const char *uuid);

void hostload_snap(const struct hostload_target *t, struct hostload_snap *s);

/* Cores used by others between a and b (>= 0), and the steal fraction.
 * Returns 0, or -1 when either snapshot failed or no time passed. */
int hostload_between(const struct hostload_snap *a,
		     const struct hostload_snap *b, double *other_cpu,
		     double *steal);

#endif
