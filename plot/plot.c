/*
 * plot/plot.c - writes gnuplot scripts and data files for the analyzed
 * results and renders them (see plot.h for the figures and conventions).
 *
 * Every script renders each requested format (do for [fmt in 'png svg']
 * { ... }) and starts from gnuplot's defaults, so re-running a script by
 * hand gives exactly what virtbench produced; virtbench runs several
 * scripts per gnuplot process, separated by "reset session", and several
 * processes at once. Scripts refer to their data file and
 * outputs by bare names: gnuplot runs with the figures directory as its
 * working directory.
 */
#include "plot/plot.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "common/safe.h"
#include "common/run.h"

/* ---- names, colours, quoting ----------------------------------------- */

static const struct {
	const char *name, *colour;
} fixed_colours[] = {
	{ "native", "#555555" },
	{ "docker", "#0072B2" },
	{ "kvm", "#009E73" },
	{ "qemu", "#D55E00" },
};
/* Okabe-Ito and Tol colours not used above, all legible on white. */
static const char *const extra_colours[] = {
	"#E69F00", "#CC79A7", "#56B4E9", "#882255", "#44AA99", "#999933",
	"#332288", "#117733",
};

static int is_fixed(const char *name)
{
	for (size_t i = 0; i < VB_ARRAY_SIZE(fixed_colours); i++)
		if (strcmp(name, fixed_colours[i].name) == 0)
			return (int)i;
	return -1;
}

const char *plot_platform_colour(const char *platform, char *const *names)
{
	int f = is_fixed(platform), k = 0;

	if (f >= 0)
		return fixed_colours[f].colour;
	for (size_t i = 0; names && names[i]; i++) {
		if (is_fixed(names[i]) >= 0)
			continue;
		if (strcmp(names[i], platform) == 0)
			break;
		k++;
	}
	return extra_colours[k % VB_ARRAY_SIZE(extra_colours)];
}

void plot_gp_quote(struct sb *out, const char *s)
{
	/* Double quotes: gnuplot's tokenizer takes a doubled quote at the
	 * start of a single-quoted string for an empty string, so a name
	 * beginning with ' broke the script. In double quotes only backslash
	 * escapes are special: '\' and '"' are backslashed. */
	sb_addc(out, '"');
	for (; s && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			continue;
		if (*s == '"' || *s == '\\')
			sb_addc(out, '\\');
		sb_addc(out, *s);
	}
	sb_addc(out, '"');
}

char *plot_file_name(const char *s)
{
	struct sb sb = SB_INIT;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		sb_addc(&sb, ok ? (char)c : '_');
	}
	if (!sb.len || sb.buf[0] == '.') {
		struct sb t = SB_INIT;

		sb_addc(&t, '_');
		sb_adds(&t, sb.buf ? sb.buf : "");
		sb_release(&sb);
		return sb_detach(&t);
	}
	return sb_detach(&sb);
}

/* The file-name part for a host or benchmark name: plot_file_name(), and
 * when another name of the set sanitises to the same text ("a b", "a+b",
 * "a_b"), a short hash of the original after it, for every name that
 * sanitising changed - so each keeps a file of its own. names is every
 * distinct name of that kind in the set. Owned. */
static char *unique_file_name(const char *s, char *const *names)
{
	char *mine = plot_file_name(s);
	int clash = 0;

	if (!strcmp(mine, s))
		return mine; /* unchanged names are distinct already */
	for (size_t i = 0; names && names[i] && !clash; i++) {
		char *other;

		if (!strcmp(names[i], s))
			continue;
		other = plot_file_name(names[i]);
		clash = !strcmp(other, mine);
		free(other);
	}
	if (clash) {
		char hex[65], *t;

		vb_sha256_hex(s, strlen(s), hex);
		t = xasprintf("%s-%.8s", mine, hex);
		free(mine);
		mine = t;
	}
	return mine;
}

int plot_formats_parse(const char *s, unsigned *out)
{
	char **v = vb_split(s ? s : "", ',');
	unsigned f = 0;
	int ret = 0;

	for (size_t i = 0; v[i]; i++) {
		if (strcmp(v[i], "png") == 0) {
			f |= PLOT_FMT_PNG;
		} else if (strcmp(v[i], "svg") == 0) {
			f |= PLOT_FMT_SVG;
		} else {
			ret = vb_error("--format: unknown figure format '%s' (png, svg)",
				       v[i]);
			break;
		}
	}
	vb_strv_free(v);
	if (ret == 0 && !f)
		ret = vb_error("--format: give png, svg or png,svg");
	if (ret == 0)
		*out = f;
	return ret;
}

/* ---- result bookkeeping ----------------------------------------------- */

void plot_result_free(struct plot_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->figs[i].host);
		free(r->figs[i].benchmark);
		free(r->figs[i].base);
		free(r->figs[i].caption);
	}
	free(r->figs);
	free(r);
}

const struct plot_figure *plot_result_find(const struct plot_result *r,
					   enum plot_kind kind,
					   const char *host,
					   const char *benchmark)
{
	for (size_t i = 0; r && i < r->n; i++) {
		const struct plot_figure *f = &r->figs[i];

		if (f->kind != kind || strcmp(f->host, host) != 0)
			continue;
		if ((!benchmark && !f->benchmark) ||
		    (benchmark && f->benchmark && strcmp(benchmark, f->benchmark) == 0))
			return f;
	}
	return NULL;
}

/* Shared state while writing one set's figures. */
struct plot_ctx {
	const struct analyze_set *set;
	const struct plot_opts *o;
	struct plot_result *res;
	char *figdir;       /* OUT/figures */
	char *workdir;      /* private directory the files are made in */
	char **platforms;   /* every platform name in the set, sorted */
	char **hosts, **benchmarks; /* every host and benchmark name in it */
	int multi_host;
	/* Stem prefix given to each (host, benchmark): keys[i] -> prefixes[i],
	 * so no two keys share a file name, whatever sanitising did. */
	char **keys, **prefixes;
	size_t n_keys;
};

static void add_figure(struct plot_ctx *c, enum plot_kind kind,
		       const char *host, const char *bench, const char *stem,
		       char *caption)
{
	struct plot_result *r = c->res;
	struct plot_figure *f;

	r->figs = xrealloc(r->figs, (r->n + 1) * sizeof(*r->figs));
	f = &r->figs[r->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->host = xstrdup(host);
	f->benchmark = xstrdup(bench);
	f->base = xasprintf("figures/%s", stem);
	f->caption = caption;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- script pieces ----------------------------------------------------- */

static void dat_num(struct sb *sb, double v)
{
	if (isfinite(v))
		sb_addf(sb, " %.10g", v);
	else
		sb_adds(sb, " NaN");
}

/* colour "#rrggbb" as the integer gnuplot's "lc rgb variable" wants */
static long colour_int(const char *hex)
{
	return strtol(hex + 1, NULL, 16);
}

/* The opening of every script: what it is, how to re-render it, and the
 * loop over output formats whose body the caller appends. */
static void gp_begin(struct plot_ctx *c, struct sb *gp, const char *stem,
		     const char *what)
{
	unsigned f = c->res->formats;

	sb_addf(gp, "# %s\n", what);
	sb_addf(gp, "# Written by virtbench %s; data in %s.dat.\n", VB_VERSION, stem);
	sb_addf(gp, "# Re-render from this directory with: gnuplot %s.gp\n", stem);
	sb_adds(gp, "reset session\nset encoding utf8\n");
	sb_addf(gp, "do for [fmt in '%s%s%s'] {\n",
		(f & PLOT_FMT_PNG) ? "png" : "",
		(f & PLOT_FMT_PNG) && (f & PLOT_FMT_SVG) ? " " : "",
		(f & PLOT_FMT_SVG) ? "svg" : "");
	sb_addf(gp,
		"if (fmt eq 'png') {\n"
		"  set terminal pngcairo size %d,%d font 'Sans,12' noenhanced background '#ffffff'\n"
		"} else {\n"
		"  set terminal svg size %d,%d font 'Sans,12' noenhanced background '#ffffff'\n"
		"}\n"
		"set output '%s.'.fmt\n",
		PLOT_PNG_WIDTH, PLOT_PNG_HEIGHT, PLOT_PNG_WIDTH, PLOT_PNG_HEIGHT,
		stem);
	sb_adds(gp, "set border 3 lw 1.2\nset tics nomirror\n"
		    "set grid ytics lc rgb '#dddddd' lw 1 dt 1\n");
}

static void gp_end(struct sb *gp)
{
	sb_adds(gp, "unset output\n}\n");
}

static void gp_title(struct plot_ctx *c, struct sb *gp, const char *cmd,
		     const char *text, const char *host)
{
	struct sb t = SB_INIT;

	sb_adds(&t, text);
	if (c->multi_host)
		sb_addf(&t, " — host %s", host);
	sb_addf(gp, "%s ", cmd);
	plot_gp_quote(gp, t.buf);
	sb_adds(gp, " font 'Sans,14'\n");
	sb_release(&t);
}

static void gp_xtics(struct sb *gp, char *const *labels, size_t n)
{
	size_t chars = 0;

	sb_adds(gp, "set xtics (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(gp, ", ");
		plot_gp_quote(gp, labels[i]);
		sb_addf(gp, " %zu", i);
		chars += strlen(labels[i]) + 2;
	}
	/* About 90 characters fit side by side under the plot at this size;
	 * more would overlap, so they are slanted (gnuplot makes room). */
	sb_adds(gp, chars > 90 ? ") scale 0 rotate by 30 right font 'Sans,11'\n" :
		    ") scale 0 font 'Sans,12'\n");
}

static const char *dir_text(const struct analyze_group *g)
{
	return g->direction == ANALYZE_LOWER ? "lower is better" : "higher is better";
}

static char *stem_for(struct plot_ctx *c, const char *host, const char *bench,
		      const char *suffix)
{
	char *key = xasprintf("%s%c%s", host, '\x1f', bench ? bench : "");
	char *pre = NULL;

	for (size_t i = 0; i < c->n_keys && !pre; i++)
		if (!strcmp(c->keys[i], key))
			pre = c->prefixes[i];
	if (!pre) {
		char *h = unique_file_name(host, c->hosts);
		char *b = bench ? unique_file_name(bench, c->benchmarks) : NULL;
		char *base = c->multi_host ? (b ? xasprintf("%s-%s", h, b) : xstrdup(h)) :
					     xstrdup(b ? b : "");
		char *cand = xstrdup(base);

		/* A clash left after hashing (a name crafted to look like
		 * another's sanitised form): number it. */
		for (int n = 2;; n++) {
			int clash = 0;

			for (size_t i = 0; i < c->n_keys && !clash; i++)
				clash = !strcmp(c->prefixes[i], cand);
			if (!clash)
				break;
			free(cand);
			cand = xasprintf("%s%s%d", base, *base ? "-" : "", n);
		}
		c->keys = xrealloc(c->keys, (c->n_keys + 1) * sizeof(*c->keys));
		c->prefixes = xrealloc(c->prefixes,
				       (c->n_keys + 1) * sizeof(*c->prefixes));
		c->keys[c->n_keys] = key;
		c->prefixes[c->n_keys++] = pre = cand;
		key = NULL;
		free(base);
		free(h);
		free(b);
	}
	free(key);
	return *pre ? xasprintf("%s-%s", pre, suffix) : xstrdup(suffix);
}

static int write_pair(struct plot_ctx *c, const char *stem, struct sb *gp,
		      struct sb *dat)
{
	char *p = xasprintf("%s/%s.gp", c->workdir, stem);
	int ret = vb_write_file_atomic(p, gp->buf, gp->len, 0644);

	free(p);
	if (ret < 0)
		return ret;
	p = xasprintf("%s/%s.dat", c->workdir, stem);
	ret = vb_write_file_atomic(p, dat->buf ? dat->buf : "", dat->len, 0644);
	free(p);
	return ret;
}

/* ---- the figures -------------------------------------------------------- */

/* (a) mean with 95 % CI per platform, bars from zero. */
static int fig_means(struct plot_ctx *c, const struct analyze_group *g, size_t n)
{
	struct sb gp = SB_INIT, dat = SB_INIT;
	char **labels = xcalloc(n + 1, sizeof(*labels));
	char *stem = stem_for(c, g[0].host, g[0].benchmark, "means");
	char num[64];
	int ret;

	sb_adds(&dat, "# x platform_index mean ci95_lo ci95_hi colour label_y label n\n");
	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		double top = analyze_have(x->ci95_hi) ? x->ci95_hi : x->mean;

		labels[i] = xstrdup(x->platform);
		sb_addf(&dat, "%zu %zu", i, i);
		dat_num(&dat, x->mean);
		dat_num(&dat, x->ci95_lo);
		dat_num(&dat, x->ci95_hi);
		sb_addf(&dat, " %ld", colour_int(plot_platform_colour(x->platform,
								      c->platforms)));
		dat_num(&dat, top);
		sb_addf(&dat, " \"%s\" %zu\n", analyze_fmt_num(x->mean, num, sizeof(num)), x->n);
	}

	gp_begin(c, &gp, stem, "mean with 95% confidence interval per platform");
	{
		char *t = xasprintf("%s: mean with 95%% confidence interval", g[0].benchmark);

		gp_title(c, &gp, "set title", t, g[0].host);
		free(t);
	}
	{
		char *y = xasprintf("%s (%s)", g[0].unit, dir_text(&g[0]));

		sb_adds(&gp, "set ylabel ");
		plot_gp_quote(&gp, y);
		sb_adds(&gp, "\n");
		free(y);
	}
	gp_xtics(&gp, labels, n);
	if (n > 5) /* long names would run into each other */
		sb_adds(&gp, "set xtics rotate by 20 right\n");
	sb_addf(&gp, "set xrange [-0.6:%zu.6]\n", n - 1);
	sb_adds(&gp, "set yrange [0:*]\nset offsets 0, 0, graph 0.15, 0\n"
		     "set format y '%.6g'\nset key off\n"
		     "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.6\n");
	for (size_t i = 0; i < n; i++)
		if (g[i].n == 0)
			sb_addf(&gp, "set label 'all failed' at %zu, graph 0.04 center textcolor rgb '#aa0000'\n", i);
	sb_addf(&gp,
		"plot '%s.dat' using 1:3:6 with boxes lc rgb variable, \\\n"
		"     '' using 1:3:4:5:3 with candlesticks lc rgb '#000000' lw 2 whiskerbars 0.5 fs empty, \\\n"
		"     '' using 1:7:(sprintf(\"%%s\\nn=%%d\", strcol(8), int($9))) with labels offset 0,1.9 font 'Sans,11'\n",
		stem);
	gp_end(&gp);

	ret = write_pair(c, stem, &gp, &dat);
	if (ret == 0)
		add_figure(c, PLOT_MEANS, g[0].host, g[0].benchmark, stem,
			   xasprintf("Mean %s per platform with its 95%% confidence interval (Student t); %s.",
				     g[0].unit, dir_text(&g[0])));
	vb_strv_free(labels);
	free(stem);
	sb_release(&gp);
	sb_release(&dat);
	return ret;
}

/* Log-axis range that holds 1 (the baseline) and every point and bound. */
static void speedup_range(double *lo, double *hi, double v)
{
	if (!analyze_have(v) || v <= 0)
		return;
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

/*
 * Labelled tics for a log axis from lo to hi. gnuplot labels only powers
 * of ten, which leaves a 0.05-20 range with two labels and a 0.9-1.1 range
 * with one; pick 1-2-5 steps for wide ranges, finer ones for narrow.
 */
static void gp_log_tics(struct sb *gp, double lo, double hi)
{
	static const double wide[] = { 1, 2, 5 };
	static const double mid[] = { 1, 1.5, 2, 3, 5, 7 };
	const double *m = wide;
	size_t nm = 3, k = 0;

	sb_adds(gp, "set ytics (");
	if (hi / lo <= 3) {
		/* Linear steps look even enough within a factor of 3. */
		static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1 };
		double step = 1;

		for (size_t i = 0; i < VB_ARRAY_SIZE(steps); i++) {
			if ((hi - lo) / steps[i] <= 10) {
				step = steps[i];
				break;
			}
		}
		for (double v = ceil(lo / step) * step; v <= hi; v += step) {
			double r = round(v / step) * step;

			sb_addf(gp, "%s'%g' %g", k++ ? ", " : "", r, r);
		}
		sb_adds(gp, ")\n");
		return;
	}
	if (hi / lo <= 30) {
		m = mid;
		nm = 6;
	}
	for (int e = (int)floor(log10(lo)) - 1; e <= (int)ceil(log10(hi)); e++) {
		for (size_t i = 0; i < nm; i++) {
			double v = m[i] * pow(10, e);

			if (v < lo || v > hi)
				continue;
			sb_addf(gp, "%s'%g' %.10g", k++ ? ", " : "", v, v);
		}
	}
	sb_adds(gp, ")\n");
}

/* (b) speedup against the baseline with Fieller's CI, log axis. */
static int fig_speedup(struct plot_ctx *c, const struct analyze_group *g, size_t n)
{
	struct sb gp = SB_INIT, dat = SB_INIT;
	char **labels = xcalloc(n + 1, sizeof(*labels));
	char *stem = NULL;
	size_t k = 0;
	double lo = 1, hi = 1;
	char buf[128];
	int ret = 0;

	sb_adds(&dat, "# x speedup ci95_lo ci95_hi colour ratio interval\n");
	for (size_t i = 0; i < n; i++) {
		const struct analyze_vs *vs = &g[i].vs_baseline;
		int have_ci = vs->ci_bounded && analyze_have(vs->ci_lo) &&
			      analyze_have(vs->ci_hi) && vs->ci_lo > 0; /* log axis */

		if (g[i].is_baseline || !vs->present || !analyze_have(vs->speedup) ||
		    vs->speedup <= 0)
			continue;
		labels[k] = xstrdup(g[i].platform);
		sb_addf(&dat, "%zu", k);
		dat_num(&dat, vs->speedup);
		/* Without a finite interval the bar collapses onto the point
		 * and the label says why. */
		dat_num(&dat, have_ci ? vs->ci_lo : vs->speedup);
		dat_num(&dat, have_ci ? vs->ci_hi : vs->speedup);
		{
			/* "0.854× [0.838, 0.870]" as two lines: the ratio,
			 * then its interval, centred over the point. */
			char *sp = analyze_fmt_speedup(vs, buf, sizeof(buf));
			char *br = strstr(sp, " [");

			if (br)
				*br = '\0';
			sb_addf(&dat, " %ld \"%s\" \"%s\"\n",
				colour_int(plot_platform_colour(g[i].platform, c->platforms)),
				sp, br ? br + 1 : "");
		}
		speedup_range(&lo, &hi, vs->speedup);
		if (have_ci) {
			speedup_range(&lo, &hi, vs->ci_lo);
			speedup_range(&lo, &hi, vs->ci_hi);
		}
		k++;
	}
	if (k == 0)
		goto cleanup; /* nothing to compare: no figure */

	stem = stem_for(c, g[0].host, g[0].benchmark, "speedup");
	gp_begin(c, &gp, stem, "speed relative to the baseline, 95% Fieller interval, log axis");
	{
		char *t = xasprintf("%s: speed relative to %s (95%% CI)",
				    g[0].benchmark, c->set->baseline);
		char *y = xasprintf("× %s (log scale; >1 = faster)", c->set->baseline);

		gp_title(c, &gp, "set title", t, g[0].host);
		sb_adds(&gp, "set ylabel ");
		plot_gp_quote(&gp, y);
		sb_adds(&gp, "\n");
		free(t);
		free(y);
	}
	gp_xtics(&gp, labels, k);
	sb_addf(&gp, "set xrange [-0.6:%zu.6]\n", k - 1);
	{
		/* Headroom above the highest interval for its two-line
		 * label: a share of the log span. */
		double span;

		lo = fmin(lo, 0.9);
		hi = fmax(hi, 1.1);
		span = log(hi / lo);
		lo = lo / exp(0.06 * span) / 1.1;
		hi = hi * exp(0.2 * span) * 1.15;
	}
	sb_addf(&gp, "set logscale y\nset yrange [%.6g:%.6g]\nset key off\n"
		     "set style textbox opaque noborder margins 1,1\nset rmargin 9\n", lo, hi);
	gp_log_tics(&gp, lo, hi);
	{
		char *l = xasprintf("%s", c->set->baseline);

		sb_adds(&gp, "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#555555'\n"
			     "set label ");
		plot_gp_quote(&gp, l);
		sb_adds(&gp, " at graph 1, first 1 offset 0.5,0 left textcolor rgb '#555555'\n");
		free(l);
	}
	sb_addf(&gp,
		"plot '%s.dat' using 1:2:3:4:5 with yerrorbars lc rgb variable lw 2.5 pt 7 ps 1.6, \\\n"
		"     '' using 1:4:(sprintf(\"%%s\\n%%s\", strcol(6), strcol(7))) with labels boxed offset 0,2 font 'Sans,11'\n",
		stem);
	gp_end(&gp);
	ret = write_pair(c, stem, &gp, &dat);
	if (ret == 0)
		add_figure(c, PLOT_SPEEDUP, g[0].host, g[0].benchmark, stem,
			   xasprintf("Speed relative to %s with the 95%% Fieller interval of the ratio of means, on a log axis (above 1 = faster than %s).",
				     c->set->baseline, c->set->baseline));
cleanup:
	vb_strv_free(labels);
	free(stem);
	sb_release(&gp);
	sb_release(&dat);
	return ret;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A double's bits as an unsigned key in the same order. */
static uint64_t dbl_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u & 0x8000000000000000ULL ? ~u : u | 0x8000000000000000ULL;
}

/* Sorts v ascending exactly as qsort with dbl_cmp does (a box plot's
 * quartiles from every sample: a million values per report): LSD radix
 * sort, 16 bits a pass, passes whose digit is the same for every value
 * skipped. Values the two orders could place differently (-0 beside +0,
 * NaN) go to qsort. */
static void sort_doubles(double *v, size_t n)
{
	uint64_t *k = xmalloc(2 * (n ? n : 1) * sizeof(*k)), *a = k, *b = k + n;
	size_t *count = NULL;

	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]) || (v[i] == 0 && signbit(v[i]))) {
			free(k);
			qsort(v, n, sizeof(*v), dbl_cmp);
			return;
		}
		a[i] = dbl_key(v[i]);
	}
	count = xmalloc(65536 * sizeof(*count));
	for (int shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		uint64_t *t;

		memset(count, 0, 65536 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[a[i] >> shift & 0xffff]++;
		if (n && count[a[0] >> shift & 0xffff] == n)
			continue;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			b[count[a[i] >> shift & 0xffff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u = a[i] & 0x8000000000000000ULL ? a[i] & ~0x8000000000000000ULL : ~a[i];

		memcpy(&v[i], &u, sizeof(u));
	}
	free(count);
	free(k);
}

/* A deterministic jitter in [-0.28, 0.28] (splitmix64 of the index), so
 * the same data always gives the same picture. */
static double jitter(uint64_t i)
{
	uint64_t z = i + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) / (double)(1ULL << 53) - 0.5) * 0.56;
}

/* A 1-2-5 tic step giving at most about want intervals over [lo, hi]:
 * gnuplot's automatic tics assume a full-height plot and crowd small
 * multiplot panels. */
static double nice_step(double lo, double hi, int want)
{
	double range = hi - lo, raw, mag, f;

	if (!(range > 0))
		range = fabs(hi) > 0 ? fabs(hi) * 0.02 : 1;
	raw = range * 1.1 / want;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* (c) every sample per platform: box plot from all values plus a strip. */
static int fig_samples(struct plot_ctx *c, const struct analyze_group *g, size_t n)
{
	struct sb gp = SB_INIT, dat = SB_INIT;
	char *stem = stem_for(c, g[0].host, g[0].benchmark, "samples");
	int rows = n > 8 ? 3 : n > 4 ? 2 : 1, cols = (int)((n + rows - 1) / rows);
	int thinned = 0, ret;

	/* Blocks: 2i = strip points (x, value, outlier), 2i+1 = box
	 * (x, q1, whisker_lo, whisker_hi, q3, median). */
	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		size_t step = x->n_values > PLOT_STRIP_MAX ?
			      (x->n_values + PLOT_STRIP_MAX - 1) / PLOT_STRIP_MAX : 1;
		double *s;

		if (step > 1)
			thinned = 1;
		sb_addf(&dat, "# %zu: strip (x value outlier)\n", i);
		/* An even subsample, plus every outlier: those are what a
		 * reader looks for in a strip. */
		for (size_t j = 0; j < x->n_values; j++) {
			int out = x->outlier ? x->outlier[j] : 0;

			if (j % step == 0 || out)
				sb_addf(&dat, "%.4f %.10g %d\n", jitter(j),
					x->values[j], out);
		}
		if (!x->n_values)
			sb_adds(&dat, "NaN NaN 0\n");
		sb_addf(&dat, "\n\n# %zu: box (x q1 whisker_lo whisker_hi q3 median)\n", i);
		if (x->n_values) {
			struct analyze_fences f;
			double wlo = NAN, whi = NAN, med, q1, q3;

			s = xmalloc(x->n_values * sizeof(*s));
			memcpy(s, x->values, x->n_values * sizeof(*s));
			sort_doubles(s, x->n_values);
			q1 = analyze_quantile_sorted(s, x->n_values, 0.25);
			q3 = analyze_quantile_sorted(s, x->n_values, 0.75);
			med = analyze_median_sorted(s, x->n_values);
			analyze_tukey_fences(s, x->n_values, &f);
			/* Whiskers reach the most extreme values inside the
			 * 1.5 IQR fences (all values when n < 4). */
			for (size_t j = 0; j < x->n_values; j++) {
				if (analyze_have(f.lo_mild) && (s[j] < f.lo_mild || s[j] > f.hi_mild))
					continue;
				if (!analyze_have(wlo))
					wlo = s[j];
				whi = s[j];
			}
			sb_adds(&dat, "0");
			dat_num(&dat, q1);
			dat_num(&dat, wlo);
			dat_num(&dat, whi);
			dat_num(&dat, q3);
			dat_num(&dat, med);
			sb_adds(&dat, "\n");
			free(s);
		} else {
			sb_adds(&dat, "0 NaN NaN NaN NaN NaN\n");
		}
		sb_adds(&dat, "\n\n");
	}

	gp_begin(c, &gp, stem, "every sample per platform: box plot and jittered strip");
	sb_addf(&gp, "set multiplot layout %d,%d ", rows, cols);
	{
		struct sb t = SB_INIT;

		sb_addf(&t, "%s, %s: every sample (box: quartiles, whiskers: 1.5 IQR, ○: outlier)",
			g[0].benchmark, g[0].unit);
		gp_title(c, &gp, "title", t.buf, g[0].host);
		sb_release(&t);
	}
	if (rows > 1) /* small panels: smaller tic labels, fewer collisions */
		sb_adds(&gp, "set tics font 'Sans,10'\n");
	sb_adds(&gp, "set key off\nunset xtics\nset xrange [-0.5:0.5]\n"
		     "set boxwidth 0.5\nset style fill empty\nset format y '%.5g'\n"
		     "set offsets 0, 0, graph 0.05, graph 0.05\n");
	for (size_t i = 0; i < n; i++) {
		const char *col = plot_platform_colour(g[i].platform, c->platforms);
		size_t step = g[i].n_values > PLOT_STRIP_MAX ?
			      (g[i].n_values + PLOT_STRIP_MAX - 1) / PLOT_STRIP_MAX : 1;
		char *t = step > 1 ?
			  xasprintf("%s (n=%zu, strip %zu)", g[i].platform,
				    g[i].n, (g[i].n_values + step - 1) / step) :
			  xasprintf("%s (n=%zu)", g[i].platform, g[i].n);

		sb_adds(&gp, "set title ");
		plot_gp_quote(&gp, t);
		sb_addf(&gp, " textcolor rgb '%s' font 'Sans,12'\n", col);
		free(t);
		sb_adds(&gp, "unset label\n");
		if (!g[i].n_values)
			sb_adds(&gp, "set label 'all failed' at 0, graph 0.5 center textcolor rgb '#aa0000'\n"
				     "set yrange [0:1]\nunset ytics\n");
		else
			sb_addf(&gp, "set yrange [*:*]\nset ytics %.10g\n",
				nice_step(g[i].min, g[i].max, rows == 1 ? 7 : rows == 2 ? 4 : 3));
		sb_addf(&gp,
			"plot '%s.dat' index %zu using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \\\n"
			"     '' index %zu using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \\\n"
			"     '' index %zu using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60%s', \\\n"
			"     '' index %zu using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '%s'\n",
			stem, 2 * i + 1, 2 * i + 1, 2 * i, col + 1, 2 * i, col);
	}
	sb_adds(&gp, "unset multiplot\n");
	gp_end(&gp);
	ret = write_pair(c, stem, &gp, &dat);
	if (ret == 0)
		add_figure(c, PLOT_SAMPLES, g[0].host, g[0].benchmark, stem,
			   xasprintf("Every successful sample per platform, each panel on its own %s scale: box = quartiles and median, whiskers = most extreme values within 1.5 IQR, open circles = Tukey outliers%s.",
				     g[0].unit, thinned ? "; large samples are thinned evenly in the strip (every outlier kept), the box uses all values" : ""));
	free(stem);
	sb_release(&gp);
	sb_release(&dat);
	return ret;
}

/* (d) samples in run order relative to the platform's mean (drift). */
static int fig_drift(struct plot_ctx *c, const struct analyze_group *g, size_t n)
{
	struct sb gp = SB_INIT, dat = SB_INIT;
	char *stem = stem_for(c, g[0].host, g[0].benchmark, "drift");
	int binned = 0, ret;
	size_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		size_t per = x->n_values > PLOT_DRIFT_MAX ?
			     (x->n_values + PLOT_DRIFT_MAX - 1) / PLOT_DRIFT_MAX : 1;

		if (per > 1)
			binned = 1;
		sb_addf(&dat, "# %zu: sample_index percent_of_mean\n", i);
		for (size_t j = 0; j < x->n_values; j += per) {
			double sum = 0;
			size_t m = 0;

			for (size_t q = j; q < x->n_values && q < j + per; q++, m++)
				sum += x->values[q];
			sb_addf(&dat, "%.1f", j + 1 + (m - 1) / 2.0);
			dat_num(&dat, analyze_have(x->mean) && x->mean != 0 ?
					      100.0 * (sum / (double)m) / x->mean : NAN);
			sb_adds(&dat, "\n");
		}
		if (!x->n_values)
			sb_adds(&dat, "NaN NaN\n");
		else
			shown++;
		sb_adds(&dat, "\n\n");
	}

	gp_begin(c, &gp, stem, "samples in run order relative to each platform's mean (drift)");
	{
		char *t = xasprintf("%s: samples in run order (drift)%s", g[0].benchmark,
				    binned ? "; points are means of consecutive samples" : "");

		gp_title(c, &gp, "set title", t, g[0].host);
		free(t);
	}
	sb_adds(&gp, "set xlabel 'sample number (runs by start time, then repetition)'\n"
		     "set ylabel '% of the platform''s mean'\n"
		     "set format y '%g'\nset offsets 0, 0, graph 0.05, graph 0.05\n"
		     "set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lc rgb '#555555'\n");
	/* The key sits under the x label, three entries to a row; the
	 * bottom margin grows with its rows so the two never overlap. */
	sb_addf(&gp, "set key at screen 0.5, screen 0.01 center bottom horizontal maxcols 3 font 'Sans,11'\n"
		     "set bmargin %zu\n", 5 + (shown + 2) / 3);
	{
		size_t maxn = 1;

		for (size_t i = 0; i < n; i++)
			if (g[i].n_values > maxn)
				maxn = g[i].n_values;
		sb_addf(&gp, "set xrange [0.5:%zu.5]\n", maxn);
		if (maxn <= 20)
			sb_adds(&gp, "set xtics 1\n");
	}
	if (!shown) {
		sb_adds(&gp, "set label 'no successful sample' at graph 0.5, graph 0.5 center\n"
			     "set xrange [0:1]\nset yrange [0:1]\nplot NaN notitle\n");
	} else {
		sb_adds(&gp, "plot ");
		for (size_t i = 0, k = 0; i < n; i++) {
			struct sb t = SB_INIT;
			const struct analyze_drift *d = &g[i].drift;

			if (!g[i].n_values)
				continue;
			sb_adds(&t, g[i].platform);
			if (d->tested)
				sb_addf(&t, " (ρ=%.2f%s)", d->rho,
					d->significant ? ", drift" : "");
			sb_addf(&gp, "%s'%s.dat' index %zu using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb '%s' title ",
				k++ ? ", \\\n     " : "", stem, i,
				plot_platform_colour(g[i].platform, c->platforms));
			plot_gp_quote(&gp, t.buf);
			sb_release(&t);
		}
		sb_adds(&gp, "\n");
	}
	gp_end(&gp);
	ret = write_pair(c, stem, &gp, &dat);
	if (ret == 0)
		add_figure(c, PLOT_DRIFT, g[0].host, g[0].benchmark, stem,
			   xasprintf("Samples in the order they were taken, as a percentage of each platform's mean; a trend means drift (Spearman ρ in the key)%s.",
				     binned ? "; with many samples each point is the mean of consecutive samples" : ""));
	free(stem);
	sb_release(&gp);
	sb_release(&dat);
	return ret;
}

/* One host's overview: every benchmark x every platform against the
 * baseline, points with CIs, clustered per benchmark. */
static int fig_overview(struct plot_ctx *c, const struct analyze_group *g, size_t n)
{
	struct sb gp = SB_INIT, dat = SB_INIT;
	char **benches = NULL, **plats = NULL;
	size_t nb = 0, np = 0;
	char *stem = NULL;
	double lo = 1, hi = 1;
	int ret = 0;

	/* Benchmarks in set order, platforms (non-baseline, comparable) sorted. */
	for (size_t i = 0; i < n; i++) {
		if (!nb || strcmp(benches[nb - 1], g[i].benchmark) != 0) {
			benches = xrealloc(benches, (nb + 2) * sizeof(*benches));
			benches[nb++] = xstrdup(g[i].benchmark);
			benches[nb] = NULL;
		}
		if (g[i].is_baseline || !g[i].vs_baseline.present ||
		    !analyze_have(g[i].vs_baseline.speedup))
			continue;
		if (!plats || !vb_strv_contains(plats, g[i].platform)) {
			plats = xrealloc(plats, (np + 2) * sizeof(*plats));
			plats[np++] = xstrdup(g[i].platform);
			plats[np] = NULL;
		}
	}
	if (!np)
		goto cleanup;
	qsort(plats, np, sizeof(*plats), str_cmp);

	for (size_t p = 0; p < np; p++) {
		double off = np > 1 ? ((double)p - (np - 1) / 2.0) * (0.7 / np) : 0;

		sb_addf(&dat, "# %s: x speedup ci95_lo ci95_hi\n", plats[p]);
		for (size_t i = 0; i < n; i++) {
			const struct analyze_vs *vs = &g[i].vs_baseline;
			size_t b;

			if (strcmp(g[i].platform, plats[p]) != 0 || !vs->present ||
			    !analyze_have(vs->speedup) || vs->speedup <= 0)
				continue;
			for (b = 0; b < nb && strcmp(benches[b], g[i].benchmark); b++)
				;
			int have_ci = vs->ci_bounded && analyze_have(vs->ci_lo) &&
				      analyze_have(vs->ci_hi) && vs->ci_lo > 0;

			sb_addf(&dat, "%.4f", b + off);
			dat_num(&dat, vs->speedup);
			dat_num(&dat, have_ci ? vs->ci_lo : vs->speedup);
			dat_num(&dat, have_ci ? vs->ci_hi : vs->speedup);
			sb_adds(&dat, "\n");
			speedup_range(&lo, &hi, vs->speedup);
			if (have_ci) {
				speedup_range(&lo, &hi, vs->ci_lo);
				speedup_range(&lo, &hi, vs->ci_hi);
			}
		}
		sb_adds(&dat, "\n\n");
	}

	stem = stem_for(c, g[0].host, NULL, "overview");
	gp_begin(c, &gp, stem, "overview: speed of every platform relative to the baseline, per benchmark");
	{
		char *t = xasprintf("Speed relative to %s, every benchmark (95%% CI)",
				    c->set->baseline);
		char *y = xasprintf("× %s (log scale; >1 = faster)", c->set->baseline);

		gp_title(c, &gp, "set title", t, g[0].host);
		sb_adds(&gp, "set ylabel ");
		plot_gp_quote(&gp, y);
		sb_adds(&gp, "\n");
		free(t);
		free(y);
	}
	gp_xtics(&gp, benches, nb);
	sb_addf(&gp, "set xrange [-0.6:%zu.6]\n", nb - 1);
	lo = fmin(lo, 0.9) / 1.4;
	hi = fmax(hi, 1.1) * 1.8; /* room for the baseline label */
	sb_addf(&gp, "set logscale y\nset yrange [%.6g:%.6g]\n", lo, hi);
	gp_log_tics(&gp, lo, hi);
	sb_adds(&gp, "set key outside right top vertical font 'Sans,12'\n"
		     "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#555555'\n");
	{
		char *l = xasprintf("%s = 1", c->set->baseline);

		sb_adds(&gp, "set label ");
		plot_gp_quote(&gp, l);
		sb_adds(&gp, " at graph 0.005, first 1 offset 0,0.6 left textcolor rgb '#555555' font 'Sans,10'\n");
		free(l);
	}
	for (size_t b = 1; b < nb; b++)
		sb_addf(&gp, "set arrow from %zu.5, graph 0 to %zu.5, graph 1 nohead lc rgb '#eeeeee'\n",
			b - 1, b - 1);
	sb_adds(&gp, "plot ");
	for (size_t p = 0; p < np; p++) {
		sb_addf(&gp, "%s'%s.dat' index %zu using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '%s' title ",
			p ? ", \\\n     " : "", stem, p,
			plot_platform_colour(plats[p], c->platforms));
		plot_gp_quote(&gp, plats[p]);
	}
	sb_adds(&gp, "\n");
	gp_end(&gp);
	ret = write_pair(c, stem, &gp, &dat);
	if (ret == 0)
		add_figure(c, PLOT_OVERVIEW, g[0].host, NULL, stem,
			   xasprintf("Every platform's speed relative to %s on every benchmark, 95%% Fieller intervals, log axis.",
				     c->set->baseline));
cleanup:
	vb_strv_free(benches);
	vb_strv_free(plats);
	free(stem);
	sb_release(&gp);
	sb_release(&dat);
	return ret;
}

/* ---- rendering ---------------------------------------------------------- */

/* 1 if an executable "gnuplot" is on PATH. */
static int have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char **dirs = vb_split(path ? path : "/usr/bin:/bin", ':');
	int found = 0;

	for (size_t i = 0; dirs[i] && !found; i++) {
		char *p = xasprintf("%s/gnuplot", dirs[i]);

		found = access(p, X_OK) == 0;
		free(p);
	}
	vb_strv_free(dirs);
	return found;
}

/* One gnuplot process rendering figures [fig, fig + nfig) in order. */
struct job {
	struct run_cmd cmd;
	const char **argv;
	char **scripts, *log;
	size_t fig, nfig;
};

/*
 * Starts one gnuplot in the private work directory (where every file is
 * made, then renamed into figdir) on the scripts of figures [first, first + n),
 * separated by "reset session" so each starts from gnuplot's defaults, as
 * it would in a process of its own (the figures come out byte for byte the
 * same); stdout discarded, stderr to the first figure's STEM.log. Several
 * figures per process save gnuplot's start-up (fonts, terminals) for each.
 * Returns 0, or -1 after reporting.
 */
static int spawn_gnuplot(struct job *j, struct plot_ctx *c, size_t first, size_t n)
{
	size_t a = 0;

	j->fig = first;
	j->nfig = n;
	j->scripts = xcalloc(n, sizeof(*j->scripts));
	j->argv = xcalloc(3 * n + 1, sizeof(*j->argv));
	j->argv[a++] = "gnuplot";
	for (size_t i = 0; i < n; i++) {
		const char *stem = strrchr(c->res->figs[first + i].base, '/') + 1;

		if (i) {
			j->argv[a++] = "-e";
			j->argv[a++] = "reset session";
		}
		j->scripts[i] = xasprintf("%s.gp", stem);
		j->argv[a++] = j->scripts[i];
		if (!i)
			j->log = xasprintf("%s/%s.log", c->workdir, stem);
	}
	j->argv[a] = NULL;
	j->cmd = (struct run_cmd)RUN_CMD_INIT;
	j->cmd.argv = j->argv;
	j->cmd.dir = c->workdir;
	j->cmd.err = RUN_OUT_FILE;
	j->cmd.err_path = j->log;
	if (run_start(&j->cmd) < 0) {
		vb_error("cannot start gnuplot for %s/%s", c->figdir, j->scripts[0]);
		return -1;
	}
	return 0;
}

static void job_release(struct job *j)
{
	for (size_t i = 0; j->scripts && i < j->nfig; i++)
		free(j->scripts[i]);
	free(j->scripts);
	free(j->argv);
	free(j->log);
	j->scripts = NULL;
	j->argv = NULL;
	j->log = NULL;
}

static int file_nonempty(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0;
}

/* 1 if every requested output file of the figure exists and is not empty. */
static int outputs_present(struct plot_ctx *c, const struct plot_figure *f)
{
	const char *stem = strrchr(f->base, '/') + 1;
	int ok = 1;

	for (unsigned fmt = PLOT_FMT_PNG; ok && fmt <= PLOT_FMT_SVG; fmt <<= 1) {
		char *out;

		if (!(c->res->formats & fmt))
			continue;
		out = xasprintf("%s/%s.%s", c->workdir, stem, fmt == PLOT_FMT_PNG ? "png" : "svg");
		ok = file_nonempty(out);
		free(out);
	}
	return ok;
}

/* Checks one finished child of one figure: exit status and every output
 * file. */
static int finish_job(struct plot_ctx *c, struct plot_figure *f,
		      const struct run_result *rr)
{
	const char *stem = strrchr(f->base, '/') + 1;
	char *log = xasprintf("%s/%s.log", c->workdir, stem);
	char *shown = xasprintf("%s/%s.log", c->figdir, stem);
	int ok = rr->exit_status == 0 && outputs_present(c, f);
	int ret = 0;

	if (ok) {
		f->rendered = 1;
		unlink(log);
	} else {
		struct sb err = SB_INIT;
		char *nl;

		sb_read_file(&err, log);
		nl = err.buf ? strchr(err.buf, '\n') : NULL;
		/* gnuplot's first lines name the script line; enough to act on. */
		if (nl && strchr(nl + 1, '\n'))
			*strchr(nl + 1, '\n') = '\0';
		ret = vb_error("%s/%s.gp: gnuplot failed (%s %d)%s%s (full log: %s)",
			       c->figdir, stem,
			       rr->signal ? "signal" : "exit",
			       rr->signal ? rr->signal : rr->exit_status,
			       err.len ? ": " : "", err.len ? err.buf : "", shown);
		sb_release(&err);
	}
	free(log);
	free(shown);
	return ret;
}

/* Runs one job and waits for it: the fallback that renders the figures of
 * a failed batch one by one, so the failure is reported for its figure. */
static int render_one(struct plot_ctx *c, size_t fig)
{
	struct job j = { 0 };
	struct run_result rr;
	struct run_cmd *cmd = &j.cmd;
	int ret;

	if (spawn_gnuplot(&j, c, fig, 1) < 0) {
		job_release(&j);
		return -1;
	}
	if (run_wait_any(&cmd, 1, &rr) < 0) {
		job_release(&j);
		return vb_error("waiting for gnuplot failed");
	}
	c->res->gnuplot_cpu_seconds += rr.cpu_seconds;
	ret = finish_job(c, &c->res->figs[fig], &rr);
	run_result_clear(&rr);
	job_release(&j);
	return ret;
}

/* Checks a finished batch: every figure rendered, or each figure of the
 * batch rendered again on its own to find and report the one that fails. */
static int finish_batch(struct plot_ctx *c, struct job *j, const struct run_result *rr)
{
	int ok = rr->exit_status == 0 && !rr->signal, ret = 0;

	for (size_t i = 0; ok && i < j->nfig; i++)
		ok = outputs_present(c, &c->res->figs[j->fig + i]);
	if (ok) {
		for (size_t i = 0; i < j->nfig; i++)
			c->res->figs[j->fig + i].rendered = 1;
		unlink(j->log);
		return 0;
	}
	if (j->nfig == 1)
		return finish_job(c, &c->res->figs[j->fig], rr);
	unlink(j->log);
	for (size_t i = 0; i < j->nfig; i++)
		if (render_one(c, j->fig + i) < 0)
			ret = -1;
	return ret;
}

/*
 * Renders every figure: up to one gnuplot per online CPU at a time (or
 * o->jobs), each given a batch of figures. Batches are about a third of
 * an even share, so a slow batch at the end does not leave the other
 * CPUs idle for long.
 */
static int render_all(struct plot_ctx *c)
{
	struct plot_result *r = c->res;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int jobs = c->o->jobs > 0 ? c->o->jobs : (ncpu > 0 ? (int)ncpu : 1);
	struct job *running = xcalloc((size_t)jobs, sizeof(*running));
	struct run_cmd **cmds = xcalloc((size_t)jobs, sizeof(*cmds));
	size_t batch = (r->n + 3 * (size_t)jobs - 1) / (3 * (size_t)jobs);
	int nrun = 0, ret = 0;
	size_t next = 0;
	double t0 = vb_mono_time();

	if (batch < 1)
		batch = 1;
	while (next < r->n || nrun) {
		struct run_result rr;
		int i;

		while (nrun < jobs && next < r->n) {
			struct job *j = &running[nrun];
			size_t n = r->n - next < batch ? r->n - next : batch;

			memset(j, 0, sizeof(*j));
			if (spawn_gnuplot(j, c, next, n) < 0) {
				job_release(j);
				ret = -1;
				next += n;
				continue;
			}
			next += n;
			nrun++;
		}
		if (!nrun)
			continue;
		for (i = 0; i < nrun; i++)
			cmds[i] = &running[i].cmd;
		i = run_wait_any(cmds, (size_t)nrun, &rr);
		if (i < 0) {
			ret = vb_error("waiting for gnuplot failed");
			break;
		}
		r->gnuplot_cpu_seconds += rr.cpu_seconds;
		if (finish_batch(c, &running[i], &rr) < 0)
			ret = -1;
		run_result_clear(&rr);
		job_release(&running[i]);
		/* run.c keeps no pointer to a run_cmd between calls, so a
		 * job may move; its argv moves with it. */
		running[i] = running[--nrun];
		running[i].cmd.argv = running[i].argv;
	}
	for (int i = 0; i < nrun; i++) {
		run_stop(&running[i].cmd, 0, NULL);
		job_release(&running[i]);
	}
	r->render_seconds = vb_mono_time() - t0;
	free(cmds);
	free(running);
	return ret;
}

/* Renames every file made in the private directory into the figures
 * directory; rename() replaces a link planted there instead of following
 * it. Returns 0, or -1 after reporting. */
static int move_into_place(struct plot_ctx *c)
{
	static const char *const ext[] = { "gp", "dat", "png", "svg", "log" };
	int ret = 0;

	for (size_t i = 0; i < c->res->n; i++) {
		struct plot_figure *f = &c->res->figs[i];
		const char *stem = strrchr(f->base, '/') + 1;

		for (size_t k = 0; k < VB_ARRAY_SIZE(ext); k++) {
			char *from = xasprintf("%s/%s.%s", c->workdir, stem, ext[k]);
			char *to = xasprintf("%s/%s.%s", c->figdir, stem, ext[k]);

			if (rename(from, to) < 0 && errno != ENOENT) {
				ret = vb_error("cannot move %s to %s: %s", from, to,
					       strerror(errno));
				/* What is not in place was not produced. */
				if (k >= 2)
					f->rendered = 0;
			}
			free(from);
			free(to);
		}
	}
	return ret;
}

/* ---- entry point -------------------------------------------------------- */

int plot_write(const struct analyze_set *set, const struct plot_opts *o,
	       struct plot_result **out)
{
	struct plot_ctx c = { .set = set, .o = o };
	size_t np = 0;
	int ret = 0;
	double t0 = vb_mono_time();

	*out = NULL;
	c.res = xcalloc(1, sizeof(*c.res));
	c.res->formats = o->formats ? o->formats : (PLOT_FMT_PNG | PLOT_FMT_SVG);
	if (vb_path_check("--out", o->out_dir ? o->out_dir : ".") < 0) {
		ret = -1;
		goto cleanup;
	}
	c.figdir = xasprintf("%s/figures", o->out_dir ? o->out_dir : ".");
	if (vb_mkdir_p(c.figdir, 0755) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* Everything is made in a private directory and renamed into place:
	 * gnuplot opens its outputs by name, and a link planted at one (in a
	 * shared output folder) would have it write through the link. */
	c.workdir = xasprintf("%s/.plot-XXXXXX", c.figdir);
	if (!mkdtemp(c.workdir)) {
		vb_error("cannot create a directory in %s: %s", c.figdir,
			 strerror(errno));
		free(c.workdir);
		c.workdir = NULL;
		ret = -1;
		goto cleanup;
	}

	/* Every platform name, sorted, for stable colours; hosts present. */
	c.platforms = xcalloc(set->n_groups + 1, sizeof(*c.platforms));
	c.hosts = xcalloc(set->n_groups + 1, sizeof(*c.hosts));
	c.benchmarks = xcalloc(set->n_groups + 1, sizeof(*c.benchmarks));
	for (size_t i = 0, nh = 0, nb = 0; i < set->n_groups; i++) {
		if (!vb_strv_contains(c.hosts, set->groups[i].host))
			c.hosts[nh++] = xstrdup(set->groups[i].host);
		if (!vb_strv_contains(c.benchmarks, set->groups[i].benchmark))
			c.benchmarks[nb++] = xstrdup(set->groups[i].benchmark);
		if (!vb_strv_contains(c.platforms, set->groups[i].platform))
			c.platforms[np++] = xstrdup(set->groups[i].platform);
		if (strcmp(set->groups[i].host, set->groups[0].host) != 0)
			c.multi_host = 1;
	}
	qsort(c.platforms, np, sizeof(*c.platforms), str_cmp);

	/* Groups are sorted by host, benchmark, platform: walk the runs. */
	for (size_t h = 0; h < set->n_groups;) {
		size_t he = h;

		while (he < set->n_groups &&
		       strcmp(set->groups[he].host, set->groups[h].host) == 0)
			he++;
		for (size_t b = h; b < he;) {
			size_t be = b;

			size_t ok = 0;

			while (be < he && strcmp(set->groups[be].benchmark,
						 set->groups[b].benchmark) == 0)
				ok += set->groups[be++].n;
			/* every sample failed (an imported run that exited
			 * non-zero): nothing to draw, and gnuplot refuses to */
			if (!ok) {
				b = be;
				continue;
			}
			if (fig_means(&c, &set->groups[b], be - b) < 0 ||
			    fig_speedup(&c, &set->groups[b], be - b) < 0 ||
			    fig_samples(&c, &set->groups[b], be - b) < 0 ||
			    fig_drift(&c, &set->groups[b], be - b) < 0) {
				ret = -1;
				goto cleanup;
			}
			b = be;
		}
		if (fig_overview(&c, &set->groups[h], he - h) < 0) {
			ret = -1;
			goto cleanup;
		}
		h = he;
	}
	c.res->write_seconds = vb_mono_time() - t0;

	if (!o->render || !c.res->n)
		goto cleanup;
	if (!have_gnuplot()) {
		vb_error("gnuplot not found on PATH: %zu figure scripts written to %s but not rendered;\n"
			 "render them with: cd %s && for f in *.gp; do gnuplot \"$f\"; done\n"
			 "(install it with: apt-get install gnuplot-nox)",
			 c.res->n, c.figdir, c.figdir);
		ret = PLOT_ERR_NO_GNUPLOT;
		goto cleanup;
	}
	if (render_all(&c) < 0)
		ret = -1;
cleanup:
	if (c.workdir && move_into_place(&c) < 0 && ret == 0)
		ret = -1;
	if (c.workdir)
		vb_rm_rf_inside(c.workdir, c.workdir);
	*out = c.res;
	vb_strv_free(c.platforms);
	vb_strv_free(c.hosts);
	vb_strv_free(c.benchmarks);
	for (size_t i = 0; i < c.n_keys; i++) {
		free(c.keys[i]);
		free(c.prefixes[i]);
	}
	free(c.keys);
	free(c.prefixes);
	free(c.workdir);
	free(c.figdir);
	return ret;
}
