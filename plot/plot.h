/*
 * plot/plot.h - figures from analyzed results: for each gnuplot figure a
 * script (.gp) and its data (.dat), rendered to PNG (pngcairo) and SVG by
 * running gnuplot on the script, so anyone can re-render or restyle a
 * figure by hand: cd OUT/figures && gnuplot cpu-means.gp.
 *
 * Figures, per host and benchmark:
 *   BENCH-means     mean with its 95 % CI per platform, absolute units
 *   BENCH-speedup   speed relative to the baseline with Fieller's 95 % CI,
 *                   log axis (a 20x TCG gap and a 2 % KVM gap both legible)
 *   BENCH-samples   every sample per platform (box plot + jittered strip),
 *                   one panel per platform so each has its own scale
 *   BENCH-drift     samples in run order relative to each platform's mean
 * and per host one overview: speedup of every platform on every benchmark.
 * With more than one host in the results, names are prefixed "HOST-".
 *
 * Every platform has one colour in every figure (native grey, docker blue,
 * kvm green, qemu red-orange; others from a colour-blind-safe palette in
 * name order). Text from the database reaches a script only inside quoted
 * gnuplot strings (plot_gp_quote) and file names only after
 * plot_file_name(); gnuplot runs via fork/exec, never through a shell.
 *
 * Large inputs: boxes and means use every value, but a strip shows at most
 * PLOT_STRIP_MAX points per platform (an even subsample) and the drift
 * figure at most PLOT_DRIFT_MAX points (means of consecutive samples);
 * the figure's title says so when that happens.
 */
#ifndef VB_PLOT_PLOT_H
#define VB_PLOT_PLOT_H

#include <stddef.h>

#include "common/util.h"

struct analyze_set;
struct analyze_group;

/* Pixel size of every PNG (the SVG has the same size in points). */
#define PLOT_PNG_WIDTH 960
#define PLOT_PNG_HEIGHT 540
#define PLOT_STRIP_MAX 1000
#define PLOT_DRIFT_MAX 500

enum {
	PLOT_FMT_PNG = 1 << 0,
	PLOT_FMT_SVG = 1 << 1,
};

/* Returned by plot_render()/plot_write() when gnuplot could not be found:
 * the scripts are written and the user was told how to render them. */
#define PLOT_ERR_NO_GNUPLOT (-2)

struct plot_opts {
	const char *out_dir;  /* figures go to OUT_DIR/figures */
	unsigned formats;     /* PLOT_FMT_* bits; 0 = both */
	int render;           /* 0 = write scripts and data only */
	int jobs;             /* gnuplot processes at once; 0 = online CPUs */
};

enum plot_kind {
	PLOT_MEANS, PLOT_SPEEDUP, PLOT_SAMPLES, PLOT_DRIFT, PLOT_OVERVIEW,
};

/* One figure that was written. Paths are relative to OUT_DIR. */
struct plot_figure {
	enum plot_kind kind;
	char *host;
	char *benchmark;      /* NULL for the overview */
	char *base;           /* "figures/cpu-means" (add .gp .dat .png .svg) */
	char *caption;        /* one sentence describing what it shows */
	int rendered;         /* 1 once gnuplot produced every format */
};

struct plot_result {
	size_t n;
	struct plot_figure *figs;
	unsigned formats;
	double write_seconds;   /* virtbench's share: scripts and data */
	double render_seconds;  /* wall time spent waiting for gnuplot */
	double gnuplot_cpu_seconds; /* children's user+system CPU time */
};

/* Parses "png,svg" (either or both) into PLOT_FMT_* bits; -1 with a
 * message for anything else. */
int plot_formats_parse(const char *s, unsigned *out);

/* Writes every figure's script and data for the results in set under
 * o->out_dir/figures, then (when o->render) renders them. *out (owned,
 * plot_result_free()) lists the figures even when rendering failed.
 * Returns 0; PLOT_ERR_NO_GNUPLOT when gnuplot is not installed (scripts
 * written, user told how to render); another negative value after a
 * reported write or render failure. */
int plot_write(const struct analyze_set *set, const struct plot_opts *o,
	       struct plot_result **out);
void plot_result_free(struct plot_result *r);

/* Finds the figure of a kind for (host, benchmark); NULL if none. */
const struct plot_figure *plot_result_find(const struct plot_result *r,
					   enum plot_kind kind,
					   const char *host,
					   const char *benchmark);

/* The fixed colour of a platform as "#rrggbb" (static storage). Standard
 * names have fixed colours; other names get palette colours in the order
 * of the names array (the sorted list of every platform in the set). */
const char *plot_platform_colour(const char *platform, char *const *names);

/* Appends s as a double-quoted gnuplot string: '"' and backslash
 * backslashed, control characters dropped. Used with "noenhanced" text, so
 * no other character is special: any name (one starting with a quote
 * included) stays one string. */
void plot_gp_quote(struct sb *out, const char *s);
/* A file-name-safe copy of s (owned): letters, digits, '.', '_' and '-'
 * kept, anything else becomes '_'; never empty, never starts with '.'. */
char *plot_file_name(const char *s);

#endif
