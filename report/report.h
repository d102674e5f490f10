/*
 * report/report.h - the Markdown report: figures, tables and written
 * answers drawn from the analyzer's results and the configuration every
 * platform recorded with its runs.
 *
 * Three parts:
 *  - facts (report.c): what the database says about hosts, runs and each
 *    platform's configuration (run_platform.config, keys documented in
 *    platform/platform.h), merged over the runs being reported;
 *  - answers and validity checks (answers.c): Markdown sentences stating
 *    the measured gap, its interval and significance, then the mechanism -
 *    only from recorded facts; a fact that was not recorded is named as
 *    missing, never guessed from a platform's name;
 *  - rendering (report.c): a cJSON model of all of it, formatted from the
 *    same analyzer structs and helpers as "analyze" (so every number equals
 *    analyze's at the printed precision), fed to templates/report.md.tmpl.
 */
#ifndef VB_REPORT_REPORT_H
#define VB_REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "common/util.h"

struct db;

/* One row of the host table. Unknown text is NULL, unknown numbers 0;
 * has_kvm is -1 when unknown. */
struct report_host {
	char *name, *cpu_model, *kernel, *os, *virt_flags;
	int cores;
	int64_t memory_bytes;
	int has_kvm;
};

/* One platform of one host, over the runs being reported. */
struct report_platform {
	char *host, *name, *kind;
	/* Worst state over the runs: "ok", "failed" or "unavailable"; reason
	 * is the recorded reason of that state (NULL if none). */
	char *state, *reason;
	/* Configuration keys with the same value in every run that recorded
	 * a configuration; NULL when no run did (imported data). */
	cJSON *config;
	/* Keys whose values differ between runs (NULL-terminated), or NULL. */
	char **conflicts;
	int runs, runs_without_config;
	int has_samples;  /* 1 if any of those runs has a sample of it */
};

struct report_run {
	char *uuid, *host, *suite, *params, *tool_version, *command_line;
	char *started_at, *ended_at, *status, *source;
	int64_t seed;
	int has_seed;
};

struct report_facts {
	size_t n_hosts, n_platforms, n_runs;
	struct report_host *hosts;
	struct report_platform *platforms;
	struct report_run *runs;
};

/* Loads the facts for the selection of o (host and run filters; NULL o =
 * everything). Returns 0, or negative after reporting a database error.
 * Clear with report_facts_clear() (also after a failure). */
int report_facts_load(struct db *db, const struct analyze_opts *o,
		      struct report_facts *f);
void report_facts_clear(struct report_facts *f);
const struct report_platform *report_facts_platform(const struct report_facts *f,
						    const char *host,
						    const char *name);
const struct report_host *report_facts_host(const struct report_facts *f,
					    const char *host);

/* A configuration fact of p as text (numbers without a fraction printed as
 * integers, nested keys as "tools.sysbench"), or NULL when it was not
 * recorded or differs between runs. buf holds the text when needed. */
const char *report_fact(const struct report_platform *p, const char *key,
			char *buf, size_t size);
/* 1 if key differs between the runs of p. */
int report_fact_conflicts(const struct report_platform *p, const char *key);

/* The machine p ran on when that is not the host its samples are stored
 * under (the collecting host): for a guest of a remote libvirtd its
 * recorded libvirt_host, else the host its connect_uri names
 * ("qemu+ssh://root@big:2222/system": "big"); for an ssh platform the host
 * of its recorded target, else of its name "ssh:USER@HOST[:PORT]". NULL
 * for a platform of the collecting host (qemu:///system included) or when
 * nothing says otherwise. The text may be kept in buf. The one test for
 * "remote" that every check and answer comparing machines uses. */
const char *report_remote_host(const struct report_platform *p, char *buf,
			       size_t size);

/* What kind of work a benchmark measures, from its name: the classic names
 * and the prefixes "disk", "net". */
enum report_category {
	REPORT_COMPUTE, /* cpu, mem, fork */
	REPORT_DISK,    /* diskRand, diskSeq, disk* */
	REPORT_NETWORK, /* uplink, net* */
	REPORT_OTHER,
};
enum report_category report_category(const char *benchmark);

/* Appends the Markdown answer for g, a non-baseline group, compared with
 * its baseline group base (NULL if the baseline has no data): the gap with
 * its interval and Holm p, then the mechanism from f's facts. */
void report_answer(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, const struct analyze_group *base,
		   struct sb *out);

/* Appends the validity checks for one host's groups of one benchmark
 * (g[0..n), as analyze sorts them) to arr, as objects
 * {"level": "problem"|"warning", "platform": NAME, "text": MARKDOWN}.
 * Problems are results that cannot be taken at face value (a cache
 * artefact, TCG beating KVM on the same machine, a guest or container
 * faster than its own host on cpu/mem/fork, all samples failed); warnings
 * mark weak data (CoV > 5 %, n < 5, drift, failed samples, unbounded
 * intervals). Guests of a remote libvirtd (report_remote_host()) are not
 * held to the same-machine expectations; their baseline warning comes
 * once per platform from report_platform_checks(). */
void report_checks(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, size_t n, cJSON *arr);

/* Appends to arr (objects as for report_checks) the checks that concern a
 * platform of host as a whole rather than one benchmark: the
 * remote-baseline warning - a guest of a remote libvirtd compared with a
 * baseline that ran on another machine (normally the collecting host), so
 * its speedups mix the cost of virtualization with the difference between
 * the machines - with the commands that measure its own host as the
 * baseline. Only platforms with at least one speedup are named. */
void report_platform_checks(const struct report_facts *f,
			    const struct analyze_set *set, const char *host,
			    cJSON *arr);

struct report_opts {
	const char *out_dir;        /* default "report" */
	const char *templates_dir;  /* NULL: $VIRTBENCH_TEMPLATES, then
				     * templates/ next to the binary or one
				     * directory up */
	struct analyze_opts analyze;
	unsigned formats;           /* PLOT_FMT_*; 0 = png and svg */
	int render;                 /* 0: figures as scripts only */
	const char *db_path;        /* shown in the report */
};

/* Where the time went, for bench/ (seconds). */
struct report_timing {
	double analyze, plot_write, render, gnuplot_cpu, report;
	size_t figures;
};

/* Writes OUT/report.md and OUT/figures/. Returns 0; PLOT_ERR_NO_GNUPLOT
 * when gnuplot is missing (everything else written, user told how to
 * render); another negative value after a reported failure. t may be
 * NULL. */
int report_write(struct db *db, const struct report_opts *o,
		 struct report_timing *t);

/* Builds the template model (the cJSON the template sees) without
 * writing anything; figures may be NULL (no figure links). For tests and
 * for report_write(). Caller owns the result. */
struct plot_result;
cJSON *report_model(const struct report_facts *f, const struct analyze_set *set,
		    const struct plot_result *figures, const struct report_opts *o);

/* The "## Mechanisms" section (report/mechanisms.c): the set's sibling
 * comparisons as Markdown, owned; NULL when the set has none. */
char *report_mechanisms_md(const struct analyze_set *set);

#endif
