/*
 * db/cmd_import.c - "virtbench import classic|json|csv|hyperfine": the
 * command-line side of the importers in db/import_*.c.
 */
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const struct vb_optspec cmd_import_spec = {
	.synopsis = "virtbench import classic FILE --platform NAME [--host NAME]\n"
		    "       virtbench import json FILE\n"
		    "       virtbench import csv FILE [--host H] [--platform P] [--benchmark B]\n"
		    "                            [--unit U] [--direction higher|lower]\n"
		    "       virtbench import hyperfine FILE --platform P [--host H]",
	.description =
	"classic  lines 'time,cpu,mem,diskRand,diskSeq[,fork,uplink]' as written\n"
	"         by the classic benchmark.sh (time = `date +%s`); an optional\n"
	"         header line, '#' comments and blank lines are accepted. One bad\n"
	"         line rejects the file (FILE:LINE: reason) and nothing is written.\n"
	"         A file already imported (same SHA-256) is refused.\n"
	"json     a file written by 'virtbench export --format json'; runs already\n"
	"         in the database (same UUID) are skipped\n"
	"csv      a tidy CSV, one sample per row, a header naming the columns\n"
	"         host, platform, benchmark, value, unit, direction, repetition,\n"
	"         time in any order; a column the file lacks comes from its option\n"
	"hyperfine  hyperfine's --export-json: each command a benchmark, each\n"
	"         run time a sample in s, lower is better\n",
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

struct csv_opts {
	struct db_csv_defaults d;
};

static const struct vb_option csv_options[] = {
	OPT_STRING("host", 0, struct csv_opts, d.host, "H",
		   "every row's host, if there is no 'host' column\n"
		   "(default: this machine)"),
	OPT_STRING("platform", 0, struct csv_opts, d.platform, "P",
		   "every row's platform, if there is no 'platform' column"),
	OPT_STRING("benchmark", 0, struct csv_opts, d.benchmark, "B",
		   "every row's benchmark, if there is no such column"),
	OPT_STRING("unit", 0, struct csv_opts, d.unit, "U",
		   "the unit, if there is no 'unit' column (default:\n"
		   "the benchmark's, when it is already defined)"),
	OPT_STRING("direction", 0, struct csv_opts, d.direction, "higher|lower",
		   "which is better, if there is no such column"),
	OPT_END(),
};

static const struct vb_optspec csv_spec = {
	.synopsis = "virtbench import csv FILE [--host H] [--platform P] [--benchmark B]\n"
		    "                            [--unit U] [--direction higher|lower]",
	.description =
	"Imports a tidy CSV: a header row naming its columns, in any order, from\n"
	"host, platform, benchmark, value, unit, direction, repetition, time\n"
	"(value required; time as UNIX seconds or ISO 8601 UTC), then one sample\n"
	"per row; fields may be double-quoted. A column the file lacks is given\n"
	"by the option of the same name. One bad row rejects the file\n"
	"(FILE:LINE: reason) and nothing is written; a file already imported\n"
	"(same SHA-256), and a unit or direction that contradicts a benchmark's\n"
	"existing definition, are refused. Prints the UUID of each run (one per\n"
	"host in the file).\n",
	.options = csv_options,
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
	.size = sizeof(struct csv_opts),
};

static const struct vb_option hyperfine_options[] = {
	OPT_STRING("platform", 0, struct classic_opts, platform, "P",
		   "the platform the commands ran on"),
	OPT_STRING("host", 0, struct classic_opts, host, "H",
		   "the machine they ran on (default: this one)"),
	OPT_END(),
};

static const struct vb_optspec hyperfine_spec = {
	.synopsis = "virtbench import hyperfine FILE --platform P [--host H]",
	.description =
	"Imports the JSON of 'hyperfine --export-json FILE': each command is a\n"
	"benchmark named by its command name (--command-name, else the command),\n"
	"each run time a sample in seconds, lower is better; a run that exited\n"
	"non-zero (hyperfine -i) is a failed sample. All or nothing; a file\n"
	"already imported is refused. Prints the run's UUID.\n",
	.options = hyperfine_options,
	.groups = classic_groups,
	.operands = "FILE", .min_operands = 1, .max_operands = 1,
	.size = sizeof(struct classic_opts),
};

static int print_runs(char **uuids, long n, const char *path)
{
	for (size_t i = 0; uuids && uuids[i]; i++)
		printf("%s\n", uuids[i]);
	vb_info("imported %ld samples from %s as %zu run%s", n, path,
		uuids ? vb_strv_len(uuids) : 0,
		uuids && vb_strv_len(uuids) == 1 ? "" : "s");
	vb_strv_free(uuids);
	return 0;
}

static int import_csv(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct csv_opts *o = opts;
	char **uuids;
	long n;

	(void)argc;
	if (db_import_csv(ctx->db, argv[1], &o->d, &uuids, &n) < 0)
		return 1;
	return print_runs(uuids, n, argv[1]);
}

static int import_hyperfine(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct classic_opts *o = opts;
	char **uuids;
	long n;

	(void)argc;
	if (db_import_hyperfine(ctx->db, argv[1], o->platform, o->host, &uuids, &n) < 0)
		return 1;
	return print_runs(uuids, n, argv[1]);
}

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
	{ "csv", import_csv, CMD_CREATE_DB, "tidy CSV, one sample per row",
	  &csv_spec, NULL },
	{ "hyperfine", import_hyperfine, CMD_CREATE_DB, "hyperfine --export-json",
	  &hyperfine_spec, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};
