/*
 * collect/study.c - reading and checking study files (study.h; format in
 * studies/README.md): a "[study]" section (suite, benchmarks, stopping
 * rule) and "[platform NAME]" sections (kind and settings), the same
 * small INI-like syntax as suites. Settings are validated for their
 * platform's kind by platform_settings_set(), with the line they are on;
 * "kind" may come anywhere in its section, so settings are checked when
 * the section is complete.
 */
#include "collect/study.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void study_free(struct study *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_plat; i++) {
		free(s->plat[i].name);
		platform_settings_clear(&s->plat[i].settings);
	}
	free(s->plat);
	vb_strv_free(s->benchmarks);
	free(s->name);
	free(s->description);
	free(s->origin);
	free(s->text);
	free(s->suite);
	free(s);
}

int study_valid_name(const char *name)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@+-";
	size_t n = strlen(name);

	return n > 0 && n <= 64 && strspn(name, ok) == n &&
	       !strchr("_.:@+-", name[0]);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A setting line waiting for its section's kind. */
struct pending {
	char *key, *value;
	int line;
	size_t plat;
};

static int int_key(int *field, const char *v, const char *origin, int ln,
		   const char *key, long lo, long hi)
{
	long x;

	if (*field)
		return vb_error("%s:%d: %s given twice", origin, ln, key);
	if (vb_parse_long(v, &x) < 0 || x < lo || x > hi)
		return vb_error("%s:%d: %s must be a whole number from %ld to %ld, "
				"not '%s'", origin, ln, key, lo, hi, v);
	*field = (int)x;
	return 0;
}

static int str_key(char **field, const char *v, const char *origin, int ln,
		   const char *key)
{
	if (*field)
		return vb_error("%s:%d: %s given twice", origin, ln, key);
	if (!*v)
		return vb_error("%s:%d: %s is empty", origin, ln, key);
	*field = xstrdup(v);
	return 0;
}

/* One "key = value" of the [study] section. */
static int study_key(struct study *s, const char *key, const char *v,
		     const char *origin, int ln)
{
	if (!strcmp(key, "name"))
		return str_key(&s->name, v, origin, ln, key);
	if (!strcmp(key, "description"))
		return str_key(&s->description, v, origin, ln, key);
	if (!strcmp(key, "suite"))
		return str_key(&s->suite, v, origin, ln, key);
	if (!strcmp(key, "benchmarks")) {
		if (s->benchmarks)
			return vb_error("%s:%d: benchmarks given twice", origin, ln);
		if (!*v)
			return vb_error("%s:%d: benchmarks is empty", origin, ln);
		s->benchmarks = vb_split(v, ',');
		for (char **b = s->benchmarks; *b; b++) {
			char *t = trim(*b);

			memmove(*b, t, strlen(t) + 1);
		}
		if (!s->benchmarks[0] || !s->benchmarks[0][0])
			return vb_error("%s:%d: benchmarks names none", origin, ln);
		return 0;
	}
	if (!strcmp(key, "reps"))
		return int_key(&s->reps, v, origin, ln, key, 1, 100000);
	if (!strcmp(key, "duration"))
		return int_key(&s->duration, v, origin, ln, key, 1, 86400);
	if (!strcmp(key, "instances"))
		return int_key(&s->instances, v, origin, ln, key, 1, 1000);
	if (!strcmp(key, "min_reps"))
		return int_key(&s->min_reps, v, origin, ln, key, 2, 100000);
	if (!strcmp(key, "max_reps"))
		return int_key(&s->max_reps, v, origin, ln, key, 2, 100000);
	if (!strcmp(key, "target_ci")) {
		if (s->target_ci > 0)
			return vb_error("%s:%d: target_ci given twice", origin, ln);
		if (vb_parse_double(v, &s->target_ci) < 0 ||
		    !(s->target_ci > 0 && s->target_ci < 100))
			return vb_error("%s:%d: target_ci must be a percentage "
					"above 0 and below 100, not '%s'", origin,
					ln, v);
		return 0;
	}
	return vb_error("%s:%d: unknown key '%s' in [study] (name, description, "
			"suite, benchmarks, reps, target_ci, min_reps, max_reps, "
			"duration, instances)", origin, ln, key);
}

/* Section header: "[study]" or "[platform NAME]". */
static int header(struct study *s, char *line, const char *origin, int ln,
		  int *in_study)
{
	char *end = strchr(line, ']'), *key;

	if (!end || end[1])
		return vb_error("%s:%d: malformed section header", origin, ln);
	*end = '\0';
	key = trim(line + 1);
	if (!strcmp(key, "study")) {
		*in_study = 1;
		return 0;
	}
	if (!strncmp(key, "platform", 8) && (key[8] == ' ' || key[8] == '\t')) {
		char *name = trim(key + 8);

		if (!study_valid_name(name))
			return vb_error("%s:%d: platform name '%s' is not 1-64 of "
					"letters, digits and _.:@+- (starting with a "
					"letter or digit)", origin, ln, name);
		for (size_t i = 0; i < s->n_plat; i++)
			if (!strcmp(s->plat[i].name, name))
				return vb_error("%s:%d: platform %s given twice "
						"(first on line %d)", origin, ln,
						name, s->plat[i].line);
		s->plat = xrealloc(s->plat, (s->n_plat + 1) * sizeof(*s->plat));
		memset(&s->plat[s->n_plat], 0, sizeof(*s->plat));
		s->plat[s->n_plat].name = xstrdup(name);
		s->plat[s->n_plat].line = ln;
		s->n_plat++;
		*in_study = 0;
		return 0;
	}
	return vb_error("%s:%d: unknown section [%s] (study, platform NAME)",
			origin, ln, key);
}

/* Kinds, then the settings of every platform, checked with their lines. */
static int finish(struct study *s, struct pending *pend, size_t n_pend)
{
	char where[512];

	for (size_t i = 0; i < s->n_plat; i++) {
		struct study_platform *sp = &s->plat[i];
		int last = sp->line;

		if (!sp->settings.kind)
			return vb_error("%s:%d: [platform %s] has no kind (native, "
					"docker, kvm, qemu, ssh:USER@HOST[:PORT])",
					s->origin, sp->line, sp->name);
		for (size_t j = 0; j < n_pend; j++) {
			if (pend[j].plat != i)
				continue;
			snprintf(where, sizeof(where), "%s:%d", s->origin,
				 pend[j].line);
			if (platform_settings_set(&sp->settings, pend[j].key,
						  pend[j].value, where) < 0)
				return -1;
			last = pend[j].line;
		}
		snprintf(where, sizeof(where), "%s:%d", s->origin, last);
		if (platform_settings_check(&sp->settings, where) < 0)
			return -1;
	}
	if (!s->n_plat)
		return vb_error("%s: no [platform NAME] section", s->origin);
	if (s->reps && s->target_ci > 0)
		return vb_error("%s: reps and target_ci exclude each other",
				s->origin);
	if ((s->min_reps || s->max_reps) && !(s->target_ci > 0))
		return vb_error("%s: min_reps and max_reps need target_ci",
				s->origin);
	if (s->min_reps && s->max_reps && s->min_reps > s->max_reps)
		return vb_error("%s: min_reps %d is above max_reps %d", s->origin,
				s->min_reps, s->max_reps);
	return 0;
}

/* "kind = X" of a platform section: the registry's kind. ssh:TARGET is
 * kept whole (the target is the platform's address). */
static int kind_key(struct study_platform *sp, const char *v,
		    const char *origin, int ln)
{
	const struct platform_kind *k;
	const char *why = NULL;

	if (sp->settings.kind)
		return vb_error("%s:%d: kind given twice", origin, ln);
	k = platform_kind_find(v, &why);
	if (!k || (strchr(v, ':') && strcmp(k->name, "ssh")))
		return vb_error("%s:%d: kind '%s' unknown (native, docker, kvm, "
				"qemu, ssh)", origin, ln, v);
	/* An ssh platform's target: its kind, or its name. */
	if (!strcmp(k->name, "ssh")) {
		if (strchr(v, ':'))
			sp->settings.address = xstrdup(v);
		else if (strncmp(sp->name, "ssh:", 4))
			return vb_error("%s:%d: kind ssh needs its target: kind = "
					"ssh:USER@HOST[:PORT] (or the section named "
					"[platform ssh:USER@HOST[:PORT]])", origin, ln);
	}
	sp->settings.kind = xstrdup(k->name);
	return 0;
}

int study_parse(const char *text, const char *origin, struct study **out)
{
	struct study *s = xcalloc(1, sizeof(*s));
	struct pending *pend = NULL;
	size_t n_pend = 0;
	int ret = -1, ln = 0, in_study = 0, seen_section = 0;

	s->origin = xstrdup(origin);
	s->text = xstrdup(text);
	for (const char *p = text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		char *raw = nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		char *line = trim(raw), *eq, *key, *val;
		int r = 0;

		ln++;
		p = nl ? nl + 1 : NULL;
		if (!*line || *line == '#') {
			free(raw);
			continue;
		}
		if (*line == '[') {
			r = header(s, line, origin, ln, &in_study);
			seen_section = 1;
			free(raw);
			if (r < 0)
				goto out;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq || !seen_section) {
			vb_error("%s:%d: %s", origin, ln, eq ? "key outside a section" :
				 "expected 'key = value'");
			free(raw);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (in_study) {
			r = study_key(s, key, val, origin, ln);
		} else if (!strcmp(key, "kind")) {
			r = kind_key(&s->plat[s->n_plat - 1], val, origin, ln);
		} else {
			pend = xrealloc(pend, (n_pend + 1) * sizeof(*pend));
			pend[n_pend].key = xstrdup(key);
			pend[n_pend].value = xstrdup(val);
			pend[n_pend].line = ln;
			pend[n_pend].plat = s->n_plat - 1;
			n_pend++;
		}
		free(raw);
		if (r < 0)
			goto out;
	}
	if (finish(s, pend, n_pend) < 0)
		goto out;
	if (!s->name)
		s->name = xstrdup("study");
	*out = s;
	s = NULL;
	ret = 0;
out:
	for (size_t i = 0; i < n_pend; i++) {
		free(pend[i].key);
		free(pend[i].value);
	}
	free(pend);
	study_free(s);
	return ret;
}

int study_load(const char *path, struct study **out)
{
	struct sb sb = SB_INIT;
	int ret;

	if (sb_read_file(&sb, path) < 0) {
		sb_release(&sb);
		return vb_error("cannot read study %s: %m", path);
	}
	if (memchr(sb.buf, '\0', sb.len)) {
		sb_release(&sb);
		return vb_error("%s: not a text file", path);
	}
	ret = study_parse(sb.buf, path, out);
	sb_release(&sb);
	return ret;
}

int study_apply_set(char **names, struct platform_settings *settings,
		    size_t n, const char *arg)
{
	const char *eq = strchr(arg, '='), *dot;
	char *name, *key, *where;
	int ret = -1;

	if (!eq)
		return vb_error("--set '%s': expected NAME.KEY=VALUE", arg);
	/* Keys have no dots; a platform name may ("ssh:a.example"). */
	for (dot = eq; dot > arg && dot[-1] != '.'; dot--)
		;
	if (dot == arg || dot - 1 == arg || dot == eq)
		return vb_error("--set '%s': expected NAME.KEY=VALUE", arg);
	name = xstrndup(arg, (size_t)(dot - 1 - arg));
	key = xstrndup(dot, (size_t)(eq - dot));
	where = xasprintf("--set %s.%s", name, key);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], name))
			continue;
		ret = platform_settings_set(&settings[i], key, eq + 1, where);
		if (ret == 0)
			ret = platform_settings_check(&settings[i], where);
		goto out;
	}
	vb_error("%s: no platform %s in this run", where, name);
out:
	free(name);
	free(key);
	free(where);
	return ret;
}

int study_apply_network(struct platform_settings *settings, size_t n,
			const char *network, const char *docker_network)
{
	for (size_t i = 0; i < n; i++) {
		const char *kind = settings[i].kind, *mode = NULL;
		int guest;

		if (!kind)
			continue;
		guest = !strcmp(kind, "kvm") || !strcmp(kind, "qemu");

		if (!strcmp(kind, "docker"))
			mode = docker_network && *docker_network ? docker_network :
			       network && strcmp(network, "user") &&
			       strncmp(network, "libvirt:", 8) ? network : NULL;
		else if (guest && network && (!strcmp(network, "user") ||
					      !strncmp(network, "libvirt:", 8)))
			mode = network;
		/* Only where the mode is the kind's (the shared option's
		 * rule); then validated like any setting. */
		if (mode && platform_settings_set(&settings[i], "network", mode,
						  "--network") < 0)
			return -1;
	}
	return 0;
}
