/*
 * collect/suite.h - benchmark suites as data files.
 *
 * A suite file (suites/NAME.suite, format in suites/README.md) lists
 * benchmarks, each with a command template, an optional prepare and
 * cleanup command, the parser that reads its output, the unit and
 * direction of the value, and a timeout. Users add a benchmark by editing
 * or copying a file; nothing is compiled in.
 *
 * Templates contain placeholders - {duration} {workdir} {iperf_host}
 * {iperf_port} {forkbench} and the suite's own [vars] - which
 * suite_expand() replaces with shell-quoted words, so a value from the
 * command line or the database can never inject shell syntax. Commands
 * are plain POSIX sh, independent of the platform that runs them.
 *
 * The full text of the suite is stored with each run, so "collect
 * --resume" and the report use exactly the suite the run started with.
 */
#ifndef VB_COLLECT_SUITE_H
#define VB_COLLECT_SUITE_H

#include <stddef.h>

struct suite_bench {
	char *name;        /* "cpu", "diskRand": [A-Za-z0-9_-], unique */
	char *command;     /* template; required */
	char *prepare;     /* template run once per platform before the
			      first sample, or NULL */
	char *cleanup;     /* template run once per platform at the end */
	char *parser;      /* a name known to parser_find() */
	int parser_version;
	char *unit;        /* the parser's unit */
	char *direction;   /* "higher" or "lower" */
	char *timeout;     /* seconds expression, default "{duration} + 60" */
	char *estimate;    /* seconds expression, default "{duration} + 1" */
	int line;          /* where its section starts, for messages */
};

struct suite {
	char *name;
	char *description;
	char *origin;      /* file path, or "run UUID" when from a database */
	char *text;        /* the complete file, as read */
	int duration;      /* default seconds for {duration} */
	int reps;          /* default repetitions */
	size_t n_vars;
	char **var_names, **var_values;
	size_t n_bench;
	struct suite_bench *bench;
};

/* Parses a suite from text; origin names it in messages ("FILE:LINE:
 * reason"). Returns 0 and *out (owned; suite_free()), or a negative value
 * after reporting the first problem. */
int suite_parse(const char *text, const char *origin, struct suite **out);

/* Loads a suite by name from dir (dir/NAME.suite) or, when name contains
 * a '/' or ends in ".suite", from that path. Reports errors. */
int suite_load(const char *dir, const char *name, struct suite **out);

/* Frees; accepts NULL. */
void suite_free(struct suite *s);

/* The benchmark called name, or NULL. */
const struct suite_bench *suite_find(const struct suite *s, const char *name);

/* Values for the built-in placeholders; NULL ones are unavailable (a
 * template using one then fails to expand, naming it). */
struct suite_vars {
	int duration;
	const char *workdir;
	const char *iperf_host;
	const char *iperf_port;
	const char *forkbench;
};

/* Replaces every {placeholder} in tmpl by its shell-quoted value. Returns
 * an owned string, or NULL after reporting (unknown or unavailable
 * placeholder, unbalanced brace). */
char *suite_expand(const struct suite *s, const char *tmpl,
		   const struct suite_vars *v);

/* Does tmpl (or the benchmark's command/prepare/cleanup) use {name}? */
int suite_uses(const char *tmpl, const char *name);
int suite_bench_uses(const struct suite_bench *b, const char *name);

/* Evaluates a seconds expression ("{duration} + 60", "2 * {duration}")
 * for the given duration: a sum of products of non-negative numbers.
 * Returns 0 and *out, or negative after reporting. */
int suite_seconds(const char *expr, int duration, double *out);

#endif
