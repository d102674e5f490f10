/*
 * tests/unit/test_owner.c - common/owner.c: the owner record of this
 * process, the liveness rule with real processes (a live child, the same
 * pid after it died, a pid whose start time does not match - what pid
 * reuse looks like), another host's records, records of older versions
 * (a bare pid), malformed records, and a process name with ") (" in it,
 * which a naive /proc/PID/stat parser misreads.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/owner.h"
#include "common/util.h"

/* A child that waits until told to exit (by closing *ctl). */
static pid_t start_child(int *ctl)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*ctl = p[1];
	return pid;
}

static void stop_child(pid_t pid, int ctl)
{
	close(ctl);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static void test_self(void **state)
{
	char *rec = owner_self();
	struct owner o;

	(void)state;
	assert_int_equal(owner_parse(rec, &o), 0);
	assert_string_equal(o.host, vb_hostname());
	assert_int_equal(o.pid, (long)getpid());
	assert_true(o.start > 0);
	assert_true(o.start == owner_start_time(getpid()));
	assert_int_equal(owner_check(rec), OWNER_ALIVE);
	assert_true(owner_is_self(rec));
	free(rec);
}

static void test_live_dead_and_reused(void **state)
{
	const char *h = vb_hostname();
	int ctl;
	pid_t pid = start_child(&ctl);
	unsigned long long st = owner_start_time(pid);
	char *rec = xasprintf("%s:%ld:%llu", h, (long)pid, st);
	char *reused = xasprintf("%s:%ld:%llu", h, (long)pid, st + 1);
	char *bare = xasprintf("%ld\n", (long)pid);

	(void)state;
	assert_true(st >= owner_start_time(getpid()));
	assert_int_equal(owner_check(rec), OWNER_ALIVE);
	assert_true(owner_alive(rec));
	assert_false(owner_is_self(rec));
	/* The pid runs, but it is not the process the record names. */
	assert_int_equal(owner_check(reused), OWNER_GONE);
	/* Older versions' bare pid: the pid is all there is to check. */
	assert_int_equal(owner_check(bare), OWNER_ALIVE);

	stop_child(pid, ctl);
	assert_int_equal(owner_start_time(pid), 0);
	assert_int_equal(owner_check(rec), OWNER_GONE);
	assert_false(owner_alive(rec));
	assert_int_equal(owner_check(bare), OWNER_GONE);
	free(rec);
	free(reused);
	free(bare);
}

static void test_other_host(void **state)
{
	char *self = owner_self();
	char *other = xasprintf("not-%s:%ld:1", vb_hostname(), (long)getpid());
	struct owner o;

	(void)state;
	/* Even our own pid means nothing on another host. */
	assert_int_equal(owner_check(other), OWNER_ELSEWHERE);
	assert_true(owner_alive(other));
	assert_false(owner_is_self(other));
	/* The host is what precedes the last two ':'. */
	assert_int_equal(owner_parse("a:b:12:34", &o), 0);
	assert_string_equal(o.host, "a:b");
	assert_int_equal(o.pid, 12);
	assert_true(o.start == 34);
	free(self);
	free(other);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "   ", "abc", "host:12", ":12:34", "host:x:34", "host:12:3x",
		"host:0:5", "0", "-5", "12 13", "host:12:", "host::5",
		"host:99999999999:5", NULL,
	};
	struct owner o;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(owner_parse(bad[i], &o), -1);
		assert_int_equal(owner_check(bad[i]), OWNER_GONE);
	}
	assert_int_equal(owner_check(NULL), OWNER_GONE);
	assert_false(owner_alive(NULL));
	assert_int_equal(owner_parse("  4242 \n", &o), 0);
	assert_int_equal(o.pid, 4242);
	assert_string_equal(o.host, "");
	assert_true(o.start == 0);
}

/* /proc/PID/stat's field 2 is the name in parentheses, and the name may
 * hold ") (" and spaces: field 22 must still be found. */
static void test_odd_process_name(void **state)
{
	int go[2], done[2];
	pid_t pid;
	unsigned long long before, after;
	char c = 0;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		prctl(PR_SET_NAME, "x) 1 2 (3 4");
		if (write(done[1], &c, 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	before = owner_start_time(pid);
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(read(done[0], &c, 1), 1);
	after = owner_start_time(pid);
	assert_true(before > 0);
	assert_true(after == before);
	close(go[1]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(go[0]);
	close(done[0]);
	close(done[1]);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/vbtest-owner.XXXXXX";
	char *f, *rec, *self = owner_self();
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	f = xasprintf("%s/collector.pid", dir);
	assert_null(owner_read_file(f));
	assert_int_equal(owner_write_file(f, 0600), 0);
	rec = owner_read_file(f);
	assert_string_equal(rec, self);
	assert_true(owner_is_self(rec));
	free(rec);
	/* As older versions wrote it. */
	fp = fopen(f, "w");
	assert_non_null(fp);
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	rec = owner_read_file(f);
	assert_int_equal(owner_check(rec), OWNER_ALIVE);
	assert_true(owner_is_self(rec));
	free(rec);
	unlink(f);
	rmdir(dir);
	free(f);
	free(self);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_live_dead_and_reused),
		cmocka_unit_test(test_other_host),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_odd_process_name),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
