/*
 * db/cmd_export.c - "virtbench export": samples as CSV or JSON on stdout.
 */
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

struct export_opts {
	const char *format;
	struct db_filter f;
};

static int opt_format(const struct vb_option *opt, const char *arg, void *dest)
{
	struct export_opts *o = dest;

	(void)opt;
	if (strcmp(arg, "csv") && strcmp(arg, "json"))
		return vb_error("--format '%s': use csv or json", arg);
	o->format = arg;
	return 0;
}

static const struct vb_option export_options[] = {
	OPT_CALLBACK("format", 0, "csv|json", opt_format, "csv (default) or json"),
	OPT_STRING("host", 0, struct export_opts, f.host, "H", "only this host"),
	OPT_STRING("platform", 0, struct export_opts, f.platform, "P",
		   "only this platform"),
	OPT_STRING("run", 0, struct export_opts, f.run, "ID",
		   "only this run (UUID or unique prefix)"),
	OPT_END(),
};

static const struct export_opts export_defaults = { .format = "csv" };

const struct vb_optspec cmd_export_spec = {
	.synopsis = "virtbench export [--format csv|json] [--host H] [--platform P]\n"
		    "                        [--run ID]",
	.description =
	"Writes every sample to standard output.\n"
	"  csv   a header row, then one row per sample: run,host,platform,\n"
	"        benchmark,repetition,value,unit,status,started_at,duration,parser,\n"
	"        parser_version,error (default)\n"
	"  json  samples with their run, host and platform metadata and raw\n"
	"        output; re-importable with 'virtbench import json FILE'\n",
	.options = export_options,
	.size = sizeof(struct export_opts),
	.defaults = &export_defaults,
};

int cmd_export(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct export_opts *o = opts;

	(void)argc;
	(void)argv;
	if (!strcmp(o->format, "json"))
		return db_export_json(ctx->db, &o->f, stdout) < 0;
	return db_export_csv(ctx->db, &o->f, stdout) < 0;
}
