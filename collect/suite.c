/*
 * collect/suite.c - reading, checking and expanding suite files.
 *
 * The format is deliberately small (suites/README.md): "[suite]",
 * "[vars]" and "[benchmark NAME]" sections of "key = value" lines; '#'
 * starts a comment only at the beginning of a line, because commands may
 * contain '#'. Everything is checked when the file is read - unknown keys,
 * unknown parsers, a unit that differs from the parser's, placeholders
 * that do not exist - so a typo fails before any platform is started, not
 * an hour into a run.
 */
#include "collect/suite.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/parsers.h"
#include "platform/platform.h"
#include "common/util.h"

static const char *const builtin_vars[] = {
	"duration", "workdir", "iperf_host", "iperf_port", "forkbench", NULL,
};

void suite_free(struct suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_bench; i++) {
		struct suite_bench *b = &s->bench[i];

		free(b->name);
		free(b->command);
		free(b->prepare);
		free(b->cleanup);
		free(b->parser);
		free(b->unit);
		free(b->direction);
		free(b->timeout);
		free(b->estimate);
	}
	free(s->bench);
	for (size_t i = 0; i < s->n_vars; i++) {
		free(s->var_names[i]);
		free(s->var_values[i]);
	}
	free(s->var_names);
	free(s->var_values);
	free(s->name);
	free(s->description);
	free(s->origin);
	free(s->text);
	free(s);
}

const struct suite_bench *suite_find(const struct suite *s, const char *name)
{
	for (size_t i = 0; i < s->n_bench; i++)
		if (!strcmp(s->bench[i].name, name))
			return &s->bench[i];
	return NULL;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static const char *var_value(const struct suite *s, const char *name)
{
	for (size_t i = 0; i < s->n_vars; i++)
		if (!strcmp(s->var_names[i], name))
			return s->var_values[i];
	return NULL;
}

static int is_builtin(const char *name)
{
	for (int i = 0; builtin_vars[i]; i++)
		if (!strcmp(builtin_vars[i], name))
			return 1;
	return 0;
}

/* Walks the placeholders of tmpl; for each calls fn(name, arg). Returns
 * negative on unbalanced braces (reported by the caller via *bad). */
static int each_placeholder(const char *tmpl, int (*fn)(const char *, void *),
			    void *arg)
{
	const char *p = tmpl;

	while ((p = strchr(p, '{'))) {
		const char *q = strchr(p, '}');
		char *name;
		int r;

		if (!q)
			return -2;
		name = xstrndup(p + 1, (size_t)(q - p - 1));
		r = fn(name, arg);
		free(name);
		if (r)
			return r;
		p = q + 1;
	}
	return 0;
}

struct check_arg {
	const struct suite *s;
	const char *origin;
	int line;
	const char *key;
};

static int check_one(const char *name, void *arg)
{
	struct check_arg *c = arg;

	if (is_builtin(name) || var_value(c->s, name))
		return 0;
	return vb_error("%s:%d: %s: unknown placeholder {%s} (known: {duration} "
			"{workdir} {iperf_host} {iperf_port} {forkbench} and "
			"[vars])", c->origin, c->line, c->key, name);
}

static int check_template(const struct suite *s, const char *origin, int line,
			  const char *key, const char *tmpl)
{
	struct check_arg c = { s, origin, line, key };
	int r;

	if (!tmpl)
		return 0;
	r = each_placeholder(tmpl, check_one, &c);
	if (r == -2)
		return vb_error("%s:%d: %s: '{' without a closing '}'", origin,
				line, key);
	return r ? -1 : 0;
}

static int check_seconds(const char *origin, int line, const char *key,
			 const char *expr)
{
	double v;

	if (suite_seconds(expr, 60, &v) < 0)
		return vb_error("%s:%d: %s: '%s' is not a seconds expression "
				"(e.g. \"{duration} + 60\")", origin, line, key, expr);
	/* Terms only add (no minus), so the value is smallest at the
	 * shortest duration (1 s): a timeout must be positive there, or the
	 * command would get no time at all (or, read as "none", forever). */
	if (!strcmp(key, "timeout") &&
	    (suite_seconds(expr, 1, &v) < 0 || !(v > 0)))
		return vb_error("%s:%d: timeout: must be a positive number of "
				"seconds, not '%s'", origin, line, expr);
	return 0;
}

/* Fills defaults and checks one benchmark once the file is read. */
static int finish_bench(struct suite *s, struct suite_bench *b,
			const char *origin)
{
	const struct parser *p;

	if (!b->command)
		return vb_error("%s:%d: benchmark %s has no command", origin,
				b->line, b->name);
	if (!b->parser)
		return vb_error("%s:%d: benchmark %s has no parser", origin,
				b->line, b->name);
	p = parser_find(b->parser);
	if (!p) {
		struct sb names = SB_INIT;

		for (const struct parser *const *q = parser_all(); *q; q++)
			sb_addf(&names, "%s%s", names.len ? ", " : "", (*q)->name);
		vb_error("%s:%d: benchmark %s: unknown parser '%s' (known: %s)",
			 origin, b->line, b->name, b->parser, names.buf);
		sb_release(&names);
		return -1;
	}
	b->parser_version = p->version;
	if (!b->unit)
		b->unit = xstrdup(p->unit);
	else if (strcmp(b->unit, p->unit))
		return vb_error("%s:%d: benchmark %s: unit '%s' differs from "
				"parser %s's unit '%s' (values are not converted)",
				origin, b->line, b->name, b->unit, p->name, p->unit);
	if (!b->direction)
		b->direction = xstrdup("higher");
	else if (strcmp(b->direction, "higher") && strcmp(b->direction, "lower"))
		return vb_error("%s:%d: benchmark %s: direction must be higher or "
				"lower, not '%s'", origin, b->line, b->name,
				b->direction);
	if (!b->timeout)
		b->timeout = xstrdup("{duration} + 60");
	if (!b->estimate)
		b->estimate = xstrdup("{duration} + 1");
	if (check_template(s, origin, b->line, "command", b->command) < 0 ||
	    check_template(s, origin, b->line, "prepare", b->prepare) < 0 ||
	    check_template(s, origin, b->line, "cleanup", b->cleanup) < 0 ||
	    check_seconds(origin, b->line, "timeout", b->timeout) < 0 ||
	    check_seconds(origin, b->line, "estimate", b->estimate) < 0)
		return -1;
	return 0;
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

static int set_str(char **field, const char *value, const char *origin,
		   int line, const char *key)
{
	if (*field)
		return vb_error("%s:%d: %s given twice", origin, line, key);
	*field = xstrdup(value);
	return 0;
}

static int set_int(int *field, const char *value, const char *origin, int line,
		   const char *key, long lo, long hi)
{
	long v;

	if (vb_parse_long(value, &v) < 0 || v < lo || v > hi)
		return vb_error("%s:%d: %s must be a whole number from %ld to %ld, "
				"not '%s'", origin, line, key, lo, hi, value);
	*field = (int)v;
	return 0;
}

enum section { SEC_NONE, SEC_SUITE, SEC_VARS, SEC_BENCH };

int suite_parse(const char *text, const char *origin, struct suite **out)
{
	struct suite *s = xcalloc(1, sizeof(*s));
	enum section sec = SEC_NONE;
	struct suite_bench *b = NULL;
	int ret = -1, ln = 0;

	s->origin = xstrdup(origin);
	s->text = xstrdup(text);
	s->duration = -1;
	s->reps = -1;
	/* Walked by hand rather than with vb_split(), which drops empty
	 * lines: messages need true line numbers. */
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
			char *end = strchr(line, ']');

			if (!end || end[1]) {
				free(raw);
				vb_error("%s:%d: malformed section header", origin, ln);
				goto out;
			}
			*end = '\0';
			key = trim(line + 1);
			if (!strcmp(key, "suite")) {
				sec = SEC_SUITE;
			} else if (!strcmp(key, "vars")) {
				sec = SEC_VARS;
			} else if (!strncmp(key, "benchmark", 9) &&
				   (key[9] == ' ' || key[9] == '\t')) {
				char *name = trim(key + 9);

				if (!valid_name(name) || suite_find(s, name)) {
					vb_error("%s:%d: benchmark name '%s' is %s",
						 origin, ln, name, valid_name(name) ?
						 "given twice" : "not made of "
						 "letters, digits, '_' and '-'");
					free(raw);
					goto out;
				}
				s->bench = xrealloc(s->bench, (s->n_bench + 1) *
						    sizeof(*s->bench));
				b = &s->bench[s->n_bench++];
				memset(b, 0, sizeof(*b));
				b->name = xstrdup(name);
				b->line = ln;
				sec = SEC_BENCH;
			} else {
				vb_error("%s:%d: unknown section [%s] (suite, vars, "
					 "benchmark NAME)", origin, ln, key);
				free(raw);
				goto out;
			}
			free(raw);
			continue;
		}
		eq = strchr(line, '=');
		if (!eq || sec == SEC_NONE) {
			vb_error("%s:%d: %s", origin, ln, eq ? "key outside a section" :
				 "expected 'key = value'");
			free(raw);
			goto out;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (sec == SEC_SUITE) {
			if (!strcmp(key, "name"))
				r = set_str(&s->name, val, origin, ln, key);
			else if (!strcmp(key, "description"))
				r = set_str(&s->description, val, origin, ln, key);
			else if (!strcmp(key, "duration"))
				r = set_int(&s->duration, val, origin, ln, key, 1, 86400);
			else if (!strcmp(key, "reps"))
				r = set_int(&s->reps, val, origin, ln, key, 1, 100000);
			else
				r = vb_error("%s:%d: unknown key '%s' in [suite] (name, "
					     "description, duration, reps)", origin,
					     ln, key);
		} else if (sec == SEC_VARS) {
			if (!valid_name(key) || is_builtin(key) || var_value(s, key)) {
				r = vb_error("%s:%d: variable '%s' is invalid, built in "
					     "or given twice", origin, ln, key);
			} else {
				s->var_names = xrealloc(s->var_names, (s->n_vars + 1) *
							sizeof(char *));
				s->var_values = xrealloc(s->var_values, (s->n_vars + 1) *
							 sizeof(char *));
				s->var_names[s->n_vars] = xstrdup(key);
				s->var_values[s->n_vars++] = xstrdup(val);
			}
		} else {
			char **f = !strcmp(key, "command") ? &b->command :
				!strcmp(key, "prepare") ? &b->prepare :
				!strcmp(key, "cleanup") ? &b->cleanup :
				!strcmp(key, "parser") ? &b->parser :
				!strcmp(key, "unit") ? &b->unit :
				!strcmp(key, "direction") ? &b->direction :
				!strcmp(key, "timeout") ? &b->timeout :
				!strcmp(key, "estimate") ? &b->estimate : NULL;

			if (!f)
				r = vb_error("%s:%d: unknown key '%s' in [benchmark %s] "
					     "(command, prepare, cleanup, parser, unit, "
					     "direction, timeout, estimate)", origin, ln,
					     key, b->name);
			else if (!*val)
				r = vb_error("%s:%d: %s is empty", origin, ln, key);
			else
				r = set_str(f, val, origin, ln, key);
		}
		free(raw);
		if (r < 0)
			goto out;
	}
	if (!s->name)
		s->name = xstrdup("custom");
	if (!valid_name(s->name)) {
		vb_error("%s: suite name '%s' is not made of letters, digits, '_' "
			 "and '-'", origin, s->name);
		goto out;
	}
	if (s->duration < 0)
		s->duration = 60;
	if (s->reps < 0)
		s->reps = 5;
	if (!s->n_bench) {
		vb_error("%s: no [benchmark NAME] section", origin);
		goto out;
	}
	for (size_t i = 0; i < s->n_bench; i++)
		if (finish_bench(s, &s->bench[i], origin) < 0)
			goto out;
	*out = s;
	s = NULL;
	ret = 0;
out:
	suite_free(s);
	return ret;
}

int suite_load(const char *dir, const char *name, struct suite **out)
{
	struct sb sb = SB_INIT;
	char *path;
	int ret;

	if (strchr(name, '/') || (strlen(name) > 6 &&
				   !strcmp(name + strlen(name) - 6, ".suite")))
		path = xstrdup(name);
	else
		path = xasprintf("%s/%s.suite", dir, name);
	if (sb_read_file(&sb, path) < 0) {
		ret = vb_error("cannot read suite %s: %s", path, strerror(errno));
		goto out;
	}
	ret = suite_parse(sb.buf, path, out);
out:
	sb_release(&sb);
	free(path);
	return ret;
}

/* ---- expansion ----------------------------------------------------------- */

int suite_uses(const char *tmpl, const char *name)
{
	char *needle;
	int r;

	if (!tmpl)
		return 0;
	needle = xasprintf("{%s}", name);
	r = strstr(tmpl, needle) != NULL;
	free(needle);
	return r;
}

int suite_bench_uses(const struct suite_bench *b, const char *name)
{
	return suite_uses(b->command, name) || suite_uses(b->prepare, name) ||
	       suite_uses(b->cleanup, name);
}

char *suite_expand(const struct suite *s, const char *tmpl,
		   const struct suite_vars *v)
{
	struct sb sb = SB_INIT;
	const char *p = tmpl;
	char dur[32];

	snprintf(dur, sizeof(dur), "%d", v->duration);
	sb_init(&sb);
	while (*p) {
		const char *q, *val;
		char *name, *quoted;

		if (*p != '{') {
			sb_addc(&sb, *p++);
			continue;
		}
		q = strchr(p, '}');
		if (!q) {
			vb_error("%s: '{' without a closing '}' in: %s", s->origin, tmpl);
			goto fail;
		}
		name = xstrndup(p + 1, (size_t)(q - p - 1));
		val = !strcmp(name, "duration") ? dur :
			!strcmp(name, "workdir") ? v->workdir :
			!strcmp(name, "iperf_host") ? v->iperf_host :
			!strcmp(name, "iperf_port") ? v->iperf_port :
			!strcmp(name, "forkbench") ? v->forkbench :
			var_value(s, name);
		if (!val) {
			vb_error("%s: placeholder {%s} has no value here", s->origin,
				 name);
			free(name);
			goto fail;
		}
		quoted = shell_quote(val);
		sb_adds(&sb, quoted);
		free(quoted);
		free(name);
		p = q + 1;
	}
	return sb_detach(&sb);
fail:
	sb_release(&sb);
	return NULL;
}

/* Grammar: expr = term { '+' term }; term = atom { '*' atom };
 * atom = number | "{duration}". Blanks are ignored. */
static int seconds_atom(const char **p, int duration, double *out)
{
	char *end;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!strncmp(*p, "{duration}", 10)) {
		*p += 10;
		*out = duration;
		return 0;
	}
	if (!isdigit((unsigned char)**p) && **p != '.')
		return -1;
	errno = 0;
	*out = strtod(*p, &end);
	if (end == *p || errno)
		return -1;
	*p = end;
	return 0;
}

int suite_seconds(const char *expr, int duration, double *out)
{
	const char *p = expr;
	double sum = 0;

	for (;;) {
		double term, atom;

		if (seconds_atom(&p, duration, &term) < 0)
			return -1;
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '*')
				break;
			p++;
			if (seconds_atom(&p, duration, &atom) < 0)
				return -1;
			term *= atom;
		}
		sum += term;
		if (*p == '+') {
			p++;
			continue;
		}
		if (*p)
			return -1;
		break;
	}
	if (!(sum >= 0 && sum < 1e7))
		return -1;
	*out = sum;
	return 0;
}
