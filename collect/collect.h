/*
 * collect/collect.h - the collector: runs a suite on a set of platforms
 * and stores every sample the moment it is parsed.
 *
 * A run goes: load the suite -> create the run (UUID printed on stdout at
 * once, so even a killed run can be resumed) -> print the plan -> start
 * every platform (an unavailable one is recorded with its reason and
 * skipped, never fatal) -> record each platform's configuration and tool
 * versions -> copy the fork benchmark in -> start a private iperf3 server
 * on 127.0.0.1 -> take samples in the scheduler's order, pausing idle
 * platforms -> clean up, tear down, stop the server -> mark the run.
 *
 * Crash safety: each sample is its own transaction; the sample table's
 * UNIQUE(run, platform, benchmark, repetition) and the scheduler's
 * "resume from what is stored" make "collect --resume RUN" repeat nothing
 * that completed. SIGINT/SIGTERM abandon the sample in progress (it is not
 * stored), tear every platform down and mark the run "interrupted".
 */
#ifndef VB_COLLECT_COLLECT_H
#define VB_COLLECT_COLLECT_H

#include <stdint.h>

#include "platform/platform.h"

struct db;

struct collect_opts {
	char **platforms;         /* names (owned by caller); NULL = native */
	char **benchmarks;        /* NULL = every benchmark of the suite */
	const char *profile;      /* suite name or path; NULL = classic */
	int reps;                 /* 0 = the suite's default */
	int instances;            /* --instances K: fresh guests/containers
				   * per docker/kvm/qemu platform; 0 = 1 */
	double disturbed_cpu;     /* cores used by others that disturb a
				   * sample; 0 = HOSTLOAD_OTHER_CPU */
	double disturbed_steal;   /* steal fraction; 0 = HOSTLOAD_STEAL */
	int retake_disturbed;     /* fixed mode: extra repetitions per pair
				   * to replace disturbed samples */
	double target_ci;         /* > 0: adaptive stopping, percent */
	int until_decided;        /* stop each pair once its verdict against
				   * native is decided (min..max_reps) */
	double margin;            /* the verdicts' margin, a fraction; 0 =
				   * ANALYZE_DEFAULT_MARGIN */
	int min_reps, max_reps;   /* 0 = defaults (3, 30) */
	int duration;             /* seconds; 0 = the suite's default */
	int has_seed;
	uint64_t seed;
	const char *iperf_server; /* HOST:PORT, or NULL for our own */
	const char *state_base;   /* --state-dir; NULL = platform_state_base() */
	const char *resume;       /* run UUID (prefix) to resume, or NULL */
	const char *forkbench;    /* host path of build/forkbench */
	const char *suites_dir;
	const char *command_line; /* for provenance */
	struct platform_opts popts; /* vcpus, memory, image, ... (run_uuid and
				       state_dir are filled in here) */
	/* Each platform's kind and own settings, parallel to platforms
	 * (borrowed); NULL: the kind is each name's KIND, no settings. */
	struct platform_settings *settings;
	/* The study the run comes from (collect/study.h), stored in the
	 * run's params as given; NULL: none. */
	const char *study_text, *study_origin;
};

/* Runs (or resumes) a collection. On return uuid holds the run's UUID
 * when one was created or found. Returns 0 when the run completed, 1 when
 * it was interrupted by a signal (run marked "interrupted"), and a
 * negative value on failure (reported). */
int collect_run(struct db *db, struct collect_opts *o, char uuid[37]);

/* Re-applies the current parsers to stored raw outputs of one run
 * (run_id > 0) or of all runs, in one transaction. Samples that failed
 * for another reason than their parser (exit status, timeout) stay
 * failed. Counts go to the out parameters. */
int collect_reparse(struct db *db, int64_t run_id, int *seen, int *changed,
		    int *now_ok, int *now_failed);

/* ---- helpers shared by the collector's files ---------------------------- */

/* The fork benchmark on this host: $FORKBENCH, else build/forkbench near
 * the running binary. Owned; NULL when missing, after reporting it (naming
 * 'make') if report is set. */
char *collect_find_forkbench(const char *argv0, int report);
/* The suites directory: $VIRTBENCH_SUITES, else suites/ near the binary,
 * else /usr/share/virtbench/suites. Owned, never NULL. */
char *collect_find_suites(const char *argv0);

#endif
