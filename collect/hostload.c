/*
 * collect/hostload.c - CPU used on the host by everything but the
 * benchmark during a sample; see hostload.h for the method.
 */
#include "collect/hostload.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/util.h"

static double tv(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

/* Whole file into buf (NUL-terminated); bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* utime + stime of a process (all its threads), in seconds; -1 if gone. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* The command name (field 2) may hold spaces and parentheses: the
	 * fields after it start behind the last ')'. utime and stime are
	 * fields 14 and 15, i.e. the 12th and 13th after it. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
			 " %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)(hz > 0 ? hz : 100);
}

/* CPU seconds of a docker container's cgroup (v1 cgroupfs or systemd
 * driver, or v2), or -1 when none is found. */
static double container_cpu(const char *id)
{
	/* {prefix, suffix}: the path is prefix ID suffix */
	static const char *const v1[][2] = {
		{ "/sys/fs/cgroup/cpuacct/docker/", "/cpuacct.usage" },
		{ "/sys/fs/cgroup/cpu,cpuacct/docker/", "/cpuacct.usage" },
		{ "/sys/fs/cgroup/cpuacct/system.slice/docker-",
		  ".scope/cpuacct.usage" },
		{ "/sys/fs/cgroup/cpu,cpuacct/system.slice/docker-",
		  ".scope/cpuacct.usage" },
	};
	static const char *const v2[][2] = {
		{ "/sys/fs/cgroup/docker/", "/cpu.stat" },
		{ "/sys/fs/cgroup/system.slice/docker-", ".scope/cpu.stat" },
	};
	char path[512], buf[1024];

	if (strlen(id) > 128 || strchr(id, '/'))
		return -1;
	for (size_t i = 0; i < VB_ARRAY_SIZE(v1); i++) {
		snprintf(path, sizeof(path), "%s%s%s", v1[i][0], id, v1[i][1]);
		if (read_small(path, buf, sizeof(buf)) > 0)
			return strtod(buf, NULL) / 1e9; /* nanoseconds */
	}
	for (size_t i = 0; i < VB_ARRAY_SIZE(v2); i++) {
		char *u;

		snprintf(path, sizeof(path), "%s%s%s", v2[i][0], id, v2[i][1]);
		if (read_small(path, buf, sizeof(buf)) > 0 &&
		    (u = strstr(buf, "usage_usec ")))
			return strtod(u + 11, NULL) / 1e6;
	}
	return -1;
}

int hostload_measurable(const struct hostload_target *t)
{
	if (!t->kind)
		return 0;
	if (!strcmp(t->kind, "native"))
		return 1;
	if (!strcmp(t->kind, "docker"))
		return t->instance_id && container_cpu(t->instance_id) >= 0;
	if (!strcmp(t->kind, "kvm") || !strcmp(t->kind, "qemu"))
		return t->qemu_pid > 0;
	return 0;
}

pid_t hostload_find_qemu(const char *uuid)
{
	DIR *d;
	struct dirent *e;
	pid_t found = 0;

	if (!uuid || !*uuid || !(d = opendir("/proc")))
		return 0;
	while (!found && (e = readdir(d))) {
		char path[300], buf[8192];
		ssize_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.255s/cmdline", e->d_name);
		n = read_small(path, buf, sizeof(buf));
		/* arguments are NUL-separated: look for "-uuid\0UUID" */
		for (ssize_t i = 0; i + 6 < n; i++)
			if (!memcmp(buf + i, "-uuid", 6) &&
			    !strcmp(buf + i + 6, uuid)) {
				found = (pid_t)atol(e->d_name);
				break;
			}
	}
	closedir(d);
	return found;
}

void hostload_snap(const struct hostload_target *t, struct hostload_snap *s)
{
	unsigned long long v[10] = { 0 };
	struct rusage self, kids;
	char buf[512];
	double x;

	memset(s, 0, sizeof(*s));
	s->t = vb_mono_time();
	if (read_small("/proc/stat", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		/* user nice system idle iowait irq softirq steal */
		s->busy = v[0] + v[1] + v[2] + v[5] + v[6];
		s->steal = v[7];
		s->total = s->busy + v[3] + v[4] + v[7];
		s->ok = 1;
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	s->own = tv(&self.ru_utime) + tv(&self.ru_stime) +
		 tv(&kids.ru_utime) + tv(&kids.ru_stime);
	if (t->iperf_pid > 0 && (x = proc_cpu(t->iperf_pid)) >= 0)
		s->own += x;
	if (t->kind && !strcmp(t->kind, "docker") && t->instance_id &&
	    (x = container_cpu(t->instance_id)) >= 0)
		s->own += x;
	if (t->qemu_pid > 0 && (x = proc_cpu(t->qemu_pid)) >= 0)
		s->own += x;
}

int hostload_between(const struct hostload_snap *a,
		     const struct hostload_snap *b, double *other_cpu,
		     double *steal)
{
	long hz = sysconf(_SC_CLK_TCK);
	double wall = b->t - a->t, busy, total;

	*other_cpu = *steal = 0;
	if (!a->ok || !b->ok || !(wall > 0) || b->busy < a->busy)
		return -1;
	busy = (double)(b->busy - a->busy) / (double)(hz > 0 ? hz : 100);
	total = (double)(b->total - a->total);
	*other_cpu = (busy - (b->own - a->own)) / wall;
	if (*other_cpu < 0)
		*other_cpu = 0;
	*steal = total > 0 ? (double)(b->steal - a->steal) / total : 0;
	return 0;
}
