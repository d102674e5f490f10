/*
 * tests/unit/test_parsers.c - collect/parsers.c against real tool outputs
 * captured on this kind of machine (tests/fixtures/parsers/README.md has
 * the commands) and against the ways output goes wrong in a run: cut
 * short, FATAL, an iperf3 error document, a failed fio job, another tool's
 * output. Run from the project root (tests/run.sh does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collect/parsers.h"
#include "common/util.h"

#define FIX "tests/fixtures/parsers/"

static char *fixture(const char *name, size_t *len)
{
	struct sb sb = SB_INIT;
	char *path = xasprintf(FIX "%s", name);

	if (sb_read_file(&sb, path) < 0)
		fail_msg("cannot read %s (run from the project root)", path);
	free(path);
	*len = sb.len;
	return sb_detach(&sb);
}

/* Parses and expects success with value within 1e-9 relative. */
static void check_value(const char *parser, const char *file, double want)
{
	size_t len;
	char *text = fixture(file, &len), *reason = NULL;
	double v = -1;

	if (parser_run(parser, text, len, &v, &reason) != 0)
		fail_msg("%s on %s refused: %s", parser, file, reason);
	assert_true(fabs(v - want) <= 1e-9 * want);
	assert_null(reason);
	free(text);
}

/* Parses text and expects a refusal whose reason contains needle. */
static void check_refusal_text(const char *parser, const char *text,
				size_t len, const char *needle)
{
	char *reason = NULL;
	double v = 0;

	if (parser_run(parser, text, len, &v, &reason) == 0)
		fail_msg("%s accepted output it should refuse (value %g)", parser, v);
	assert_non_null(reason);
	if (!strstr(reason, needle))
		fail_msg("%s: reason \"%s\" lacks \"%s\"", parser, reason, needle);
	assert_null(strchr(reason, '\n'));
	free(reason);
}

static void check_refusal(const char *parser, const char *file,
			   const char *needle)
{
	size_t len;
	char *text = fixture(file, &len);

	check_refusal_text(parser, text, len, needle);
	free(text);
}

static void test_real_outputs(void **state)
{
	(void)state;
	check_value("sysbench-cpu", "sysbench-cpu.txt", 4490.53);
	check_value("sysbench-memory", "sysbench-memory.txt", 16787.28);
	check_value("sysbench-fileio", "sysbench-fileio-rndrd.txt", 300.23);
	check_value("sysbench-fileio", "sysbench-fileio-seqrd.txt", 257.54);
	/* end.sum_sent.bits_per_second / 1e6 */
	check_value("iperf3-json", "iperf3.json", 22919.23564790049);
	/* read.bw_bytes / 2^20 */
	check_value("fio-json", "fio.json", 78055308.0 / 1048576.0);
	check_value("forkbench", "forkbench.txt", 10036.43);
	/* The disk suite's write tests: write.iops, and the sums of read
	 * and write for the mixed job (fio JSON of the real runs). */
	check_value("fio-iops", "fio-randwrite-fsync.json", 521.739130);
	check_value("fio-json", "fio-seqwrite-direct.json",
		    395965762.0 / 1048576.0);
	check_value("fio-iops", "fio-randrw.json", 5972.513743 + 2551.224388);
	check_value("fio-json", "fio-randrw.json",
		    (24463416.0 + 10449815.0) / 1048576.0);
}

static void test_fatal_and_tool_errors(void **state)
{
	(void)state;
	check_refusal("sysbench-fileio", "sysbench-fileio-fatal.txt",
		       "FATAL: Cannot open file");
	check_refusal("iperf3-json", "iperf3-error.json",
		       "iperf3 error: unable to connect to server");
	check_refusal("fio-json", "fio-error.json", "failed with error");
	check_refusal("fio-iops", "fio-error.json", "failed with error");
	check_refusal("forkbench", "forkbench-fatal.txt", "FATAL: fork");
}

static void test_other_tool(void **state)
{
	(void)state;
	check_refusal("sysbench-memory", "sysbench-cpu.txt",
		       "this is sysbench-cpu output, not sysbench-memory");
	check_refusal("sysbench-cpu", "sysbench-fileio-rndrd.txt",
		       "this is sysbench-fileio output");
	check_refusal("fio-json", "iperf3.json", "this is iperf3-json output");
	check_refusal("iperf3-json", "fio.json", "this is fio-json output");
	check_refusal("fio-iops", "iperf3.json", "this is iperf3-json output");
	check_refusal("fio-iops", "sysbench-cpu.txt", "this is sysbench-cpu");
	check_refusal("forkbench", "sysbench-cpu.txt", "this is sysbench-cpu");
	check_refusal("sysbench-cpu", "forkbench.txt", "this is forkbench");
	check_refusal_text("sysbench-cpu", "hello world\n", 12, "not sysbench-cpu");
}

/* Every prefix of a real output (cut at many points) is refused: a
 * collector killed mid-sample, or a tool killed by its timeout, must never
 * produce a value. */
static void test_truncation_everywhere(void **state)
{
	static const struct { const char *parser, *file; } cases[] = {
		{ "sysbench-cpu", "sysbench-cpu.txt" },
		{ "sysbench-memory", "sysbench-memory.txt" },
		{ "sysbench-fileio", "sysbench-fileio-rndrd.txt" },
		{ "iperf3-json", "iperf3.json" },
		{ "fio-json", "fio.json" },
		{ "fio-iops", "fio-randwrite-fsync.json" },
		{ "fio-json", "fio-seqwrite-direct.json" },
		{ "forkbench", "forkbench.txt" },
	};

	(void)state;
	for (size_t i = 0; i < VB_ARRAY_SIZE(cases); i++) {
		size_t len, step;
		char *text = fixture(cases[i].file, &len), *reason = NULL;
		double v;

		/* Trailing newlines and blanks are not content. */
		while (len && strchr("\n \t}", text[len - 1]) && text[len - 1] != '}')
			len--;
		step = len / 97 + 1;
		for (size_t cut = 0; cut < len; cut += step) {
			if (parser_run(cases[i].parser, text, cut, &v, &reason) == 0)
				fail_msg("%s accepted %s cut at %zu of %zu (value %g)",
					 cases[i].parser, cases[i].file, cut, len, v);
			free(reason);
			reason = NULL;
		}
		free(text);
	}
}

static void test_truncated_reasons(void **state)
{
	size_t len;
	char *t;

	(void)state;
	t = fixture("sysbench-cpu.txt", &len);
	check_refusal_text("sysbench-cpu", t, len / 2, "truncated sysbench output");
	free(t);
	t = fixture("iperf3.json", &len);
	check_refusal_text("iperf3-json", t, len / 2, "truncated JSON");
	free(t);
	t = fixture("forkbench.txt", &len);
	/* "forks_per_second 10036.43\n" cut to "forks_per_second 100" */
	check_refusal_text("forkbench", t, len - 6, "truncated forkbench");
	free(t);
}

static void test_bad_input(void **state)
{
	char *reason = NULL;
	double v;

	(void)state;
	check_refusal_text("sysbench-cpu", "", 0, "empty output");
	check_refusal_text("iperf3-json", "{\"a\":\0}", 7, "NUL");
	assert_int_equal(parser_run("no-such", "x", 1, &v, &reason), -1);
	assert_non_null(strstr(reason, "unknown parser"));
	free(reason);
	/* A sysbench result of zero is a failure, not a measurement. */
	{
		size_t len;
		char *t = fixture("sysbench-cpu.txt", &len);
		char *p = strstr(t, "4490.53");

		memcpy(p, "0000.00", 7);
		check_refusal_text("sysbench-cpu", t, len, "expected a positive");
		free(t);
	}
	/* forkbench lines that disagree mean a damaged number. */
	{
		static const char bad[] = "forkbench 1 fork+exit+wait cycles\n"
			"forks 100\nseconds 1.0\nforks_per_second 5000\n";

		check_refusal_text("forkbench", bad, strlen(bad), "inconsistent");
	}
}

/* Replaces every occurrence of from in text by to. Owned. */
static char *replace_all(const char *text, const char *from, const char *to)
{
	struct sb sb = SB_INIT;
	const char *p = text, *q;

	sb_init(&sb);
	while ((q = strstr(p, from))) {
		sb_add(&sb, p, (size_t)(q - p));
		sb_adds(&sb, to);
		p = q + strlen(from);
	}
	sb_adds(&sb, p);
	return sb_detach(&sb);
}

/* Issue 13, class 4: numbers that overflow when summed are refused, not
 * stored as inf (sysbench-fileio adds read and written, fio adds jobs and
 * directions). */
static void test_non_finite_refused(void **state)
{
	size_t len;
	char *text = fixture("sysbench-fileio-rndrd.txt", &len), *reason = NULL;
	char *a = replace_all(text, "300.23", "1.7e308");
	char *b = replace_all(a, "written, MiB/s:               0.00",
			      "written, MiB/s:               1.7e308");
	double v = 0;

	(void)state;
	assert_int_equal(parser_run("sysbench-fileio", b, strlen(b), &v, &reason), -1);
	assert_non_null(reason);
	assert_non_null(strstr(reason, "not a finite number"));
	free(reason);
	free(text);
	free(a);
	free(b);
	text = fixture("fio.json", &len);
	a = replace_all(text, "\"bw_bytes\" : 78055308", "\"bw_bytes\" : 1.7e308");
	b = replace_all(a, "\"bw_bytes\" : 0,", "\"bw_bytes\" : 1.7e308,");
	reason = NULL;
	assert_int_equal(parser_run("fio-json", b, strlen(b), &v, &reason), -1);
	assert_non_null(reason);
	assert_non_null(strstr(reason, "not a finite number"));
	free(reason);
	free(text);
	free(a);
	free(b);
}

static void test_registry(void **state)
{
	int n = 0;

	(void)state;
	for (const struct parser *const *p = parser_all(); *p; p++, n++) {
		assert_ptr_equal(parser_find((*p)->name), *p);
		assert_true((*p)->version >= 1);
		assert_non_null((*p)->unit);
	}
	assert_int_equal(n, 7);
	assert_null(parser_find("sysbench"));
	assert_string_equal(parser_find("iperf3-json")->unit, "Mbit/s");
	assert_string_equal(parser_find("forkbench")->unit, "forks/s");
	assert_string_equal(parser_find("fio-iops")->unit, "IO/s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_outputs),
		cmocka_unit_test(test_fatal_and_tool_errors),
		cmocka_unit_test(test_other_tool),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_truncated_reasons),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_non_finite_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
