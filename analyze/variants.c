/*
 * analyze/variants.c - sibling comparisons: platforms of the same kind on
 * the same host whose settings differ (the variants of a study, or
 * KIND:LABEL variants such as docker:overlay), compared with each other
 * per benchmark exactly as a platform is compared with the baseline
 * (analyze.c's compare_samples: Fieller ratio, Welch, Mann-Whitney), and
 * adjusted by Holm in the same family.
 *
 * What differs is read from each platform's recorded configuration: the
 * settings it was given ("settings") and, for a key it was not given, the
 * value it recorded for it (disk_cache, storage, ...), so a variant given
 * one setting is compared with a sibling on its default. Pairs whose
 * every setting is equal are not variants.
 */
#include "analyze/variants.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db.h"
#include "platform/platform.h"

/* The configuration key where describe() records a setting's effective
 * value, when it differs from the setting's name. */
static const char *config_key(const char *setting)
{
	static const char *const map[][2] = {
		{ "memory", "memory_mib" }, { "cpu_mode", "cpu_model" },
		{ "network", "network_mode" },
	};

	for (size_t i = 0; i < VB_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], setting))
			return map[i][1];
	return setting;
}

/* A platform's value of setting key (owned; "" when not recorded): what
 * it was given, else what it recorded. disk_format's record is "qcow2
 * overlay" or "raw copy": its first word is the setting's value. */
static char *setting_value(const cJSON *cfg, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cfg, "settings"), key);
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(cfg, config_key(key));

	if (cJSON_IsString(s))
		return xstrdup(s->valuestring);
	if (cJSON_IsNumber(r))
		return xasprintf("%g", r->valuedouble);
	if (cJSON_IsString(r)) {
		if (!strcmp(key, "disk_format"))
			return xstrndup(r->valuestring, strcspn(r->valuestring, " "));
		return xstrdup(r->valuestring);
	}
	return xstrdup("");
}

static void variant_clear(struct analyze_variant *v)
{
	free(v->host);
	free(v->kind);
	free(v->benchmark);
	free(v->unit);
	free(v->platform_a);
	free(v->platform_b);
	for (size_t i = 0; i < v->n_differs; i++) {
		free(v->differs[i]);
		free(v->values_a[i]);
		free(v->values_b[i]);
	}
	free(v->differs);
	free(v->values_a);
	free(v->values_b);
}

void analyze_variants_free(struct analyze_set *s)
{
	for (size_t i = 0; s && i < s->n_variants; i++)
		variant_clear(&s->variants[i]);
	if (s) {
		free(s->variants);
		s->variants = NULL;
		s->n_variants = 0;
	}
}

/* Fills v's differing settings of kind for configurations a and b; the
 * number of them. */
static size_t differing(struct analyze_variant *v, const char *kind,
			const cJSON *a, const cJSON *b)
{
	for (const char *const *k = platform_settings_keys(kind); *k; k++) {
		char *va = setting_value(a, *k), *vb = setting_value(b, *k);

		if (!strcmp(va, vb)) {
			free(va);
			free(vb);
			continue;
		}
		v->differs = xrealloc(v->differs, (v->n_differs + 1) * sizeof(char *));
		v->values_a = xrealloc(v->values_a, (v->n_differs + 1) * sizeof(char *));
		v->values_b = xrealloc(v->values_b, (v->n_differs + 1) * sizeof(char *));
		v->differs[v->n_differs] = xstrdup(*k);
		v->values_a[v->n_differs] = va;
		v->values_b[v->n_differs] = vb;
		v->n_differs++;
	}
	return v->n_differs;
}

/* The configuration of each group's platform (NULL where its kind has no
 * settings or none was recorded). */
static int group_configs(struct db *db, const struct analyze_set *s,
			 int64_t run_id, cJSON **cfg)
{
	for (size_t i = 0; i < s->n_groups; i++) {
		char *json = NULL;

		if (!platform_settings_keys(s->groups[i].kind)[0])
			continue;
		if (db_platform_last_config(db, s->groups[i].platform_id, run_id,
					    &json) < 0)
			return -1;
		cfg[i] = json ? cJSON_Parse(json) : NULL;
		free(json);
	}
	return 0;
}

int analyze_variants_plan(struct db *db, struct analyze_set *s,
			  int64_t run_id, struct analyze_variant_pair **pairs)
{
	cJSON **cfg = xcalloc(s->n_groups + 1, sizeof(*cfg));
	size_t cap = 0;
	int ret = -1;

	*pairs = NULL;
	/* One configuration per group (groups of a platform share it). */
	if (group_configs(db, s, run_id, cfg) < 0)
		goto out;
	for (size_t i = 0; i < s->n_groups; i++) {
		const struct analyze_group *a = &s->groups[i];

		for (size_t j = 0; j < s->n_groups; j++) {
			const struct analyze_group *b = &s->groups[j];
			struct analyze_variant v = { 0 };

			/* a before b: the platform recorded first is the
			 * reference of the pair. */
			if (!cfg[i] || !cfg[j] || a->platform_id >= b->platform_id ||
			    strcmp(a->host, b->host) || strcmp(a->kind, b->kind) ||
			    a->benchmark_id != b->benchmark_id)
				continue;
			if (!differing(&v, a->kind, cfg[i], cfg[j])) {
				variant_clear(&v);
				continue;
			}
			v.host = xstrdup(a->host);
			v.kind = xstrdup(a->kind);
			v.benchmark = xstrdup(a->benchmark);
			v.unit = xstrdup(a->unit);
			v.platform_a = xstrdup(a->platform);
			v.platform_b = xstrdup(b->platform);
			v.direction = a->direction;
			if (s->n_variants == cap) {
				cap = cap ? 2 * cap : 8;
				s->variants = xrealloc(s->variants,
						       cap * sizeof(*s->variants));
				*pairs = xrealloc(*pairs, cap * sizeof(**pairs));
			}
			(*pairs)[s->n_variants] = (struct analyze_variant_pair){ i, j };
			s->variants[s->n_variants++] = v;
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < s->n_groups; i++)
		cJSON_Delete(cfg[i]);
	free(cfg);
	return ret;
}

void analyze_variants_compare(struct analyze_set *s, size_t k,
			      const struct analyze_variant_pair *pair,
			      const double *sorted_a, size_t n_a,
			      const double *sorted_b, size_t n_b,
			      analyze_compare_fn cmp)
{
	struct analyze_variant *v = &s->variants[k];
	const struct analyze_group *a = &s->groups[pair->a];
	const struct analyze_group *b = &s->groups[pair->b];

	v->n_a = a->n;
	v->n_b = b->n;
	v->mean_a = a->mean;
	v->mean_b = b->mean;
	cmp(&v->vs, sorted_b, n_b, sorted_a, n_a,
	    a->direction == ANALYZE_LOWER, b, a);
}

void analyze_variants_prune(struct analyze_set *s,
			    struct analyze_variant_pair *pairs)
{
	size_t i, k = 0;

	for (i = 0; i < s->n_variants; i++) {
		if (!s->groups[pairs[i].a].n || !s->groups[pairs[i].b].n) {
			variant_clear(&s->variants[i]);
			continue;
		}
		pairs[k] = pairs[i];
		s->variants[k++] = s->variants[i];
	}
	s->n_variants = k;
}

static void num_or_null(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *analyze_variants_to_json(const struct analyze_set *s)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < s->n_variants; i++) {
		const struct analyze_variant *v = &s->variants[i];
		cJSON *o = cJSON_CreateObject(), *d, *set;

		cJSON_AddStringToObject(o, "host", v->host);
		cJSON_AddStringToObject(o, "kind", v->kind);
		cJSON_AddStringToObject(o, "benchmark", v->benchmark);
		cJSON_AddStringToObject(o, "unit", v->unit);
		cJSON_AddStringToObject(o, "platform_a", v->platform_a);
		cJSON_AddStringToObject(o, "platform_b", v->platform_b);
		d = cJSON_AddArrayToObject(o, "differs");
		set = cJSON_AddObjectToObject(o, "settings");
		for (size_t k = 0; k < v->n_differs; k++) {
			cJSON *pair = cJSON_AddObjectToObject(set, v->differs[k]);

			cJSON_AddItemToArray(d, cJSON_CreateString(v->differs[k]));
			cJSON_AddStringToObject(pair, "a", v->values_a[k]);
			cJSON_AddStringToObject(pair, "b", v->values_b[k]);
		}
		cJSON_AddNumberToObject(o, "n_a", (double)v->n_a);
		cJSON_AddNumberToObject(o, "n_b", (double)v->n_b);
		num_or_null(o, "mean_a", v->mean_a);
		num_or_null(o, "mean_b", v->mean_b);
		/* b relative to a, with the fields of vs_baseline (speedup,
		 * ci95, welch, mann_whitney, p_holm, significant, ...). */
		{
			cJSON *vs = analyze_vs_to_json(&v->vs), *e;

			while ((e = vs->child)) {
				cJSON_DetachItemViaPointer(vs, e);
				cJSON_AddItemToObject(o, e->string, e);
			}
			cJSON_Delete(vs);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}
