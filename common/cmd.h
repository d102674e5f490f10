/*
 * common/cmd.h - the command table's types and its dispatcher. Each row of
 * the table in virtbench.c names a handler and the resources it needs;
 * main() parses the global options and calls cmd_exec(), which sets up what
 * the flags ask for and calls the handler.
 *
 * Each row names its option table (common/options.h); cmd_exec() parses
 * the command line by it before the handler runs, so a usage error never
 * opens a database. A handler returns 0 on success, 1 on a failure it has
 * already reported, and 2 for a usage error (vb_usage_error()). Only main()
 * turns that into the exit code.
 */
#ifndef VB_COMMON_CMD_H
#define VB_COMMON_CMD_H

#include <stdio.h>

#include "common/options.h"

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

/* A handler gets argv[0] = the command's name and argv[1..argc-1] = its
 * operands (the options are already parsed into opts, the command's own
 * options struct, and removed). */
typedef int vb_cmd_fn(int argc, char **argv, void *opts, struct vb_ctx *ctx);

struct vb_cmd {
	const char *name;
	vb_cmd_fn *fn;              /* NULL for a family of sub-commands */
	unsigned flags;
	const char *summary;        /* one line for "virtbench help" */
	const struct vb_optspec *spec;  /* options, operands and usage */
	const struct vb_cmd *subcmds;   /* second-level table (name NULL
					 * ends it), or NULL */
};

/* Looks a command up by name in table (ended by a NULL name); NULL if
 * unknown. */
const struct vb_cmd *cmd_lookup(const struct vb_cmd *table, const char *name);

/* Writes c's usage (for a family: its own, then each sub-command's
 * options). */
void cmd_print_usage(const struct vb_cmd *c, FILE *f);

/* For a family, picks the sub-command named by argv[1] and shifts argv by
 * one; returns the row that runs, or NULL after a usage error. With
 * for_help, a family without a sub-command name returns itself. */
const struct vb_cmd *cmd_resolve(const struct vb_cmd *c, int *argc,
				 char ***argv, int for_help);

/* Parses argv by spec and calls fn with the options (ctx as it is: no
 * setup). Returns fn's status, or 2 after a usage error. */
int cmd_call(const struct vb_optspec *spec, vb_cmd_fn *fn, int argc,
	     char **argv, struct vb_ctx *ctx);

/* Runs command c as typed: resolves a sub-command, parses the options, sets
 * up what the row's flags ask for (a database, opened or created), calls
 * the handler and tears down. A failed command leaves no database file it
 * created (unless runs were stored in it). Returns 0, 1 (failure, already
 * reported) or 2 (usage error). */
int cmd_exec(const struct vb_cmd *c, int argc, char **argv, struct vb_ctx *ctx);

/* Handlers, one per command; each lives in its module's cmd_*.c with its
 * spec (cmd_NAME_spec) or its sub-command table (cmd_NAME_subcmds). */
vb_cmd_fn cmd_export, cmd_analyze, cmd_compare, cmd_plot, cmd_report,
	cmd_collect, cmd_run, cmd_parse, cmd_reparse, cmd_doctor, cmd_cleanup;
extern const struct vb_optspec cmd_export_spec, cmd_analyze_spec,
	cmd_compare_spec, cmd_plot_spec, cmd_report_spec, cmd_collect_spec,
	cmd_run_spec, cmd_parse_spec, cmd_reparse_spec, cmd_doctor_spec,
	cmd_cleanup_spec, cmd_import_spec, cmd_db_spec, cmd_image_spec;
extern const struct vb_cmd cmd_import_subcmds[], cmd_db_subcmds[],
	cmd_image_subcmds[];

#endif
