/*
 * db/cmd_import.c - "virtbench import classic|json": the command-line side
 * of the importers in db/import_*.c.
 */
#include <getopt.h>
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const char cmd_import_usage[] =
	"usage: virtbench import classic FILE --platform NAME [--host NAME]\n"
	"       virtbench import json FILE\n"
	"\n"
	"classic  lines 'time,cpu,mem,diskRand,diskSeq[,fork,uplink]' as written\n"
	"         by the classic benchmark.sh (time = `date +%s`); an optional\n"
	"         header line, '#' comments and blank lines are accepted. One bad\n"
	"         line rejects the file (FILE:LINE: reason) and nothing is written.\n"
	"         A file already imported (same SHA-256) is refused.\n"
	"  --platform NAME  the platform the file was measured on (native, docker,\n"
	"                   kvm, qemu, ...)\n"
	"  --host NAME      the machine it was measured on (default: this one)\n"
	"json     a file written by 'virtbench export --format json'; runs already\n"
	"         in the database (same UUID) are skipped\n";

static int import_classic(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "host", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *platform = NULL, *host = NULL;
	char uuid[37];
	long n;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': platform = optarg; break;
		case 'H': host = optarg; break;
		default: return cmd_usage_error(ctx, "import", NULL);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, "import", "import classic: give exactly one FILE");
	if (!platform)
		return cmd_usage_error(ctx, "import", "import classic: --platform NAME is required");
	if (db_import_classic(ctx->db, argv[optind], platform, host, uuid, &n) < 0)
		return 1;
	printf("%s\n", uuid);
	vb_info("imported %ld samples from %s as run %s", n, argv[optind], uuid);
	return 0;
}

static int import_json(int argc, char **argv, struct vb_ctx *ctx)
{
	int added, skipped;
	long n;

	if (argc != 2)
		return cmd_usage_error(ctx, "import", "import json: give exactly one FILE");
	if (db_import_json(ctx->db, argv[1], &added, &skipped, &n) < 0)
		return 1;
	vb_info("imported %d runs (%ld samples) from %s; %d already present",
		added, n, argv[1], skipped);
	return 0;
}

int cmd_import(int argc, char **argv, struct vb_ctx *ctx)
{
	if (argc < 2)
		return cmd_usage_error(ctx, "import", "import: say what to import (classic or json)");
	if (!strcmp(argv[1], "classic"))
		return import_classic(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "json"))
		return import_json(argc - 1, argv + 1, ctx);
	return cmd_usage_error(ctx, "import", "import: unknown format '%s' (classic, json)", argv[1]);
}
