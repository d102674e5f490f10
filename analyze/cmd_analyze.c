/*
 * analyze/cmd_analyze.c - the `analyze` and `compare` commands: option
 * parsing only; the statistics live in analyze.c/stats.c and the output
 * formats in output.c.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const char cmd_analyze_usage[] =
	"usage: virtbench analyze [--baseline NAME] [--host H] [--run ID]\n"
	"                         [--platform P] [--exclude-outliers]\n"
	"                         [--margin PCT] [--exclude-disturbed]\n"
	"                         [--format text|json|csv|markdown]\n"
	"\n"
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
	"disturbed leaves them out). A platform measured on\n"
	"two or more instances (guest boots, containers) has its intervals\n"
	"computed over the instance means.\n"
	"\n"
	"  --baseline NAME      baseline platform (default native)\n"
	"  --host H             only this host\n"
	"  --run ID             only this run (UUID or unique prefix)\n"
	"  --platform P         only this platform (and the baseline)\n"
	"  --exclude-outliers   drop Tukey outliers (beyond 1.5 IQR) first\n"
	"  --margin PCT         equivalence margin in percent (default 2)\n"
	"  --exclude-disturbed  leave out samples taken while other processes\n"
	"                       used the host's CPU (counted and warned about\n"
	"                       either way)\n"
	"  --format FMT         text (default), json, csv or markdown\n";

const char cmd_compare_usage[] =
	"usage: virtbench compare --host A --host B [--platform P]\n"
	"                         [--exclude-outliers] [--margin PCT]\n"
	"                         [--exclude-disturbed]\n"
	"                         [--format text|json|csv|markdown]\n"
	"\n"
	"Host B relative to host A for every platform and benchmark measured on\n"
	"both: ratio = mean B / mean A with Fieller's 95% CI, Welch's t-test and\n"
	"Mann-Whitney U (B against A), Holm-adjusted over all comparisons, and\n"
	"a verdict per pair as in analyze (\"faster\" = B faster than A;\n"
	"--margin PCT, default 2).\n"
	"Pairs measured on one host only are listed after the table (text,\n"
	"markdown) or in \"only_a\"/\"only_b\" (json); CSV rows are compared\n"
	"pairs only.\n";

enum { OPT_BASELINE = 256, OPT_FORMAT, OPT_HOST, OPT_RUN, OPT_PLATFORM,
       OPT_EXCLUDE, OPT_MARGIN, OPT_INCL_DIST, OPT_EXCL_DIST };

static const struct option analyze_options[] = {
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "exclude-outliers", no_argument, NULL, OPT_EXCLUDE },
	{ "margin", required_argument, NULL, OPT_MARGIN },
	{ "include-disturbed", no_argument, NULL, OPT_INCL_DIST },
	{ "exclude-disturbed", no_argument, NULL, OPT_EXCL_DIST },
	{ NULL, 0, NULL, 0 }
};

int cmd_analyze(int argc, char **argv, struct vb_ctx *ctx)
{
	struct analyze_opts o = { 0 };
	enum analyze_format fmt = ANALYZE_TEXT;
	struct analyze_set *s = NULL;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", analyze_options, NULL)) != -1) {
		switch (c) {
		case OPT_BASELINE:
			o.baseline = optarg;
			break;
		case OPT_FORMAT:
			if (analyze_format_parse(optarg, &fmt) < 0)
				return cmd_usage_error(ctx, "analyze",
					"unknown format '%s' (text, json, csv "
					"or markdown)", optarg);
			break;
		case OPT_HOST:
			o.host = optarg;
			break;
		case OPT_RUN:
			o.run = optarg;
			break;
		case OPT_PLATFORM:
			o.platform = optarg;
			break;
		case OPT_EXCLUDE:
			o.exclude_outliers = 1;
			break;
		case OPT_INCL_DIST:
			o.exclude_disturbed = 0;
			break;
		case OPT_EXCL_DIST:
			o.exclude_disturbed = 1;
			break;
		case OPT_MARGIN:
			if (analyze_margin_parse(optarg, &o.margin) < 0)
				return cmd_usage_error(ctx, "analyze",
					"--margin: '%s' is not a percentage "
					"above 0 and at most 100", optarg);
			break;
		default:
			return cmd_usage_error(ctx, "analyze", "unknown option "
					       "'%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "analyze", "unexpected argument "
				       "'%s'", argv[optind]);
	if (analyze_load(ctx->db, &o, &s) < 0)
		return 1;
	ret = analyze_print(s, fmt, stdout) < 0 ?
		vb_error("analyze: writing the output failed") : 0;
	analyze_set_free(s);
	return ret < 0 ? 1 : 0;
}

int cmd_compare(int argc, char **argv, struct vb_ctx *ctx)
{
	struct analyze_opts o = { 0 };
	enum analyze_format fmt = ANALYZE_TEXT;
	struct analyze_cmp_set *s = NULL;
	const char *hosts[2] = { NULL, NULL };
	int c, nh = 0, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", analyze_options, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (analyze_format_parse(optarg, &fmt) < 0)
				return cmd_usage_error(ctx, "compare",
					"unknown format '%s' (text, json, csv "
					"or markdown)", optarg);
			break;
		case OPT_HOST:
			if (nh == 2)
				return cmd_usage_error(ctx, "compare",
					"--host given more than twice");
			hosts[nh++] = optarg;
			break;
		case OPT_PLATFORM:
			o.platform = optarg;
			break;
		case OPT_EXCLUDE:
			o.exclude_outliers = 1;
			break;
		case OPT_INCL_DIST:
			o.exclude_disturbed = 0;
			break;
		case OPT_EXCL_DIST:
			o.exclude_disturbed = 1;
			break;
		case OPT_MARGIN:
			if (analyze_margin_parse(optarg, &o.margin) < 0)
				return cmd_usage_error(ctx, "compare",
					"--margin: '%s' is not a percentage "
					"above 0 and at most 100", optarg);
			break;
		default:
			return cmd_usage_error(ctx, "compare", "unknown option "
					       "'%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "compare", "unexpected argument "
				       "'%s'", argv[optind]);
	if (nh != 2)
		return cmd_usage_error(ctx, "compare", "give two hosts: "
				       "--host A --host B");
	if (!strcmp(hosts[0], hosts[1]))
		return cmd_usage_error(ctx, "compare", "--host A and --host B "
				       "are the same host '%s'", hosts[0]);
	if (analyze_compare_hosts(ctx->db, hosts[0], hosts[1], &o, &s) < 0)
		return 1;
	ret = analyze_cmp_print(s, fmt, stdout) < 0 ?
		vb_error("compare: writing the output failed") : 0;
	/* CSV has no place for them (one row per compared pair): say so on
	 * stderr rather than let them vanish */
	if (ret == 0 && fmt == ANALYZE_CSV && (s->n_only_a || s->n_only_b))
		vb_info("compare: %zu pair(s) measured on %s only and %zu "
			"on %s only are not in the CSV (see --format json)",
			s->n_only_a, s->host_a, s->n_only_b, s->host_b);
	analyze_cmp_set_free(s);
	return ret < 0 ? 1 : 0;
}
