/*
 * analyze/cmd_analyze.c - the `analyze` and `compare` commands: option
 * parsing only; the statistics live in analyze.c/stats.c and the output
 * formats in output.c.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

struct analyze_cli {
	struct analyze_opts o;
	enum analyze_format fmt;
	const char *hosts[2]; /* compare: A and B */
	int n_hosts;
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

static int opt_compare_host(const struct vb_option *opt, const char *arg,
			    void *dest)
{
	struct analyze_cli *c = dest;

	(void)opt;
	if (c->n_hosts == 2)
		return vb_error("--host given more than twice");
	c->hosts[c->n_hosts++] = arg;
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
	OPT_CALLBACK("format", 0, "FMT", opt_format,
		     "text (default), json, csv or markdown"),
	OPT_END(),
};

const struct vb_optspec cmd_analyze_spec = {
	.synopsis = "virtbench analyze [--baseline NAME] [--host H] [--run ID]\n"
		    "                         [--platform P] [--exclude-outliers]\n"
		    "                         [--format text|json|csv|markdown]",
	.description =
	"Statistics per (host, platform, benchmark): n, mean, median, variance,\n"
	"sd, CoV, min, max, 95% CI of the mean (Student t), a distribution-free\n"
	"95% CI of the median, Tukey outliers, drift across repetitions. Each\n"
	"platform is compared with the same host's baseline platform: speedup\n"
	"(> 1 = faster than the baseline) with Fieller's 95% CI, Welch's t-test,\n"
	"Mann-Whitney U; p-values are Holm-adjusted over all comparisons shown.\n"
	"Warm-up and failed samples are excluded and counted.\n",
	.options = analyze_options,
	.size = sizeof(struct analyze_cli),
};

static const struct vb_option compare_options[] = {
	OPT_CALLBACK("host", 0, "H", opt_compare_host,
		     "host A, then host B (given twice)"),
	OPT_STRING("platform", 0, struct analyze_cli, o.platform, "P",
		   "only this platform"),
	OPT_FLAG("exclude-outliers", 0, struct analyze_cli, o.exclude_outliers,
		 "drop Tukey outliers (beyond 1.5 IQR) first"),
	OPT_CALLBACK("format", 0, "FMT", opt_format,
		     "text (default), json, csv or markdown"),
	OPT_END(),
};

static const struct vb_optgroup compare_groups[] = {
	{ VB_GROUP_REQUIRED, "host", NULL, "give two hosts: --host A --host B" },
	GROUP_END(),
};

const struct vb_optspec cmd_compare_spec = {
	.synopsis = "virtbench compare --host A --host B [--platform P]\n"
		    "                         [--exclude-outliers]\n"
		    "                         [--format text|json|csv|markdown]",
	.description =
	"Host B relative to host A for every platform and benchmark measured on\n"
	"both: ratio = mean B / mean A with Fieller's 95% CI, Welch's t-test and\n"
	"Mann-Whitney U (B against A), Holm-adjusted over all comparisons.\n"
	"Pairs measured on one host only are listed after the table (text,\n"
	"markdown) or in \"only_a\"/\"only_b\" (json); CSV rows are compared\n"
	"pairs only.\n",
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

int cmd_compare(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct analyze_cli *c = opts;
	struct analyze_cmp_set *s = NULL;
	int ret;

	(void)argc;
	(void)argv;
	if (c->n_hosts != 2)
		return vb_usage_error(&cmd_compare_spec, "give two hosts: "
				      "--host A --host B");
	if (!strcmp(c->hosts[0], c->hosts[1]))
		return vb_usage_error(&cmd_compare_spec, "--host A and --host B "
				      "are the same host '%s'", c->hosts[0]);
	if (analyze_compare_hosts(ctx->db, c->hosts[0], c->hosts[1], &c->o, &s) < 0)
		return 1;
	ret = analyze_cmp_print(s, c->fmt, stdout) < 0 ?
		vb_error("compare: writing the output failed") : 0;
	/* CSV has no place for them (one row per compared pair): say so on
	 * stderr rather than let them vanish */
	if (ret == 0 && c->fmt == ANALYZE_CSV && (s->n_only_a || s->n_only_b))
		vb_info("compare: %zu pair(s) measured on %s only and %zu "
			"on %s only are not in the CSV (see --format json)",
			s->n_only_a, s->host_a, s->n_only_b, s->host_b);
	analyze_cmp_set_free(s);
	return ret < 0 ? 1 : 0;
}
