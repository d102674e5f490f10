/*
 * common/cmd.c - the dispatcher behind the command table: sub-command
 * lookup, option parsing by the row's table, database setup and teardown
 * from the row's flags, and the usage text. The table itself is virtbench.c's;
 * nothing here calls back into it.
 */
#include "common/cmd.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db.h"

const struct vb_cmd *cmd_lookup(const struct vb_cmd *table, const char *name)
{
	for (const struct vb_cmd *c = table; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cmd_print_usage(const struct vb_cmd *c, FILE *f)
{
	vb_usage_print(c->spec, f);
	for (const struct vb_cmd *s = c->subcmds; s && s->name; s++) {
		if (!s->spec->options || !s->spec->options->kind)
			continue;
		fprintf(f, "\n%s options:\n", s->name);
		vb_options_print(s->spec->options, f);
	}
}

/* "merge, check" */
static char *subcmd_names(const struct vb_cmd *c)
{
	struct sb sb = SB_INIT;

	sb_init(&sb);
	for (const struct vb_cmd *s = c->subcmds; s->name; s++)
		sb_addf(&sb, "%s%s", sb.len ? ", " : "", s->name);
	return sb_detach(&sb);
}

const struct vb_cmd *cmd_resolve(const struct vb_cmd *c, int *argc,
				 char ***argv, int for_help)
{
	const struct vb_cmd *s;
	char *names;

	if (!c->subcmds)
		return c;
	if (*argc < 2 && for_help)
		return c;
	s = *argc < 2 ? NULL : cmd_lookup(c->subcmds, (*argv)[1]);
	if (s) {
		(*argc)--;
		(*argv)++;
		return s;
	}
	names = subcmd_names(c);
	if (*argc < 2)
		vb_error("virtbench %s: missing sub-command (%s)", c->name, names);
	else
		vb_error("virtbench %s: unknown sub-command '%s' (%s)", c->name, (*argv)[1],
			 names);
	free(names);
	cmd_print_usage(c, stderr);
	return NULL;
}

/* A command's options struct, at its defaults. */
static void *opts_new(const struct vb_optspec *spec)
{
	void *opts = xcalloc(1, spec->size ? spec->size : 1);

	if (spec->defaults)
		memcpy(opts, spec->defaults, spec->size);
	return opts;
}

int cmd_call(const struct vb_optspec *spec, vb_cmd_fn *fn, int argc,
	     char **argv, struct vb_ctx *ctx)
{
	void *opts = opts_new(spec);
	int ret;

	ret = vb_options_parse(spec, &argc, argv, opts, 0);
	if (!ret)
		ret = fn(argc, argv, opts, ctx);
	vb_options_release(spec, opts);
	free(opts);
	return ret < 0 ? 1 : ret;
}

/* Removes the database file and its companions. */
static void remove_db_files(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < VB_ARRAY_SIZE(sfx); i++) {
		char *f = xasprintf("%s%s", path, sfx[i]);

		unlink(f);
		free(f);
	}
}

int cmd_exec(const struct vb_cmd *c, int argc, char **argv, struct vb_ctx *ctx)
{
	void *opts;
	int ret, created = 0, remove_db = 0;

	if (!(c = cmd_resolve(c, &argc, &argv, 0)))
		return 2;
	opts = opts_new(c->spec);
	ret = vb_options_parse(c->spec, &argc, argv, opts, 0);
	if (ret)
		goto cleanup;
	if (!ctx->db && (c->flags & (CMD_NEED_DB | CMD_CREATE_DB))) {
		int create = !!(c->flags & CMD_CREATE_DB);
		struct stat st;

		created = stat(ctx->db_path, &st) < 0;
		if (db_open(ctx->db_path, create ? DB_OPEN_CREATE : DB_OPEN_EXISTING,
			    &ctx->db) < 0) {
			ret = 1;
			goto cleanup;
		}
		ret = c->fn(argc, argv, opts, ctx);
		if (ret < 0)
			ret = 1;
		/* A command that failed leaves nothing behind: not even the
		 * empty database file it created (a failed collect that stored
		 * samples keeps them, of course). */
		if (ret && created && !db_has_runs(ctx->db))
			remove_db = 1;
		if (db_close(ctx->db) < 0 && ret == 0)
			ret = 1;
		ctx->db = NULL;
		if (remove_db)
			remove_db_files(ctx->db_path);
	} else {
		ret = c->fn(argc, argv, opts, ctx);
		if (ret < 0)
			ret = 1;
	}
cleanup:
	vb_options_release(c->spec, opts);
	free(opts);
	return ret;
}
