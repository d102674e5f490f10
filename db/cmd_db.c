/*
 * db/cmd_db.c - "virtbench db merge|check": database maintenance.
 * A second-level table of sub-commands whose summaries are the help text.
 */
#include <string.h>

#include "common/cmd.h"
#include "common/util.h"
#include "db/db.h"

const char cmd_db_usage[] =
	"usage: virtbench db merge OTHER.db\n"
	"       virtbench db check\n"
	"\n"
	"merge  copy the runs of OTHER.db (e.g. from another host) that are not\n"
	"       here yet (by run UUID) with their hosts, platforms and samples;\n"
	"       merging the same file twice adds nothing\n"
	"check  verify integrity and invariants; prints each problem, exit 1 if\n"
	"       any\n";

static int db_cmd_merge(int argc, char **argv, struct vb_ctx *ctx)
{
	int added, skipped;

	if (argc != 2)
		return cmd_usage_error(ctx, "db", "db merge: give exactly one OTHER.db");
	if (db_merge(ctx->db, argv[1], &added, &skipped) < 0)
		return 1;
	printf("merged %d runs from %s (%d already present)\n", added, argv[1], skipped);
	return 0;
}

static int db_cmd_check(int argc, char **argv, struct vb_ctx *ctx)
{
	int n;

	(void)argv;
	if (argc != 1)
		return cmd_usage_error(ctx, "db", "db check: no arguments expected");
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

static const struct {
	const char *name;
	int (*fn)(int, char **, struct vb_ctx *);
	enum db_open_mode mode;
} subcommands[] = {
	{ "merge", db_cmd_merge, DB_OPEN_CREATE },
	{ "check", db_cmd_check, DB_OPEN_EXISTING },
};

int cmd_db(int argc, char **argv, struct vb_ctx *ctx)
{
	int ret;

	if (argc < 2)
		return cmd_usage_error(ctx, "db", "db: say what to do (merge or check)");
	for (size_t i = 0; i < VB_ARRAY_SIZE(subcommands); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		if (db_open(ctx->db_path, subcommands[i].mode, &ctx->db) < 0)
			return 1;
		ret = subcommands[i].fn(argc - 1, argv + 1, ctx);
		return ret;
	}
	return cmd_usage_error(ctx, "db", "db: unknown sub-command '%s' (merge, check)", argv[1]);
}
