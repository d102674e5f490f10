/*
 * platform/native/platform_native.c - the "native" platform: the host itself, the
 * baseline every other platform is compared with.
 *
 * Commands run as "/bin/sh -c CMD" through common/run.c, in their own
 * process group so that a timeout or an interrupt kills the whole tree
 * (the shell and sysbench/fio/iperf3 under it) and so that a Ctrl-C typed
 * at the terminal reaches only the collector, which then decides. The
 * group's guard kills it when the collector dies, even by SIGKILL, so no
 * benchmark runs on into a resumed run's measurements.
 *
 * The scratch directory (workdir) is PLATFORM_STATE_DIR/native, on the
 * disk the disk benchmarks are meant to measure; it is removed on teardown.
 * Nothing is paused: the host is never idle-able.
 */
#include "platform/platform.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/owner.h"
#include "common/safe.h"
#include "common/run.h"
#include "common/util.h"

static int native_start(struct platform *p)
{
	if (!p->opts->state_dir) {
		p->unavailable_reason = xstrdup("no state directory given");
		return vb_error("platform %s: no state directory", p->name);
	}
	/* The name passed the name rule (platform_name_check), so the
	 * workdir is a direct child of the run directory. */
	free(p->workdir);
	p->workdir = xasprintf("%s/%s", p->opts->state_dir, p->name);
	if (vb_mkdir_private(p->workdir) < 0) {
		p->unavailable_reason = xasprintf("cannot create %s", p->workdir);
		return -1;
	}
	free(p->host_addr);
	p->host_addr = xstrdup("127.0.0.1");
	free(p->instance_id);
	p->instance_id = xstrdup(vb_hostname());
	p->started = 1;
	return 0;
}

/* "sh -c CMD" through common/run.c: its own process group, killed as a
 * whole on timeout, on interrupt and when the collector dies. */
static int native_exec(struct platform *p, const char *cmd, double timeout,
		       struct exec_result *r)
{
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result rr;
	char *env_run = NULL;
	const char *env[2] = { NULL, NULL };
	int ret;

	exec_result_clear(r);
	/* Every process of the run carries the run's UUID in its
	 * environment, so a resume can find what a killed collector left
	 * running (a descendant that left its process group). */
	if (p->opts->run_uuid) {
		env_run = xasprintf("VIRTBENCH_RUN=%s", p->opts->run_uuid);
		env[0] = env_run;
		c.env = env;
	}
	c.shell = cmd;
	c.dir = p->workdir;
	c.out = c.err = RUN_OUT_CAPTURE;
	c.timeout = timeout;
	c.stop = &collect_stop_requested;
	ret = run_command(&c, &rr);
	free(env_run);
	r->out = rr.out ? rr.out : xstrdup("");
	r->err = rr.err ? rr.err : xstrdup("");
	if (ret < 0)
		return -1;
	r->exit_status = rr.exit_status;
	r->timed_out = rr.timed_out;
	r->duration = rr.duration;
	if (rr.stopped) {
		vb_debug("command interrupted: %s", cmd);
		return -1;
	}
	return 0;
}

static int native_put_file(struct platform *p, const char *local,
			   const char *remote, int mode)
{
	(void)p;
	return vb_copy_file(local, remote, mode);
}

/* First "model name" line of /proc/cpuinfo. Owned, or NULL. */
static char *cpu_model(void)
{
	struct sb sb = SB_INIT;
	char *line, *ret = NULL;

	if (sb_read_file(&sb, "/proc/cpuinfo") < 0)
		return NULL;
	line = strstr(sb.buf, "model name");
	if (line) {
		line = strchr(line, ':');
		if (line) {
			line++;
			while (*line == ' ' || *line == '\t')
				line++;
			ret = xstrndup(line, strcspn(line, "\n"));
		}
	}
	sb_release(&sb);
	return ret;
}

static const char *fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794c7630: return "overlay";
	case 0x6969: return "nfs";
	case 0x2FC12FC1: return "zfs";
	default: return "other";
	}
}

static int native_describe(struct platform *p, cJSON *obj)
{
	struct sysinfo si;
	struct utsname u;
	struct statfs fs;
	char *model = cpu_model();

	cJSON_AddStringToObject(obj, "kind", "native");
	cJSON_AddStringToObject(obj, "accelerator", "none");
	cJSON_AddNumberToObject(obj, "vcpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
	if (sysinfo(&si) == 0)
		cJSON_AddNumberToObject(obj, "memory_mib",
					(double)((unsigned long long)si.totalram *
						 si.mem_unit >> 20));
	cJSON_AddStringToObject(obj, "cpu_model", model ? model : "unknown");
	cJSON_AddStringToObject(obj, "network_mode", "host");
	cJSON_AddStringToObject(obj, "storage", "host filesystem");
	if (p->workdir) {
		cJSON_AddStringToObject(obj, "workdir", p->workdir);
		if (statfs(p->workdir, &fs) == 0)
			cJSON_AddStringToObject(obj, "workdir_fs", fs_name(fs.f_type));
	}
	if (uname(&u) == 0)
		cJSON_AddStringToObject(obj, "kernel", u.release);
	free(model);
	return 0;
}

static void native_teardown(struct platform *p)
{
	/* Only inside the run's own directory, whatever the name became. */
	if (p->workdir && p->started && p->opts->state_dir)
		vb_rm_rf_inside(p->workdir, p->opts->state_dir);
	p->started = 0;
}

/* Is prog an executable in $PATH? */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char **dirs = vb_split(path ? path : "/usr/bin:/bin", ':');
	int found = 0;

	for (char **d = dirs; *d && !found; d++) {
		char *f = xasprintf("%s/%s", *d, prog);

		found = access(f, X_OK) == 0;
		free(f);
	}
	vb_strv_free(dirs);
	return found;
}

static int native_probe(const char *kind, const struct platform_opts *o,
			char **reason)
{
	static const char *const tools[] = { "sysbench", "iperf3", "fio", NULL };
	struct sb missing = SB_INIT;

	(void)kind;
	(void)o;
	sb_init(&missing);
	for (int i = 0; tools[i]; i++)
		if (!in_path(tools[i]))
			sb_addf(&missing, " %s", tools[i]);
	if (missing.len) {
		*reason = xasprintf("missing tools:%s (install them: apt-get "
				    "install%s)", missing.buf, missing.buf);
		sb_release(&missing);
		return 0;
	}
	sb_release(&missing);
	return 1;
}

/* Removes run directories (virtbench-UUID) under the state base whose
 * collector is gone: collector.pid names an owner (common/owner.h) that
 * no longer runs, or there is none. */
static int native_cleanup(const struct platform_opts *o, int *removed)
{
	char *base = platform_state_base(o->state_dir);
	DIR *d = opendir(base);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		free(base);
		return 0;
	}
	while ((e = readdir(d))) {
		char *dir, *pidfile, *owner;

		if (strncmp(e->d_name, "virtbench-", 10))
			continue;
		dir = xasprintf("%s/%s", base, e->d_name);
		{
			struct stat st;

			/* Not ours (a link, another user's): not touched. */
			if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
			    st.st_uid != geteuid()) {
				vb_warn("leaving %s alone: not a run directory of "
					"this user", dir);
				free(dir);
				continue;
			}
		}
		pidfile = xasprintf("%s/collector.pid", dir);
		owner = owner_read_file(pidfile);
		if (owner_check(owner) == OWNER_ELSEWHERE) {
			vb_info("keeping %s: its collector runs on another host (%s)",
				dir, owner);
		} else if (!owner_alive(owner)) {
			vb_info("removing %s", dir);
			/* A link or someone else's directory with this name
			 * is refused, not followed. */
			if (vb_rm_rf_inside(dir, dir) < 0)
				ret = vb_error("cannot remove %s", dir);
			else
				(*removed)++;
		}
		free(owner);
		free(pidfile);
		free(dir);
	}
	closedir(d);
	free(base);
	return ret;
}

const struct platform_ops platform_native_ops = {
	.kind = "native",
	.start = native_start,
	.exec = native_exec,
	.put_file = native_put_file,
	.pause = NULL,
	.resume = NULL,
	.describe = native_describe,
	.teardown = native_teardown,
	.probe = native_probe,
	.cleanup = native_cleanup,
};
