/*
 * db/cmd_db.c - "virtbench db merge|check": database maintenance.
 * A second-level table of sub-commands; each row's flags say how the
 * database is opened, as for every command.
 */
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const struct vb_optspec cmd_db_spec = {
	.synopsis = "virtbench db merge OTHER.db\n"
		    "       virtbench db check",
	.description =
	"merge  copy the runs of OTHER.db (e.g. from another host) that are not\n"
	"       here yet (by run UUID) with their hosts, platforms and samples;\n"
	"       merging the same file twice adds nothing\n"
	"check  verify integrity and invariants; prints each problem, exit 1 if\n"
	"       any\n",
};

static const struct vb_optspec db_merge_spec = {
	.synopsis = "virtbench db merge OTHER.db",
	.description = "Copies the runs of OTHER.db that are not here yet (by run\n"
		       "UUID) with their hosts, platforms and samples.\n",
	.operands = "OTHER.db", .min_operands = 1, .max_operands = 1,
};

static const struct vb_optspec db_check_spec = {
	.synopsis = "virtbench db check",
	.description = "Verifies integrity and invariants; prints each problem,\n"
		       "exit 1 if any.\n",
};

static int db_cmd_merge(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	int added, skipped;

	(void)argc;
	(void)opts;
	if (db_merge(ctx->db, argv[1], &added, &skipped) < 0)
		return 1;
	printf("merged %d runs from %s (%d already present)\n", added, argv[1], skipped);
	return 0;
}

static int db_cmd_check(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	int n;

	(void)argc;
	(void)argv;
	(void)opts;
	n = db_check(ctx->db);
	if (n < 0)
		return 1;
	if (n > 0) {
		vb_error("%s: %d problem%s found", db_path(ctx->db), n, n == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", db_path(ctx->db));
	return 0;
}

const struct vb_cmd cmd_db_subcmds[] = {
	{ "merge", db_cmd_merge, CMD_CREATE_DB, "merge another database",
	  &db_merge_spec, NULL },
	{ "check", db_cmd_check, CMD_NEED_DB, "verify integrity and invariants",
	  &db_check_spec, NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};
