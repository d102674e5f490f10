/*
 * db/cmd_export.c - "virtbench export": samples as CSV or JSON on stdout.
 */
#include <getopt.h>
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const char cmd_export_usage[] =
	"usage: virtbench export [--format csv|json] [--host H] [--platform P]\n"
	"                        [--run ID]\n"
	"\n"
	"Writes every sample to standard output.\n"
	"  csv   a header row, then one row per sample: run,host,platform,\n"
	"        benchmark,repetition,value,unit,status,started_at,duration,parser,\n"
	"        parser_version,error (default)\n"
	"  json  samples with their run, host and platform metadata and raw\n"
	"        output; re-importable with 'virtbench import json FILE'\n";

int cmd_export(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "host", required_argument, NULL, 'H' },
		{ "platform", required_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct db_filter f = { 0 };
	const char *format = "csv";
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'H': f.host = optarg; break;
		case 'p': f.platform = optarg; break;
		case 'r': f.run = optarg; break;
		default: return cmd_usage_error(ctx, "export", NULL);
		}
	}
	if (optind != argc)
		return cmd_usage_error(ctx, "export", "export: unexpected argument '%s'", argv[optind]);
	if (!strcmp(format, "csv"))
		return db_export_csv(ctx->db, &f, stdout) < 0;
	if (!strcmp(format, "json"))
		return db_export_json(ctx->db, &f, stdout) < 0;
	return cmd_usage_error(ctx, "export", "--format '%s': use csv or json", format);
}
