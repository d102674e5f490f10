/*
 * tests/unit/test_run.c - common/run.c with real processes: capture and its
 * cap, exit status and signal mapping, working directory, environment,
 * stdin, fd and signal hygiene, timeouts and the stop flag killing the whole
 * process group, parallel children, and the guard: a grandchild of a
 * parent killed with SIGKILL dies with it (the bug this module fixes:
 * sysbench under sh outlived a SIGKILLed collector).
 *
 * This process is a child subreaper, so the grandchildren it checks are
 * reparented to it and their death is seen by waitpid(), not guessed from
 * kill(pid, 0) (which a recycled pid would fool).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/run.h"
#include "common/util.h"

static char tmpdir[] = "/tmp/vbtest-run.XXXXXX";

/* 1 once pid has died (reaped here), 0 if it still runs after secs. */
static int dies_within(pid_t pid, double secs)
{
	double t0 = vb_mono_time();

	while (vb_mono_time() - t0 < secs) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno == ECHILD && kill(pid, 0) < 0 && errno == ESRCH)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Reaps every zombie reparented to us. */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* 1 once we have no child left at all (reaping what ends), 0 if one
 * still runs after secs. SIGKILLed grandchildren take a moment to die. */
static int no_children_within(double secs)
{
	double t0 = vb_mono_time();

	while (vb_mono_time() - t0 < secs) {
		pid_t w = waitpid(-1, NULL, WNOHANG);

		if (w < 0 && errno == ECHILD)
			return 1;
		if (w == 0)
			usleep(10000);
	}
	return 0;
}

static long first_number(const char *s)
{
	return s ? strtol(s, NULL, 10) : 0;
}

static void test_capture_and_status(void **state)
{
	const char *argv[] = { "sh", "-c", "printf out; printf err >&2; exit 3", NULL };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	char buf[64];

	(void)state;
	c.argv = argv;
	c.out = c.err = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_string_equal(r.out, "out");
	assert_int_equal(r.out_len, 3);
	assert_string_equal(r.err, "err");
	assert_int_equal(r.exit_status, 3);
	assert_int_equal(r.signal, 0);
	assert_false(r.timed_out);
	assert_string_equal(run_describe(&r, buf, sizeof(buf)), "exit status 3");
	run_result_clear(&r);

	/* Killed by a signal: 128+N, as a shell reports it. */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "kill -USR1 $$";
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.signal, SIGUSR1);
	assert_int_equal(r.exit_status, 128 + SIGUSR1);
	assert_null(r.out); /* not captured */
	run_result_clear(&r);

	/* 2>&1 */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "echo a; echo b >&2; echo c";
	c.out = RUN_OUT_CAPTURE;
	c.err = RUN_OUT_TO_OUT;
	assert_int_equal(run_command(&c, &r), 0);
	assert_string_equal(r.out, "a\nb\nc\n");
	assert_int_equal(r.exit_status, 0);
	run_result_clear(&r);
}

static void test_cap(void **state)
{
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;

	(void)state;
	c.shell = "head -c 300000 /dev/zero | tr '\\0' x";
	c.out = RUN_OUT_CAPTURE;
	c.max_output = 1000;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.out_len, 1000);
	assert_int_equal(strlen(r.out), 1000);
	assert_int_equal(r.truncated, 299000);
	assert_int_equal(r.exit_status, 0);
	run_result_clear(&r);
}

static void test_not_found(void **state)
{
	const char *argv[] = { "vb-no-such-program", NULL };
	const char *argv2[] = { "/etc/passwd", NULL };
	const char *argv3[] = { "pwd", NULL };
	struct run_cmd c = RUN_CMD_INIT;

	(void)state;
	c.argv = argv;
	assert_true(run_start(&c) < 0);
	assert_null(c.st);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = argv2; /* not executable: the exec's errno is reported */
	assert_true(run_start(&c) < 0);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = argv3;
	c.dir = "/nonexistent/dir";
	assert_true(run_start(&c) < 0);
	assert_int_equal(c.pgid, 0);
	assert_true(no_children_within(2.0)); /* nothing left running */
}

static void test_cwd_env_stdin(void **state)
{
	const char *pwd[] = { "pwd", NULL };
	const char *env[] = { "VB_RUN_TEST=hello world", "HOME", NULL };
	const char *cat[] = { "cat", NULL };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	size_t n = 300000; /* more than a pipe holds */
	char *in = xmalloc(n);

	(void)state;
	c.argv = pwd;
	c.dir = tmpdir;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(strncmp(r.out, tmpdir, strlen(tmpdir)), 0);
	assert_string_equal(r.out + strlen(tmpdir), "\n");
	run_result_clear(&r);

	setenv("HOME", "/root", 1);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "printf '%s|%s' \"$VB_RUN_TEST\" \"${HOME-unset}\"";
	c.env = env;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_string_equal(r.out, "hello world|unset");
	run_result_clear(&r);
	assert_string_equal(getenv("HOME"), "/root"); /* ours unchanged */

	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = cat;
	c.in = RUN_IN_BUF;
	c.in_buf = in;
	c.in_len = n;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.out_len, n);
	assert_memory_equal(r.out, in, n);
	run_result_clear(&r);

	/* Default stdin is /dev/null: cat ends at once. */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = cat;
	c.out = RUN_OUT_CAPTURE;
	c.timeout = 5;
	assert_int_equal(run_command(&c, &r), 0);
	assert_string_equal(r.out, "");
	assert_false(r.timed_out);
	run_result_clear(&r);

	/* A child that does not read its stdin must not kill us (SIGPIPE). */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "exec 0<&-; exit 0";
	c.in = RUN_IN_BUF;
	c.in_buf = in;
	c.in_len = n;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.exit_status, 0);
	run_result_clear(&r);
	free(in);
}

static void test_hygiene(void **state)
{
	const char *sig[] = { "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	sigset_t block, old;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int;
	int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 57), 57);
	close(fd);
	c.shell = "ls /proc/self/fd";
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	/* ls itself opens one fd for the directory it lists. */
	assert_null(strstr(r.out, "57"));
	assert_non_null(strstr(r.out, "0\n1\n2\n"));
	run_result_clear(&r);
	close(57);

	/* Our mask and ignored signals do not reach the command. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &ign, &old_int);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = sig;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_string_equal(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	run_result_clear(&r);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGINT, &old_int, NULL);
}

/* Timeout: SIGTERM to the whole group, the grandchild included. */
static void test_timeout_kills_group(void **state)
{
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	pid_t grandchild;

	(void)state;
	c.shell = "sleep 30 & echo $!; wait";
	c.out = RUN_OUT_CAPTURE;
	c.timeout = 0.5;
	assert_int_equal(run_command(&c, &r), 0);
	assert_true(r.timed_out);
	assert_false(r.stopped);
	assert_true(r.duration >= 0.5 && r.duration < 10.0);
	assert_int_equal(r.signal, SIGTERM);
	grandchild = (pid_t)first_number(r.out);
	assert_true(grandchild > 1);
	assert_true(dies_within(grandchild, 5.0));
	run_result_clear(&r);

	/* A command that ignores SIGTERM is SIGKILLed after the grace. */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "trap '' TERM; sleep 30 & echo $!; wait; wait";
	c.out = RUN_OUT_CAPTURE;
	c.timeout = 0.3;
	c.kill_grace = 0.3;
	assert_int_equal(run_command(&c, &r), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.exit_status, 128 + SIGKILL);
	assert_true(r.duration >= 0.6 && r.duration < 10.0);
	grandchild = (pid_t)first_number(r.out);
	assert_true(dies_within(grandchild, 5.0));
	run_result_clear(&r);
	reap_orphans();
}

/* What the command leaves in its group when it exits goes with it, and
 * does not keep us waiting on the pipe it inherited. */
static void test_leftovers_killed(void **state)
{
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	pid_t grandchild;

	(void)state;
	c.shell = "sleep 30 & echo $!";
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.exit_status, 0);
	assert_true(r.duration < 10.0);
	grandchild = (pid_t)first_number(r.out);
	assert_true(grandchild > 1);
	assert_true(dies_within(grandchild, 5.0));
	run_result_clear(&r);
	reap_orphans();
}

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void test_stop_flag(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { { 0, 0 }, { 0, 300000 } };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;

	(void)state;
	stop_flag = 0;
	sigaction(SIGALRM, &sa, &old); /* no SA_RESTART, like the collector */
	setitimer(ITIMER_REAL, &it, NULL);
	c.shell = "sleep 30";
	c.stop = &stop_flag;
	c.timeout = 20;
	assert_int_equal(run_command(&c, &r), 0);
	assert_true(r.stopped);
	assert_false(r.timed_out);
	assert_true(r.duration < 10.0);
	run_result_clear(&r);
	sigaction(SIGALRM, &old, NULL);
}

/* A signal every millisecond interrupts every wait and read. */
static void test_eintr(void **state)
{
	struct sigaction sa = { .sa_handler = on_tick }, old;
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } }, off = { 0 };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;

	(void)state;
	ticks = 0;
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &it, NULL);
	c.shell = "for i in 1 2 3 4 5; do echo line$i; sleep 0.05; done; exit 7";
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_true(ticks > 20);
	assert_string_equal(r.out, "line1\nline2\nline3\nline4\nline5\n");
	assert_int_equal(r.exit_status, 7);
	run_result_clear(&r);
}

/* The bug: a collector killed with SIGKILL left sysbench running. Here a
 * sacrificial parent starts "sh -c 'sleep & wait'" and is SIGKILLed; the
 * grandchild must die with it. */
static void test_sigkilled_parent(void **state)
{
	char *pidfile = xasprintf("%s/grandchild.pid", tmpdir);
	struct sb sb = SB_INIT;
	pid_t parent, grandchild = 0;
	double t0;

	(void)state;
	unlink(pidfile);
	parent = fork();
	assert_true(parent >= 0);
	if (parent == 0) {
		struct run_cmd c = RUN_CMD_INIT;
		char *cmd = xasprintf("sleep 60 & echo $! > %s.tmp && mv %s.tmp %s; wait",
				      pidfile, pidfile, pidfile);

		c.shell = cmd;
		if (run_command(&c, NULL) < 0)
			_exit(1);
		_exit(2); /* the sleep ended: should not happen in time */
	}
	t0 = vb_mono_time();
	while (sb_read_file(&sb, pidfile) < 0 && vb_mono_time() - t0 < 10)
		usleep(10000);
	grandchild = (pid_t)first_number(sb.buf);
	sb_release(&sb);
	assert_true(grandchild > 1);
	assert_int_equal(kill(grandchild, 0), 0); /* it runs */
	assert_int_equal(kill(parent, SIGKILL), 0);
	assert_true(dies_within(parent, 5.0));
	assert_true(dies_within(grandchild, 5.0));
	reap_orphans();
	unlink(pidfile);
	free(pidfile);
}

static void test_parallel_and_pipe(void **state)
{
	struct run_cmd c[3] = { RUN_CMD_INIT, RUN_CMD_INIT, RUN_CMD_INIT };
	struct run_cmd *v[3] = { &c[0], &c[1], &c[2] };
	const char *cmds[3] = { "sleep 0.6; exit 10", "sleep 0.1; exit 11",
				"sleep 0.3; exit 12" };
	struct run_result r;
	struct run_cmd p = RUN_CMD_INIT;
	struct sb got = SB_INIT;
	char buf[16];
	ssize_t n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		c[i].shell = cmds[i];
		assert_int_equal(run_start(&c[i]), 0);
		assert_true(c[i].pid > 0 && c[i].pgid > 0 && c[i].pid != c[i].pgid);
	}
	assert_int_equal(run_wait_any(v, 3, &r), 1);
	assert_int_equal(r.exit_status, 11);
	assert_int_equal(run_wait_any(v, 3, &r), 2);
	assert_int_equal(r.exit_status, 12);
	assert_int_equal(run_wait_any(v, 3, &r), 0);
	assert_int_equal(r.exit_status, 10);
	assert_true(run_wait_any(v, 3, &r) < 0);

	/* stdout as a pipe the caller reads */
	p.shell = "printf 'through a pipe'";
	p.out = RUN_OUT_PIPE;
	assert_int_equal(run_start(&p), 0);
	assert_true(p.out_pipe >= 0);
	while ((n = read(p.out_pipe, buf, sizeof(buf))) > 0)
		sb_add(&got, buf, (size_t)n);
	close(p.out_pipe);
	assert_int_equal(run_finish(&p, &r), 0);
	assert_int_equal(r.exit_status, 0);
	assert_string_equal(got.buf, "through a pipe");
	sb_release(&got);
}

static void count_output(void *arg, int stream, const char *buf, size_t n)
{
	size_t *counts = arg;

	(void)buf;
	counts[stream] += n;
}

static void test_files_tee_long_lived(void **state)
{
	char *log = xasprintf("%s/tee.log", tmpdir), *file = xasprintf("%s/out.txt", tmpdir);
	size_t counts[3] = { 0 };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;
	struct sb sb = SB_INIT;
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	(void)state;
	assert_true(fd >= 0);
	c.shell = "echo one; echo two >&2";
	c.out = c.err = RUN_OUT_CAPTURE;
	c.tee_fd = fd;
	c.on_output = count_output;
	c.arg = counts;
	assert_int_equal(run_command(&c, &r), 0);
	close(fd);
	assert_int_equal(counts[1], 4);
	assert_int_equal(counts[2], 4);
	assert_int_equal(sb_read_file(&sb, log), 0);
	assert_int_equal(sb.len, 8); /* both streams, in arrival order */
	sb_release(&sb);
	run_result_clear(&r);

	/* To a file, appended. */
	for (int i = 0; i < 2; i++) {
		c = (struct run_cmd)RUN_CMD_INIT;
		c.shell = "echo x; echo y >&2";
		c.out = c.err = RUN_OUT_FILE;
		c.out_path = c.err_path = file;
		c.append = 1;
		assert_int_equal(run_command(&c, NULL), 0);
	}
	assert_int_equal(sb_read_file(&sb, file), 0);
	assert_int_equal(sb.len, 8);
	sb_release(&sb);

	/* A long-lived child, checked and stopped. */
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "exec sleep 30";
	assert_int_equal(run_start(&c), 0);
	usleep(100000);
	assert_int_equal(run_ended(&c), 0);
	assert_int_equal(run_stop(&c, 2.0, &r), 0);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(r.duration < 10.0);
	assert_null(c.st);
	c = (struct run_cmd)RUN_CMD_INIT;
	c.shell = "exit 5";
	assert_int_equal(run_start(&c), 0);
	for (int i = 0; i < 200 && !run_ended(&c); i++)
		usleep(10000);
	assert_int_equal(run_ended(&c), 1);
	assert_int_equal(run_finish(&c, &r), 0);
	assert_int_equal(r.exit_status, 5);
	unlink(log);
	unlink(file);
	free(log);
	free(file);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_and_status),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_cwd_env_stdin),
		cmocka_unit_test(test_hygiene),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_leftovers_killed),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_eintr),
		cmocka_unit_test(test_sigkilled_parent),
		cmocka_unit_test(test_parallel_and_pipe),
		cmocka_unit_test(test_files_tee_long_lived),
	};

	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
