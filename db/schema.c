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


/*
 * Version 2: the compact store (about 38 bytes per classic sample instead
 * of 144). What a sample was measured from - one tool output, or one line
 * of an imported file - is stored once in "output" and shared by every
 * sample it produced, with its start time as integer milliseconds and its
 * parser as a small id. A sample row holds only its value, a status code,
 * its output and its error; its key (run, platform, benchmark) is a
 * "series" row, and its row id is series.id * 2^32 + repetition, so the
 * unique key costs no index and a series' samples are one row-id range.
 * The view "sample" shows the version 1 columns, so readers (and
 * UPDATE/DELETE through its triggers) are unchanged.
 */
#define DB_SERIES_SHIFT "4294967296"
static const char migration_2[] =
	"CREATE TABLE parser ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  UNIQUE (name, version)"
	");"
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	"  platform_id INTEGER NOT NULL REFERENCES platform(id),"
	"  benchmark_id INTEGER NOT NULL REFERENCES benchmark(id),"
	"  UNIQUE (run_id, platform_id, benchmark_id)"
	");"
	"CREATE TABLE output ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,"
	"  started_at INTEGER,"    /* milliseconds since 1970, UTC */
	"  duration REAL,"         /* seconds */
	"  parser_id INTEGER REFERENCES parser(id),"
	"  text TEXT"
	");"
	"CREATE TABLE sample_value ("
	"  id INTEGER PRIMARY KEY,"  /* series.id * 2^32 + repetition */
	"  value REAL,"
	"  status INTEGER NOT NULL CHECK (status >= 0 AND status <= 2),"
	"  output_id INTEGER NOT NULL REFERENCES output(id),"
	"  error TEXT,"
	"  CHECK (status <> 0 OR value IS NOT NULL),"
	"  CHECK (status <> 2 OR id % " DB_SERIES_SHIFT " = 0)"
	");"
	/* A run's series go with it; their samples are a row-id range. */
	"CREATE TRIGGER series_delete AFTER DELETE ON series BEGIN"
	"  DELETE FROM sample_value WHERE id >= OLD.id * " DB_SERIES_SHIFT
	"    AND id < (OLD.id + 1) * " DB_SERIES_SHIFT ";"
	" END;"
	/* Version 1 data: one output per distinct line or tool output of a
	 * run and platform (the classic importer's six samples of a line
	 * share theirs), identified by its first sample's old id. */
	"INSERT INTO parser (name, version) SELECT DISTINCT parser,"
	"  coalesce(parser_version, 0) FROM sample WHERE parser IS NOT NULL;"
	"INSERT INTO series (run_id, platform_id, benchmark_id)"
	"  SELECT DISTINCT run_id, platform_id, benchmark_id FROM sample"
	"  ORDER BY 1, 2, 3;"
	"CREATE TEMP TABLE m2_output AS SELECT min(id) AS id, run_id, platform_id,"
	"  repetition, raw_output, started_at, duration, parser, parser_version"
	"  FROM sample GROUP BY run_id, platform_id, repetition, raw_output,"
	"  started_at, duration, parser, parser_version;"
	"CREATE INDEX temp.m2_output_key ON m2_output (run_id, platform_id, repetition);"
	"INSERT INTO output (id, run_id, started_at, duration, parser_id, text)"
	"  SELECT m.id, m.run_id, CAST(round((julianday(m.started_at) - 2440587.5)"
	"  * 86400000.0) AS INTEGER), m.duration, p.id, m.raw_output"
	"  FROM m2_output m LEFT JOIN parser p ON p.name = m.parser"
	"  AND p.version = coalesce(m.parser_version, 0) ORDER BY m.id;"
	"INSERT INTO sample_value (id, value, status, output_id, error)"
	"  SELECT se.id * " DB_SERIES_SHIFT " + s.repetition, s.value,"
	"  CASE s.status WHEN 'ok' THEN 0 WHEN 'failed' THEN 1 ELSE 2 END,"
	"  m.id, s.error FROM sample s"
	"  JOIN series se ON se.run_id = s.run_id AND se.platform_id = s.platform_id"
	"  AND se.benchmark_id = s.benchmark_id"
	"  JOIN m2_output m ON m.run_id = s.run_id AND m.platform_id = s.platform_id"
	"  AND m.repetition = s.repetition AND m.raw_output IS s.raw_output"
	"  AND m.started_at IS s.started_at AND m.duration IS s.duration"
	"  AND m.parser IS s.parser AND m.parser_version IS s.parser_version"
	"  ORDER BY 1;"
	"DROP TABLE temp.m2_output;"
	"DROP TABLE sample;"
	"CREATE VIEW sample AS SELECT v.id AS id, se.run_id AS run_id,"
	"  se.platform_id AS platform_id, se.benchmark_id AS benchmark_id,"
	"  v.id % " DB_SERIES_SHIFT " AS repetition, v.value AS value,"
	"  CASE v.status WHEN 0 THEN 'ok' WHEN 1 THEN 'failed' ELSE 'warmup' END"
	"  AS status, o.text AS raw_output, v.error AS error, p.name AS parser,"
	"  p.version AS parser_version,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', o.started_at / 1000.0, 'unixepoch')"
	"  AS started_at, o.duration AS duration, v.output_id AS output_id"
	"  FROM series se JOIN sample_value v ON v.id >= se.id * " DB_SERIES_SHIFT
	"  AND v.id < (se.id + 1) * " DB_SERIES_SHIFT
	"  JOIN output o ON o.id = v.output_id"
	"  LEFT JOIN parser p ON p.id = o.parser_id;"
	/* Writes through the view, for tools and tests that edit samples with
	 * SQL. Key columns are fixed; a changed parser version or output
	 * changes the shared output, which is what the samples were read
	 * from. virtbench itself writes the tables directly (db/db.c). */
	"CREATE TRIGGER sample_update INSTEAD OF UPDATE ON sample BEGIN"
	"  SELECT RAISE(ABORT, 'the key of a sample cannot be changed')"
	"    WHERE NEW.id IS NOT OLD.id OR NEW.run_id IS NOT OLD.run_id"
	"    OR NEW.platform_id IS NOT OLD.platform_id"
	"    OR NEW.benchmark_id IS NOT OLD.benchmark_id"
	"    OR NEW.repetition IS NOT OLD.repetition;"
	"  UPDATE sample_value SET value = NEW.value, error = NEW.error,"
	"    status = CASE NEW.status WHEN 'ok' THEN 0 WHEN 'failed' THEN 1"
	"    WHEN 'warmup' THEN 2 END WHERE id = OLD.id;"
	"  INSERT OR IGNORE INTO parser (name, version)"
	"    SELECT NEW.parser, coalesce(NEW.parser_version, 0)"
	"    WHERE NEW.parser IS NOT NULL;"
	"  UPDATE output SET text = NEW.raw_output, duration = NEW.duration,"
	"    started_at = CAST(round((julianday(NEW.started_at) - 2440587.5)"
	"    * 86400000.0) AS INTEGER),"
	"    parser_id = (SELECT id FROM parser WHERE name = NEW.parser"
	"    AND version = coalesce(NEW.parser_version, 0))"
	"    WHERE id = OLD.output_id AND (NEW.raw_output IS NOT OLD.raw_output"
	"    OR NEW.duration IS NOT OLD.duration OR NEW.parser IS NOT OLD.parser"
	"    OR NEW.parser_version IS NOT OLD.parser_version"
	"    OR NEW.started_at IS NOT OLD.started_at);"
	" END;"
	"CREATE TRIGGER sample_delete INSTEAD OF DELETE ON sample BEGIN"
	"  DELETE FROM sample_value WHERE id = OLD.id;"
	"  DELETE FROM output WHERE id = OLD.output_id AND NOT EXISTS"
	"    (SELECT 1 FROM sample_value WHERE output_id = OLD.output_id);"
	" END;";

/*
 * Version 3: replication and disturbance (issue 14), columns of the
 * measurement a sample was read from (its output): the instance (guest
 * boot, container) that ran it, numbered from 1 within its run and
 * platform; the host CPU other processes used meanwhile (cores, mean over
 * it) and whether that disturbed it (0/1). NULL when not recorded
 * (imported or older samples). The view "sample" gains the three columns;
 * it and its triggers are re-created as version 2 had them otherwise.
 */
static const char migration_3[] =
	"ALTER TABLE output ADD COLUMN instance INTEGER"
	"  CHECK (instance IS NULL OR instance >= 1);"
	"ALTER TABLE output ADD COLUMN host_other_cpu REAL;"
	"ALTER TABLE output ADD COLUMN disturbed INTEGER"
	"  CHECK (disturbed IS NULL OR disturbed IN (0, 1));"
	/* lets the analyzer's scan skip the join to output when no sample
	 * has either (imports): an EXISTS on this index is instant */
	"CREATE INDEX output_load ON output (run_id) WHERE instance IS NOT NULL"
	"  OR disturbed IS NOT NULL;"
	"DROP VIEW sample;"
	"CREATE VIEW sample AS SELECT v.id AS id, se.run_id AS run_id,"
	"  se.platform_id AS platform_id, se.benchmark_id AS benchmark_id,"
	"  v.id % " DB_SERIES_SHIFT " AS repetition, v.value AS value,"
	"  CASE v.status WHEN 0 THEN 'ok' WHEN 1 THEN 'failed' ELSE 'warmup' END"
	"  AS status, o.text AS raw_output, v.error AS error, p.name AS parser,"
	"  p.version AS parser_version,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', o.started_at / 1000.0, 'unixepoch')"
	"  AS started_at, o.duration AS duration, v.output_id AS output_id,"
	"  o.instance AS instance, o.host_other_cpu AS host_other_cpu,"
	"  o.disturbed AS disturbed"
	"  FROM series se JOIN sample_value v ON v.id >= se.id * " DB_SERIES_SHIFT
	"  AND v.id < (se.id + 1) * " DB_SERIES_SHIFT
	"  JOIN output o ON o.id = v.output_id"
	"  LEFT JOIN parser p ON p.id = o.parser_id;"
	"CREATE TRIGGER sample_update INSTEAD OF UPDATE ON sample BEGIN"
	"  SELECT RAISE(ABORT, 'the key of a sample cannot be changed')"
	"    WHERE NEW.id IS NOT OLD.id OR NEW.run_id IS NOT OLD.run_id"
	"    OR NEW.platform_id IS NOT OLD.platform_id"
	"    OR NEW.benchmark_id IS NOT OLD.benchmark_id"
	"    OR NEW.repetition IS NOT OLD.repetition;"
	"  UPDATE sample_value SET value = NEW.value, error = NEW.error,"
	"    status = CASE NEW.status WHEN 'ok' THEN 0 WHEN 'failed' THEN 1"
	"    WHEN 'warmup' THEN 2 END WHERE id = OLD.id;"
	"  INSERT OR IGNORE INTO parser (name, version)"
	"    SELECT NEW.parser, coalesce(NEW.parser_version, 0)"
	"    WHERE NEW.parser IS NOT NULL;"
	"  UPDATE output SET text = NEW.raw_output, duration = NEW.duration,"
	"    started_at = CAST(round((julianday(NEW.started_at) - 2440587.5)"
	"    * 86400000.0) AS INTEGER),"
	"    parser_id = (SELECT id FROM parser WHERE name = NEW.parser"
	"    AND version = coalesce(NEW.parser_version, 0)),"
	"    instance = NEW.instance, host_other_cpu = NEW.host_other_cpu,"
	"    disturbed = NEW.disturbed"
	"    WHERE id = OLD.output_id AND (NEW.raw_output IS NOT OLD.raw_output"
	"    OR NEW.duration IS NOT OLD.duration OR NEW.parser IS NOT OLD.parser"
	"    OR NEW.parser_version IS NOT OLD.parser_version"
	"    OR NEW.started_at IS NOT OLD.started_at"
	"    OR NEW.instance IS NOT OLD.instance"
	"    OR NEW.host_other_cpu IS NOT OLD.host_other_cpu"
	"    OR NEW.disturbed IS NOT OLD.disturbed);"
	" END;"
	"CREATE TRIGGER sample_delete INSTEAD OF DELETE ON sample BEGIN"
	"  DELETE FROM sample_value WHERE id = OLD.id;"
	"  DELETE FROM output WHERE id = OLD.output_id AND NOT EXISTS"
	"    (SELECT 1 FROM sample_value WHERE output_id = OLD.output_id);"
	" END;";

/*
 * Version 4: a partial index of the samples that are not ok (warm-ups and
 * failures, a few per series), so that the analyzer finds with one lookup
 * the series that have none beyond the warm-up and reads their values
 * without looking at any status (db/query.c, scan_prepare_clean()). Ok
 * samples, nearly all of them, are not in it: no byte more per sample.
 */
static const char migration_4[] =
	"CREATE INDEX sample_value_not_ok ON sample_value (id) WHERE status <> 0;";

const char *const db_migrations[] = {
	migration_1,
	migration_2,
	migration_3,
	migration_4,
};
const int db_migration_count = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
