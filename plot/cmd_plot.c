/*
 * plot/cmd_plot.c - "virtbench plot": analyze the database and write the
 * figures (gnuplot scripts, data, PNG and SVG) under OUT/figures.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "plot/plot.h"

const char cmd_plot_usage[] =
	"usage: virtbench plot [--out DIR] [--format png,svg] [--no-render]\n"
	"                      [--baseline NAME] [--host H] [--run ID]\n"
	"\n"
	"Writes, per benchmark, gnuplot scripts (.gp) with their data (.dat)\n"
	"under DIR/figures (default DIR: out/report) and renders them with gnuplot:\n"
	"means with 95% CIs, speed relative to the baseline on a log axis, every\n"
	"sample per platform, samples in run order (drift), and an overview.\n"
	"  --format LIST  png, svg or png,svg (default both)\n"
	"  --no-render    write scripts and data only; render later with\n"
	"                 'cd DIR/figures && gnuplot NAME.gp'\n"
	"  --baseline     platform the others are compared with (default native)\n"
	"  --host, --run  restrict to one host or one run (UUID or prefix)\n"
	"Exit status 1 when gnuplot is missing (the scripts are still written).\n";

int cmd_plot(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "no-render", no_argument, NULL, 'n' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "host", required_argument, NULL, 'H' },
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct analyze_opts ao = { 0 };
	struct plot_opts po = { .out_dir = "out/report", .render = 1 };
	struct analyze_set *set = NULL;
	struct plot_result *res = NULL;
	int c, rc, ret = 1, rendered = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': po.out_dir = optarg; break;
		case 'f':
			if (plot_formats_parse(optarg, &po.formats) < 0)
				return cmd_usage_error(ctx, "plot", NULL);
			break;
		case 'n': po.render = 0; break;
		case 'b': ao.baseline = optarg; break;
		case 'H': ao.host = optarg; break;
		case 'r': ao.run = optarg; break;
		default: return cmd_usage_error(ctx, "plot", NULL);
		}
	}
	if (optind != argc)
		return cmd_usage_error(ctx, "plot", "plot: unexpected argument '%s'",
				       argv[optind]);

	if (analyze_load(ctx->db, &ao, &set) < 0)
		goto cleanup;
	if (!set->n_groups) {
		vb_error("plot: no samples to plot in %s%s%s", ctx->db_path,
			 ao.host || ao.run ? " for the selected " : "",
			 ao.host && ao.run ? "host and run" : ao.host ? "host" :
			 ao.run ? "run" : "");
		goto cleanup;
	}
	rc = plot_write(set, &po, &res);
	/* The list of what was written is the command's result, also when
	 * rendering failed: the scripts are there to be rendered by hand. */
	for (size_t i = 0; res && i < res->n; i++) {
		rendered += res->figs[i].rendered;
		printf("%s/%s.gp\n", po.out_dir, res->figs[i].base);
	}
	if (rc < 0)
		goto cleanup;
	if (po.render)
		vb_info("plot: %zu figures in %s/figures (%d rendered; %.2f s writing, %.2f s gnuplot)",
			res->n, po.out_dir, rendered, res->write_seconds,
			res->render_seconds);
	else
		vb_info("plot: %zu figure scripts in %s/figures (not rendered: run 'gnuplot NAME.gp' there)",
			res->n, po.out_dir);
	ret = 0;
cleanup:
	plot_result_free(res);
	analyze_set_free(set);
	return ret;
}
