/*
 * platform/native/platform_native.c - the "native" platform: the host itself, the
 * baseline every other platform is compared with.
 *
 * Commands run as "/bin/sh -c CMD" in a child of the collector, in its own
 * process group so that a timeout or an interrupt kills the whole tree
 * (the shell and sysbench/fio/iperf3 under it) and so that a Ctrl-C typed
 * at the terminal reaches only the collector, which then decides. The
 * child also asks the kernel to SIGKILL it if the collector dies
 * (PR_SET_PDEATHSIG), so a collector killed with SIGKILL leaves at most
 * the benchmark process itself running to the end of its duration.
 *
 * The scratch directory (workdir) is PLATFORM_STATE_DIR/native, on the
 * disk the disk benchmarks are meant to measure; it is removed on teardown.
 * Nothing is paused: the host is never idle-able.
 */
#define _GNU_SOURCE /* pipe2, nftw, close_range */
#include "platform/platform.h"
#include "collect/collect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/safe.h"
#include "common/util.h"

/* Output beyond this per stream is dropped: a runaway command must not
 * exhaust the collector's memory. Real tool outputs are a few KiB. */
#define NATIVE_OUT_MAX (16u << 20)

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		vb_warn("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int collect_rm_rf(const char *path)
{
	struct stat st;

	if (!path || lstat(path, &st) < 0)
		return 0;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -1 : 0;
}

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

/* Sends sig to the child's process group (and to the child itself, in
 * case it had not yet made its own group when we got here). */
static void kill_tree(pid_t pid, int sig)
{
	kill(-pid, sig);
	kill(pid, sig);
}

static void child_exec(const char *cmd, const char *dir, int out, int err,
		       pid_t parent)
{
	sigset_t none;
	int null;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(err, 2);
	/* The benchmark must not hold the collector's sockets or files
	 * (a daemon connection, a lock) open. */
	close_range(3, ~0U, 0);
	if (dir && chdir(dir) < 0)
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int collect_local_exec(const char *cmd, const char *dir, double timeout,
		       struct exec_result *r)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct sb out = SB_INIT, err = SB_INIT;
	double start = vb_mono_time(), killed_at = 0;
	int open_fds = 2, status = 0, ret = -1, stopped = 0;
	pid_t pid, parent = getpid();

	exec_result_clear(r);
	sb_init(&out);
	sb_init(&err);
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		vb_error("cannot create pipes: %s", strerror(errno));
		goto cleanup;
	}
	pid = fork();
	if (pid < 0) {
		vb_error("cannot fork: %s", strerror(errno));
		goto cleanup;
	}
	if (pid == 0)
		child_exec(cmd, dir, outp[1], errp[1], parent);
	setpgid(pid, pid);
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;

	while (open_fds > 0) {
		struct pollfd fds[2] = { { outp[0], POLLIN, 0 },
					 { errp[0], POLLIN, 0 } };
		double now = vb_mono_time();
		char buf[65536];

		if (!killed_at && (collect_stop_requested ||
				   (timeout > 0 && now - start > timeout))) {
			stopped = collect_stop_requested != 0;
			r->timed_out = !stopped;
			kill_tree(pid, SIGTERM);
			killed_at = now;
		} else if (killed_at && now - killed_at > 1.0) {
			kill_tree(pid, SIGKILL);
			/* A grandchild that left the group could hold the
			 * pipes open forever; stop listening after 3 s. */
			if (now - killed_at > 3.0)
				break;
		}
		if (poll(fds, 2, 200) < 0 && errno != EINTR) {
			vb_error("poll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < 2; i++) {
			struct sb *sb = i ? &err : &out;
			ssize_t n;

			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(i ? errp[0] : outp[0]);
				if (i)
					errp[0] = -1;
				else
					outp[0] = -1;
				open_fds--;
				continue;
			}
			if (sb->len + (size_t)n <= NATIVE_OUT_MAX)
				sb_add(sb, buf, (size_t)n);
		}
	}
	/* The pipes are closed; the shell may still run (it closed its
	 * output), so the timeout and the stop flag still apply. */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		double now = vb_mono_time();

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (collect_stop_requested || (timeout > 0 && now - start > timeout)) {
			if (!killed_at) {
				stopped = collect_stop_requested != 0;
				r->timed_out = !stopped;
				killed_at = now;
			}
			kill_tree(pid, SIGKILL);
		}
		usleep(20000);
	}
	/* Whatever the shell left in the group goes with it. */
	kill(-pid, SIGKILL);
	r->duration = vb_mono_time() - start;
	if (status == -1)
		r->exit_status = -1;
	else if (WIFEXITED(status))
		r->exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->exit_status = 128 + WTERMSIG(status);
	ret = stopped ? -1 : 0;
	if (stopped)
		vb_debug("command interrupted: %s", cmd);
cleanup:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	r->out = sb_detach(&out);
	r->err = sb_detach(&err);
	return ret;
}

static int native_exec(struct platform *p, const char *cmd, double timeout,
		       struct exec_result *r)
{
	return collect_local_exec(cmd, p->workdir, timeout, r);
}

int collect_copy_file(const char *from, const char *to, int mode)
{
	struct sb sb = SB_INIT;
	int ret;

	if (sb_read_file(&sb, from) < 0)
		return vb_error("cannot read %s: %s", from, strerror(errno));
	ret = vb_write_file_atomic(to, sb.buf, sb.len, mode);
	sb_release(&sb);
	return ret;
}

static int native_put_file(struct platform *p, const char *local,
			   const char *remote, int mode)
{
	(void)p;
	return collect_copy_file(local, remote, mode);
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
 * collector is gone: the pid file names a process that no longer runs. */
static int native_cleanup(const struct platform_opts *o, int *removed)
{
	char *base = collect_state_base(o->state_dir);
	DIR *d = opendir(base);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		free(base);
		return 0;
	}
	while ((e = readdir(d))) {
		char *dir, *pidfile;
		struct sb sb = SB_INIT;
		long pid = 0;
		int alive = 0;

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
		if (sb_read_file(&sb, pidfile) == 0) {
			sb.buf[strcspn(sb.buf, "\n")] = '\0';
			if (vb_parse_long(sb.buf, &pid) == 0 && pid > 0 &&
			    (kill((pid_t)pid, 0) == 0 || errno == EPERM))
				alive = 1;
		}
		sb_release(&sb);
		if (!alive) {
			vb_info("removing %s", dir);
			/* A link or someone else's directory with this name
			 * is refused, not followed. */
			if (vb_rm_rf_inside(dir, dir) < 0)
				ret = vb_error("cannot remove %s", dir);
			else
				(*removed)++;
		}
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
