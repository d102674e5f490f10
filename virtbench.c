/*
 * virtbench.c - entry point: global options, the command table, dispatch.
 *
 * One table drives dispatch and "virtbench help". Each row says what the
 * command needs (today: a database, to open or to create) and names its
 * option table; cmd_exec() (common/cmd.c) parses by that table, sets up the
 * database before the handler runs and tears it down after, so handlers
 * never parse options or open the database themselves. Families (db,
 * import, image) name a second-level table whose rows carry their own flags.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"

static vb_cmd_fn cmd_help, cmd_version;

static const struct vb_optspec cmd_help_spec = {
	.synopsis = "virtbench help [COMMAND [SUB-COMMAND]]",
	.description = "Lists the commands, or prints one command's usage.\n",
	.operands = "COMMAND", .max_operands = 2,
};
static const struct vb_optspec cmd_version_spec = {
	.synopsis = "virtbench version",
};

static const struct vb_cmd commands[] = {
	{ "collect", cmd_collect, CMD_CREATE_DB,
	  "provision platforms, run a benchmark suite, store every sample",
	  &cmd_collect_spec, NULL },
	{ "run", cmd_run, CMD_CREATE_DB,
	  "collect, analyze, plot and report in one go", &cmd_run_spec, NULL },
	{ "analyze", cmd_analyze, CMD_NEED_DB,
	  "statistics per platform and benchmark, speedups versus a baseline",
	  &cmd_analyze_spec, NULL },
	{ "compare", cmd_compare, CMD_NEED_DB,
	  "compare two hosts platform by platform", &cmd_compare_spec, NULL },
	{ "plot", cmd_plot, CMD_NEED_DB,
	  "write gnuplot scripts and data, render PNG and SVG figures",
	  &cmd_plot_spec, NULL },
	{ "report", cmd_report, CMD_NEED_DB,
	  "write the Markdown report with figures and answers",
	  &cmd_report_spec, NULL },
	{ "import", NULL, 0, "import classic benchmark.sh CSV or virtbench JSON",
	  &cmd_import_spec, cmd_import_subcmds },
	{ "export", cmd_export, CMD_NEED_DB, "export samples as CSV or JSON",
	  &cmd_export_spec, NULL },
	{ "db", NULL, 0, "merge databases, check integrity", &cmd_db_spec,
	  cmd_db_subcmds },
	{ "parse", cmd_parse, 0,
	  "parse a saved tool output the way the collector would",
	  &cmd_parse_spec, NULL },
	{ "reparse", cmd_reparse, CMD_NEED_DB,
	  "re-apply the current parsers to stored raw outputs",
	  &cmd_reparse_spec, NULL },
	{ "doctor", cmd_doctor, 0,
	  "tell, per platform, whether it can run here and how to fix it",
	  &cmd_doctor_spec, NULL },
	{ "cleanup", cmd_cleanup, 0,
	  "remove guests, containers and files left by interrupted runs",
	  &cmd_cleanup_spec, NULL },
	{ "image", NULL, 0, "build the guest and container images offline",
	  &cmd_image_spec, cmd_image_subcmds },
	{ "help", cmd_help, 0, "show the commands, or one command's usage",
	  &cmd_help_spec, NULL },
	{ "version", cmd_version, 0, "print the version", &cmd_version_spec,
	  NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};

/* The global options, accepted before or after the command. */
struct global_opts {
	const char *db_path;
	int help;
};

static int opt_quiet(const struct vb_option *opt, const char *arg, void *dest)
{
	(void)opt;
	(void)arg;
	(void)dest;
	vb_verbosity = 0;
	return 0;
}

static int opt_verbose(const struct vb_option *opt, const char *arg, void *dest)
{
	(void)opt;
	(void)arg;
	(void)dest;
	vb_verbosity = vb_verbosity < 1 ? 2 : vb_verbosity + 1;
	return 0;
}

static const struct vb_option global_options[] = {
	OPT_STRING("db", 0, struct global_opts, db_path, "PATH",
		   "database file (default $VIRTBENCH_DB or ./virtbench.db)"),
	OPT_CALLBACK("quiet", 'q', NULL, opt_quiet, "quiet: errors only"),
	OPT_CALLBACK("verbose", 'v', NULL, opt_verbose,
		     "verbose (repeat for more)"),
	OPT_FLAG("help", 'h', struct global_opts, help,
		 "usage of virtbench, or of a command"),
	OPT_END(),
};

static const struct vb_optspec global_spec = {
	.synopsis = "virtbench [--db PATH] [-q] [-v] COMMAND [ARGS]",
	.description =
	"How much does each way of isolating a workload (native, Docker, KVM,\n"
	"QEMU) cost on this host, and why?\n"
	"\n"
	"global options (accepted before or after the command):\n",
	.options = global_options,
	.max_operands = -1,
	.size = sizeof(struct global_opts),
};

static void print_commands(FILE *f)
{
	fprintf(f, "usage: %s\n\n%s", global_spec.synopsis,
		global_spec.description);
	vb_options_print(global_options, f);
	fputs("\ncommands:\n", f);
	for (const struct vb_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fputs("\nRun 'virtbench COMMAND --help' for a command's options.\n", f);
}

/* Prints the usage of argv[0] (and sub-command argv[1]) to stdout;
 * returns 0 or 2 for an unknown name. */
static int print_usage_of(int argc, char **argv)
{
	const struct vb_cmd *c = cmd_lookup(commands, argv[0]);

	if (!c)
		return vb_error("unknown command '%s' (see 'virtbench help')",
				argv[0]) ? 2 : 2;
	if (!(c = cmd_resolve(c, &argc, &argv, 1)))
		return 2;
	cmd_print_usage(c, stdout);
	return 0;
}

static int cmd_help(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	(void)opts;
	(void)ctx;
	if (argc < 2) {
		print_commands(stdout);
		return 0;
	}
	return print_usage_of(argc - 1, argv + 1);
}

static int cmd_version(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	(void)argc;
	(void)argv;
	(void)opts;
	(void)ctx;
	printf("virtbench %s\n", VB_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	struct vb_ctx ctx = { 0 };
	struct global_opts g = { 0 };
	const struct vb_cmd *c;
	int ret, nargs = argc;

	ctx.argv0 = argv[0];
	ctx.argc_full = argc;
	ctx.argv_full = xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; i < argc; i++)
		ctx.argv_full[i] = argv[i];
	g.db_path = getenv("VIRTBENCH_DB");
	if (!g.db_path || !*g.db_path)
		g.db_path = "virtbench.db";

	/* The global options go wherever they appear before "--", so that
	 * "virtbench analyze --db x.db" works like "virtbench --db x.db
	 * analyze"; the rest stays for the command. */
	ret = vb_options_parse(&global_spec, &nargs, argv, &g,
			       VB_PARSE_KEEP_UNKNOWN);
	if (ret)
		goto out;
	ctx.db_path = g.db_path;
	if (nargs < 2) {
		print_commands(g.help ? stdout : stderr);
		ret = g.help ? 0 : 2;
		goto out;
	}
	if (g.help) {
		ret = print_usage_of(nargs - 1, argv + 1);
		if (vb_finish_stdout() < 0 && ret == 0)
			ret = 1;
		goto out;
	}
	c = cmd_lookup(commands, argv[1]);
	if (!c) {
		vb_error("unknown command '%s' (see 'virtbench help')", argv[1]);
		ret = 2;
		goto out;
	}
	ret = cmd_exec(c, nargs - 1, argv + 1, &ctx);
	if (vb_finish_stdout() < 0 && ret == 0)
		ret = 1;
out:
	free(ctx.argv_full);
	return ret;
}
