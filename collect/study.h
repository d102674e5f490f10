/*
 * collect/study.h - studies: a suite, a stopping rule and a set of
 * platforms with their own settings, in one file (studies/README.md), so
 * that controlled variants ("the same qemu guest with cache=writeback and
 * with cache=none") are measured interleaved in one run.
 *
 * A study is read and checked completely before anything runs: unknown
 * sections and keys, a setting that does not apply to the platform's
 * kind, an invalid value, a duplicate platform - each refused with
 * FILE:LINE. Its full text is stored in the run's params (study_text),
 * and every platform's settings with it, so "collect --resume" measures
 * the same variants.
 */
#ifndef VB_COLLECT_STUDY_H
#define VB_COLLECT_STUDY_H

#include "platform/platform.h"

struct study_platform {
	char *name;                      /* [platform NAME] */
	struct platform_settings settings; /* .kind from "kind = ..." */
	int line;                        /* of its section header */
};

struct study {
	char *name, *description;
	char *origin;                    /* the file's path */
	char *text;                      /* the complete file, as read */
	char *suite;                     /* suite name or path; NULL = classic */
	char **benchmarks;               /* NULL = all of the suite's */
	int reps, duration, instances;   /* 0 = not given */
	double target_ci;                /* > 0: adaptive */
	int min_reps, max_reps;
	size_t n_plat;
	struct study_platform *plat;
};

/* Parses a study's text; origin names it in errors ("FILE:LINE:
 * reason"). On success *out is owned by the caller (study_free). */
int study_parse(const char *text, const char *origin, struct study **out);
/* Reads and parses the file at path. */
int study_load(const char *path, struct study **out);
void study_free(struct study *s);

/* A platform name as a study or --platforms may give it: 1..64 of
 * [A-Za-z0-9_.:@+-], starting with a letter or digit. */
int study_valid_name(const char *name);

/* Applies "--set NAME.KEY=VALUE" to the platform called NAME among
 * names[0..n) with settings[0..n). Returns 0, or negative after a
 * one-line error naming the option. */
int study_apply_set(char **names, struct platform_settings *settings,
		    size_t n, const char *arg);

/* The command line's --network (and --docker-network for containers)
 * on top of the settings: each platform whose kind takes that mode gets
 * it as its network setting; others keep theirs. Negative after an
 * error when the mode is not valid for a kind that takes it. */
int study_apply_network(struct platform_settings *settings, size_t n,
			const char *network, const char *docker_network);

#endif
