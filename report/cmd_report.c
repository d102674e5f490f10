/*
 * report/cmd_report.c - "virtbench report": the Markdown report with its
 * figures, written from the database by report_write().
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "plot/plot.h"
#include "report/report.h"

const char cmd_report_usage[] =
	"usage: virtbench report [--out DIR] [--format png,svg] [--no-render]\n"
	"                        [--baseline NAME] [--host H] [--run ID]\n"
	"                        [--templates DIR] [--margin PCT]\n"
	"\n"
	"Writes DIR/report.md (default DIR: report) and DIR/figures/: host and\n"
	"platform configuration, method, validity checks, and per benchmark the\n"
	"figures, a table (n, mean, sd, CoV, speedup [95% CI], Holm p) and an\n"
	"answer explaining the gap from the recorded configuration.\n"
	"  --format LIST    figure formats: png, svg or png,svg (default both)\n"
	"  --no-render      write figure scripts without running gnuplot\n"
	"  --baseline NAME  platform the others are compared with (default native)\n"
	"  --host, --run    restrict to one host or one run (UUID or prefix)\n"
	"  --margin PCT     equivalence margin of the verdicts (default 2)\n"
	"  --templates DIR  directory holding report.md.tmpl (default: templates/\n"
	"                   beside the binary, or $VIRTBENCH_TEMPLATES)\n"
	"Prints the report's path. Exit status 1 when gnuplot is missing (the\n"
	"report and the figure scripts are still written).\n";

int cmd_report(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-render", no_argument, NULL, 'n' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "host", required_argument, NULL, 'H' },
		{ "run", required_argument, NULL, 'r' },
		{ "templates", required_argument, NULL, 't' },
		{ "margin", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts ro = { .out_dir = "report", .render = 1,
				  .db_path = ctx->db_path };
	struct report_timing tm;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': ro.out_dir = optarg; break;
		case 'f':
			if (plot_formats_parse(optarg, &ro.formats) < 0)
				return cmd_usage_error(ctx, "report", NULL);
			break;
		case 'n': ro.render = 0; break;
		case 'b': ro.analyze.baseline = optarg; break;
		case 'H': ro.analyze.host = optarg; break;
		case 'r': ro.analyze.run = optarg; break;
		case 't': ro.templates_dir = optarg; break;
		case 'm':
			if (analyze_margin_parse(optarg, &ro.analyze.margin) < 0)
				return cmd_usage_error(ctx, "report", "--margin: '%s' "
						       "is not a percentage above 0 "
						       "and at most 100", optarg);
			break;
		default: return cmd_usage_error(ctx, "report", NULL);
		}
	}
	if (optind != argc)
		return cmd_usage_error(ctx, "report", "report: unexpected argument '%s'",
				       argv[optind]);

	rc = report_write(ctx->db, &ro, &tm);
	if (rc < 0 && rc != PLOT_ERR_NO_GNUPLOT)
		return 1;
	printf("%s/report.md\n", ro.out_dir);
	vb_info("report: %s/report.md with %zu figures in %s/figures%s", ro.out_dir,
		tm.figures, ro.out_dir, ro.render ? "" : " (scripts only, not rendered)");
	vb_debug("report: analyze %.3f s, figure scripts %.3f s, gnuplot %.3f s wall (%.3f s CPU), report %.3f s",
		 tm.analyze, tm.plot_write, tm.render, tm.gnuplot_cpu, tm.report);
	return rc < 0 ? 1 : 0;
}
