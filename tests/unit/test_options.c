/*
 * tests/unit/test_options.c - common/options.c: parsing by an option table
 * (values, "--opt=value" and "--opt value", "--" ends the options, prefixes,
 * bundled short flags), every usage error with its one wording and exit
 * status 2, the declared groups (exclusive, required, needs, only-with), and
 * the help text generated from the same table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/options.h"
#include "common/util.h"

struct t_opts {
	int force, reps;
	double ci;
	const char *name;
	char **list;
	int calls;
	const char *last;
};

static int t_cb(const struct vb_option *opt, const char *arg, void *dest)
{
	struct t_opts *o = dest;

	(void)opt;
	if (arg && !strcmp(arg, "bad"))
		return vb_error("--cb: 'bad' is refused");
	o->calls++;
	o->last = arg;
	return 0;
}

static const struct vb_option t_options[] = {
	OPT_FLAG("force", 'f', struct t_opts, force, "do it anyway"),
	OPT_INT("reps", 'n', struct t_opts, reps, "N", 1, 100, "repetitions"),
	OPT_DOUBLE("target-ci", 0, struct t_opts, ci, "PCT", 0, 100,
		   "stop at this CI\nsecond help line"),
	OPT_STRING("name", 0, struct t_opts, name, "NAME", "a name"),
	OPT_LIST("platforms", 0, struct t_opts, list, "LIST", "some names"),
	OPT_CALLBACK("cb", 0, "X", t_cb, "a callback"),
	OPT_CALLBACK("tick", 't', NULL, t_cb, "a callback without a value"),
	OPT_STRING("profile", 0, struct t_opts, last, "P", "a profile"),
	OPT_END(),
};

static const struct vb_optgroup t_groups[] = {
	GROUP_EXCLUSIVE("reps target-ci"),
	GROUP_NEEDS("force", "name"),
	GROUP_ONLY_WITH("cb", "name", NULL),
	GROUP_END(),
};

static const struct vb_optspec t_spec = {
	.synopsis = "virtbench t [--force] FILE",
	.description = "Tests the option parser.\n",
	.options = t_options,
	.groups = t_groups,
	.operands = "FILE", .min_operands = 1, .max_operands = 2,
	.footer = "The end.\n",
	.size = sizeof(struct t_opts),
};

static const struct vb_optgroup req_groups[] = {
	GROUP_REQUIRED("name"),
	GROUP_END(),
};

static const struct vb_optspec req_spec = {
	.synopsis = "virtbench r --name NAME",
	.options = t_options,
	.groups = req_groups,
	.max_operands = -1,
	.size = sizeof(struct t_opts),
};

static const struct vb_optspec plain_spec = {
	.synopsis = "virtbench [-f] COMMAND",
	.options = t_options,
	.max_operands = -1,
	.size = sizeof(struct t_opts),
};

/* stderr of the last parse, captured in a temporary file */
static char err[8192];

static int parse_spec(const struct vb_optspec *spec, struct t_opts *o,
		      int *argc, char **argv, unsigned flags)
{
	FILE *f = tmpfile();
	int saved = dup(2), r;
	size_t n;

	assert_non_null(f);
	fflush(stderr);
	dup2(fileno(f), 2);
	memset(o, 0, sizeof(*o));
	r = vb_options_parse(spec, argc, argv, o, flags);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = 0;
	fclose(f);
	return r;
}

/* Parses the NULL-terminated words into o; returns the parser's result and
 * leaves the operands in out_argv / out_argc when given. */
static int parse_words(const struct vb_optspec *spec, struct t_opts *o,
		       const char *const *words, int *out_argc, char ***out_argv)
{
	static char *argv[32];
	int argc = 0, r;

	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	r = parse_spec(spec, o, &argc, argv, 0);
	if (out_argc)
		*out_argc = argc;
	if (out_argv)
		*out_argv = argv;
	return r;
}

/* The first line of the last stderr. */
static const char *first_line(void)
{
	static char line[512];
	size_t n = strcspn(err, "\n");

	snprintf(line, sizeof(line), "%.*s", (int)n, err);
	return line;
}

static void t_values(void **state)
{
	const char *w[] = { "t", "--force", "--name", "x", "file",
			    "--target", "2.5", "-t", NULL };
	struct t_opts o;
	char **argv;
	int argc;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, w, &argc, &argv), 0);
	assert_int_equal(o.force, 1);
	assert_string_equal(o.name, "x");
	assert_true(o.ci == 2.5);
	assert_int_equal(o.calls, 1);
	assert_null(o.last);
	/* operands, in order, after the command's name */
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "t");
	assert_string_equal(argv[1], "file");
	assert_null(argv[2]);
	assert_string_equal(err, "");
}

static void t_equals_and_space(void **state)
{
	const char *a[] = { "t", "--name=a=b", "f", NULL };
	const char *b[] = { "t", "--name", "--force", "f", NULL };
	const char *c[] = { "t", "-n3", "f", NULL };
	const char *d[] = { "t", "-n", "4", "f", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, a, NULL, NULL), 0);
	assert_string_equal(o.name, "a=b");
	/* a value that looks like an option is still the value */
	assert_int_equal(parse_words(&t_spec, &o, b, NULL, NULL), 0);
	assert_string_equal(o.name, "--force");
	assert_int_equal(o.force, 0);
	assert_int_equal(parse_words(&t_spec, &o, c, NULL, NULL), 0);
	assert_int_equal(o.reps, 3);
	assert_int_equal(parse_words(&t_spec, &o, d, NULL, NULL), 0);
	assert_int_equal(o.reps, 4);
}

static void t_double_dash(void **state)
{
	const char *w[] = { "t", "--force", "--name", "n", "--", "--reps", "-f",
			    NULL };
	struct t_opts o;
	char **argv;
	int argc;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, w, &argc, &argv), 0);
	assert_int_equal(o.reps, 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[1], "--reps");
	assert_string_equal(argv[2], "-f");
}

static void t_list(void **state)
{
	const char *w[] = { "t", "--platforms", "a,b", "f", "--platforms=,c",
			    NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, w, NULL, NULL), 0);
	assert_int_equal(vb_strv_len(o.list), 3);
	assert_string_equal(o.list[0], "a");
	assert_string_equal(o.list[1], "b");
	assert_string_equal(o.list[2], "c");
	vb_options_release(&t_spec, &o);
	assert_null(o.list);
}

static void t_unknown(void **state)
{
	const char *a[] = { "t", "f", "--bogus", NULL };
	const char *b[] = { "t", "-x", "f", NULL };
	const char *c[] = { "t", "f", "--pro", NULL };
	const char *d[] = { "t", "--p", "f", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, a, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: unknown option '--bogus'");
	/* the usage follows the message */
	assert_non_null(strstr(err, "\nusage: virtbench t [--force] FILE\n"));
	assert_int_equal(parse_words(&t_spec, &o, b, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: unknown option '-x'");
	/* a unique prefix is the option; an ambiguous one is named */
	assert_int_equal(parse_words(&t_spec, &o, c, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: option '--profile' needs a value");
	assert_int_equal(parse_words(&t_spec, &o, d, NULL, NULL), 2);
	assert_string_equal(first_line(),
			    "virtbench t: ambiguous option '--p' (--platforms, --profile)");
}

static void t_missing_and_extra(void **state)
{
	const char *a[] = { "t", "f", "--name", NULL };
	const char *b[] = { "t", "f", "-n", NULL };
	const char *c[] = { "t", "--force=1", "f", NULL };
	const char *d[] = { "t", NULL };
	const char *e[] = { "t", "a", "b", "c", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, a, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: option '--name' needs a value");
	assert_int_equal(parse_words(&t_spec, &o, b, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: option '-n' needs a value");
	assert_int_equal(parse_words(&t_spec, &o, c, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: option '--force' takes no value");
	assert_int_equal(parse_words(&t_spec, &o, d, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: expected FILE");
	assert_int_equal(parse_words(&t_spec, &o, e, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: unexpected argument 'c'");
}

static void t_numbers(void **state)
{
	const char *a[] = { "t", "--reps", "x", "f", NULL };
	const char *b[] = { "t", "--reps", "0", "f", NULL };
	const char *c[] = { "t", "--reps", "101", "f", NULL };
	const char *d[] = { "t", "--target-ci", "100", "f", NULL };
	const char *e[] = { "t", "--target-ci=1e", "f", NULL };
	const char *f[] = { "t", "--reps", "100", "f", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, a, NULL, NULL), 2);
	assert_string_equal(first_line(),
			    "virtbench t: --reps: 'x' is not a whole number from 1 to 100");
	assert_int_equal(parse_words(&t_spec, &o, b, NULL, NULL), 2);
	assert_string_equal(first_line(),
			    "virtbench t: --reps: '0' is not a whole number from 1 to 100");
	assert_int_equal(parse_words(&t_spec, &o, c, NULL, NULL), 2);
	assert_int_equal(parse_words(&t_spec, &o, d, NULL, NULL), 2);
	assert_string_equal(first_line(),
			    "virtbench t: --target-ci: '100' is not a number above 0 and below 100");
	assert_int_equal(parse_words(&t_spec, &o, e, NULL, NULL), 2);
	assert_string_equal(first_line(),
			    "virtbench t: --target-ci: '1e' is not a number above 0 and below 100");
	assert_int_equal(parse_words(&t_spec, &o, f, NULL, NULL), 0);
	assert_int_equal(o.reps, 100);
}

static void t_callback(void **state)
{
	const char *a[] = { "t", "--cb", "bad", "f", NULL };
	const char *b[] = { "t", "--cb", "good", "f", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, a, NULL, NULL), 2);
	assert_string_equal(first_line(), "--cb: 'bad' is refused");
	assert_non_null(strstr(err, "usage: virtbench t"));
	assert_int_equal(parse_words(&t_spec, &o, b, NULL, NULL), 0);
	assert_string_equal(o.last, "good");
}

static void t_groups_checked(void **state)
{
	const char *excl[] = { "t", "--reps", "2", "f", "--target-ci", "5", NULL };
	const char *needs[] = { "t", "--force", "f", NULL };
	const char *only[] = { "t", "--cb", "x", "--reps", "2", "f", NULL };
	const char *only_ok[] = { "t", "--cb", "x", "--name", "n", "f", NULL };
	const char *req[] = { "r", "x", NULL };
	const char *req_ok[] = { "r", "--name", "n", NULL };
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_words(&t_spec, &o, excl, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: --reps and --target-ci exclude each other");
	assert_int_equal(parse_words(&t_spec, &o, needs, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: --force needs --name");
	assert_int_equal(parse_words(&t_spec, &o, only, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench t: --cb cannot be given with --reps");
	assert_int_equal(parse_words(&t_spec, &o, only_ok, NULL, NULL), 0);
	assert_int_equal(parse_words(&req_spec, &o, req, NULL, NULL), 2);
	assert_string_equal(first_line(), "virtbench r: --name is required");
	assert_int_equal(parse_words(&req_spec, &o, req_ok, NULL, NULL), 0);
}

static void t_keep_unknown(void **state)
{
	char *argv[] = { "vb", "analyze", "-f", "--bogus", "x", "-fz",
			 "--force", "--", "-f", NULL };
	int argc = 9;
	struct t_opts o;

	(void)state;
	assert_int_equal(parse_spec(&plain_spec, &o, &argc, argv,
				    VB_PARSE_KEEP_UNKNOWN), 0);
	assert_int_equal(o.force, 1);
	/* ours removed; the rest, "--" and what follows kept in order */
	assert_int_equal(argc, 7);
	assert_string_equal(argv[1], "analyze");
	assert_string_equal(argv[2], "--bogus");
	assert_string_equal(argv[3], "x");
	assert_string_equal(argv[4], "-fz");
	assert_string_equal(argv[5], "--");
	assert_string_equal(argv[6], "-f");
	assert_null(argv[7]);
}

static void t_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	vb_usage_print(&t_spec, f);
	fclose(f);
	assert_non_null(strstr(buf, "usage: virtbench t [--force] FILE\n\n"
				    "Tests the option parser.\n\noptions:\n"));
	/* every row, aligned in one column; continuation lines under it */
	assert_non_null(strstr(buf, "\n  -f, --force       do it anyway\n"));
	assert_non_null(strstr(buf, "\n  -n, --reps N      repetitions\n"));
	assert_non_null(strstr(buf, "\n  --target-ci PCT   stop at this CI\n"
				    "                    second help line\n"));
	assert_non_null(strstr(buf, "\n  -t, --tick        a callback without"));
	assert_non_null(strstr(buf, "\n  --platforms LIST  some names\n"));
	assert_non_null(strstr(buf, "\nThe end.\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_values),
		cmocka_unit_test(t_equals_and_space),
		cmocka_unit_test(t_double_dash),
		cmocka_unit_test(t_list),
		cmocka_unit_test(t_unknown),
		cmocka_unit_test(t_missing_and_extra),
		cmocka_unit_test(t_numbers),
		cmocka_unit_test(t_callback),
		cmocka_unit_test(t_groups_checked),
		cmocka_unit_test(t_keep_unknown),
		cmocka_unit_test(t_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
