/*
 * report/report.h - the report: figures, tables and written answers drawn
 * from the analyzer's results and the configuration every platform
 * recorded with its runs.
 *
 * Layers, each calling only those above it (no cycle):
 *  - facts (facts.h, facts.c): what the database says about hosts, runs
 *    and each platform's configuration, merged over the runs reported;
 *  - the written text (answers.h: answers.c, checks.c, prose.c):
 *    Markdown sentences stating the measured gap, its interval and
 *    significance, then the mechanism - only from recorded facts; a fact
 *    that was not recorded is named as missing, never guessed from a
 *    platform's name - and the validity checks;
 *  - the model (model.c): one cJSON tree of all of it, every number
 *    formatted from the same analyzer structs and helpers as "analyze" (so
 *    it equals analyze's at the printed precision);
 *  - writing (report.c): the figures from plot/, the template
 *    templates/report.md.tmpl rendered with the model, the files.
 */
#ifndef VB_REPORT_REPORT_H
#define VB_REPORT_REPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "analyze/analyze.h"
#include "common/util.h"
#include "report/facts.h"

struct db;
struct plot_result;

/* Where "report" and "run" write when --out is not given: never a
 * source folder. */
#define REPORT_DEFAULT_OUT "out/report"

/* The documents report_write() writes (report_opts.outputs). */
enum {
	REPORT_OUT_MD = 1 << 0,     /* report.md */
	REPORT_OUT_HTML = 1 << 1,   /* report.html, from the same Markdown */
};

/* Parses "md", "html" or "md,html" into REPORT_OUT_* bits. Returns 0, or
 * -1 after a one-line error naming the bad word. */
int report_outputs_parse(const char *list, unsigned *outputs);

struct report_opts {
	const char *out_dir;        /* NULL: REPORT_DEFAULT_OUT */
	unsigned outputs;           /* REPORT_OUT_*; 0 = both */
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

/* Writes OUT/report.md, OUT/report.html (as o->outputs says) and
 * OUT/figures/. Returns 0; PLOT_ERR_NO_GNUPLOT
 * when gnuplot is missing (everything else written, user told how to
 * render); another negative value after a reported failure. t may be
 * NULL. */
int report_write(struct db *db, const struct report_opts *o,
		 struct report_timing *t);

/* Renders the report's Markdown md[0..len) as one HTML page into out:
 * inline CSS, a table of contents, heading ids, figures as SVG where the
 * SVG exists beside the PNG in dir (the directory the page is written
 * to). Returns 0, or -1 after a reported error. */
int report_html(const char *md, size_t len, const char *dir, struct sb *out);

/* Builds the template model (the cJSON the template sees) without
 * writing anything; figures may be NULL (no figure links). For tests and
 * for report_write(). Caller owns the result. */
cJSON *report_model(const struct report_facts *f, const struct analyze_set *set,
		    const struct plot_result *figures, const struct report_opts *o);

/* The "## Mechanisms" section (report/mechanisms.c): the set's sibling
 * comparisons as Markdown, owned; NULL when the set has none. */
char *report_mechanisms_md(const struct analyze_set *set);

#endif
