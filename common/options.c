/*
 * common/options.c - parsing, help and usage errors from a command's option
 * table (see options.h). Runs once per command line; tables are a few dozen
 * rows, so every lookup is a linear scan.
 */
#include "common/options.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The command a synopsis is about: its leading lowercase words
 * ("virtbench db merge" of "virtbench db merge OTHER.db"). */
static void add_command_name(struct sb *sb, const char *synopsis)
{
	const char *p = synopsis, *end = synopsis;

	while (*p) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");

		if (!n || *p == '-' || (p[n] && p[n] != ' '))
			break;
		end = p + n;
		p += n;
		p += strspn(p, " ");
	}
	if (end > synopsis)
		sb_addf(sb, "%.*s: ", (int)(end - synopsis), synopsis);
}

int vb_usage_error(const struct vb_optspec *spec, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		struct sb sb = SB_INIT;

		if (spec && spec->synopsis)
			add_command_name(&sb, spec->synopsis);
		va_start(ap, fmt);
		sb_vaddf(&sb, fmt, ap);
		va_end(ap);
		vb_error("%s", sb.buf);
		sb_release(&sb);
	}
	if (spec)
		vb_usage_print(spec, stderr);
	return 2;
}

static size_t n_options(const struct vb_option *o)
{
	size_t n = 0;

	while (o && o[n].kind != VB_OPT_END)
		n++;
	return n;
}

/* "--name" or "-s" as the user may have typed it, for messages. */
static void opt_label(const struct vb_option *o, int as_short, char *buf,
		      size_t len)
{
	if (as_short || !o->name)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->name);
}

static int find_long(const struct vb_optspec *spec, const char *name,
		     size_t len, int exact, const struct vb_option **out)
{
	const struct vb_option *o = spec->options, *hit = NULL;
	size_t n = n_options(o);
	int hits = 0;

	for (size_t i = 0; i < n; i++) {
		if (!o[i].name || strncmp(o[i].name, name, len))
			continue;
		if (!o[i].name[len]) {
			*out = &o[i];
			return 1;
		}
		if (!exact) {
			hit = &o[i];
			hits++;
		}
	}
	*out = hit;
	return hits;
}

static int store_value(const struct vb_optspec *spec,
		       const struct vb_option *o, const char *label,
		       const char *arg, void *dest)
{
	char *field = (char *)dest + o->offset;

	switch (o->kind) {
	case VB_OPT_FLAG:
		*(int *)field = 1;
		return 0;
	case VB_OPT_STRING:
		*(const char **)field = arg;
		return 0;
	case VB_OPT_INT: {
		long v;

		if (vb_parse_long(arg, &v) < 0 || v < o->lo || v > o->hi)
			return vb_usage_error(spec, "%s: '%s' is not a whole number "
					      "from %.0f to %.0f", label, arg,
					      o->lo, o->hi);
		*(int *)field = (int)v;
		return 0;
	}
	case VB_OPT_DOUBLE: {
		double v;

		if (vb_parse_double(arg, &v) < 0 || !(v > o->lo && v < o->hi))
			return vb_usage_error(spec, "%s: '%s' is not a number above "
					      "%g and below %g", label, arg,
					      o->lo, o->hi);
		*(double *)field = v;
		return 0;
	}
	case VB_OPT_LIST: {
		char ***list = (char ***)field;
		char **items = vb_split(arg, ',');
		size_t n = vb_strv_len(*list), m = vb_strv_len(items);

		*list = xrealloc(*list, (n + m + 1) * sizeof(char *));
		memcpy(*list + n, items, (m + 1) * sizeof(char *));
		free(items);
		return 0;
	}
	case VB_OPT_CALLBACK:
		return o->cb(o, arg, dest) < 0 ? vb_usage_error(spec, NULL) : 0;
	case VB_OPT_END:
		break;
	}
	return 0;
}

/* Handles argv[*i], a long option ("--name" or "--name=value"). Returns 0,
 * 1 to keep it as an unknown option (KEEP_UNKNOWN), or 2. */
static int parse_long(const struct vb_optspec *spec, int argc, char **argv,
		      int *i, void *dest, unsigned flags, uint64_t *seen)
{
	const char *a = argv[*i] + 2, *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const struct vb_option *o;
	const char *arg = eq ? eq + 1 : NULL;
	char label[64];
	int hits = find_long(spec, a, len, flags & VB_PARSE_KEEP_UNKNOWN, &o);

	if (!hits && (flags & VB_PARSE_KEEP_UNKNOWN))
		return 1;
	if (!hits)
		return vb_usage_error(spec, "unknown option '--%.*s'", (int)len, a);
	if (hits > 1) {
		struct sb sb = SB_INIT;
		int r;

		for (const struct vb_option *p = spec->options; p->kind; p++)
			if (p->name && !strncmp(p->name, a, len))
				sb_addf(&sb, "%s--%s", sb.len ? ", " : "", p->name);
		r = vb_usage_error(spec, "ambiguous option '--%.*s' (%s)", (int)len,
				   a, sb.buf);
		sb_release(&sb);
		return r;
	}
	opt_label(o, 0, label, sizeof(label));
	if (!o->argname && arg)
		return vb_usage_error(spec, "option '%s' takes no value", label);
	if (o->argname && !arg) {
		if (*i + 1 >= argc)
			return vb_usage_error(spec, "option '%s' needs a value", label);
		arg = argv[++*i];
	}
	*seen |= UINT64_C(1) << (o - spec->options);
	return store_value(spec, o, label, arg, dest);
}

static const struct vb_option *find_short(const struct vb_optspec *spec, char c)
{
	for (const struct vb_option *o = spec->options; o && o->kind; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/* Handles argv[*i], one or more bundled short options ("-v", "-vv", "-nX",
 * "-n X"). Returns 0, 1 to keep it (KEEP_UNKNOWN), or 2. */
static int parse_short(const struct vb_optspec *spec, int argc, char **argv,
		       int *i, void *dest, unsigned flags, uint64_t *seen)
{
	const char *a = argv[*i] + 1;
	char label[8];

	if (flags & VB_PARSE_KEEP_UNKNOWN) {
		/* Only a bundle entirely of known flags is ours. */
		for (const char *p = a; *p; p++) {
			const struct vb_option *o = find_short(spec, *p);

			if (!o || o->argname)
				return 1;
		}
	}
	for (const char *p = a; *p; p++) {
		const struct vb_option *o = find_short(spec, *p);
		const char *arg = NULL;
		int r;

		if (!o)
			return vb_usage_error(spec, "unknown option '-%c'", *p);
		opt_label(o, 1, label, sizeof(label));
		if (o->argname) {
			if (p[1])
				arg = p + 1;
			else if (*i + 1 < argc)
				arg = argv[++*i];
			else
				return vb_usage_error(spec, "option '%s' needs a value",
						      label);
		}
		*seen |= UINT64_C(1) << (o - spec->options);
		r = store_value(spec, o, label, arg, dest);
		if (r || arg)
			return r;
	}
	return 0;
}

static int index_of(const struct vb_optspec *spec, const char *name, size_t len)
{
	for (const struct vb_option *o = spec->options; o && o->kind; o++)
		if (o->name && strlen(o->name) == len && !strncmp(o->name, name, len))
			return (int)(o - spec->options);
	return -1;
}

/* Bitmask of the options named in the space-separated list. */
static uint64_t mask_of(const struct vb_optspec *spec, const char *list)
{
	uint64_t m = 0;

	while (list && *list) {
		size_t len = strcspn(list, " ");
		int k = index_of(spec, list, len);

		if (k >= 0)
			m |= UINT64_C(1) << k;
		list += len;
		list += strspn(list, " ");
	}
	return m;
}

/* "--a", "--a and --b", "--a, --b and --c" of the options in mask. */
static void names_of(const struct vb_optspec *spec, uint64_t mask,
		     const char *conj, struct sb *sb)
{
	int n = __builtin_popcountll(mask), k = 0;

	for (const struct vb_option *o = spec->options; o && o->kind; o++) {
		if (!(mask & (UINT64_C(1) << (o - spec->options))))
			continue;
		k++;
		sb_addf(sb, "%s--%s", k == 1 ? "" : k == n ? conj : ", ", o->name);
	}
}

static int check_groups(const struct vb_optspec *spec, uint64_t seen)
{
	for (const struct vb_optgroup *g = spec->groups; g && g->kind; g++) {
		uint64_t names = mask_of(spec, g->names), others = mask_of(spec, g->others);
		struct sb sb = SB_INIT;
		int bad = 0, r;

		switch (g->kind) {
		case VB_GROUP_EXCLUSIVE:
			if ((bad = __builtin_popcountll(seen & names) > 1)) {
				names_of(spec, seen & names, " and ", &sb);
				sb_adds(&sb, " exclude each other");
			}
			break;
		case VB_GROUP_REQUIRED:
			if ((bad = !(seen & names))) {
				names_of(spec, names, " or ", &sb);
				sb_adds(&sb, " is required");
			}
			break;
		case VB_GROUP_NEEDS:
			if ((bad = (seen & names) && !(seen & others))) {
				names_of(spec, seen & names, " and ", &sb);
				sb_adds(&sb, __builtin_popcountll(seen & names) > 1 ?
					" need " : " needs ");
				names_of(spec, others, " or ", &sb);
			}
			break;
		case VB_GROUP_ONLY_WITH:
			if ((bad = (seen & names) && (seen & ~(names | others)))) {
				names_of(spec, seen & names, " and ", &sb);
				sb_adds(&sb, " cannot be given with ");
				names_of(spec, seen & ~(names | others), " and ", &sb);
			}
			break;
		case VB_GROUP_END:
			break;
		}
		if (!bad) {
			sb_release(&sb);
			continue;
		}
		r = vb_usage_error(spec, "%s", g->message ? g->message : sb.buf);
		sb_release(&sb);
		return r;
	}
	return 0;
}

int vb_options_parse(const struct vb_optspec *spec, int *argc, char **argv,
		     void *dest, unsigned flags)
{
	uint64_t seen = 0;
	int out = 1, i, r = 0, n;

	/* seen is a bitmask */
	if (n_options(spec->options) > 64)
		abort();

	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];
		int start = i;

		if (!strcmp(a, "--")) {
			if (flags & VB_PARSE_KEEP_UNKNOWN) {
				while (i < *argc)
					argv[out++] = argv[i++];
			} else {
				while (++i < *argc)
					argv[out++] = argv[i];
			}
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[out++] = argv[i];
			continue;
		}
		r = a[1] == '-' ? parse_long(spec, *argc, argv, &i, dest, flags, &seen) :
			parse_short(spec, *argc, argv, &i, dest, flags, &seen);
		if (r == 1) {
			argv[out++] = argv[start];
			r = 0;
		}
		if (r)
			return r;
	}
	argv[out] = NULL;
	*argc = out;
	if ((r = check_groups(spec, seen)))
		return r;
	if (flags & VB_PARSE_KEEP_UNKNOWN)
		return 0;
	n = out - 1;
	if (spec->max_operands >= 0 && n > spec->max_operands)
		return vb_usage_error(spec, "unexpected argument '%s'",
				      argv[1 + spec->max_operands]);
	if (n < spec->min_operands)
		return vb_usage_error(spec, "expected %s", spec->operands ?
				      spec->operands : "more arguments");
	return 0;
}

void vb_options_release(const struct vb_optspec *spec, void *dest)
{
	if (!dest)
		return;
	for (const struct vb_option *o = spec->options; o && o->kind; o++) {
		if (o->kind == VB_OPT_LIST) {
			char ***list = (char ***)((char *)dest + o->offset);

			vb_strv_free(*list);
			*list = NULL;
		}
	}
}

/* "--name ARG" or "-s, --name ARG" of one row. */
static void left_column(const struct vb_option *o, struct sb *sb)
{
	if (o->short_name && o->name)
		sb_addf(sb, "-%c, --%s", o->short_name, o->name);
	else if (o->short_name)
		sb_addf(sb, "-%c", o->short_name);
	else
		sb_addf(sb, "--%s", o->name);
	if (o->argname)
		sb_addf(sb, " %s", o->argname);
}

void vb_options_print(const struct vb_option *options, FILE *f)
{
	size_t width = 0, n = n_options(options);

	for (size_t i = 0; i < n; i++) {
		struct sb sb = SB_INIT;

		left_column(&options[i], &sb);
		if (sb.len > width && sb.len <= 28)
			width = sb.len;
		sb_release(&sb);
	}
	for (size_t i = 0; i < n; i++) {
		struct sb sb = SB_INIT;
		const char *h = options[i].help ? options[i].help : "";

		left_column(&options[i], &sb);
		if (sb.len > width)
			fprintf(f, "  %s\n  %*s", sb.buf, (int)width, "");
		else
			fprintf(f, "  %-*s", (int)width, sb.buf);
		/* continuation lines of the help start under its first */
		for (;;) {
			size_t len = strcspn(h, "\n");

			fprintf(f, "  %.*s\n", (int)len, h);
			if (!h[len] || !h[len + 1])
				break;
			h += len + 1;
			fprintf(f, "  %*s", (int)width, "");
		}
		sb_release(&sb);
	}
}

void vb_usage_print(const struct vb_optspec *spec, FILE *f)
{
	fprintf(f, "usage: %s\n", spec->synopsis);
	if (spec->description)
		fprintf(f, "\n%s", spec->description);
	if (n_options(spec->options)) {
		fputs("\noptions:\n", f);
		vb_options_print(spec->options, f);
	}
	if (spec->footer)
		fprintf(f, "\n%s", spec->footer);
}
