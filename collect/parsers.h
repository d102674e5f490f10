/*
 * collect/parsers.h - turn a benchmark tool's saved output into one number.
 *
 * A parser reads the complete text a tool printed (stdout, followed by its
 * stderr when it wrote any) and returns the single value the suite records,
 * in the parser's unit. It never guesses: output that is truncated, that
 * contains a FATAL line, that is an iperf3 error document, a failed fio
 * job, or that comes from a different tool is refused with a one-line
 * reason, which the collector stores with the failed sample.
 *
 * Each parser has a version number, stored with every sample it produced;
 * bump it whenever a change could alter a value, so "virtbench reparse"
 * can tell old values from new ones.
 *
 * Parsers are pure functions of their input (no I/O, no global state), so
 * they are safe to fuzz and to call from anywhere.
 */
#ifndef VB_COLLECT_PARSERS_H
#define VB_COLLECT_PARSERS_H

#include <stddef.h>

struct parser {
	const char *name;    /* "sysbench-cpu", ... as used in suites */
	int version;         /* bumped when values could change */
	const char *unit;    /* unit of the value it returns */
	const char *summary; /* what the value is, for "virtbench parse --list" */
	/* Returns 0 and *value, or -1 and *reason (owned, one line). */
	int (*parse)(const char *text, size_t len, double *value, char **reason);
};

/* The parser called name, or NULL. */
const struct parser *parser_find(const char *name);
/* All parsers, NULL-terminated, in a stable order. */
const struct parser *const *parser_all(void);

/* Runs the named parser over text[0..len) (text need not be NUL
 * terminated). Returns 0 with *value set, or -1 with *reason set (owned by
 * the caller, never NULL then) - also for an unknown parser name. */
int parser_run(const char *name, const char *text, size_t len, double *value,
	       char **reason);

/* Names the tool that most likely produced text ("sysbench-memory",
 * "iperf3-json", ...), or NULL when it is not recognised. Used to explain
 * "this is the output of X" refusals. */
const char *parser_identify(const char *text, size_t len);

#endif
