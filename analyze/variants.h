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

/* The groups of a sibling comparison: indices into s->groups (before it
 * is sorted), a the platform recorded first. */
struct analyze_variant_pair {
	size_t a, b;
};

/* Plans s->variants: for each host and benchmark, every pair of groups of
 * the same kind whose platforms' settings differ, read from their
 * recorded configurations (in run_id when > 0), with names and settings
 * but no statistics yet; (*pairs)[k] (owned by the caller) are the groups
 * of variant k. Needs the groups' names and ids only, so it runs before
 * any group is computed. Returns 0 or negative after a database error. */
int analyze_variants_plan(struct db *db, struct analyze_set *s,
			  int64_t run_id, struct analyze_variant_pair **pairs);
/* Computes variant k from its groups (computed, both with ok samples) and
 * their sorted values. */
void analyze_variants_compare(struct analyze_set *s, size_t k,
			      const struct analyze_variant_pair *pair,
			      const double *sorted_a, size_t n_a,
			      const double *sorted_b, size_t n_b,
			      analyze_compare_fn cmp);
/* Drops the planned variants with a side without ok samples (they were
 * not compared), keeping the order of the others and of pairs. */
void analyze_variants_prune(struct analyze_set *s,
			    struct analyze_variant_pair *pairs);
/* The "variants" array of analyze JSON. */
struct cJSON *analyze_variants_to_json(const struct analyze_set *s);
void analyze_variants_free(struct analyze_set *s);

#endif
