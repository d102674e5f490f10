/*
 * analyze/variants.h - private to analyze/: sibling comparisons (study
 * variants), built by load_set() in analyze.c with its own comparison
 * function, so they are computed exactly like the baseline comparisons
 * and join the same Holm family.
 */
#ifndef VB_ANALYZE_VARIANTS_H
#define VB_ANALYZE_VARIANTS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"

struct db;

/* compare_samples() of analyze.c: x against y, inputs sorted ascending,
 * invert for lower-is-better; gx and gy are their groups (the units of the
 * Fieller intervals: values, or instance means). */
typedef void (*analyze_compare_fn)(struct analyze_vs *vs, const double *xs,
				   size_t nx, const double *ys, size_t ny,
				   int invert, const struct analyze_group *gx,
				   const struct analyze_group *gy);

/* Fills s->variants: for each host and benchmark, every pair of groups
 * of the same kind (both with ok samples) whose platforms' settings
 * differ, read from their recorded configurations (in run_id when > 0).
 * sorted/nsorted are indexed like s->groups (before it is sorted).
 * Returns 0 or negative after a database error. */
int analyze_variants_build(struct db *db, struct analyze_set *s,
			   double *const *sorted, const size_t *nsorted,
			   int64_t run_id, analyze_compare_fn cmp);
/* The "variants" array of analyze JSON. */
struct cJSON *analyze_variants_to_json(const struct analyze_set *s);
void analyze_variants_free(struct analyze_set *s);

#endif
