/*
 * db/cmd_import.c - "virtbench import classic|json": the command-line side
 * of the importers in db/import_*.c.
 */
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const struct vb_optspec cmd_import_spec = {
	.synopsis = "virtbench import classic FILE --platform NAME [--host NAME]\n"
		    "       virtbench import json FILE",
	.description =
	"classic  lines 'time,cpu,mem,diskRand,diskSeq[,fork,uplink]' as written\n"
	"         by the classic benchmark.sh (time = `date +%s`); an optional\n"
	"         header line, '#' comments and blank lines are accepted. One bad\n"
	"         line rejects the file (FILE:LINE: reason) and nothing is written.\n"
	"         A file already imported (same SHA-256) is refused.\n"
	"json     a file written by 'virtbench export --format json'; runs already\n"
	"         in the database (same UUID) are skipped\n",
};

struct classic_opts {
	const char *platform, *host;
};

static const struct vb_option classic_options[] = {
	OPT_STRING("platform", 0, struct classic_opts, platform, "NAME",
		   "the platform the file was measured on (native, docker,\n"
		   "kvm, qemu, ...)"),
	OPT_STRING("host", 0, struct classic_opts, host, "NAME",
		   "the machine it was measured on (default: this one)"),
	OPT_END(),
};

static const struct vb_optgroup classic_groups[] = {
	GROUP_REQUIRED("platform"),
	GROUP_END(),
};

static const struct vb_optspec classic_spec = {
	.synopsis = "virtbench import classic FILE --platform NAME [--host NAME]",
	.description =
	"Imports lines 'time,cpu,mem,diskRand,diskSeq[,fork,uplink]' as written\n"
	"by the classic benchmark.sh; one bad line rejects the file\n"
	"(FILE:LINE: reason) and nothing is written. Prints the run's UUID.\n",
	.options = classic_options,
	.groups = classic_groups,
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
	.size = sizeof(struct classic_opts),
};

static const struct vb_optspec json_spec = {
	.synopsis = "virtbench import json FILE",
	.description = "Imports a file written by 'virtbench export --format json';\n"
		       "runs already in the database (same UUID) are skipped.\n",
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
};

static int import_classic(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct classic_opts *o = opts;
	char uuid[37];
	long n;

	(void)argc;
	if (db_import_classic(ctx->db, argv[1], o->platform, o->host, uuid, &n) < 0)
		return 1;
	printf("%s\n", uuid);
	vb_info("imported %ld samples from %s as run %s", n, argv[1], uuid);
	return 0;
}

static int import_json(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	int added, skipped;
	long n;

	(void)argc;
	(void)opts;
	if (db_import_json(ctx->db, argv[1], &added, &skipped, &n) < 0)
		return 1;
	vb_info("imported %d runs (%ld samples) from %s; %d already present",
		added, n, argv[1], skipped);
	return 0;
}

const struct vb_cmd cmd_import_subcmds[] = {
	{ "classic", import_classic, CMD_CREATE_DB,
	  "classic benchmark.sh CSV", &classic_spec, NULL },
	{ "json", import_json, CMD_CREATE_DB, "virtbench JSON export",
	  &json_spec, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};
