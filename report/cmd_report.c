/*
 * report/cmd_report.c - "virtbench report": the report (Markdown and HTML)
 * with its figures, written from the database by report_write().
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "analyze/analyze.h"
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

static int opt_outputs(const struct vb_option *opt, const char *arg, void *dest)
{
	struct report_cli *c = dest;

	(void)opt;
	return report_outputs_parse(arg, &c->ro.outputs);
}

/* --margin PCT: the verdicts' equivalence margin, as a fraction. */
static int opt_margin(const struct vb_option *opt, const char *arg, void *dest)
{
	struct report_cli *c = dest;

	(void)opt;
	if (analyze_margin_parse(arg, &c->ro.analyze.margin) < 0)
		return vb_error("--margin: '%s' is not a percentage above 0 and "
				"at most 100", arg);
	return 0;
}

static const struct vb_option report_options[] = {
	OPT_STRING("out", 0, struct report_cli, ro.out_dir, "DIR",
		   "where report.md, report.html and figures/ go\n"
		   "(default out/report)"),
	OPT_CALLBACK("output", 0, "LIST", opt_outputs,
		     "documents to write: md, html or md,html (default both)"),
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
	OPT_CALLBACK("margin", 0, "PCT", opt_margin,
		     "equivalence margin of the verdicts (default 2)"),
	OPT_STRING("templates", 0, struct report_cli, ro.templates_dir, "DIR",
		   "directory holding report.md.tmpl (default: templates/\n"
		   "beside the binary, or $VIRTBENCH_TEMPLATES)"),
	OPT_END(),
};

static const struct report_cli report_defaults = {
	.ro = { .out_dir = REPORT_DEFAULT_OUT, .render = 1 },
};

const struct vb_optspec cmd_report_spec = {
	.synopsis = "virtbench report [--out DIR] [--output md,html] [--format png,svg]\n"
		    "                        [--no-render] [--baseline NAME] [--host H]\n"
		    "                        [--run ID] [--templates DIR] [--margin PCT]",
	.description =
	"Writes DIR/report.md, DIR/report.html (the same document as one page,\n"
	"inline CSS, a table of contents, the SVG figures beside it) and\n"
	"DIR/figures/; DIR defaults to out/report. The\n"
	"report opens with the answers - per benchmark each platform's verdict,\n"
	"speedup and interval, and why - and a summary table; then problems, a\n"
	"table of warnings, hosts and platforms, method, and per benchmark a\n"
	"table (n, mean, sd, CoV, speedup [95% CI], Holm p, verdict), the\n"
	"mechanism from the recorded configuration, and the figures.\n",
	.options = report_options,
	.footer =
	"Prints the path of each document written. Exit status 1 when gnuplot is missing (the\n"
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
	if (!ro.outputs || (ro.outputs & REPORT_OUT_MD))
		printf("%s/report.md\n", ro.out_dir);
	if (!ro.outputs || (ro.outputs & REPORT_OUT_HTML))
		printf("%s/report.html\n", ro.out_dir);
	vb_info("report: %s with %zu figures in %s/figures%s", ro.out_dir,
		tm.figures, ro.out_dir, ro.render ? "" : " (scripts only, not rendered)");
	vb_debug("report: analyze %.3f s, figure scripts %.3f s, gnuplot %.3f s wall (%.3f s CPU), report %.3f s",
		 tm.analyze, tm.plot_write, tm.render, tm.gnuplot_cpu, tm.report);
	return rc < 0 ? 1 : 0;
}
