/*
 * db/schema.c - the database schema and its forward-only migrations.
 *
 * migrations[i] takes a database from user_version i to i + 1. A new schema
 * change is a new entry at the end; existing entries are never edited once
 * released, because databases in the field were made by them. db_open()
 * runs the missing steps in one transaction, so a failed migration leaves
 * the file as it was.
 */
#include "db/db_int.h"

static const char migration_1[] =
	"CREATE TABLE host ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  fingerprint TEXT,"
	"  cpu_model TEXT,"
	"  cores INTEGER,"
	"  memory_bytes INTEGER,"
	"  kernel TEXT,"
	"  os TEXT,"
	"  virt_flags TEXT,"
	"  has_kvm INTEGER,"
	"  meta TEXT NOT NULL DEFAULT '{}',"
	"  captured_at TEXT"
	");"
	"CREATE TABLE platform ("
	"  id INTEGER PRIMARY KEY,"
	"  host_id INTEGER NOT NULL REFERENCES host(id),"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  UNIQUE (host_id, name)"
	");"
	"CREATE TABLE run ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),"
	"  host_id INTEGER NOT NULL REFERENCES host(id),"
	"  suite TEXT NOT NULL,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  seed INTEGER,"
	"  tool_version TEXT NOT NULL,"
	"  command_line TEXT,"
	"  started_at TEXT NOT NULL,"
	"  ended_at TEXT,"
	"  status TEXT NOT NULL CHECK (status IN"
	"    ('running', 'complete', 'interrupted', 'failed', 'imported')),"
	"  source TEXT,"
	"  source_sha256 TEXT UNIQUE"
	");"
	"CREATE TABLE run_platform ("
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	"  platform_id INTEGER NOT NULL REFERENCES platform(id),"
	"  config TEXT NOT NULL DEFAULT '{}',"
	"  instance_id TEXT,"
	"  state TEXT NOT NULL DEFAULT 'ok'"
	"    CHECK (state IN ('ok', 'unavailable', 'failed')),"
	"  reason TEXT,"
	"  PRIMARY KEY (run_id, platform_id)"
	");"
	"CREATE TABLE benchmark ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  unit TEXT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower'))"
	");"
	"CREATE TABLE sample ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	"  platform_id INTEGER NOT NULL REFERENCES platform(id),"
	"  benchmark_id INTEGER NOT NULL REFERENCES benchmark(id),"
	"  repetition INTEGER NOT NULL CHECK (repetition >= 0),"
	"  value REAL,"
	/* Not "status IN (...)": an IN list builds a temporary index each
	 * time the INSERT runs, which doubled the cost of a bulk import. */
	"  status TEXT NOT NULL CHECK (status = 'ok' OR status = 'failed'"
	"    OR status = 'warmup'),"
	"  raw_output TEXT,"
	"  error TEXT,"
	"  parser TEXT,"
	"  parser_version INTEGER,"
	"  started_at TEXT NOT NULL,"
	"  duration REAL,"
	"  UNIQUE (run_id, platform_id, benchmark_id, repetition),"
	"  CHECK (status <> 'ok' OR value IS NOT NULL),"
	"  CHECK (status <> 'warmup' OR repetition = 0)"
	");"
	/* Marks the file as ours, so that db_open can tell a virtbench database
	 * from any other SQLite file (application_id is 'VBEN'). */
	"PRAGMA application_id = 0x5642454e;";

/* Replication and disturbance per sample (issue 14): the instance (guest
 * boot, container) that took it, numbered from 1 within its run and
 * platform, NULL when not recorded; the host CPU other processes used
 * during it (cores, mean over the sample) and whether that disturbed it
 * (0/1), NULL when not measured (imported or older samples). Columns only:
 * the sample table's key and checks stay as they are. */
static const char migration_2[] =
	"ALTER TABLE sample ADD COLUMN instance INTEGER"
	"  CHECK (instance IS NULL OR instance >= 1);"
	"ALTER TABLE sample ADD COLUMN host_other_cpu REAL;"
	"ALTER TABLE sample ADD COLUMN disturbed INTEGER"
	"  CHECK (disturbed IS NULL OR disturbed IN (0, 1));";

const char *const db_migrations[] = {
	migration_1,
	migration_2,
};
const int db_migration_count = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
