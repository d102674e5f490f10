/*
 * collect/ini.c - the line reader shared by suite and study files
 * (collect/ini.h).
 *
 * Walked by hand rather than with vb_split(), which drops empty lines:
 * messages need true line numbers.
 */
#include "collect/ini.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

char *ini_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

char *ini_section_arg(char *section, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(section, word, n) || (section[n] != ' ' && section[n] != '\t'))
		return NULL;
	return ini_trim(section + n);
}

/* One trimmed, non-blank, non-comment line. */
static int one_line(char *line, const char *origin, int ln, int *in_section,
		    int (*fn)(const struct ini_item *it, void *arg), void *arg)
{
	struct ini_item it = { .line = ln };
	char *eq;

	if (*line == '[') {
		char *end = strchr(line, ']');

		if (!end || end[1])
			return vb_error("%s:%d: malformed section header", origin,
					ln);
		*end = '\0';
		it.section = ini_trim(line + 1);
		*in_section = 1;
		return fn(&it, arg);
	}
	eq = strchr(line, '=');
	if (!eq)
		return vb_error("%s:%d: expected 'key = value'", origin, ln);
	if (!*in_section)
		return vb_error("%s:%d: key outside a section", origin, ln);
	*eq = '\0';
	it.key = ini_trim(line);
	it.value = ini_trim(eq + 1);
	return fn(&it, arg);
}

int ini_parse(const char *text, const char *origin,
	      int (*fn)(const struct ini_item *it, void *arg), void *arg)
{
	int ln = 0, in_section = 0;

	for (const char *p = text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		char *raw = nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		char *line = ini_trim(raw);
		int r = 0;

		ln++;
		p = nl ? nl + 1 : NULL;
		if (*line && *line != '#')
			r = one_line(line, origin, ln, &in_section, fn, arg);
		free(raw);
		if (r < 0)
			return r;
	}
	return 0;
}
