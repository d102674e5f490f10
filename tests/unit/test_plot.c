/*
 * tests/unit/test_plot.c - plot/plot.c on a small real database built
 * here and analyzed by analyze_load(), rendered by the real gnuplot:
 *   - which figures exist and their file names (an unsafe benchmark name
 *     becomes a safe file name; several hosts prefix every name);
 *   - the data files carry the analyzer's numbers (means and intervals,
 *     Fieller speedups of the non-baseline platforms only, every sample
 *     in the strip) and each platform's fixed colour;
 *   - scripts quote database text as gnuplot strings;
 *   - PNG (signature, IHDR 960x540, IEND) and SVG (well-formed markup,
 *     960 wide, one plot element per series) for every figure; SVG only
 *     when asked; no log left behind;
 *   - large samples: the strip thinned to PLOT_STRIP_MAX (outliers kept),
 *     the drift figure binned to PLOT_DRIFT_MAX points, the titles say so;
 *   - faults: gnuplot missing (scripts written, PLOT_ERR_NO_GNUPLOT), and
 *     gnuplot failing on one figure (reported, its log kept, the others
 *     rendered);
 *   - the pure helpers: formats, colours, quoting, file names, find.
 * Skips (77) when gnuplot is not installed.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyze/analyze.h"
#include "db/db.h"
#include "plot/plot.h"

static char tmpdir[] = "/tmp/vbtest-plot.XXXXXX";

struct fixture {
	struct db *db;
	char *path;
	struct analyze_set *set;
};

/* Deterministic values around mean: +/- 3 % in a fixed pattern. */
static double value_at(double mean, int i)
{
	static const double pat[] = { -3, 1, 0, 2, -1, 3, -2, 1, 0, -1, 2 };

	return mean * (1 + pat[i % VB_ARRAY_SIZE(pat)] / 100.0);
}

static void add_samples(struct db *db, int64_t run, int64_t plat,
			int64_t bench, double mean, int n, double outlier)
{
	assert_int_equal(db_begin(db), 0);
	for (int i = 0; i < n; i++) {
		struct db_sample s = {
			.run_id = run, .platform_id = plat, .benchmark_id = bench,
			.repetition = i + 1, .has_value = 1,
			.value = (outlier && i == n / 2) ? outlier : value_at(mean, i),
			.status = "ok", .parser = "test", .parser_version = 1,
			.started_at = "2026-01-01T00:00:00.000Z", .duration = 1,
		};

		assert_int_equal(db_sample_insert(db, &s), 0);
	}
	assert_int_equal(db_commit(db), 0);
}

struct plat {
	const char *name, *kind;
	double cpu, disk;
};

/* A database with hosts[] x plats[]: cpu (higher is better) and an
 * unsafely named disk benchmark (lower is better), n samples each. */
static struct fixture *make_db(const char *name, const char *const *hosts,
			       const struct plat *plats, size_t np, int n)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct analyze_opts ao = { 0 };
	int64_t cpu, disk;

	f->path = xasprintf("%s/%s.db", tmpdir, name);
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	assert_int_equal(db_benchmark_ensure(f->db, "cpu", "events/s", "higher", &cpu), 0);
	assert_int_equal(db_benchmark_ensure(f->db, "disk/rand io", "ms", "lower", &disk), 0);
	for (size_t h = 0; hosts[h]; h++) {
		int64_t host, run;
		struct db_run r = { .suite = "classic", .params = "{}",
				    .started_at = "2026-01-01T00:00:00.000Z",
				    .status = "complete" };

		assert_int_equal(db_host_ensure_named(f->db, hosts[h], 0, &host), 0);
		r.host_id = host;
		assert_int_equal(db_run_create(f->db, &r, &run), 0);
		for (size_t i = 0; i < np; i++) {
			int64_t p;

			assert_int_equal(db_platform_ensure(f->db, host, plats[i].name,
							    plats[i].kind, &p), 0);
			assert_int_equal(db_run_platform_set(f->db, run, p, NULL, NULL,
							     "ok", NULL), 0);
			if (plats[i].cpu)
				add_samples(f->db, run, p, cpu, plats[i].cpu, n,
					    i == np - 1 && n > 100 ? plats[i].cpu * 5 : 0);
			if (plats[i].disk)
				add_samples(f->db, run, p, disk, plats[i].disk, n, 0);
		}
	}
	assert_int_equal(analyze_load(f->db, &ao, &f->set), 0);
	return f;
}

static void free_db(struct fixture *f)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };

	analyze_set_free(f->set);
	db_close(f->db);
	for (size_t i = 0; i < VB_ARRAY_SIZE(suffix); i++) {
		char *p = xasprintf("%s%s", f->path, suffix[i]);

		unlink(p);
		free(p);
	}
	free(f->path);
	free(f);
}

static const struct plat four[] = {
	{ "native", "native", 1000, 2.0 },
	{ "docker", "docker", 990, 2.2 },
	{ "qemu", "qemu", 130, 9.0 },
	{ "it's \"my\" vm", "unknown", 500, 0 },
};

static const struct analyze_group *group(const struct analyze_set *s,
					 const char *host, const char *plat,
					 const char *bench)
{
	for (size_t i = 0; i < s->n_groups; i++)
		if (!strcmp(s->groups[i].host, host) &&
		    !strcmp(s->groups[i].platform, plat) &&
		    !strcmp(s->groups[i].benchmark, bench))
			return &s->groups[i];
	fail_msg("no group %s/%s/%s", host, plat, bench);
	return NULL;
}

static char *slurp(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct sb sb = SB_INIT;

	if (sb_read_file(&sb, p) < 0)
		fail_msg("cannot read %s", p);
	free(p);
	return sb_detach(&sb);
}

static size_t count_files(const char *dir, const char *pattern)
{
	char *p = xasprintf("%s/%s", dir, pattern);
	glob_t g;
	size_t n = 0;

	if (glob(p, 0, NULL, &g) == 0)
		n = g.gl_pathc;
	if (n)
		globfree(&g);
	free(p);
	return n;
}

static size_t count_str(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG: signature, IHDR first with the figure size, IEND last. */
static void check_png(const char *path)
{
	struct sb sb = SB_INIT;
	const unsigned char *b;

	if (sb_read_file(&sb, path) < 0)
		fail_msg("%s: missing", path);
	b = (const unsigned char *)sb.buf;
	if (sb.len < 8 + 25 + 12 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0)
		fail_msg("%s: not a PNG", path);
	assert_int_equal(be32(b + 8), 13);
	assert_memory_equal(b + 12, "IHDR", 4);
	assert_int_equal(be32(b + 16), PLOT_PNG_WIDTH);
	assert_int_equal(be32(b + 20), PLOT_PNG_HEIGHT);
	assert_memory_equal(b + sb.len - 8, "IEND", 4);
	sb_release(&sb);
}

/*
 * Checks that text is well-formed markup: every element closed in order,
 * comments, CDATA, declarations and processing instructions skipped,
 * quoted attribute values honoured, exactly one root element, an svg.
 */
static void check_markup(const char *path, const char *text)
{
	char *stack[256];
	int depth = 0, roots = 0;
	const char *p = text;

	while ((p = strchr(p, '<'))) {
		if (!strncmp(p, "<!--", 4)) {
			p = strstr(p, "-->");
			if (!p)
				fail_msg("%s: comment not closed", path);
			continue;
		}
		if (!strncmp(p, "<![CDATA[", 9)) {
			p = strstr(p, "]]>");
			if (!p)
				fail_msg("%s: CDATA not closed", path);
			continue;
		}
		if (p[1] == '?' || p[1] == '!') {
			p = strchr(p, '>');
			if (!p)
				fail_msg("%s: declaration not closed", path);
			continue;
		}
		if (p[1] == '/') {
			size_t n = strcspn(p + 2, " \t\n>");

			if (depth == 0 || strlen(stack[depth - 1]) != n ||
			    strncmp(stack[depth - 1], p + 2, n) != 0)
				fail_msg("%s: </%.*s> closes %s", path, (int)n, p + 2,
					 depth ? stack[depth - 1] : "nothing");
			free(stack[--depth]);
			p = strchr(p, '>');
			if (!p)
				fail_msg("%s: end tag not closed", path);
			continue;
		}
		{
			size_t n = strcspn(p + 1, " \t\n/>");
			const char *q = p + 1 + n;
			char quote = 0;

			if (n == 0)
				fail_msg("%s: '<' that starts no tag", path);
			for (; *q && (quote || *q != '>'); q++)
				if (quote ? *q == quote : (*q == '"' || *q == '\''))
					quote = quote ? 0 : *q;
			if (!*q)
				fail_msg("%s: tag not closed", path);
			if (q[-1] != '/') {
				if (depth == 0)
					roots++;
				assert_true(depth < (int)VB_ARRAY_SIZE(stack));
				stack[depth++] = xstrndup(p + 1, n);
				if (depth == 1 && strcmp(stack[0], "svg") != 0)
					fail_msg("%s: root element is %s", path, stack[0]);
			} else if (depth == 0) {
				roots++;
			}
			p = q;
		}
	}
	if (depth != 0)
		fail_msg("%s: <%s> not closed", path, stack[depth - 1]);
	assert_int_equal(roots, 1);
}

/* An SVG: well-formed, 960 wide, nplots plot elements (series). */
static void check_svg(const char *dir, const char *stem, size_t nplots)
{
	char *name = xasprintf("%s.svg", stem);
	char *svg = slurp(dir, name);

	check_markup(name, svg);
	if (!strstr(svg, "width=\"960"))
		fail_msg("%s: not 960 wide", name);
	if (count_str(svg, "<g id=\"gnuplot_plot_") != nplots)
		fail_msg("%s: %zu series, expected %zu", name,
			 count_str(svg, "<g id=\"gnuplot_plot_"), nplots);
	free(svg);
	free(name);
}

/* The fields of the means data file's row for platform index i. */
static void means_row(const char *dat, size_t i, double *mean, double *lo,
		      double *hi, long *colour, size_t *n)
{
	const char *l = dat;

	for (; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		size_t x, idx;
		char label[64];

		if (*l == '#')
			continue;
		if (sscanf(l, "%zu %zu %lf %lf %lf %ld %*f \"%63[^\"]\" %zu",
			   &x, &idx, mean, lo, hi, colour, label, n) == 8 && x == i)
			return;
	}
	fail_msg("no row %zu in means data", i);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (getenv("VBTEST_KEEP"))
		return 0;
	return vb_rm_rf(tmpdir);
}

/* ---- one host, four platforms, rendered ------------------------------ */

static void test_one_host(void **state)
{
	static const char *const hosts[] = { "h1", NULL };
	struct fixture *f = make_db("one", hosts, four, 4, 11);
	char *out = xasprintf("%s/one", tmpdir), *fig = xasprintf("%s/figures", out);
	struct plot_opts o = { .out_dir = out, .render = 1, .jobs = 2 };
	struct plot_result *r = NULL;
	const struct plot_figure *pf;
	char *dat, *gp;

	(void)state;
	assert_int_equal(plot_write(f->set, &o, &r), 0);
	/* cpu: means, speedup, samples, drift; disk: the same (its
	 * non-baseline platforms exist); one overview. */
	assert_int_equal(r->n, 9);
	assert_int_equal(r->formats, PLOT_FMT_PNG | PLOT_FMT_SVG);
	assert_true(r->write_seconds >= 0 && r->render_seconds > 0);
	for (size_t i = 0; i < r->n; i++) {
		char *png = xasprintf("%s/%s.png", out, r->figs[i].base);

		assert_true(r->figs[i].rendered);
		assert_non_null(r->figs[i].caption);
		check_png(png);
		free(png);
	}
	assert_int_equal(count_files(fig, "*.gp"), 9);
	assert_int_equal(count_files(fig, "*.dat"), 9);
	assert_int_equal(count_files(fig, "*.png"), 9);
	assert_int_equal(count_files(fig, "*.svg"), 9);
	assert_int_equal(count_files(fig, "*.log"), 0);

	/* File names: the benchmark's '/' and ' ' became '_'. */
	pf = plot_result_find(r, PLOT_MEANS, "h1", "disk/rand io");
	assert_non_null(pf);
	assert_string_equal(pf->base, "figures/disk_rand_io-means");
	pf = plot_result_find(r, PLOT_OVERVIEW, "h1", NULL);
	assert_non_null(pf);
	assert_string_equal(pf->base, "figures/overview");
	assert_null(plot_result_find(r, PLOT_MEANS, "h2", "cpu"));
	assert_null(plot_result_find(r, PLOT_OVERVIEW, "h1", "cpu"));
	assert_string_equal(plot_result_find(r, PLOT_DRIFT, "h1", "cpu")->base,
			    "figures/cpu-drift");

	/* Means: the analyzer's numbers and each platform's colour. */
	dat = slurp(fig, "cpu-means.dat");
	for (size_t i = 0; i < 4; i++) {
		const struct analyze_group *g = &f->set->groups[i];
		double mean, lo, hi;
		long colour;
		size_t n;

		assert_string_equal(g->benchmark, "cpu");
		means_row(dat, i, &mean, &lo, &hi, &colour, &n);
		assert_true(fabs(mean - g->mean) <= 1e-8 * g->mean);
		assert_true(fabs(lo - g->ci95_lo) <= 1e-8 * g->mean);
		assert_true(fabs(hi - g->ci95_hi) <= 1e-8 * g->mean);
		assert_true(lo < mean && mean < hi);
		assert_int_equal(n, 11);
		assert_int_equal(colour, strtol(plot_platform_colour(g->platform, NULL) + 1,
						NULL, 16));
	}
	free(dat);

	/* Speedup: the three non-baseline platforms, Fieller's interval. */
	dat = slurp(fig, "cpu-speedup.dat");
	{
		const struct analyze_group *q = group(f->set, "h1", "qemu", "cpu");
		const char *l = strstr(dat, "\n1 ");
		double sp, lo, hi;

		assert_int_equal(count_str(dat, "\n"), 1 + 3);
		assert_non_null(l);
		assert_int_equal(sscanf(l, "%*d %lf %lf %lf", &sp, &lo, &hi), 3);
		assert_true(fabs(sp - q->vs_baseline.speedup) < 1e-8);
		assert_true(fabs(lo - q->vs_baseline.ci_lo) < 1e-8);
		assert_true(fabs(hi - q->vs_baseline.ci_hi) < 1e-8);
		assert_true(sp > 0.12 && sp < 0.14); /* 130 / 1000 */
	}
	free(dat);
	/* Lower is better: docker's 2.2 ms against native's 2.0 is slower. */
	{
		const struct analyze_group *d = group(f->set, "h1", "docker", "disk/rand io");

		assert_true(d->vs_baseline.speedup < 1);
		dat = slurp(fig, "disk_rand_io-speedup.dat");
		assert_non_null(strstr(dat, "\n0 0.9"));
		free(dat);
	}

	/* Samples: every one of the 11 values per platform in its strip. */
	dat = slurp(fig, "cpu-samples.dat");
	{
		const struct analyze_group *n = group(f->set, "h1", "native", "cpu");
		char num[32];

		for (size_t i = 0; i < n->n_values; i++) {
			snprintf(num, sizeof(num), " %.10g ", n->values[i]);
			assert_non_null(strstr(dat, num));
		}
	}
	free(dat);

	/* Scripts: database text only inside gnuplot strings (double-quoted,
	 * '"' and '\\' backslashed); the baseline named; log axis for
	 * speedups. */
	gp = slurp(fig, "cpu-means.gp");
	assert_non_null(strstr(gp, "\"it's \\\"my\\\" vm\" 3"));
	assert_non_null(strstr(gp, "set output 'cpu-means.'.fmt"));
	free(gp);
	gp = slurp(fig, "cpu-speedup.gp");
	assert_non_null(strstr(gp, "set logscale y"));
	assert_non_null(strstr(gp, "\"native\""));
	free(gp);

	/* SVGs: one element per series. means: bars, intervals, labels;
	 * drift: one line per platform; overview: one per non-baseline
	 * platform; samples: four per panel. */
	check_svg(fig, "cpu-means", 3);
	check_svg(fig, "cpu-drift", 4);
	check_svg(fig, "overview", 3);
	check_svg(fig, "cpu-speedup", 2);
	check_svg(fig, "cpu-samples", 4 * 4);
	check_svg(fig, "disk_rand_io-drift", 3);

	plot_result_free(r);
	free_db(f);
	free(fig);
	free(out);
}

/* ---- formats, several hosts, large samples ---------------------------- */

static void test_svg_only_and_hosts(void **state)
{
	static const char *const hosts[] = { "alpha", "beta/2", NULL };
	struct fixture *f = make_db("hosts", hosts, four, 3, 6);
	char *out = xasprintf("%s/hosts", tmpdir), *fig = xasprintf("%s/figures", out);
	struct plot_opts o = { .out_dir = out, .render = 1,
			       .formats = PLOT_FMT_SVG, .jobs = 2 };
	struct plot_result *r = NULL;
	char *gp;

	(void)state;
	assert_int_equal(plot_write(f->set, &o, &r), 0);
	assert_int_equal(r->n, 2 * 9);
	assert_int_equal(count_files(fig, "*.png"), 0);
	assert_int_equal(count_files(fig, "*.svg"), 18);
	/* Every name carries its host, made file-name safe. */
	assert_int_equal(count_files(fig, "alpha-*.gp"), 9);
	assert_int_equal(count_files(fig, "beta_2-*.gp"), 9);
	assert_string_equal(plot_result_find(r, PLOT_OVERVIEW, "beta/2", NULL)->base,
			    "figures/beta_2-overview");
	assert_string_equal(plot_result_find(r, PLOT_SAMPLES, "alpha", "disk/rand io")->base,
			    "figures/alpha-disk_rand_io-samples");
	/* The script renders only SVG, and titles name the host. */
	gp = slurp(fig, "alpha-cpu-means.gp");
	assert_non_null(strstr(gp, "do for [fmt in 'svg']"));
	assert_non_null(strstr(gp, "host alpha"));
	free(gp);
	check_svg(fig, "beta_2-cpu-drift", 3);
	plot_result_free(r);
	free_db(f);
	free(fig);
	free(out);
}

static void test_large_samples_thinned(void **state)
{
	static const char *const hosts[] = { "h", NULL };
	static const struct plat two[] = {
		{ "native", "native", 100, 0 },
		{ "kvm", "kvm", 95, 0 },
	};
	const int n = 2500;
	struct fixture *f = make_db("large", hosts, two, 2, n);
	char *out = xasprintf("%s/large", tmpdir), *fig = xasprintf("%s/figures", out);
	struct plot_opts o = { .out_dir = out, .render = 0 };
	struct plot_result *r = NULL;
	const struct analyze_group *k = group(f->set, "h", "kvm", "cpu");
	char *dat, *gp, *block;
	size_t strip = 0, drift = 0;

	(void)state;
	assert_int_equal(plot_write(f->set, &o, &r), 0);
	assert_int_equal(count_files(fig, "*.png"), 0); /* not rendered */
	assert_int_equal(k->n_values, (size_t)n);
	assert_true(k->outliers_mild + k->outliers_severe >= 1);

	/* kvm's strip (block 2) has every 3rd value plus its outlier. */
	dat = slurp(fig, "cpu-samples.dat");
	block = strstr(dat, "# 1: strip");
	assert_non_null(block);
	for (const char *l = strchr(block, '\n') + 1; *l && *l != '\n' && *l != '#';
	     l = strchr(l, '\n') + 1)
		strip++;
	assert_int_equal(strip, (size_t)(n + 2) / 3 + 1);
	assert_non_null(strstr(block, " 475 2\n")); /* the outlier, severe */
	free(dat);
	gp = slurp(fig, "cpu-samples.gp");
	assert_non_null(strstr(gp, "kvm (n=2500, strip 834)"));
	free(gp);

	/* Drift: 2500 samples binned by 5 into 500 points. */
	dat = slurp(fig, "cpu-drift.dat");
	block = strstr(dat, "# 1:");
	for (const char *l = strchr(block, '\n') + 1; *l && *l != '\n';
	     l = strchr(l, '\n') + 1)
		drift++;
	assert_int_equal(drift, PLOT_DRIFT_MAX);
	assert_non_null(strstr(block, "\n3.0 ")); /* centre of samples 1-5 */
	free(dat);
	gp = slurp(fig, "cpu-drift.gp");
	assert_non_null(strstr(gp, "points are means of consecutive samples"));
	free(gp);
	plot_result_free(r);
	free_db(f);
	free(fig);
	free(out);
}

/* ---- faults ----------------------------------------------------------- */

static void test_no_gnuplot(void **state)
{
	static const char *const hosts[] = { "h1", NULL };
	struct fixture *f = make_db("nognuplot", hosts, four, 2, 5);
	char *out = xasprintf("%s/nognuplot", tmpdir), *fig = xasprintf("%s/figures", out);
	struct plot_opts o = { .out_dir = out, .render = 1 };
	struct plot_result *r = NULL;
	char *path = xstrdup(getenv("PATH"));

	(void)state;
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(plot_write(f->set, &o, &r), PLOT_ERR_NO_GNUPLOT);
	setenv("PATH", path, 1);
	assert_non_null(r);
	assert_int_equal(r->n, 9);
	assert_int_equal(count_files(fig, "*.gp"), 9);
	assert_int_equal(count_files(fig, "*.png") + count_files(fig, "*.svg"), 0);
	for (size_t i = 0; i < r->n; i++)
		assert_false(r->figs[i].rendered);
	plot_result_free(r);
	free_db(f);
	free(path);
	free(fig);
	free(out);
}

static void test_gnuplot_fails(void **state)
{
	static const char *const hosts[] = { "h1", NULL };
	struct fixture *f = make_db("fails", hosts, four, 2, 5);
	char *out = xasprintf("%s/fails", tmpdir), *fig = xasprintf("%s/figures", out);
	char *blocker = xasprintf("%s/cpu-means.png", fig);
	struct plot_opts o = { .out_dir = out, .render = 1, .jobs = 2 };
	struct plot_result *r = NULL;

	(void)state;
	/* A directory where one PNG must go. gnuplot renders in a private
	 * directory (issue 13: never through what sits at an output path),
	 * so it succeeds; the figure cannot be put in place: it is reported
	 * and not rendered, the others are, and no log or work directory is
	 * left. */
	assert_int_equal(vb_mkdir_p(blocker, 0755), 0);
	assert_true(plot_write(f->set, &o, &r) < 0);
	assert_int_equal(r->n, 9);
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(r->figs[i].rendered,
				 strcmp(r->figs[i].base, "figures/cpu-means") != 0);
	assert_int_equal(count_files(fig, "*.log"), 0);
	assert_int_equal(count_files(fig, ".plot-*"), 0);
	plot_result_free(r);
	free_db(f);
	free(blocker);
	free(fig);
	free(out);
}

static void test_empty_set(void **state)
{
	struct analyze_set empty = { .baseline = "native" };
	char *out = xasprintf("%s/empty", tmpdir);
	struct plot_opts o = { .out_dir = out, .render = 1 };
	struct plot_result *r = NULL;

	(void)state;
	assert_int_equal(plot_write(&empty, &o, &r), 0);
	assert_int_equal(r->n, 0);
	plot_result_free(r);
	free(out);
}

/* ---- pure helpers ----------------------------------------------------- */

static void test_helpers(void **state)
{
	char *const names[] = { "a", "docker", "b", "native", "c", NULL };
	struct sb sb = SB_INIT;
	unsigned fm = 0;
	char *s;

	(void)state;
	assert_int_equal(plot_formats_parse("png", &fm), 0);
	assert_int_equal(fm, PLOT_FMT_PNG);
	assert_int_equal(plot_formats_parse("svg,png", &fm), 0);
	assert_int_equal(fm, PLOT_FMT_PNG | PLOT_FMT_SVG);
	fm = 77;
	assert_true(plot_formats_parse("png,gif", &fm) < 0);
	assert_true(plot_formats_parse("", &fm) < 0);
	assert_true(plot_formats_parse(",", &fm) < 0);
	assert_int_equal(fm, 77); /* untouched on failure */

	/* Fixed colours; others from the palette in name order, skipping the
	 * fixed names, so "c" is the third extra colour. */
	assert_string_equal(plot_platform_colour("qemu", names), "#D55E00");
	assert_string_equal(plot_platform_colour("native", NULL), "#555555");
	assert_string_equal(plot_platform_colour("a", names), "#E69F00");
	assert_string_equal(plot_platform_colour("b", names), "#CC79A7");
	assert_string_equal(plot_platform_colour("c", names), "#56B4E9");
	assert_string_not_equal(plot_platform_colour("a", names),
				plot_platform_colour("b", names));

	/* Double-quoted (issue 13: a name starting with ' broke gnuplot's
	 * single-quoted strings): '"' and '\' backslashed, controls dropped. */
	plot_gp_quote(&sb, "it's\x01\n\x7f ok");
	assert_string_equal(sb.buf, "\"it's ok\"");
	sb_reset(&sb);
	plot_gp_quote(&sb, "'lead \"q\" \\ end");
	assert_string_equal(sb.buf, "\"'lead \\\"q\\\" \\\\ end\"");
	sb_reset(&sb);
	plot_gp_quote(&sb, NULL);
	assert_string_equal(sb.buf, "\"\"");
	sb_release(&sb);

	s = plot_file_name("../etc/passwd");
	assert_string_equal(s, "_.._etc_passwd");
	free(s);
	s = plot_file_name("");
	assert_string_equal(s, "_");
	free(s);
	s = plot_file_name("A-b_c.9");
	assert_string_equal(s, "A-b_c.9");
	free(s);
	s = plot_file_name("caf\xc3\xa9 $x");
	assert_string_equal(s, "caf____x");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_one_host),
		cmocka_unit_test(test_svg_only_and_hosts),
		cmocka_unit_test(test_large_samples_thinned),
		cmocka_unit_test(test_no_gnuplot),
		cmocka_unit_test(test_gnuplot_fails),
		cmocka_unit_test(test_empty_set),
	};
	const char *path = getenv("PATH");
	char **dirs = vb_split(path ? path : "/usr/bin:/bin", ':');
	int found = 0;

	for (size_t i = 0; dirs[i] && !found; i++) {
		char *p = xasprintf("%s/gnuplot", dirs[i]);

		found = access(p, X_OK) == 0;
		free(p);
	}
	vb_strv_free(dirs);
	if (!found) {
		printf("gnuplot is not installed (apt-get install gnuplot-nox)\n");
		return 77;
	}
	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
