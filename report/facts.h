/*
 * report/facts.h - what the database says about the hosts, runs and
 * platforms being reported: each platform's recorded configuration
 * (run_platform.config, keys documented in platform/platform.h) merged
 * over the runs, and the questions the answers and checks ask of it
 * (is it a guest, which machine did it run on, does its disk cache read
 * from the host's page cache).
 *
 * The bottom layer of report/: it reads the store and knows nothing of
 * the text written from it (answers.c, checks.c), the template model
 * (model.c) or the files written (report.c).
 */
#ifndef VB_REPORT_FACTS_H
#define VB_REPORT_FACTS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "analyze/analyze.h"

struct db;

/* One row of the host table. Unknown text is NULL, unknown numbers 0;
 * has_kvm is -1 when unknown. */
struct report_host {
	char *name, *cpu_model, *kernel, *os, *virt_flags;
	int cores;
	int64_t memory_bytes;
	int has_kvm;
};

/* One platform of one host, over the runs being reported. */
struct report_platform {
	char *host, *name, *kind;
	/* Worst state over the runs: "ok", "failed" or "unavailable"; reason
	 * is the recorded reason of that state (NULL if none). */
	char *state, *reason;
	/* Configuration keys with the same value in every run that recorded
	 * a configuration; NULL when no run did (imported data). */
	cJSON *config;
	/* Keys whose values differ between runs (NULL-terminated), or NULL. */
	char **conflicts;
	int runs, runs_without_config;
	int has_samples;  /* 1 if any of those runs has a sample of it */
};

struct report_run {
	char *uuid, *host, *suite, *params, *tool_version, *command_line;
	char *started_at, *ended_at, *status, *source;
	int64_t seed;
	int has_seed;
};

/* The most frequent reason among the failed samples of one host,
 * platform and benchmark. */
struct report_failure {
	char *host, *platform, *benchmark, *error;
	int count;
};

struct report_facts {
	size_t n_hosts, n_platforms, n_runs, n_failures;
	struct report_host *hosts;
	struct report_platform *platforms;
	struct report_run *runs;
	struct report_failure *failures;
};

/* Loads the facts for the selection of o (host and run filters; NULL o =
 * everything). Returns 0, or negative after reporting a database error.
 * Clear with report_facts_clear() (also after a failure). */
int report_facts_load(struct db *db, const struct analyze_opts *o,
		      struct report_facts *f);
void report_facts_clear(struct report_facts *f);
const struct report_platform *report_facts_platform(const struct report_facts *f,
						    const char *host,
						    const char *name);
const struct report_host *report_facts_host(const struct report_facts *f,
					    const char *host);

/* The most frequent error of the failed samples of a host, platform and
 * benchmark (the stored reason, e.g. "timed out after 90 s"), or NULL. */
const char *report_facts_failure(const struct report_facts *f,
				 const char *host, const char *platform,
				 const char *benchmark);

/* A configuration fact of p as text (numbers without a fraction printed as
 * integers, nested keys as "tools.sysbench"), or NULL when it was not
 * recorded or differs between runs. buf holds the text when needed. */
const char *report_fact(const struct report_platform *p, const char *key,
			char *buf, size_t size);
/* 1 if key differs between the runs of p. */
int report_fact_conflicts(const struct report_platform *p, const char *key);

/* Is p a virtual machine according to its recorded accelerator? 1 yes
 * (kvm, tcg), 0 no (native, container), -1 not recorded. The
 * accelerator's name is left in buf ("" when not recorded). */
int report_is_guest(const struct report_platform *p, char *buf, size_t size);

/* 1 if a guest disk in this QEMU cache mode is read through the host's
 * page cache (writeback, writethrough, unsafe: the image is opened
 * without O_DIRECT); 0 for none and directsync, or NULL. */
int report_cache_reads_host(const char *cache);

/* ---- machines ------------------------------------------------------------
 * Samples are stored under the host that collected them, but a guest of a
 * remote libvirtd (--connect qemu+ssh://root@hostB/system) or an ssh
 * platform ran on another machine. Comparing it with a baseline measured
 * here mixes the cost of virtualization with the difference between two
 * machines, and the expectations that hold for a guest of this host (no
 * faster than it, TCG slower than KVM) do not hold across machines. NULL
 * stands for the collecting host throughout. */

/* The machine p ran on when that is not the host its samples are stored
 * under (the collecting host): for a guest of a remote libvirtd its
 * recorded libvirt_host, else the host its connect_uri names
 * ("qemu+ssh://root@big:2222/system": "big"); for an ssh platform the host
 * of its recorded target, else of its name "ssh:USER@HOST[:PORT]". NULL
 * for a platform of the collecting host (qemu:///system included) or when
 * nothing says otherwise. The text may be kept in buf. The one test for
 * "remote" that every check and answer comparing machines uses. */
const char *report_remote_host(const struct report_platform *p, char *buf,
			       size_t size);

/* 1 if two results of report_remote_host() name the same machine. */
int report_same_machine(const char *a, const char *b);

/* The machine the baseline of host ran on (NULL: the collecting host, or
 * a baseline without facts). */
const char *report_baseline_machine(const struct report_facts *f,
				    const char *baseline, const char *host,
				    char *buf, size_t size);

/* A guest of a remote libvirtd whose baseline ran on another machine:
 * returns the machine it ran on (the text may be in buf) and sets *base to
 * the baseline's (in bbuf; NULL: the collecting host); NULL otherwise. An
 * ssh platform is another machine too, but it is compared as a machine,
 * not measured for a cost of virtualization, so it is not one. */
const char *report_remote_guest(const struct report_facts *f,
				const char *baseline,
				const struct report_platform *p, char *buf,
				size_t size, char *bbuf, size_t bsize,
				const char **base);

#endif
