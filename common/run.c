/*
 * common/run.c - child processes (see run.h for the guard design).
 *
 * Between fork() and exec() only async-signal-safe calls are made: the
 * collector may have threads (libvirt, libcurl), and a lock another
 * thread held at fork() time stays held forever in the child. So
 * everything that allocates - the environment, the program's path, the
 * files to open - is prepared before fork(), and the guard's loop uses
 * only poll, read, write, wait4 and kill.
 *
 * Pipes between the three processes:
 *   ctl     virtbench writes, guard reads: EOF (virtbench died or asked)
 *           = SIGKILL the group
 *   note    guard and command write, virtbench reads in run_start(): the
 *           command's pid, then EOF at exec() (close-on-exec) or the
 *           errno of the step that failed
 *   status  guard writes, virtbench reads: the command's wait status and
 *           resource usage when it exits
 * Every message is one struct run_msg, smaller than PIPE_BUF, so a write
 * is atomic and a read gets all of it or nothing.
 *
 * What the outside world does and what we guarantee:
 *   - EINTR: every blocking call is retried; a signal never loses a child
 *     or its output. poll() wakes at least every 100 ms while a stop flag
 *     is watched, so a flag set just before poll() is seen soon.
 *   - SIGPIPE: a child that closes its stdin early must not kill
 *     virtbench; writes to it block SIGPIPE and swallow the pending one.
 *   - virtbench's own signal handlers and mask never reach the command:
 *     all signals are blocked across fork(), and the command starts with
 *     every disposition at default and an empty mask.
 *   - only the three standard fds (and none of virtbench's database,
 *     sockets or locks) reach the command: everything else is closed.
 */
#define _GNU_SOURCE /* pipe2, close_range, F_DUPFD_CLOEXEC */
#include "common/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"

extern char **environ;

/* A descendant that left the group may hold the output pipes open
 * forever: stop listening this long after the group was killed. */
#define RUN_GIVE_UP 3.0

enum { MSG_PID = 1, MSG_EXIT, MSG_FAIL };
enum { STAGE_FORK = 1, STAGE_DIR, STAGE_EXEC };

struct run_msg {
	int32_t kind;
	int32_t stage;              /* MSG_FAIL */
	int32_t value;              /* pid, wait status or errno */
	int32_t pad;
	int64_t utime_us, stime_us; /* MSG_EXIT */
};

struct run_state {
	int ctl_w, status_r, in_w, out_r, err_r;
	size_t in_off;
	struct sb out, err;
	size_t truncated;
	double t0, end, term_at, kill_at;
	int exited, wstatus, status_eof, timed_out, stopped;
	double cpu;
};

/* ---- in the children: async-signal-safe only ----------------------------- */

static void child_write_msg(int fd, int kind, int stage, int value)
{
	struct run_msg m = { kind, stage, value, 0, 0, 0 };
	ssize_t n;

	do
		n = write(fd, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
}

static void child_default_signals(void)
{
	struct sigaction sa;
	/* The kernel's struct sigaction (handler, flags, restorer, mask). */
	struct { void *handler; unsigned long flags; void *restorer;
		 unsigned long mask; } ksa = { 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP)
			continue;
		/* glibc refuses the signals it reserves for itself (32, 33:
		 * thread cancellation, setxid) with EINVAL, yet an ignored
		 * one is inherited through exec: whoever started virtbench
		 * may have ignored them. The kernel resets them directly. */
		if (sigaction(s, &sa, NULL) < 0 && errno == EINVAL)
			syscall(SYS_rt_sigaction, s, &ksa, NULL, sizeof(ksa.mask));
	}
}

/* close_range(lo, hi), or one by one on kernels before 5.9. */
static void child_close_range(unsigned lo, unsigned hi)
{
	struct rlimit rl;
	long top;

	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
	top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
	      (long)rl.rlim_cur : 65536;
	if (top > 65536)
		top = 65536;
	for (long fd = lo; fd <= (long)hi && fd < top; fd++)
		close((int)fd);
}

/* Closes every fd >= from except the sorted keep[0..n-1]. */
static void child_close_except(int from, const int *keep, int n)
{
	for (int i = 0; i < n; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			child_close_range((unsigned)from, (unsigned)keep[i] - 1);
		from = keep[i] + 1;
	}
	child_close_range((unsigned)from, ~0U);
}

struct child_plan {
	const char *path;           /* resolved program */
	char *const *argv;
	char *const *envp;
	const char *dir;
	int src[3];                 /* fds that become 0, 1, 2; -1 = keep */
	int err_to_out;
	int note_w, ctl_r, status_w;
	pid_t guard;
};

/* The command, in the guard's child. Never returns. */
static void child_exec(const struct child_plan *p)
{
	int tmp[3], note;
	sigset_t none;

	child_default_signals();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Belt and braces: the guard only ever dies by the group's
	 * SIGKILL, which reaches us too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != p->guard)
		_exit(127);
	/* Move the sources out of 0..3 first, so that installing one
	 * never clobbers another. */
	for (int i = 0; i < 3; i++) {
		tmp[i] = p->src[i] >= 0 ? fcntl(p->src[i], F_DUPFD_CLOEXEC, 10) : -1;
		if (p->src[i] >= 0 && tmp[i] < 0)
			_exit(127);
	}
	note = fcntl(p->note_w, F_DUPFD_CLOEXEC, 10);
	for (int i = 0; i < 3; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], i) < 0)
			_exit(127);
	if (p->err_to_out && dup2(1, 2) < 0)
		_exit(127);
	if (note < 0 || dup3(note, 3, O_CLOEXEC) < 0)
		_exit(127);
	note = 3;
	child_close_except(4, NULL, 0);
	if (p->dir && chdir(p->dir) < 0) {
		child_write_msg(note, MSG_FAIL, STAGE_DIR, errno);
		_exit(126);
	}
	execve(p->path, p->argv, p->envp);
	child_write_msg(note, MSG_FAIL, STAGE_EXEC, errno);
	_exit(127);
}

static int64_t tv_us(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* SIGKILLs the guard's group (itself included) - or only the command
 * if the guard could not make its own group, never virtbench's. */
static void guard_kill(pid_t pid)
{
	if (getpgid(0) == getpid())
		kill(0, SIGKILL);
	kill(pid, SIGKILL);
	_exit(137);
}

/* The guard: group leader, parent of the command. Never returns; it ends
 * with the group, by SIGKILL. */
static void guard_main(const struct child_plan *p)
{
	struct child_plan cp = *p;
	struct sigaction ign;
	sigset_t chld;
	int keep[3], sfd, watching_child = 1;
	pid_t pid;

	child_default_signals();
	/* The group's SIGTERM (timeout, stop) is for the command; the guard
	 * stays to report its status. SIGPIPE: virtbench may be gone when
	 * the status is written, and the group must still be killed. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &ign, NULL);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	setpgid(0, 0);
	/* Every signal is still blocked (virtbench blocked them across
	 * fork()); SIGCHLD stays blocked and is read from a signalfd. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC);
	cp.guard = getpid();
	pid = fork();
	if (pid == 0)
		child_exec(&cp);
	if (pid < 0 || sfd < 0) {
		child_write_msg(p->note_w, MSG_FAIL, STAGE_FORK,
				pid < 0 ? errno : ENOSYS);
		if (pid > 0)
			guard_kill(pid);
		_exit(127);
	}
	child_write_msg(p->note_w, MSG_PID, 0, (int)pid);
	keep[0] = p->ctl_r;
	keep[1] = p->status_w;
	keep[2] = sfd;
	for (int i = 1; i < 3; i++) /* sort three */
		for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	child_close_except(0, keep, 3);
	for (;;) {
		struct pollfd fds[2] = { { p->ctl_r, POLLIN, 0 },
					 { watching_child ? sfd : -1, POLLIN, 0 } };
		char c;

		if (poll(fds, 2, -1) < 0)
			continue; /* EINTR cannot happen (all blocked), but */
		if (fds[1].revents) {
			struct signalfd_siginfo si;
			struct rusage ru;
			int st;

			if (read(sfd, &si, sizeof(si)) < 0 && errno != EAGAIN)
				continue;
			if (wait4(pid, &st, WNOHANG, &ru) == pid) {
				struct run_msg m = { MSG_EXIT, 0, st, 0,
						     tv_us(ru.ru_utime),
						     tv_us(ru.ru_stime) };
				ssize_t n;

				do
					n = write(p->status_w, &m, sizeof(m));
				while (n < 0 && errno == EINTR);
				watching_child = 0;
			}
		}
		if (fds[0].revents) {
			ssize_t n = read(p->ctl_r, &c, 1);

			if (n < 0 && errno == EINTR)
				continue;
			/* EOF (virtbench is gone, or done) or a request. */
			guard_kill(pid);
		}
	}
}

/* ---- in virtbench ------------------------------------------------------------ */

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* read() that retries EINTR. */
static ssize_t read_retry(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* write() to a pipe whose reader may be gone, without dying of SIGPIPE
 * (virtbench need not ignore it). */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t n)
{
	sigset_t pipe_set, old, pending;
	ssize_t r;
	int e, was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);

	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	do
		r = write(fd, buf, n);
	while (r < 0 && errno == EINTR);
	e = errno;
	if (r < 0 && e == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The value of NAME in an environment array, or NULL. */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* environ with c->env applied; the array is owned, the strings are
 * borrowed from environ and c->env. */
static char **build_env(const char *const *extra)
{
	size_t n = 0, m = 0, k = 0;
	char **v;

	while (environ[n])
		n++;
	while (extra[m])
		m++;
	v = xcalloc(n + m + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		int dropped = 0;

		for (size_t j = 0; j < m && !dropped; j++) {
			size_t l2 = strcspn(extra[j], "=");

			dropped = l2 == len && !strncmp(environ[i], extra[j], len);
		}
		if (!dropped)
			v[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		if (strchr(extra[j], '='))
			v[k++] = (char *)extra[j];
	v[k] = NULL;
	return v;
}

/* argv[0] as a path: itself when it has a '/', else the first executable
 * regular file of that name in $PATH (the child's). Owned, or NULL. */
static char *find_program(const char *name, char *const *envp)
{
	const char *path = env_get(envp, "PATH");
	char **dirs;
	char *found = NULL;

	if (strchr(name, '/'))
		return xstrdup(name);
	dirs = vb_split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':');
	for (char **d = dirs; *d && !found; d++) {
		char *f = xasprintf("%s/%s", *d, name);
		struct stat st;

		if (stat(f, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(f, X_OK) == 0)
			found = f;
		else
			free(f);
	}
	vb_strv_free(dirs);
	return found;
}

static const char *cmd_name(const struct run_cmd *c)
{
	return c->argv ? c->argv[0] : "sh";
}

static void state_free(struct run_state *st)
{
	if (!st)
		return;
	close_fd(&st->ctl_w);
	close_fd(&st->status_r);
	close_fd(&st->in_w);
	close_fd(&st->out_r);
	close_fd(&st->err_r);
	sb_release(&st->out);
	sb_release(&st->err);
	free(st);
}

/* Opens what a stream of the child is connected to; *src becomes the fd
 * the child installs (-1: inherit), *keep our end of a pipe, *own an fd
 * to close after fork(). */
static int open_out(const struct run_cmd *c, int stream, enum run_out mode,
		    int fd, const char *path, int devnull, int *src, int *keep,
		    int *own)
{
	int p[2];

	*src = *keep = *own = -1;
	switch (mode) {
	case RUN_OUT_NULL:
		*src = devnull;
		return 0;
	case RUN_OUT_INHERIT:
	case RUN_OUT_TO_OUT:
		return 0;
	case RUN_OUT_FD:
		if (fd < 0)
			return vb_error("run %s: no file descriptor for %s",
					cmd_name(c), stream == 1 ? "stdout" : "stderr");
		*src = fd;
		return 0;
	case RUN_OUT_FILE:
		/* Never through a link planted at a log's name. */
		*own = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY |
			    O_NOFOLLOW | (c->append ? O_APPEND : O_TRUNC), 0644);
		if (*own < 0)
			return vb_error("cannot open %s: %s", path, strerror(errno));
		*src = *own;
		return 0;
	case RUN_OUT_CAPTURE:
	case RUN_OUT_PIPE:
		if (pipe2(p, O_CLOEXEC) < 0)
			return vb_error("cannot create a pipe: %s", strerror(errno));
		*keep = p[0];
		*src = *own = p[1];
		return 0;
	}
	return vb_error("run %s: bad output mode", cmd_name(c));
}

static const char *stage_name(int stage)
{
	return stage == STAGE_DIR ? "cannot enter its directory" :
	       stage == STAGE_FORK ? "cannot fork" : "cannot execute";
}

/* Kills the group, reaps the guard, frees the state. */
static void reap(struct run_cmd *c)
{
	int st;

	if (c->pgid > 0) {
		kill(-c->pgid, SIGKILL);
		while (waitpid(c->pgid, &st, 0) < 0 && errno == EINTR)
			;
	}
	state_free(c->st);
	c->st = NULL;
}

/* The fds run_start() opens; -1 when not (or no longer) open. */
struct start_fds {
	int devnull, in_p[2], ctl[2], note[2], status[2];
	int own_out, own_err, keep_out, keep_err;
};

static void start_fds_close(struct start_fds *f)
{
	close_fd(&f->devnull);
	for (int i = 0; i < 2; i++) {
		close_fd(&f->in_p[i]);
		close_fd(&f->ctl[i]);
		close_fd(&f->note[i]);
		close_fd(&f->status[i]);
	}
	close_fd(&f->own_out);
	close_fd(&f->own_err);
	close_fd(&f->keep_out);
	close_fd(&f->keep_err);
}

/* Everything the children need, prepared before fork(): the program's
 * path, the environment, the three standard streams and the pipes. */
static int prepare_plan(struct run_cmd *c, struct child_plan *plan,
			struct start_fds *f, const char **argv_sh, char **envp,
			char **path)
{
	if (c->shell) {
		plan->argv = (char *const *)argv_sh;
		*path = xstrdup("/bin/sh");
	} else {
		plan->argv = (char *const *)c->argv;
		*path = find_program(c->argv[0], envp ? envp : environ);
		if (!*path)
			return vb_error("cannot run %s: not found in $PATH", c->argv[0]);
	}
	plan->path = *path;
	plan->envp = envp ? envp : environ;
	plan->dir = c->dir;
	f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (f->devnull < 0)
		return vb_error("cannot open /dev/null: %s", strerror(errno));
	switch (c->in) {
	case RUN_IN_NULL:
		plan->src[0] = f->devnull;
		break;
	case RUN_IN_INHERIT:
		plan->src[0] = -1;
		break;
	case RUN_IN_BUF:
		if (pipe2(f->in_p, O_CLOEXEC) < 0)
			return vb_error("cannot create a pipe: %s", strerror(errno));
		plan->src[0] = f->in_p[0];
		break;
	case RUN_IN_FD:
		if (c->in_fd < 0)
			return vb_error("run %s: no file descriptor for stdin",
					cmd_name(c));
		plan->src[0] = c->in_fd;
		break;
	}
	if (open_out(c, 1, c->out, c->out_fd, c->out_path, f->devnull,
		     &plan->src[1], &f->keep_out, &f->own_out) < 0 ||
	    open_out(c, 2, c->err, c->err_fd, c->err_path, f->devnull,
		     &plan->src[2], &f->keep_err, &f->own_err) < 0)
		return -1;
	plan->err_to_out = c->err == RUN_OUT_TO_OUT;
	if (pipe2(f->ctl, O_CLOEXEC) < 0 || pipe2(f->note, O_CLOEXEC) < 0 ||
	    pipe2(f->status, O_CLOEXEC) < 0)
		return vb_error("cannot create a pipe: %s", strerror(errno));
	plan->note_w = f->note[1];
	plan->ctl_r = f->ctl[0];
	plan->status_w = f->status[1];
	return 0;
}

/* Reads the note pipe until EOF: the command's pid, then nothing when it
 * exec()ed, or the step that failed. Returns 0, or -1 after reporting. */
static int await_exec(struct run_cmd *c, int note_r)
{
	int stage = 0, err = 0;

	for (;;) {
		struct run_msg m;
		ssize_t n = read_retry(note_r, &m, sizeof(m));

		if (n <= 0)
			break;
		if (n != (ssize_t)sizeof(m))
			continue;
		if (m.kind == MSG_PID) {
			c->pid = m.value;
		} else if (m.kind == MSG_FAIL && !stage) {
			stage = m.stage;
			err = m.value;
		}
	}
	if (stage == STAGE_DIR)
		return vb_error("cannot run %s: cannot enter %s: %s", cmd_name(c),
				c->dir, strerror(err));
	if (stage || !c->pid)
		return vb_error("cannot run %s: %s: %s", cmd_name(c),
				stage_name(stage), stage ? strerror(err) : "no process");
	return 0;
}

int run_start(struct run_cmd *c)
{
	const char *argv_sh[] = { "sh", "-c", c->shell, NULL };
	struct start_fds f = { -1, { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 },
			       -1, -1, -1, -1 };
	struct child_plan plan = { 0 };
	struct run_state *st;
	char **envp = NULL, *path = NULL;
	sigset_t all, old;
	pid_t guard;
	int ret = -1;

	c->pid = c->pgid = 0;
	c->out_pipe = -1;
	c->st = NULL;
	if (!!c->argv == !!c->shell || (c->argv && !c->argv[0]))
		return vb_error("run: give either an argv or a shell command");
	if (c->err == RUN_OUT_PIPE || c->out == RUN_OUT_TO_OUT)
		return vb_error("run %s: bad output mode", cmd_name(c));
	st = xcalloc(1, sizeof(*st));
	st->ctl_w = st->status_r = st->in_w = st->out_r = st->err_r = -1;
	sb_init(&st->out);
	sb_init(&st->err);
	envp = c->env ? build_env(c->env) : NULL;
	if (prepare_plan(c, &plan, &f, argv_sh, envp, &path) < 0)
		goto cleanup;

	/* No handler of ours may run in the guard before it resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	st->t0 = vb_mono_time();
	guard = fork();
	if (guard == 0)
		guard_main(&plan);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (guard < 0) {
		vb_error("cannot fork: %s", strerror(errno));
		goto cleanup;
	}
	/* Also here, so that a signal to the group cannot race the guard's
	 * own setpgid(). */
	setpgid(guard, guard);
	c->pgid = guard;
	c->st = st;
	st->ctl_w = f.ctl[1];
	st->status_r = f.status[0];
	st->in_w = f.in_p[1];
	f.ctl[1] = f.status[0] = f.in_p[1] = -1;
	/* Only the children keep their ends, so that EOF means what it says. */
	close_fd(&f.note[1]);
	close_fd(&f.ctl[0]);
	close_fd(&f.status[1]);
	close_fd(&f.in_p[0]);
	close_fd(&f.own_out);
	close_fd(&f.own_err);
	if (await_exec(c, f.note[0]) < 0) {
		reap(c);
		st = NULL;
		c->pid = c->pgid = 0;
		goto cleanup;
	}
	if (c->out == RUN_OUT_PIPE)
		c->out_pipe = f.keep_out;
	else if ((st->out_r = f.keep_out) >= 0)
		set_nonblock(st->out_r);
	if ((st->err_r = f.keep_err) >= 0)
		set_nonblock(st->err_r);
	f.keep_out = f.keep_err = -1;
	if (st->in_w >= 0) {
		set_nonblock(st->in_w);
		if (c->in_len == 0)
			close_fd(&st->in_w);
	}
	st = NULL;
	ret = 0;
cleanup:
	start_fds_close(&f);
	state_free(st);
	free(envp);
	free(path);
	return ret;
}

/* ---- waiting ------------------------------------------------------------------ */

static int ended(const struct run_state *st)
{
	return st->exited || st->status_eof;
}

static int finished(const struct run_state *st)
{
	return ended(st) && st->out_r < 0 && st->err_r < 0;
}

static void signal_group(struct run_cmd *c, int sig)
{
	if (c->pgid > 0)
		kill(-c->pgid, sig);
}

/* Applies the timers: timeout and stop (SIGTERM), grace (SIGKILL), the
 * end of the command (SIGKILL of what it left), giving up on pipes.
 * Returns the milliseconds until the next timer (-1: none). */
static int apply_timers(struct run_cmd *c, double now)
{
	struct run_state *st = c->st;
	double grace = c->kill_grace > 0 ? c->kill_grace : 1.0, next = -1;

#define NEXT(t) do { double _t = (t); if (next < 0 || _t < next) next = _t; } while (0)
	if (!ended(st) && !st->term_at) {
		if (c->stop && *c->stop) {
			st->stopped = 1;
			st->term_at = now;
		} else if (c->timeout > 0 && now - st->t0 >= c->timeout) {
			st->timed_out = 1;
			st->term_at = now;
		}
		if (st->term_at)
			signal_group(c, SIGTERM);
	}
	if (!st->kill_at) {
		if (ended(st) || (st->term_at && now - st->term_at >= grace)) {
			signal_group(c, SIGKILL);
			st->kill_at = now;
		} else if (st->term_at) {
			NEXT(st->term_at + grace - now);
		} else if (c->timeout > 0) {
			NEXT(st->t0 + c->timeout - now);
		}
	}
	if (st->kill_at) {
		if (now - st->kill_at >= RUN_GIVE_UP) {
			close_fd(&st->out_r);
			close_fd(&st->err_r);
		} else {
			NEXT(st->kill_at + RUN_GIVE_UP - now);
		}
	}
	if (c->stop && !st->term_at && (next < 0 || next > 0.1))
		next = 0.1;
#undef NEXT
	return next < 0 ? -1 : (int)(next * 1000) + 1;
}

static void got_output(struct run_cmd *c, int stream, const char *buf, size_t n)
{
	struct run_state *st = c->st;
	struct sb *sb = stream == 1 ? &st->out : &st->err;
	size_t cap = c->max_output ? c->max_output : RUN_MAX_OUTPUT;
	size_t take = sb->len >= cap ? 0 : cap - sb->len < n ? cap - sb->len : n;

	sb_add(sb, buf, take);
	st->truncated += n - take;
	if (c->tee_fd >= 0 && vb_write_all(c->tee_fd, buf, n) < 0)
		vb_debug("run %s: cannot write its log: %s", cmd_name(c),
			 strerror(errno));
	if (c->on_output)
		c->on_output(c->arg, stream, buf, n);
}

static void read_stream(struct run_cmd *c, int stream)
{
	int *fd = stream == 1 ? &c->st->out_r : &c->st->err_r;
	char buf[65536];

	for (int i = 0; i < 16 && *fd >= 0; i++) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			got_output(c, stream, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EINTR))
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close_fd(fd); /* EOF or error */
	}
}

static void read_status(struct run_cmd *c)
{
	struct run_state *st = c->st;
	struct run_msg m;
	ssize_t n = read_retry(st->status_r, &m, sizeof(m));

	if (n == (ssize_t)sizeof(m) && m.kind == MSG_EXIT) {
		st->exited = 1;
		st->wstatus = m.value;
		st->cpu = (double)(m.utime_us + m.stime_us) / 1e6;
		st->end = vb_mono_time();
	} else if (n <= 0) {
		/* The guard died without a word: the group was killed. */
		st->status_eof = 1;
		if (!st->end)
			st->end = vb_mono_time();
	}
	if (ended(st))
		close_fd(&st->status_r);
}

static void write_input(struct run_cmd *c)
{
	struct run_state *st = c->st;
	ssize_t n = write_nosigpipe(st->in_w, c->in_buf + st->in_off,
				    c->in_len - st->in_off);

	if (n > 0)
		st->in_off += (size_t)n;
	if ((n < 0 && errno != EAGAIN) || st->in_off >= c->in_len)
		close_fd(&st->in_w);
}

/* Waits for events on the running children in v and handles them. With
 * any set, returns the index of the first child found finished, or -1
 * after one round of poll() when block is 0. */
static int pump(struct run_cmd *const *v, size_t n, int block)
{
	struct pollfd *fds = xcalloc(n * 4 + 1, sizeof(*fds));
	int ret = -1;

	for (;;) {
		double now = vb_mono_time();
		int wait_ms = -1, k = 0, live = 0;

		for (size_t i = 0; i < n; i++) {
			struct run_state *st = v[i] && v[i]->st ? v[i]->st : NULL;
			int t;

			if (!st)
				continue;
			t = apply_timers(v[i], now);
			if (finished(st)) {
				ret = (int)i;
				goto out;
			}
			live++;
			if (t >= 0 && (wait_ms < 0 || t < wait_ms))
				wait_ms = t;
			fds[k++] = (struct pollfd){ st->status_r, POLLIN, 0 };
			fds[k++] = (struct pollfd){ st->out_r, POLLIN, 0 };
			fds[k++] = (struct pollfd){ st->err_r, POLLIN, 0 };
			fds[k++] = (struct pollfd){ st->in_w, POLLOUT, 0 };
		}
		if (!live)
			goto out;
		if (!block)
			wait_ms = 0;
		if (poll(fds, (nfds_t)k, wait_ms) < 0 && errno != EINTR) {
			vb_error("poll: %s", strerror(errno));
			goto out;
		}
		k = 0;
		for (size_t i = 0; i < n; i++) {
			struct run_cmd *c = v[i];

			if (!c || !c->st)
				continue;
			if (fds[k].revents)
				read_status(c);
			if (fds[k + 1].revents)
				read_stream(c, 1);
			if (fds[k + 2].revents)
				read_stream(c, 2);
			if (fds[k + 3].revents)
				write_input(c);
			k += 4;
		}
		if (!block) {
			now = vb_mono_time();
			for (size_t i = 0; i < n; i++)
				if (v[i] && v[i]->st) {
					apply_timers(v[i], now);
					if (finished(v[i]->st)) {
						ret = (int)i;
						break;
					}
				}
			goto out;
		}
	}
out:
	free(fds);
	return ret;
}

/* Reaps a finished child into r. */
static void collect_result(struct run_cmd *c, struct run_result *r)
{
	struct run_state *st = c->st;
	struct run_result tmp;

	if (!r)
		r = &tmp;
	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	if (st->exited) {
		if (WIFEXITED(st->wstatus)) {
			r->exit_status = WEXITSTATUS(st->wstatus);
		} else if (WIFSIGNALED(st->wstatus)) {
			r->signal = WTERMSIG(st->wstatus);
			r->exit_status = 128 + r->signal;
		}
	} else {
		/* SIGKILLed with its group before the guard could tell. */
		r->signal = SIGKILL;
		r->exit_status = 128 + SIGKILL;
	}
	r->timed_out = st->timed_out;
	r->stopped = st->stopped;
	r->duration = (st->end ? st->end : vb_mono_time()) - st->t0;
	r->cpu_seconds = st->cpu;
	r->truncated = st->truncated;
	if (c->out == RUN_OUT_CAPTURE) {
		r->out_len = st->out.len;
		r->out = sb_detach(&st->out);
	}
	if (c->err == RUN_OUT_CAPTURE) {
		r->err_len = st->err.len;
		r->err = sb_detach(&st->err);
	}
	reap(c);
	if (r == &tmp)
		run_result_clear(r);
}

int run_finish(struct run_cmd *c, struct run_result *r)
{
	struct run_cmd *const v[1] = { c };

	if (!c->st)
		return vb_error("run %s: not running", cmd_name(c));
	if (pump(v, 1, 1) < 0) {
		/* poll failed: kill it, keep what we have */
		collect_result(c, r);
		return -1;
	}
	collect_result(c, r);
	return 0;
}

int run_wait_any(struct run_cmd *const *v, size_t n, struct run_result *r)
{
	int i = pump(v, n, 1);

	if (i < 0)
		return -1;
	collect_result(v[i], r);
	return i;
}

int run_ended(struct run_cmd *c)
{
	struct run_cmd *const v[1] = { c };

	if (!c->st)
		return 1;
	pump(v, 1, 0);
	return ended(c->st);
}

int run_stop(struct run_cmd *c, double grace, struct run_result *r)
{
	if (!c->st)
		return vb_error("run %s: not running", cmd_name(c));
	if (!ended(c->st) && !c->st->term_at) {
		c->st->term_at = vb_mono_time();
		if (grace > 0) {
			c->kill_grace = grace;
			signal_group(c, SIGTERM);
		} else {
			signal_group(c, SIGKILL);
			c->st->kill_at = c->st->term_at;
		}
	}
	return run_finish(c, r);
}

int run_command(struct run_cmd *c, struct run_result *r)
{
	if (r)
		memset(r, 0, sizeof(*r));
	if (run_start(c) < 0)
		return -1;
	return run_finish(c, r);
}

void run_result_clear(struct run_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->out_len = r->err_len = 0;
}

const char *run_describe(const struct run_result *r, char *buf, size_t size)
{
	if (r->timed_out)
		snprintf(buf, size, "timed out");
	else if (r->stopped)
		snprintf(buf, size, "stopped");
	else if (r->signal)
		snprintf(buf, size, "killed by signal %d", r->signal);
	else
		snprintf(buf, size, "exit status %d", r->exit_status);
	return buf;
}
