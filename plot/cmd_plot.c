/*
 * plot/cmd_plot.c - "virtbench plot": analyze the database and write the
 * figures (gnuplot scripts, data, PNG and SVG) under OUT/figures.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "common/cmd.h"
#include "common/util.h"
#include "plot/plot.h"

struct plot_cli {
	struct analyze_opts ao;
	struct plot_opts po;
	int no_render;
};

static int opt_formats(const struct vb_option *opt, const char *arg, void *dest)
{
	struct plot_cli *c = dest;

	(void)opt;
	return plot_formats_parse(arg, &c->po.formats);
}

static const struct vb_option plot_options[] = {
	OPT_STRING("out", 0, struct plot_cli, po.out_dir, "DIR",
		   "figures go to DIR/figures (default DIR: out/report)"),
	OPT_CALLBACK("format", 0, "LIST", opt_formats,
		     "png, svg or png,svg (default both)"),
	OPT_FLAG("no-render", 0, struct plot_cli, no_render,
		 "write scripts and data only; render later with\n"
		 "'cd DIR/figures && gnuplot NAME.gp'"),
	OPT_STRING("baseline", 0, struct plot_cli, ao.baseline, "NAME",
		   "platform the others are compared with (default native)"),
	OPT_STRING("host", 0, struct plot_cli, ao.host, "H", "only this host"),
	OPT_STRING("run", 0, struct plot_cli, ao.run, "ID",
		   "only this run (UUID or prefix)"),
	OPT_END(),
};

static const struct plot_cli plot_defaults = {
	.po = { .out_dir = "out/report", .render = 1 },
};

const struct vb_optspec cmd_plot_spec = {
	.synopsis = "virtbench plot [--out DIR] [--format png,svg] [--no-render]\n"
		    "                      [--baseline NAME] [--host H] [--run ID]",
	.description =
	"Writes, per benchmark, gnuplot scripts (.gp) with their data (.dat)\n"
	"under DIR/figures (default DIR: out/report) and renders them with gnuplot:\n"
	"means with 95% CIs, speed relative to the baseline on a log axis, every\n"
	"sample per platform, samples in run order (drift), and an overview.\n",
	.options = plot_options,
	.footer = "Exit status 1 when gnuplot is missing (the scripts are still "
		  "written).\n",
	.size = sizeof(struct plot_cli),
	.defaults = &plot_defaults,
};

int cmd_plot(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct plot_cli *c = opts;
	struct analyze_opts ao = c->ao;
	struct plot_opts po = c->po;
	struct analyze_set *set = NULL;
	struct plot_result *res = NULL;
	int rc, ret = 1, rendered = 0;

	(void)argc;
	(void)argv;
	if (c->no_render)
		po.render = 0;
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
