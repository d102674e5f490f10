/*
 * report/answers.h - the written text of the report: per platform and
 * benchmark the answer (the measured gap, its interval and significance,
 * then the mechanism from the recorded facts), and the validity checks
 * (results that cannot be taken at face value, and weak data).
 *
 * Built on facts.h only; the template model (model.c) places the text.
 * Every answer and check is Markdown in which database text is escaped.
 */
#ifndef VB_REPORT_ANSWERS_H
#define VB_REPORT_ANSWERS_H

#include <cjson/cJSON.h>

#include "common/util.h"
#include "report/facts.h"

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

/* ---- the answers up front (summary.c) ---------------------------------- */

/* The verdict of a comparison and the interval it rests on (the 90 %
 * simultaneous Fieller interval for "equivalent", the 95 % one
 * otherwise). word is NULL when there is no speedup to judge. */
struct report_verdict {
	const char *word;   /* faster, slower, equivalent, inconclusive */
	const char *level;  /* "95 % simultaneous", ... */
	double lo, hi;      /* NAN when unbounded or not computable */
	int bounded;
	double margin;      /* the equivalence margin, a fraction */
	long reps_needed;   /* more repetitions per side to decide; -1: none
			     * would (or decided already) */
};
void report_verdict(const struct analyze_vs *vs, struct report_verdict *v);
/* "0.136× [0.133, 0.139]" with the verdict's interval. Returns buf. */
char *report_fmt_verdict_speedup(const struct analyze_vs *vs,
				 const struct report_verdict *v, char *buf,
				 size_t size);

/* Appends the answer paragraph for one host's groups of one benchmark
 * (g[0..n), as analyze sorts them): the question, each platform's verdict
 * with its speedup and interval (what would settle an inconclusive one,
 * a mark where problems lists a problem), then one sentence on why, from
 * the recorded facts. problems: the problem checks ({host, platform,
 * benchmark}), may be NULL. */
void report_summary(const struct report_facts *f, const struct analyze_set *set,
		    const struct analyze_group *g, size_t n,
		    const cJSON *problems, struct sb *out);
/* Appends the summary-table cell of g: "speedup [interval] verdict". */
void report_summary_cell(const struct analyze_group *g, int problem,
			 struct sb *out);
/* 1 if problems (as for report_summary()) name g's platform and benchmark
 * (or all benchmarks of the platform). */
int report_cell_problem(const cJSON *problems, const struct analyze_group *g);

#endif
