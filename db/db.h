/*
 * db/db.h - the virtbench store: one SQLite file holding hosts, platforms,
 * runs, benchmarks and samples.
 *
 * Workload: the collector appends one sample at a time and commits each on
 * its own (a crash loses nothing that completed); import appends up to
 * millions of samples in one transaction; analyze/plot/report read whole
 * tables. The file is in WAL mode with foreign keys on; its schema version
 * lives in PRAGMA user_version and migrations only go forward.
 *
 * Schema (see db/schema.c for the DDL and docs/ARCHITECTURE.md):
 *   host(id, name UNIQUE, fingerprint, cpu_model, cores, memory_bytes,
 *        kernel, os, virt_flags, has_kvm, meta JSON, captured_at)
 *   platform(id, host_id, name, kind, UNIQUE(host_id, name))
 *   run(id, uuid UNIQUE, host_id, suite, params JSON, seed, tool_version,
 *       command_line, started_at, ended_at, status, source, source_sha256)
 *   run_platform(run_id, platform_id, config JSON, instance_id, state,
 *       reason)      -- the exact configuration a platform had in a run
 *   benchmark(id, name UNIQUE, unit, direction 'higher'|'lower')
 *   series(id, run_id, platform_id, benchmark_id, UNIQUE(...))
 *   parser(id, name, version)
 *   output(id, run_id, started_at ms, duration, parser_id, text,
 *          instance, host_other_cpu, disturbed)
 *          -- one tool output or imported line, shared by its samples;
 *          the instance that ran it and the host's load meanwhile
 *   sample_value(id = series.id * 2^32 + repetition, value,
 *          status 0 ok | 1 failed | 2 warmup, output_id, error)
 *   sample  -- a view with the columns of version 1: id, run_id,
 *          platform_id, benchmark_id, repetition, value, status text,
 *          raw_output, error, parser, parser_version, started_at ISO,
 *          duration, output_id, instance, host_other_cpu, disturbed
 *          (UPDATE and DELETE work through it). Outputs are numbered in
 *          the order they were stored, so for collected samples (one
 *          output each) ORDER BY output_id is the order the collector
 *          stored them; id is not (it is series * 2^32 + repetition).
 * A warm-up sample has repetition 0; measured repetitions count from 1.
 *
 * All functions return 0 on success and a negative value on failure, which
 * they have reported with vb_error() naming the database file.
 */
#ifndef VB_DB_DB_H
#define VB_DB_DB_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DB_SCHEMA_VERSION 4

enum db_open_mode {
	DB_OPEN_EXISTING, /* the file must exist and be a virtbench database */
	DB_OPEN_CREATE,   /* create it (and its schema) when missing */
};

struct db;

/* How long a locked database is retried before the error is reported, in
 * milliseconds (default 5000); set before db_open(). */
extern int db_busy_ms;

/* Opens (and if needed creates or migrates) a database. A file that is not
 * a virtbench database, or whose schema is newer than this binary knows, is
 * refused. On success *out is owned by the caller: db_close() it. */
int db_open(const char *path, enum db_open_mode mode, struct db **out);
/* Closes; accepts NULL. Returns negative if SQLite reported an error. */
int db_close(struct db *db);
const char *db_path(const struct db *db);

/* 1 if the database holds at least one run (0 also on error). */
int db_has_runs(struct db *db);

/* Transactions. db_begin() takes the write lock at once (BEGIN IMMEDIATE),
 * retrying while another writer holds it (busy timeout), then reports. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Host metadata. Fields may be NULL/0 where unknown (imported data). */
struct db_host {
	char *name;
	char *fingerprint;   /* stable id: sha256 of machine-id, or NULL */
	char *cpu_model;
	int cores;
	int64_t memory_bytes;
	char *kernel;
	char *os;
	char *virt_flags;    /* "vmx", "svm" or "" */
	int has_kvm;         /* /dev/kvm present */
	char *meta;          /* JSON object with anything else */
	char *captured_at;   /* when the facts were read; NULL = now */
};
/* Fills h with this machine's facts (from /proc, uname, os-release).
 * name_override, if set, replaces the hostname. Free with db_host_clear(). */
void db_host_probe(struct db_host *h, const char *name_override);
void db_host_clear(struct db_host *h);
/* Returns the id of the host with h->name, inserting it when new; facts are
 * stored the first time they are known (captured once per host). */
int db_host_ensure(struct db *db, const struct db_host *h, int64_t *id);
/* Shorthand: probe this machine (or use just the name, for imported data
 * about another host) and ensure it. local=1 probes. */
int db_host_ensure_named(struct db *db, const char *name, int local, int64_t *id);

int db_platform_ensure(struct db *db, int64_t host_id, const char *name,
		       const char *kind, int64_t *id);
int db_benchmark_ensure(struct db *db, const char *name, const char *unit,
			const char *direction, int64_t *id);

struct db_run {
	char uuid[37];          /* filled by db_run_create() when empty */
	int64_t host_id;
	const char *suite;      /* "classic", "quick", "import", ... */
	const char *params;     /* JSON object, or NULL for {} */
	int64_t seed;
	int has_seed;
	const char *command_line;
	const char *started_at; /* ISO 8601; NULL = now */
	const char *status;     /* running|complete|interrupted|failed|imported */
	const char *source;     /* imported file path, or NULL */
	const char *source_sha256;
};
int db_run_create(struct db *db, struct db_run *r, int64_t *id);
/* Finds a run by UUID (or unique UUID prefix); -1 and a message if none. */
int db_run_find(struct db *db, const char *uuid, int64_t *id);
int db_run_finish(struct db *db, int64_t run_id, const char *status);
int db_run_platform_set(struct db *db, int64_t run_id, int64_t platform_id,
			const char *config_json, const char *instance_id,
			const char *state, const char *reason);
/* The configuration JSON a platform was last recorded with (in run_id
 * when > 0, else its latest run by start time); *config owned, NULL when
 * there is none (an import without one). Returns 0 or negative. */
int db_platform_last_config(struct db *db, int64_t platform_id, int64_t run_id,
			    char **config);

struct db_sample {
	int64_t run_id, platform_id, benchmark_id;
	int repetition;         /* 0 = warm-up */
	int has_value;
	double value;
	const char *status;     /* ok | failed | warmup */
	const char *raw_output; /* may be NULL */
	const char *error;      /* reason when failed */
	const char *parser;
	int parser_version;
	const char *started_at; /* ISO 8601 */
	double duration;        /* seconds; negative = unknown (NULL) */
	int instance;           /* 1.. the instance that took it; 0 = NULL */
	/* Disturbance, when measured (has_disturbance = 1; else both NULL):
	 * the cores other processes used during the sample, and 0/1. */
	int has_disturbance;
	double host_other_cpu;
	int disturbed;
};
/* Inserts one sample. Outside a transaction it commits on its own. */
int db_sample_insert(struct db *db, const struct db_sample *s);
/* The same, for samples read from one output: with *output_id > 0 the
 * sample shares that output (its raw_output, started_at, parser and
 * duration are not stored again); otherwise a new output is stored from
 * them and its id returned in *output_id. */
int db_sample_insert_shared(struct db *db, const struct db_sample *s,
			    int64_t *output_id);

/* Integrity and invariants; prints problems, returns the number found
 * (0 = healthy) or negative on error. */
int db_check(struct db *db);
/* Copies every run of OTHER not already present (by UUID) into db, with its
 * hosts, platforms, benchmarks and samples, in one transaction. *added and
 * *skipped count runs. */
int db_merge(struct db *db, const char *other_path, int *added, int *skipped);

/* The classic suite's benchmarks, in the classic CSV's column order after
 * "time": name, unit, direction (all higher-is-better). */
struct db_classic_bench {
	const char *name, *unit, *direction;
};
extern const struct db_classic_bench db_classic_benches[6];

/*
 * Imports a classic benchmark.sh CSV file (lines "time,cpu,mem,diskRand,
 * diskSeq[,fork,uplink]") as one run on platform_name at host_name (NULL =
 * this machine). All or nothing: the first bad line is reported as
 * "FILE:LINE: reason" and nothing is written. A file already imported
 * (same SHA-256) is refused. On success fills uuid and *nsamples.
 */
int db_import_classic(struct db *db, const char *path, const char *platform_name,
		      const char *host_name, char uuid[37], long *nsamples);
/* Imports a tidy CSV: a header row naming columns host, platform,
 * benchmark, value, unit, direction, repetition, time in any order (value
 * required); a column the file lacks is taken from d (NULL fields: host =
 * this machine, unit and direction = the benchmark's existing definition,
 * repetition = the row's order, time = now). One run per host. All or
 * nothing, errors as "FILE:LINE: reason"; a file imported before (same
 * SHA-256) and a unit or direction against a benchmark's existing
 * definition are refused. *uuids (owned, NULL-terminated, vb_strv_free())
 * names the runs written. */
struct db_csv_defaults {
	const char *host, *platform, *benchmark, *unit, *direction;
};
int db_import_csv(struct db *db, const char *path,
		  const struct db_csv_defaults *d, char ***uuids, long *nsamples);
/* Imports hyperfine's --export-json: each command a benchmark named by its
 * command name (--command-name, else the command), each run time a
 * sample in s, lower is better; on platform at host (NULL = this
 * machine). As db_import_csv() otherwise (FILE: results[i].field: reason
 * for bad input). */
int db_import_hyperfine(struct db *db, const char *path, const char *platform,
			const char *host, char ***uuids, long *nsamples);
/* Imports a virtbench JSON export; runs already present (by UUID) are
 * skipped. All or nothing. */
int db_import_json(struct db *db, const char *path, int *added, int *skipped,
		   long *nsamples);

/* Filters for export; NULL fields match everything. */
struct db_filter {
	const char *host;
	const char *platform;
	const char *run; /* UUID or prefix */
};
/* Writes every sample as CSV (header + one row per sample; the first nine
 * columns are the DESIGN.md contract) or as JSON (re-importable). */
int db_export_csv(struct db *db, const struct db_filter *f, FILE *out);
int db_export_json(struct db *db, const struct db_filter *f, FILE *out);

/* Guards (db/guard.c). */
/* 0 if run_id was collected on this machine (same host name and, when both
 * are known, the same fingerprint) and not imported (status 'imported' or
 * a source file, whatever its status); else -1 after saying why. A run
 * that fails this is never resumed: its stored suite would run here. */
int db_run_check_resumable(struct db *db, int64_t run_id);
/* Takes the run's lock, held until the process exits (or dies): one live
 * collector per run, whatever paths or state directories they were given.
 * -1 after reporting if another process holds it (naming its pid). */
int db_run_lock(struct db *db, const char *uuid);
/* From now on a locked database is waited for as long as it takes (a
 * warning after db_busy_ms), so a writer never loses what it was storing
 * to another process's lock; once *give_up is set, only db_busy_ms. */
void db_wait_for_locks(struct db *db, volatile sig_atomic_t *give_up);
/* ---- named reads for the other modules (db/query.c) ----------------------
 *
 * Multi-row reads are cursors: *_open() prepares (0, or -1 reported, with
 * *out NULL), *_next() fills one row and returns 1, returns 0 after the
 * last row, or -1 after reporting a read error ("DBPATH: read ...: why").
 * Strings in a row are borrowed: valid until the next call on the cursor;
 * NULL where the column is NULL. db_cursor_close() accepts NULL.
 */
struct db_cursor;
void db_cursor_close(struct db_cursor *c);

/* Every host: id and name, by id. */
int db_hosts_open(struct db *db, struct db_cursor **out);
int db_hosts_next(struct db_cursor *c, int64_t *id, const char **name);

/* Every platform, by id. */
struct db_platform_row {
	int64_t id, host_id;
	const char *name, *kind;
};
int db_platforms_open(struct db *db, struct db_cursor **out);
int db_platforms_next(struct db_cursor *c, struct db_platform_row *p);

/* Every benchmark, by id; direction is "higher" or "lower". */
struct db_benchmark_row {
	int64_t id;
	const char *name, *unit, *direction;
};
int db_benchmarks_open(struct db *db, struct db_cursor **out);
int db_benchmarks_next(struct db_cursor *c, struct db_benchmark_row *b);

/* The analyzer's scan of the samples (run_id > 0: of that run only),
 * series by series (run, platform, benchmark): runs by start time, then
 * id, and a run's series by id, so that appending each series' samples to
 * its (platform, benchmark) gives every group its samples in repetition
 * order across runs. Open, then db_samples_next_series() until it returns
 * 0 (negative: error, reported); after each series, db_samples_read() may
 * read its samples (or the series is skipped unread). */
struct db_series {
	int64_t id, run_id, platform_id, benchmark_id;
	size_t max_samples;     /* it has at most this many samples besides
				 * the warm-up (its highest repetition, or
				 * their count when that is very high) */
};
int db_samples_open(struct db *db, int64_t run_id, struct db_cursor **out);
int db_samples_next_series(struct db_cursor *c, struct db_series *s);
/* 1 when some sample in scope has its instance or host load recorded
 * (collected runs): db_samples_read() then fills the per-sample arrays. */
int db_samples_load(const struct db_cursor *c);

/* The samples of the series db_samples_next_series() returned last, read
 * in one statement. The caller gives the arrays, each with room for
 * max_samples elements (instances, other_cpu and disturbed only when
 * db_samples_load(); else they may be NULL); on return the first n hold
 * the ok samples with a finite value, in repetition order. */
struct db_series_samples {
	double *values;
	int *instances;          /* 0 = not recorded */
	double *other_cpu;       /* cores other processes used (0 when not
				  * recorded) */
	signed char *disturbed;  /* 0 or 1; -1 when not measured */
	size_t n;
	size_t n_failed;         /* samples with status failed */
	size_t n_nonfinite;      /* ok samples whose value is infinite (not
				  * in values) */
	int warmup;              /* 1 if repetition 0 (the warm-up) exists */
};
int db_samples_read(struct db_cursor *c, struct db_series_samples *out);

/* One run's identity and state, for resuming it. Free with
 * db_run_info_clear(); -1 (reported) if there is no run with that id. */
struct db_run_info {
	char uuid[37];
	char *params;           /* JSON, owned */
	int64_t seed;
	char *status;           /* owned */
	int64_t host_id;
};
int db_run_get(struct db *db, int64_t run_id, struct db_run_info *ri);
void db_run_info_clear(struct db_run_info *ri);
/* Stores the run's new params and marks it running again (ended_at NULL). */
int db_run_mark_resumed(struct db *db, int64_t run_id, const char *params);

/* The samples already stored for a run, by repetition, named by platform
 * and benchmark. */
struct db_named_sample {
	const char *platform, *benchmark, *status;
	int repetition;
	double value;
	int instance;           /* 0 = not recorded */
	int disturbed;          /* 1 = flagged (0 also when not measured) */
};
int db_run_samples_open(struct db *db, int64_t run_id, struct db_cursor **out);
int db_run_samples_next(struct db_cursor *c, struct db_named_sample *s);

/* The configuration JSON recorded for a platform in a run: *json owned, or
 * NULL when none was recorded (returns 0 then too). */
int db_run_platform_config(struct db *db, int64_t run_id, int64_t platform_id,
			   char **json);

/* The samples reparse may change (run_id 0: of every run): those with a raw
 * output and a parser, not failed for another reason than their parser. */
struct db_raw_sample {
	int64_t id;
	int repetition;
	const char *status;
	int has_value;
	double value;
	const char *raw;        /* raw_len bytes */
	size_t raw_len;
	const char *parser;
	int parser_version;
};
int db_reparse_open(struct db *db, int64_t run_id, struct db_cursor **out);
int db_reparse_next(struct db_cursor *c, struct db_raw_sample *s);
/* Stores a new parse of sample id: value (or NULL when !has_value), status,
 * error (NULL for none) and the parser version. Inside the caller's
 * transaction; may be called while a reparse cursor is open. */
int db_sample_set_parsed(struct db *db, int64_t id, int has_value,
			 double value, const char *status, const char *error,
			 int parser_version);

/* The report's facts; f->host and f->run (UUID prefix) narrow them, NULL
 * fields (or f NULL) match everything; f->platform is not used. */
/* Hosts that have a run matching f, by name; has_kvm -1 if unknown. */
struct db_host_facts {
	const char *name, *cpu_model, *kernel, *os, *virt_flags;
	int cores, has_kvm;
	int64_t memory_bytes;
};
int db_report_hosts_open(struct db *db, const struct db_filter *f,
			 struct db_cursor **out);
int db_report_hosts_next(struct db_cursor *c, struct db_host_facts *h);
/* Runs matching f, by start time then UUID. */
struct db_run_facts {
	const char *uuid, *host, *suite, *params, *tool_version, *command_line,
		*started_at, *ended_at, *status, *source;
	int has_seed;
	int64_t seed;
};
int db_report_runs_open(struct db *db, const struct db_filter *f,
			struct db_cursor **out);
int db_report_runs_next(struct db_cursor *c, struct db_run_facts *r);
/* Each recorded (run, platform) of the runs matching f: its configuration
 * JSON (NULL if none), state and reason, and whether it has samples; then,
 * as state "ok" without configuration, the platforms with samples in runs
 * that recorded none (imports). A platform may appear once per run. */
struct db_platform_facts {
	const char *host, *name, *kind, *config, *state, *reason;
	int has_samples;
};
int db_report_platforms_open(struct db *db, const struct db_filter *f,
			     struct db_cursor **out);
int db_report_platforms_next(struct db_cursor *c, struct db_platform_facts *p);
/* Per host, platform and benchmark of the runs matching f, the reasons of
 * its failed samples, the most frequent first (ties by the reason); a
 * sample without one counts as "no reason recorded". */
struct db_failure_facts {
	const char *host, *platform, *benchmark, *error;
	int count;
};
int db_report_failures_open(struct db *db, const struct db_filter *f,
			    struct db_cursor **out);
int db_report_failures_next(struct db_cursor *c, struct db_failure_facts *x);

#endif
