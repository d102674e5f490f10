/*
 * tests/unit/test_suite.c - collect/suite.c and shell_quote(): the suite
 * format's checks (with FILE:LINE), the shipped suites, placeholder
 * expansion, and - the security property - that no value reaching a
 * command line can inject shell syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/platform.h"
#include "collect/suite.h"
#include "common/util.h"

static const char good[] =
	"# comment\n"
	"[suite]\n"
	"name = t1\n"
	"duration = 7\n"
	"reps = 4\n"
	"[vars]\n"
	"size = 1G\n"
	"[benchmark a]\n"
	"prepare = prep {size}\n"
	"command = run --t={duration} --in {workdir} # a '#' inside\n"
	"parser = sysbench-cpu\n"
	"timeout = 2 * {duration} + 3\n"
	"[benchmark b-2]\n"
	"command = {forkbench} {duration}\n"
	"parser = forkbench\n"
	"direction = lower\n";

static void test_parse_good(void **state)
{
	struct suite *s = NULL;
	const struct suite_bench *a, *b;
	double t;

	(void)state;
	assert_int_equal(suite_parse(good, "good.suite", &s), 0);
	assert_string_equal(s->name, "t1");
	assert_int_equal(s->duration, 7);
	assert_int_equal(s->reps, 4);
	assert_int_equal(s->n_bench, 2);
	a = suite_find(s, "a");
	b = suite_find(s, "b-2");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->command, "run --t={duration} --in {workdir} # a '#' inside");
	assert_string_equal(a->unit, "events/s");       /* from the parser */
	assert_string_equal(a->direction, "higher");    /* default */
	assert_string_equal(b->direction, "lower");
	assert_string_equal(b->timeout, "{duration} + 60");
	assert_int_equal(suite_seconds(a->timeout, 7, &t), 0);
	assert_true(t == 17);
	assert_true(suite_bench_uses(a, "size"));
	assert_false(suite_bench_uses(a, "forkbench"));
	assert_true(suite_bench_uses(b, "forkbench"));
	suite_free(s);
}

/* Each bad suite is refused, with a message naming the file and saying
 * why (captured from stderr). */
static void refused(const char *text, const char *why)
{
	struct suite *s = NULL;
	FILE *tmp = tmpfile();
	char msg[512] = "";
	int saved, ret;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	ret = suite_parse(text, "bad.suite", &s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(msg, 1, sizeof(msg) - 1, tmp);
	msg[n] = '\0';
	fclose(tmp);
	assert_int_equal(ret, -1);
	assert_null(s);
	if (strncmp(msg, "bad.suite", 9) || !strstr(msg, why))
		fail_msg("suite %s: message \"%s\" lacks \"%s\"", text, msg, why);
}

static void test_parse_bad(void **state)
{
	(void)state;
	refused("[suite]\nname = x\n", "no [benchmark NAME] section");
	refused("[benchmark a]\ncommand = x\n", "has no parser");
	refused("[benchmark a]\nparser = forkbench\n", "has no command");
	refused("[benchmark a]\ncommand = x\nparser = nope\n", "unknown parser");
	refused("[benchmark a]\ncommand = x {oops}\nparser = forkbench\n", "unknown placeholder");
	refused("[benchmark a]\ncommand = x {duration\nparser = forkbench\n", "without a closing");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\nunit = MiB/s\n", "differs");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\ndirection = up\n", "direction");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\ntimeout = soon\n", "seconds");
	/* Issue 13, class 4: a timeout is a positive number of seconds. */
	refused("[benchmark a]\ncommand = x\nparser = forkbench\ntimeout = 0\n",
		"timeout: must be a positive number of seconds");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\ntimeout = 0 * {duration}\n",
		"timeout: must be a positive number of seconds");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\ncolour = red\n", "unknown key");
	refused("[benchmark a]\ncommand = x\ncommand = y\nparser = forkbench\n", "given twice");
	refused("[benchmark a b]\ncommand = x\nparser = forkbench\n", "not made of");
	refused("[benchmark a]\ncommand = x\nparser = forkbench\n[benchmark a]\n", "given twice");
	refused("[vars]\nduration = 3\n[benchmark a]\ncommand = x\nparser = forkbench\n", "built in");
	refused("[suite]\nreps = 0\n[benchmark a]\ncommand = x\nparser = forkbench\n", "reps");
	refused("[bogus]\n", "unknown section");
	refused("key = value\n", "outside a section");
	refused("[suite\n", "malformed");
}

static void test_shipped_suites(void **state)
{
	static const char *const names[] = { "classic", "quick" };
	static const char *const benches[] = { "cpu", "mem", "diskRand",
					       "diskSeq", "fork", "uplink" };
	static const char *const units[] = { "events/s", "MiB/s", "MiB/s",
					     "MiB/s", "forks/s", "Mbit/s" };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct suite *s = NULL;

		assert_int_equal(suite_load("suites", names[i], &s), 0);
		assert_string_equal(s->name, names[i]);
		assert_int_equal(s->n_bench, 6);
		for (int j = 0; j < 6; j++) {
			assert_string_equal(s->bench[j].name, benches[j]);
			assert_string_equal(s->bench[j].unit, units[j]);
			assert_string_equal(s->bench[j].direction, "higher");
		}
		assert_int_equal(s->duration, i == 0 ? 60 : 3);
		suite_free(s);
	}
}

/* The disk suite: write benchmarks under their own names (never the
 * classic CSV's), each command fio with the parser that reads it, and
 * one shared prepare so the file is written once per platform. */
static void test_disk_suite(void **state)
{
	static const char *const benches[] = { "diskRandWrite", "diskSeqWrite",
					       "diskMixed" };
	static const char *const parsers[] = { "fio-iops", "fio-json", "fio-iops" };
	static const char *const units[] = { "IO/s", "MiB/s", "IO/s" };
	static const char *const flags[] = { "--fsync=1", "--direct=1",
					     "--direct=1" };
	struct suite *s = NULL;

	(void)state;
	assert_int_equal(suite_load("suites", "disk", &s), 0);
	assert_string_equal(s->name, "disk");
	assert_int_equal(s->n_bench, 3);
	for (int j = 0; j < 3; j++) {
		assert_string_equal(s->bench[j].name, benches[j]);
		assert_string_equal(s->bench[j].parser, parsers[j]);
		assert_string_equal(s->bench[j].unit, units[j]);
		assert_non_null(strstr(s->bench[j].command, flags[j]));
		assert_non_null(strstr(s->bench[j].command, "fio "));
		assert_string_equal(s->bench[j].prepare, s->bench[0].prepare);
	}
	assert_null(strstr(s->bench[0].command, "--direct"));
	assert_non_null(strstr(s->bench[2].command, "--rwmixread=70"));
	suite_free(s);
}

/* Runs cmd with sh and returns its stdout (owned). */
static char *sh_out(const char *cmd)
{
	struct sb sb = SB_INIT;
	char buf[256];
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&sb, buf, n);
	pclose(p);
	return sb_detach(&sb);
}

static void test_shell_quote(void **state)
{
	static const char *const nasty[] = {
		"plain", "with space", "it's", "$(touch /tmp/vb-pwned)", "`id`",
		"a;b", "a\nb", "\"dq\"", "*", "~root", "", "'", "''\\'", "-n",
		"x|y&z>w<v", "${HOME}", "\\",
	};

	(void)state;
	for (size_t i = 0; i < VB_ARRAY_SIZE(nasty); i++) {
		char *q = shell_quote(nasty[i]);
		char *cmd = xasprintf("printf '%%s' %s", q);
		char *out = sh_out(cmd);

		if (strcmp(out, nasty[i]))
			fail_msg("shell_quote(\"%s\") = %s came back as \"%s\"",
				 nasty[i], q, out);
		free(q);
		free(cmd);
		free(out);
	}
	{
		char *q = shell_quote("safe/path-1.2_x:y,z=@%+");

		assert_string_equal(q, "safe/path-1.2_x:y,z=@%+");
		free(q);
	}
}

static void test_expand(void **state)
{
	struct suite *s = NULL;
	struct suite_vars v = { 0 };
	char *cmd;

	(void)state;
	assert_int_equal(suite_parse(good, "good.suite", &s), 0);
	v.duration = 7;
	v.workdir = "/tmp/a dir/$(reboot)";
	cmd = suite_expand(s, suite_find(s, "a")->command, &v);
	assert_non_null(cmd);
	assert_string_equal(cmd, "run --t=7 --in '/tmp/a dir/$(reboot)' # a '#' inside");
	free(cmd);
	cmd = suite_expand(s, suite_find(s, "a")->prepare, &v);
	assert_string_equal(cmd, "prep 1G");
	free(cmd);
	/* {forkbench} has no value here: refused, not expanded to nothing */
	assert_null(suite_expand(s, suite_find(s, "b-2")->command, &v));
	v.forkbench = "/w/forkbench";
	cmd = suite_expand(s, suite_find(s, "b-2")->command, &v);
	assert_string_equal(cmd, "/w/forkbench 7");
	free(cmd);
	suite_free(s);
}

static void test_seconds(void **state)
{
	double t;

	(void)state;
	assert_int_equal(suite_seconds("{duration} + 60", 5, &t), 0);
	assert_true(t == 65);
	assert_int_equal(suite_seconds("2*{duration}+1.5", 5, &t), 0);
	assert_true(t == 11.5);
	assert_int_equal(suite_seconds("30", 5, &t), 0);
	assert_true(t == 30);
	assert_int_equal(suite_seconds("", 5, &t), -1);
	assert_int_equal(suite_seconds("{duration} -1", 5, &t), -1);
	assert_int_equal(suite_seconds("1 +", 5, &t), -1);
	assert_int_equal(suite_seconds("1e9", 5, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_shipped_suites),
		cmocka_unit_test(test_disk_suite),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
