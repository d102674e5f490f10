/*
 * common/cmd.h - the command table's types. Each row of the table in
 * virtbench.c names a handler and the resources it needs; main() parses the
 * global options, sets up what the flags ask for, and calls the handler.
 *
 * A handler receives argv with argv[0] = the command's name and the global
 * options (--db, -q, -v) already removed. It returns 0 on success, 1 on a
 * failure it has already reported, and 2 for a usage error (after printing
 * the usage line). Only main() turns that into the exit code.
 */
#ifndef VB_COMMON_CMD_H
#define VB_COMMON_CMD_H

struct db;

enum {
	CMD_NEED_DB = 1 << 0,   /* open an existing database (read) */
	CMD_CREATE_DB = 1 << 1, /* open or create the database (write) */
};

struct vb_ctx {
	const char *db_path; /* --db, $VIRTBENCH_DB, or ./virtbench.db */
	struct db *db;       /* set when the row asks for a database */
	const char *argv0;   /* path of the running binary */
	int argc_full;       /* the full command line, for provenance */
	char **argv_full;
};

struct vb_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, struct vb_ctx *ctx);
	unsigned flags;
	const char *summary; /* one line for "virtbench help" */
	const char *usage;   /* full text for "virtbench CMD --help" */
};

/* Prints the command's usage to stderr and returns 2 (usage error). */
int cmd_usage_error(const struct vb_ctx *ctx, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Looks a command up by name (NULL if unknown). */
const struct vb_cmd *cmd_lookup(const char *name);

/* Handlers, one per command; each lives in its module's cmd_*.c. */
int cmd_import(int argc, char **argv, struct vb_ctx *ctx);
int cmd_export(int argc, char **argv, struct vb_ctx *ctx);
int cmd_db(int argc, char **argv, struct vb_ctx *ctx);
int cmd_analyze(int argc, char **argv, struct vb_ctx *ctx);
int cmd_compare(int argc, char **argv, struct vb_ctx *ctx);
int cmd_plot(int argc, char **argv, struct vb_ctx *ctx);
int cmd_report(int argc, char **argv, struct vb_ctx *ctx);
int cmd_collect(int argc, char **argv, struct vb_ctx *ctx);
int cmd_run(int argc, char **argv, struct vb_ctx *ctx);
int cmd_parse(int argc, char **argv, struct vb_ctx *ctx);
int cmd_reparse(int argc, char **argv, struct vb_ctx *ctx);
int cmd_doctor(int argc, char **argv, struct vb_ctx *ctx);
int cmd_cleanup(int argc, char **argv, struct vb_ctx *ctx);
int cmd_image(int argc, char **argv, struct vb_ctx *ctx);

#endif
