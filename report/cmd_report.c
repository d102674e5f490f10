/*
 * report/cmd_report.c - "virtbench report": the Markdown report with its
 * figures, written from the database by report_write().
 */
#include <stdio.h>
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "plot/plot.h"
#include "report/report.h"

struct report_cli {
	struct report_opts ro;
	int no_render;
};

static int opt_formats(const struct vb_option *opt, const char *arg, void *dest)
{
	struct report_cli *c = dest;

	(void)opt;
	return plot_formats_parse(arg, &c->ro.formats);
}

static const struct vb_option report_options[] = {
	OPT_STRING("out", 0, struct report_cli, ro.out_dir, "DIR",
		   "where report.md and figures/ go (default report)"),
	OPT_CALLBACK("format", 0, "LIST", opt_formats,
		     "figure formats: png, svg or png,svg (default both)"),
	OPT_FLAG("no-render", 0, struct report_cli, no_render,
		 "write figure scripts without running gnuplot"),
	OPT_STRING("baseline", 0, struct report_cli, ro.analyze.baseline, "NAME",
		   "platform the others are compared with (default native)"),
	OPT_STRING("host", 0, struct report_cli, ro.analyze.host, "H",
		   "only this host"),
	OPT_STRING("run", 0, struct report_cli, ro.analyze.run, "ID",
		   "only this run (UUID or prefix)"),
	OPT_STRING("templates", 0, struct report_cli, ro.templates_dir, "DIR",
		   "directory holding report.md.tmpl (default: templates/\n"
		   "beside the binary, or $VIRTBENCH_TEMPLATES)"),
	OPT_END(),
};

static const struct report_cli report_defaults = {
	.ro = { .out_dir = "report", .render = 1 },
};

const struct vb_optspec cmd_report_spec = {
	.synopsis = "virtbench report [--out DIR] [--format png,svg] [--no-render]\n"
		    "                        [--baseline NAME] [--host H] [--run ID]\n"
		    "                        [--templates DIR]",
	.description =
	"Writes DIR/report.md (default DIR: report) and DIR/figures/: host and\n"
	"platform configuration, method, validity checks, and per benchmark the\n"
	"figures, a table (n, mean, sd, CoV, speedup [95% CI], Holm p) and an\n"
	"answer explaining the gap from the recorded configuration.\n",
	.options = report_options,
	.footer =
	"Prints the report's path. Exit status 1 when gnuplot is missing (the\n"
	"report and the figure scripts are still written).\n",
	.size = sizeof(struct report_cli),
	.defaults = &report_defaults,
};

int cmd_report(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct report_cli *c = opts;
	struct report_opts ro = c->ro;
	struct report_timing tm;
	int rc;

	(void)argc;
	(void)argv;
	ro.db_path = ctx->db_path;
	if (c->no_render)
		ro.render = 0;
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
