/*
 * common/options.h - declarative command-line options.
 *
 * Each command declares its options once, as a static table next to its
 * handler: long name, optional short name, the kind of argument, where the
 * value goes (a field of the command's own options struct), and the help
 * line. Groups declare which options exclude each other, which are
 * required, and which need another. From that one table come the parsing,
 * the "--help" text and every usage error, always in the same words:
 *
 *   unknown option '--x'            option '--x' needs a value
 *   option '--x' takes no value     ambiguous option '--x' (--xa, --xb)
 *   --x: 'v' is not a whole number from LO to HI
 *   --x: 'v' is not a number above LO and below HI
 *   --a and --b exclude each other  --a is required
 *   --a needs --b                   unexpected argument 'v'
 *   expected OPERANDS
 *
 * Parsing follows getopt_long: "--opt value" and "--opt=value", options and
 * operands in any order, "--" ends the options, a unique prefix of a long
 * name is accepted, short flags may be bundled ("-vv").
 */
#ifndef VB_COMMON_OPTIONS_H
#define VB_COMMON_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

enum vb_opt_kind {
	VB_OPT_END = 0,
	VB_OPT_FLAG,     /* int field set to 1; takes no value */
	VB_OPT_STRING,   /* const char * field = the argument (not copied) */
	VB_OPT_INT,      /* int field, checked against [lo, hi] */
	VB_OPT_DOUBLE,   /* double field, checked against (lo, hi) */
	VB_OPT_LIST,     /* char ** field (NULL-terminated, owned): every use
			  * appends its comma-separated items */
	VB_OPT_CALLBACK, /* cb(opt, arg, dest); arg NULL when argname is NULL */
};

struct vb_option;
/* A callback validates and stores its argument into dest (the whole options
 * struct). Returns 0, or -1 after describing the problem with vb_error(). */
typedef int vb_opt_cb(const struct vb_option *opt, const char *arg, void *dest);

struct vb_option {
	const char *name;      /* long name without "--" */
	char short_name;       /* 0 if none */
	enum vb_opt_kind kind;
	size_t offset;         /* of the field in the options struct */
	const char *argname;   /* "N", "PATH" in the help; NULL: takes no value */
	const char *help;      /* may hold '\n' for continuation lines */
	double lo, hi;         /* bounds of INT (inclusive), DOUBLE (exclusive) */
	vb_opt_cb *cb;
};

/* Offset of FIELD in TYPE; the comparison (never evaluated) makes the
 * compiler refuse a field whose type is not CTYPE. */
#define VB_OPT_AT(type, field, ctype) \
	(offsetof(type, field) + 0 * sizeof((ctype *)0 == &((type *)0)->field))

#define OPT_FLAG(l, s, type, field, help) \
	{ l, s, VB_OPT_FLAG, VB_OPT_AT(type, field, int), NULL, help, 0, 0, NULL }
#define OPT_STRING(l, s, type, field, arg, help) \
	{ l, s, VB_OPT_STRING, VB_OPT_AT(type, field, const char *), arg, help, \
	  0, 0, NULL }
#define OPT_INT(l, s, type, field, arg, lo, hi, help) \
	{ l, s, VB_OPT_INT, VB_OPT_AT(type, field, int), arg, help, lo, hi, NULL }
#define OPT_DOUBLE(l, s, type, field, arg, lo, hi, help) \
	{ l, s, VB_OPT_DOUBLE, VB_OPT_AT(type, field, double), arg, help, lo, hi, \
	  NULL }
#define OPT_LIST(l, s, type, field, arg, help) \
	{ l, s, VB_OPT_LIST, VB_OPT_AT(type, field, char **), arg, help, 0, 0, NULL }
/* arg NULL: an option without a value, the callback gets arg NULL */
#define OPT_CALLBACK(l, s, arg, fn, help) \
	{ l, s, VB_OPT_CALLBACK, 0, arg, help, 0, 0, fn }
#define OPT_END() { NULL, 0, VB_OPT_END, 0, NULL, NULL, 0, 0, NULL }

enum vb_optgroup_kind {
	VB_GROUP_END = 0,
	VB_GROUP_EXCLUSIVE, /* at most one of names */
	VB_GROUP_REQUIRED,  /* at least one of names */
	VB_GROUP_NEEDS,     /* any of names given: one of others is needed */
	VB_GROUP_ONLY_WITH, /* any of names given: no option but names and
			     * others may be given */
};

/* Names are long option names separated by spaces. message, if set,
 * replaces the generated one. */
struct vb_optgroup {
	enum vb_optgroup_kind kind;
	const char *names;
	const char *others;
	const char *message;
};

#define GROUP_EXCLUSIVE(names) { VB_GROUP_EXCLUSIVE, names, NULL, NULL }
#define GROUP_REQUIRED(names) { VB_GROUP_REQUIRED, names, NULL, NULL }
#define GROUP_NEEDS(names, others) { VB_GROUP_NEEDS, names, others, NULL }
#define GROUP_ONLY_WITH(names, others, msg) \
	{ VB_GROUP_ONLY_WITH, names, others, msg }
#define GROUP_END() { VB_GROUP_END, NULL, NULL, NULL }

/* One command's (or sub-command's) interface. */
struct vb_optspec {
	const char *synopsis;    /* printed after "usage: "; its own line
				  * breaks and indentation */
	const char *description; /* prose after the synopsis, or NULL */
	const struct vb_option *options;  /* OPT_END-terminated, or NULL */
	const struct vb_optgroup *groups; /* GROUP_END-terminated, or NULL */
	const char *operands;    /* "FILE", "PARSER FILE" for messages */
	int min_operands, max_operands; /* max < 0: any number */
	const char *footer;      /* prose after the options, or NULL */
	size_t size;             /* of the options struct */
	const void *defaults;    /* its initial value (NULL: all zero) */
};

enum {
	VB_PARSE_KEEP_UNKNOWN = 1 << 0, /* leave unknown options, operands and
					 * everything from "--" in argv, match
					 * long names exactly (global options) */
};

/* Parses argv[1..*argc-1] (argv[0] is the command's name) into dest by the
 * table of spec. On success returns 0 and leaves the operands, in order, in
 * argv[1..*argc-1] with argv[*argc] = NULL. On a usage error prints one line
 * naming the problem and then the usage to stderr, and returns 2. Values of
 * LIST options are allocated: release them with vb_options_release() in
 * either case. */
int vb_options_parse(const struct vb_optspec *spec, int *argc, char **argv,
		     void *dest, unsigned flags);

/* Frees the LIST fields of dest (NULL allowed) and sets them to NULL. */
void vb_options_release(const struct vb_optspec *spec, void *dest);

/* Writes the option list of the table (two-column, aligned). */
void vb_options_print(const struct vb_option *options, FILE *f);

/* Writes the whole usage: "usage: " synopsis, description, options,
 * footer. */
void vb_usage_print(const struct vb_optspec *spec, FILE *f);

/* A usage error: prints the message (if fmt is set) as one line, then the
 * usage of spec (if set), to stderr; returns 2, the usage exit status. */
int vb_usage_error(const struct vb_optspec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
