/*
 * analyze/cmd_analyze.c - the `analyze` and `compare` commands: option
 * parsing only; the statistics live in analyze.c/stats.c and the output
 * formats in output.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

struct analyze_cli {
	struct analyze_opts o;
	enum analyze_format fmt;
	const char *hosts[16]; /* compare: A, then each compared with A */
	int n_hosts;
	const char *runs[2];   /* compare --run A --run B */
	int n_runs;
};

static int opt_format(const struct vb_option *opt, const char *arg, void *dest)
{
	struct analyze_cli *c = dest;

	(void)opt;
	if (analyze_format_parse(arg, &c->fmt) < 0)
		return vb_error("unknown format '%s' (text, json, csv or markdown)",
				arg);
	return 0;
}

/* --margin PCT: stored as a fraction. */
static int opt_margin(const struct vb_option *opt, const char *arg, void *dest)
{
	struct analyze_cli *c = dest;

	(void)opt;
	if (analyze_margin_parse(arg, &c->o.margin) < 0)
		return vb_error("--margin: '%s' is not a percentage above 0 and "
				"at most 100", arg);
	return 0;
}

static int opt_compare_host(const struct vb_option *opt, const char *arg,
			    void *dest)
{
	struct analyze_cli *c = dest;

	(void)opt;
	if (c->n_hosts == (int)VB_ARRAY_SIZE(c->hosts))
		return vb_error("--host given more than %zu times", VB_ARRAY_SIZE(c->hosts));
	c->hosts[c->n_hosts++] = arg;
	return 0;
}

static int opt_compare_run(const struct vb_option *opt, const char *arg,
			   void *dest)
{
	struct analyze_cli *c = dest;

	(void)opt;
	if (c->n_runs == 2)
		return vb_error("--run given more than twice");
	c->runs[c->n_runs++] = arg;
	return 0;
}

static const struct vb_option analyze_options[] = {
	OPT_STRING("baseline", 0, struct analyze_cli, o.baseline, "NAME",
		   "baseline platform (default native)"),
	OPT_STRING("host", 0, struct analyze_cli, o.host, "H", "only this host"),
	OPT_STRING("run", 0, struct analyze_cli, o.run, "ID",
		   "only this run (UUID or unique prefix)"),
	OPT_STRING("platform", 0, struct analyze_cli, o.platform, "P",
		   "only this platform (and the baseline)"),
	OPT_FLAG("exclude-outliers", 0, struct analyze_cli, o.exclude_outliers,
		 "drop Tukey outliers (beyond 1.5 IQR) first"),
	OPT_CALLBACK("margin", 0, "PCT", opt_margin,
		     "equivalence margin of the verdicts in percent (default 2)"),
	OPT_FLAG("exclude-disturbed", 0, struct analyze_cli, o.exclude_disturbed,
		 "leave out samples taken while other processes used the\n"
		 "host's CPU (counted and warned about either way)"),
	OPT_CALLBACK("format", 0, "FMT", opt_format,
		     "text (default), json, csv or markdown"),
	OPT_END(),
};

const struct vb_optspec cmd_analyze_spec = {
	.synopsis = "virtbench analyze [--baseline NAME] [--host H] [--run ID]\n"
		    "                         [--platform P] [--exclude-outliers]\n"
		    "                         [--margin PCT] [--exclude-disturbed]\n"
		    "                         [--format text|json|csv|markdown]",
	.description =
	"Statistics per (host, platform, benchmark): n, mean, median, variance,\n"
	"sd, CoV, min, max, 95% CI of the mean (Student t), a distribution-free\n"
	"95% CI of the median, Tukey outliers, drift across repetitions. Each\n"
	"platform is compared with the same host's baseline platform: speedup\n"
	"(> 1 = faster than the baseline) with Fieller's 95% CI, Welch's t-test,\n"
	"Mann-Whitney U; p-values are Holm-adjusted over all comparisons shown.\n"
	"Each comparison gets a verdict from Fieller intervals simultaneous over\n"
	"all comparisons shown (Bonferroni): equivalent (within the margin),\n"
	"faster, slower or inconclusive (with the repetitions that would decide\n"
	"it). Warm-up and failed samples are excluded and counted; samples taken\n"
	"while other processes used the host's CPU are counted (--exclude-\n"
	"disturbed leaves them out). A platform measured on two or more\n"
	"instances (guest boots, containers) has its intervals computed over the\n"
	"instance means.\n",
	.options = analyze_options,
	.size = sizeof(struct analyze_cli),
};

static const struct vb_option compare_options[] = {
	OPT_CALLBACK("host", 0, "H", opt_compare_host,
		     "host A, then host B (and C ..., each against A)"),
	OPT_CALLBACK("run", 0, "ID", opt_compare_run,
		     "run A, then run B: one host before and after a change"),
	OPT_STRING("platform", 0, struct analyze_cli, o.platform, "P",
		   "only this platform"),
	OPT_FLAG("exclude-outliers", 0, struct analyze_cli, o.exclude_outliers,
		 "drop Tukey outliers (beyond 1.5 IQR) first"),
	OPT_CALLBACK("margin", 0, "PCT", opt_margin,
		     "equivalence margin of the verdicts in percent (default 2)"),
	OPT_FLAG("exclude-disturbed", 0, struct analyze_cli, o.exclude_disturbed,
		 "leave out samples taken while other processes used the\n"
		 "host's CPU"),
	OPT_CALLBACK("format", 0, "FMT", opt_format,
		     "text (default), json, csv or markdown"),
	OPT_END(),
};

static const struct vb_optgroup compare_groups[] = {
	{ VB_GROUP_REQUIRED, "host run", NULL,
	  "give two hosts (--host A --host B) or two runs (--run A --run B)" },
	GROUP_EXCLUSIVE("host run"),
	GROUP_END(),
};

const struct vb_optspec cmd_compare_spec = {
	.synopsis = "virtbench compare --host A --host B [--host C ...] [--platform P]\n"
		    "       virtbench compare --run A --run B [--platform P]\n"
		    "                         [--exclude-outliers] [--margin PCT]\n"
		    "                         [--exclude-disturbed]\n"
		    "                         [--format text|json|csv|markdown]",
	.description =
	"Host B relative to host A for every platform and benchmark measured on\n"
	"both: ratio = mean B / mean A with Fieller's 95% CI, Welch's t-test and\n"
	"Mann-Whitney U (B against A), Holm-adjusted over all comparisons, and\n"
	"a verdict per pair as in analyze (\"faster\" = B faster than A).\n"
	"Pairs measured on one host only are listed after the table (text,\n"
	"markdown) or in \"only_a\"/\"only_b\" (json); CSV rows are compared\n"
	"pairs only. --run A --run B compares two runs the same way (one host\n"
	"before and after a change). With more hosts, each is compared with the\n"
	"first in turn, one comparison after the other (json: a list of them),\n"
	"each adjusted over its own comparisons.\n",
	.options = compare_options,
	.groups = compare_groups,
	.size = sizeof(struct analyze_cli),
};

int cmd_analyze(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct analyze_cli *c = opts;
	struct analyze_set *s = NULL;
	int ret;

	(void)argc;
	(void)argv;
	if (analyze_load(ctx->db, &c->o, &s) < 0)
		return 1;
	ret = analyze_print(s, c->fmt, stdout) < 0 ?
		vb_error("analyze: writing the output failed") : 0;
	analyze_set_free(s);
	return ret < 0 ? 1 : 0;
}

/* Prints one comparison; a CSV after the first without its header, so
 * that several comparisons make one table (rows name a and b). */
static int print_cmp(const struct analyze_cmp_set *s, enum analyze_format fmt,
		     int more)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int rc;

	if (fmt != ANALYZE_CSV || !more)
		return analyze_cmp_print(s, fmt, stdout);
	m = open_memstream(&buf, &len);
	if (!m)
		return -1;
	rc = analyze_cmp_print(s, fmt, m);
	if (fclose(m) != 0)
		rc = -1;
	if (rc == 0 && buf && strchr(buf, '\n'))
		fputs(strchr(buf, '\n') + 1, stdout);
	free(buf);
	return rc;
}

/* One comparison: B (a host, or a run with runs) relative to A. */
static int compare_one(struct analyze_cli *c, struct vb_ctx *ctx, const char *a,
		       const char *b, int runs, struct analyze_cmp_set **s)
{
	if (!strcmp(a, b))
		return vb_usage_error(&cmd_compare_spec, "--%s A and --%s B are the same %s '%s'",
				      runs ? "run" : "host", runs ? "run" : "host",
				      runs ? "run" : "host", a);
	if ((runs ? analyze_compare_runs(ctx->db, a, b, &c->o, s) :
	     analyze_compare_hosts(ctx->db, a, b, &c->o, s)) < 0)
		return 1;
	return 0;
}

int cmd_compare(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct analyze_cli *c = opts;
	int runs = c->n_runs > 0, n = runs ? c->n_runs : c->n_hosts;
	const char *const *ids = runs ? c->runs : c->hosts;
	int ret = 0;

	(void)argc;
	(void)argv;
	if (n < 2)
		return vb_usage_error(&cmd_compare_spec, "give two hosts (--host A "
				      "--host B) or two runs (--run A --run B)");
	/* several hosts: a JSON list, one object per comparison */
	if (n > 2 && c->fmt == ANALYZE_JSON)
		fputs("[\n", stdout);
	for (int i = 1; i < n && !ret; i++) {
		struct analyze_cmp_set *s = NULL;

		ret = compare_one(c, ctx, ids[0], ids[i], runs, &s);
		if (ret)
			break;
		if (n > 2 && c->fmt == ANALYZE_JSON && i > 1)
			fputs(",\n", stdout);
		else if (n > 2 && c->fmt != ANALYZE_JSON && c->fmt != ANALYZE_CSV && i > 1)
			fputs("\n", stdout);
		if (print_cmp(s, c->fmt, i > 1) < 0) {
			vb_error("compare: writing the output failed");
			ret = 1;
		}
		/* CSV has no place for them (one row per compared pair): say so on
		 * stderr rather than let them vanish */
		if (!ret && c->fmt == ANALYZE_CSV && (s->n_only_a || s->n_only_b))
			vb_info("compare: %zu pair(s) measured on %s only and %zu "
				"on %s only are not in the CSV (see --format json)",
				s->n_only_a, s->host_a, s->n_only_b, s->host_b);
		analyze_cmp_set_free(s);
	}
	if (!ret && n > 2 && c->fmt == ANALYZE_JSON)
		fputs("]\n", stdout);
	return ret;
}
