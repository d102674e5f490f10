/*
 * db/rows.c - a C array of rows as an SQL table, for bulk writes.
 *
 * The table-valued function db_rows(P), where P is a struct db_rows bound
 * with sqlite3_bind_pointer(..., "db_rows", NULL), yields one row per
 * element of the array with the columns k (the element's index), x (a
 * double), i (an int64) and t (a text) read at fixed offsets in each
 * element. An importer then writes a million samples with one
 * "INSERT ... SELECT ... FROM db_rows(?)" instead of a million statement
 * executions: the per-statement work (reset, bind, transaction checks,
 * cursor open and close) is done once, which is most of the cost of a
 * small INSERT. The array is only read, and only while the statement runs.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_int.h"
#include "common/util.h"

enum { COL_K, COL_X, COL_I, COL_T, COL_PTR };

struct rows_cursor {
	sqlite3_vtab_cursor base;
	const struct db_rows *r;
	size_t k;
};

static int rows_connect(sqlite3 *h, void *aux, int argc, const char *const *argv,
			sqlite3_vtab **out, char **err)
{
	sqlite3_vtab *v;
	int rc;

	(void)aux, (void)argc, (void)argv, (void)err;
	rc = sqlite3_declare_vtab(h, "CREATE TABLE x(k INTEGER, x REAL, i INTEGER,"
				     " t TEXT, ptr HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	v = sqlite3_malloc(sizeof(*v));
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	*out = v;
	return SQLITE_OK;
}

static int rows_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

/* The only plan: the pointer argument is given (db_rows(?)). */
static int rows_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
	(void)v;
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->iColumn == COL_PTR && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
		    c->usable) {
			info->aConstraintUsage[i].argvIndex = 1;
			info->aConstraintUsage[i].omit = 1;
			info->idxNum = 1;
			info->estimatedCost = 1;
			info->orderByConsumed = info->nOrderBy == 1 &&
				info->aOrderBy[0].iColumn == COL_K &&
				!info->aOrderBy[0].desc;
			return SQLITE_OK;
		}
	}
	return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	struct rows_cursor *c = sqlite3_malloc(sizeof(*c));

	(void)v;
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*out = &c->base;
	return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs,
		       int argc, sqlite3_value **argv)
{
	struct rows_cursor *c = (struct rows_cursor *)cur;

	(void)idxs;
	c->r = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], "db_rows") : NULL;
	c->k = 0;
	return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
	((struct rows_cursor *)cur)->k++;
	return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
	struct rows_cursor *c = (struct rows_cursor *)cur;

	return !c->r || c->k >= c->r->n;
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	struct rows_cursor *c = (struct rows_cursor *)cur;
	const struct db_rows *r = c->r;
	const char *row = r->base + c->k * r->stride;

	switch (col) {
	case COL_K:
		sqlite3_result_int64(ctx, (sqlite3_int64)c->k);
		break;
	case COL_X:
		if (r->x >= 0) {
			double d;

			memcpy(&d, row + r->x, sizeof(d));
			sqlite3_result_double(ctx, d);
		}
		break;
	case COL_I:
		if (r->i >= 0) {
			int64_t v;

			memcpy(&v, row + r->i, sizeof(v));
			sqlite3_result_int64(ctx, v);
		}
		break;
	case COL_T:
		if (r->t_ptr >= 0) {
			const char *s;
			size_t n;

			memcpy(&s, row + r->t_ptr, sizeof(s));
			memcpy(&n, row + r->t_len, sizeof(n));
			/* STATIC: the array outlives the statement's step. */
			if (s)
				sqlite3_result_text(ctx, s, (int)n, SQLITE_STATIC);
		}
		break;
	}
	return SQLITE_OK;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((struct rows_cursor *)cur)->k;
	return SQLITE_OK;
}

static const sqlite3_module rows_module = {
	.iVersion = 0,
	.xConnect = rows_connect, /* eponymous only: no xCreate */
	.xBestIndex = rows_best_index,
	.xDisconnect = rows_disconnect,
	.xOpen = rows_open,
	.xClose = rows_close,
	.xFilter = rows_filter,
	.xNext = rows_next,
	.xEof = rows_eof,
	.xColumn = rows_column,
	.xRowid = rows_rowid,
};

int db_rows_register(sqlite3 *h)
{
	return sqlite3_create_module(h, "db_rows", &rows_module, NULL);
}

int db_rows_insert_outputs(struct db *db, const struct db_rows *dr,
			   int64_t run_id, int64_t parser_id, int64_t *first)
{
	sqlite3_stmt *st;
	int rc;

	*first = 1;
	if (db_prepare(db, &st, "SELECT coalesce(max(id), 0) + 1 FROM output") < 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		*first = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (db_prepare(db, &st, "INSERT INTO output (id, run_id, started_at,"
		       " duration, parser_id, text) SELECT CASE k WHEN 0 THEN ?2"
		       " ELSE NULL END, ?3, i, NULL, ?4, t FROM db_rows(?1)"
		       " ORDER BY k") < 0)
		return -1;
	/* the pointer is only read during the step below */
	sqlite3_bind_pointer(st, 1, (void *)dr, "db_rows", NULL);
	sqlite3_bind_int64(st, 2, *first);
	sqlite3_bind_int64(st, 3, run_id);
	sqlite3_bind_int64(st, 4, parser_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, "insert outputs");
	if (sqlite3_last_insert_rowid(db_sqlite(db)) != *first + (int64_t)dr->n - 1)
		return vb_error("%s: bulk insert: output ids are not consecutive",
				db_path(db));
	return 0;
}
