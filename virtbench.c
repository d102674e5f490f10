/*
 * virtbench.c - entry point: global options, the command table, dispatch.
 *
 * One table drives dispatch and "virtbench help". Each row says what the
 * command needs (today: a database, to open or to create); main() sets that
 * up before the handler runs and tears it down after, so handlers never open
 * the database themselves.
 */
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

extern const char cmd_import_usage[], cmd_export_usage[], cmd_db_usage[],
	cmd_analyze_usage[], cmd_compare_usage[], cmd_plot_usage[],
	cmd_report_usage[], cmd_collect_usage[], cmd_run_usage[],
	cmd_parse_usage[], cmd_reparse_usage[], cmd_doctor_usage[],
	cmd_cleanup_usage[], cmd_image_usage[];

static int cmd_help(int argc, char **argv, struct vb_ctx *ctx);
static int cmd_version(int argc, char **argv, struct vb_ctx *ctx);

static const char cmd_help_usage[] = "usage: virtbench help [COMMAND]\n";
static const char cmd_version_usage[] = "usage: virtbench version\n";

static const struct vb_cmd commands[] = {
	{ "collect", cmd_collect, CMD_CREATE_DB,
	  "provision platforms, run a benchmark suite, store every sample",
	  cmd_collect_usage },
	{ "run", cmd_run, CMD_CREATE_DB,
	  "collect, analyze, plot and report in one go", cmd_run_usage },
	{ "analyze", cmd_analyze, CMD_NEED_DB,
	  "statistics per platform and benchmark, speedups versus a baseline",
	  cmd_analyze_usage },
	{ "compare", cmd_compare, CMD_NEED_DB,
	  "compare two hosts platform by platform", cmd_compare_usage },
	{ "plot", cmd_plot, CMD_NEED_DB,
	  "write gnuplot scripts and data, render PNG and SVG figures",
	  cmd_plot_usage },
	{ "report", cmd_report, CMD_NEED_DB,
	  "write the Markdown report with figures and answers",
	  cmd_report_usage },
	{ "import", cmd_import, CMD_CREATE_DB,
	  "import classic benchmark.sh CSV or virtbench JSON",
	  cmd_import_usage },
	{ "export", cmd_export, CMD_NEED_DB, "export samples as CSV or JSON",
	  cmd_export_usage },
	{ "db", cmd_db, 0, "merge databases, check integrity", cmd_db_usage },
	{ "parse", cmd_parse, 0,
	  "parse a saved tool output the way the collector would",
	  cmd_parse_usage },
	{ "reparse", cmd_reparse, CMD_NEED_DB,
	  "re-apply the current parsers to stored raw outputs",
	  cmd_reparse_usage },
	{ "doctor", cmd_doctor, 0,
	  "tell, per platform, whether it can run here and how to fix it",
	  cmd_doctor_usage },
	{ "cleanup", cmd_cleanup, 0,
	  "remove guests, containers and files left by interrupted runs",
	  cmd_cleanup_usage },
	{ "image", cmd_image, 0,
	  "build the guest and container images offline", cmd_image_usage },
	{ "help", cmd_help, 0, "show the commands, or one command's usage",
	  cmd_help_usage },
	{ "version", cmd_version, 0, "print the version", cmd_version_usage },
};

static const char global_usage[] =
	"usage: virtbench [--db PATH] [-q] [-v] COMMAND [ARGS]\n"
	"\n"
	"How much does each way of isolating a workload (native, Docker, KVM,\n"
	"QEMU) cost on this host, and why?\n"
	"\n"
	"global options (accepted before or after the command):\n"
	"  --db PATH   database file (default $VIRTBENCH_DB or ./virtbench.db)\n"
	"  -q          quiet: errors only\n"
	"  -v          verbose (repeat for more)\n"
	"  --help      usage of virtbench, or of a command\n";

const struct vb_cmd *cmd_lookup(const char *name)
{
	for (size_t i = 0; i < VB_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int cmd_usage_error(const struct vb_ctx *ctx, const char *cmd, const char *fmt, ...)
{
	const struct vb_cmd *c = cmd_lookup(cmd);
	va_list ap;

	(void)ctx;
	if (fmt) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(c ? c->usage : global_usage, stderr);
	return 2;
}

static void print_commands(FILE *f)
{
	fputs(global_usage, f);
	fputs("\ncommands:\n", f);
	for (size_t i = 0; i < VB_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'virtbench COMMAND --help' for a command's options.\n", f);
}

static int cmd_help(int argc, char **argv, struct vb_ctx *ctx)
{
	const struct vb_cmd *c;

	(void)ctx;
	if (argc < 2) {
		print_commands(stdout);
		return 0;
	}
	c = cmd_lookup(argv[1]);
	if (!c)
		return vb_error("unknown command '%s' (see 'virtbench help')",
				argv[1]) ? 2 : 2;
	fputs(c->usage, stdout);
	return 0;
}

static int cmd_version(int argc, char **argv, struct vb_ctx *ctx)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	printf("virtbench %s\n", VB_VERSION);
	return 0;
}

/* Removes the global options from argv wherever they appear (before "--"),
 * so that "virtbench analyze --db x.db" works like "virtbench --db x.db
 * analyze". Returns the new argc, or -1 on a usage error. */
static int strip_globals(int argc, char **argv, struct vb_ctx *ctx, int *help)
{
	int out = 0, i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strcmp(a, "--db")) {
			if (i + 1 >= argc) {
				vb_error("option '--db' needs a path");
				return -1;
			}
			ctx->db_path = argv[++i];
		} else if (!strncmp(a, "--db=", 5)) {
			ctx->db_path = a + 5;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			vb_verbosity = 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			vb_verbosity = vb_verbosity < 1 ? 2 : vb_verbosity + 1;
		} else if (!strcmp(a, "-vv")) {
			vb_verbosity = 3;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = 1;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	struct vb_ctx ctx = { 0 };
	const struct vb_cmd *c;
	int help = 0, ret, created = 0, remove_db = 0;
	char **args;
	int nargs;

	ctx.argv0 = argv[0];
	ctx.argc_full = argc;
	ctx.argv_full = xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; i < argc; i++)
		ctx.argv_full[i] = argv[i];
	ctx.db_path = getenv("VIRTBENCH_DB");
	if (!ctx.db_path || !*ctx.db_path)
		ctx.db_path = "virtbench.db";

	args = argv + 1;
	nargs = strip_globals(argc - 1, args, &ctx, &help);
	if (nargs < 0) {
		ret = 2;
		goto out;
	}
	if (nargs == 0) {
		print_commands(help ? stdout : stderr);
		ret = help ? 0 : 2;
		goto out;
	}
	c = cmd_lookup(args[0]);
	if (!c) {
		vb_error("unknown command '%s' (see 'virtbench help')", args[0]);
		ret = 2;
		goto out;
	}
	if (help) {
		fputs(c->usage, stdout);
		ret = vb_finish_stdout() ? 1 : 0;
		goto out;
	}
	if (c->flags & (CMD_NEED_DB | CMD_CREATE_DB)) {
		struct stat st;

		created = stat(ctx.db_path, &st) < 0;
		int mode = (c->flags & CMD_CREATE_DB) ? DB_OPEN_CREATE : DB_OPEN_EXISTING;

		if (db_open(ctx.db_path, mode, &ctx.db) < 0) {
			ret = 1;
			goto out;
		}
	}
	ret = c->fn(nargs, args, &ctx);
	if (ret < 0)
		ret = 1;
	/* A command that failed leaves nothing behind: not even the empty
	 * database file it created (a failed collect that stored samples keeps
	 * them, of course). */
	if (ret && created && ctx.db && !db_has_runs(ctx.db))
		remove_db = 1;
	if (db_close(ctx.db) < 0 && ret == 0)
		ret = 1;
	ctx.db = NULL;
	if (remove_db) {
		static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

		for (size_t i = 0; i < VB_ARRAY_SIZE(sfx); i++) {
			char *f = xasprintf("%s%s", ctx.db_path, sfx[i]);

			unlink(f);
			free(f);
		}
	}
	if (vb_finish_stdout() < 0 && ret == 0)
		ret = 1;
out:
	free(ctx.argv_full);
	return ret;
}
