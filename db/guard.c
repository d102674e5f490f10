/*
 * db/guard.c - what keeps foreign data from being executed and a measured
 * sample from being lost: whether a run may be resumed here, the lock that
 * lets one collector at a time work on a run, and the lock wait of a
 * collector that must not give up on its sample.
 *
 * The run lock is a POSIX record lock (F_SETLK, so that F_GETLK names the
 * holder's pid) on one byte of the database file far beyond anything SQLite locks (its lock bytes
 * sit at 1 GiB; ours at 2^62 + a hash of the UUID). It is tied to the
 * database file itself, whatever path or state directory a collector was
 * given, and the kernel drops it when the process dies, SIGKILL included,
 * so it never has to be cleaned up. The descriptor is deliberately never
 * closed while the process runs: closing any descriptor of the database
 * file would drop the POSIX locks SQLite holds on it.
 */
#include "db/db_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

/* ---- may this run be resumed here? -------------------------------------- */

/* Databases written before the keyed fingerprint hold the plain SHA-256
 * of machine-id; such a run of this machine stays resumable. The plain
 * hash is computed here to compare, never stored. */
static int legacy_fingerprint_is(const char *fp)
{
	struct sb sb = SB_INIT;
	char hex[65];
	int same = 0;

	if (sb_read_file(&sb, "/etc/machine-id") == 0 && sb.len >= 32) {
		vb_sha256_hex(sb.buf, strcspn(sb.buf, "\n"), hex);
		same = !strcmp(hex, fp);
		explicit_bzero(hex, sizeof(hex));
		explicit_bzero(sb.buf, sb.len);
	}
	sb_release(&sb);
	return same;
}

int db_run_check_resumable(struct db *db, int64_t run_id)
{
	sqlite3_stmt *st;
	struct db_host me;
	int ret = -1, rc;

	if (db_prepare(db, &st, "SELECT r.uuid, r.status, r.source, h.name,"
				" h.fingerprint FROM run r JOIN host h ON"
				" h.id = r.host_id WHERE r.id = ?1") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			vb_error("%s: run %lld not found", db->path, (long long)run_id);
		else
			db_error(db, "read run");
		sqlite3_finalize(st);
		return -1;
	}
	db_host_probe(&me, NULL);
	{
		const char *uuid = (const char *)sqlite3_column_text(st, 0);
		const char *status = (const char *)sqlite3_column_text(st, 1);
		const char *source = (const char *)sqlite3_column_text(st, 2);
		const char *host = (const char *)sqlite3_column_text(st, 3);
		const char *fp = (const char *)sqlite3_column_text(st, 4);

		/* Its stored suite is a list of commands: only a run this
		 * machine collected may run them again. */
		if (!strcmp(status, "imported") || source)
			vb_error("run %s was imported%s%s, not collected here; it "
				 "cannot be resumed (its commands are never run)",
				 uuid, source ? " from " : "", source ? source : "");
		else if (strcmp(host, me.name) ||
			 (fp && me.fingerprint && strcmp(fp, me.fingerprint) &&
			  !legacy_fingerprint_is(fp)))
			vb_error("run %s was collected on host %s, not on this one "
				 "(%s%s); it can only be resumed there", uuid, host,
				 me.name, fp && me.fingerprint &&
				 !strcmp(host, me.name) ? ", another machine-id" : "");
		else
			ret = 0;
	}
	db_host_clear(&me);
	sqlite3_finalize(st);
	return ret;
}

/* ---- one live collector per run ---------------------------------------- */

#define RUN_LOCK_BASE ((off_t)1 << 62)

static off_t run_lock_offset(const char *uuid)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const char *p = uuid; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return RUN_LOCK_BASE + (off_t)(h & 0xffffffffu);
}

int db_run_lock(struct db *db, const char *uuid)
{
	struct flock fl = { 0 };
	int fd = open(db->path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return vb_error("%s: cannot open to lock run %s: %s", db->path,
				uuid, strerror(errno));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = run_lock_offset(uuid);
	fl.l_len = 1;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return 0; /* fd stays open: see the comment at the top */
	if (errno == EAGAIN || errno == EACCES) {
		struct flock who = fl;
		int e = fcntl(fd, F_GETLK, &who);

		/* Not closed: a close would release SQLite's locks too. The
		 * process exits after this error. */
		if (e == 0 && who.l_type != F_UNLCK && who.l_pid > 0)
			return vb_error("run %s is being collected by process %ld "
					"(it holds the run's lock on %s)", uuid,
					(long)who.l_pid, db->path);
		return vb_error("run %s is being collected by another process "
				"(it holds the run's lock on %s)", uuid, db->path);
	}
	return vb_error("%s: cannot lock run %s: %s", db->path, uuid,
			strerror(errno));
}

/* ---- waiting for the write lock ----------------------------------------- */

struct wait_state {
	const char *path;
	volatile sig_atomic_t *give_up;
	double since;
	int told;
};

static struct wait_state wait_state;

/* SQLite's busy handler: called with the number of earlier calls for this
 * one lock attempt; nonzero means "try again". */
static int busy_wait(void *arg, int count)
{
	struct wait_state *w = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	double waited;

	if (count == 0) {
		w->since = vb_mono_time();
		w->told = 0;
	}
	waited = vb_mono_time() - w->since;
	if (w->give_up && *w->give_up && waited * 1000 >= db_busy_ms) {
		vb_error("%s: still locked by another process after %.0f s; "
			 "giving up because of the interrupt", w->path, waited);
		return 0;
	}
	if (!w->told && waited * 1000 >= db_busy_ms) {
		vb_warn("%s: locked by another process for %.0f s; waiting for "
			"it (the measured sample is kept in memory meanwhile)",
			w->path, waited);
		w->told = 1;
	}
	nanosleep(&ts, NULL);
	return 1;
}

void db_wait_for_locks(struct db *db, volatile sig_atomic_t *give_up)
{
	wait_state.path = db->path;
	wait_state.give_up = give_up;
	sqlite3_busy_handler(db->h, busy_wait, &wait_state);
}
