/*
 * report/template.c - the template engine described in template.h.
 *
 * Two passes: the text is cut into tokens (text, {{ }}, {% %}, {# #}),
 * standalone block tags swallow their line, then a recursive descent builds
 * a node tree that tmpl_render() walks. Templates are a few kilobytes and
 * rendered once per report, so clarity wins over speed everywhere here.
 */
#include "report/template.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { TOK_TEXT, TOK_VAR, TOK_TAG, TOK_COMMENT };

struct tok {
	enum tok_kind kind;
	char *text;  /* TEXT: the text; others: the trimmed inside */
	int line, col;
	size_t start, end; /* tags: source offsets of "{%" and after "%}" */
};

enum filter { F_MD, F_RAW, F_CODE, F_URL };

enum node_kind { N_TEXT, N_VAR, N_IF, N_FOR };

/* A condition: an OR of ANDs of atoms. */
struct atom {
	int negate;
	char **path;
	int op;          /* 0 = truth, '=' equal, '!' not equal */
	char *lit;       /* literal text (string or number as written) */
	int lit_is_num;
	double lit_num;
};
struct conj {
	struct atom *atoms;
	size_t n;
};
struct cond {
	struct conj *terms;
	size_t n;
};

struct node;
struct nodes {
	struct node **v;
	size_t n;
};

struct node {
	enum node_kind kind;
	int line, col;
	char *text;              /* N_TEXT */
	char **path;             /* N_VAR, N_FOR (the sequence) */
	enum filter filter;      /* N_VAR */
	char *var;               /* N_FOR: the loop variable */
	struct cond *conds;      /* N_IF: one per if/elif branch */
	struct nodes *branches;  /* N_IF: body per branch; N_FOR: [0] body */
	size_t nbranch;
	struct nodes otherwise;  /* else: N_IF and N_FOR (empty sequence) */
};

struct tmpl {
	char *name;
	struct nodes root;
};

struct parser {
	const char *name;
	struct tok *toks;
	size_t ntok, pos;
};

/* ---- freeing ---------------------------------------------------------- */

static void nodes_free(struct nodes *ns);

static void cond_free(struct cond *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = 0; j < c->terms[i].n; j++) {
			vb_strv_free(c->terms[i].atoms[j].path);
			free(c->terms[i].atoms[j].lit);
		}
		free(c->terms[i].atoms);
	}
	free(c->terms);
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->text);
	vb_strv_free(n->path);
	free(n->var);
	for (size_t i = 0; i < n->nbranch; i++) {
		if (n->conds)
			cond_free(&n->conds[i]);
		nodes_free(&n->branches[i]);
	}
	free(n->conds);
	free(n->branches);
	nodes_free(&n->otherwise);
	free(n);
}

static void nodes_free(struct nodes *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		node_free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	nodes_free(&t->root);
	free(t->name);
	free(t);
}

static void nodes_push(struct nodes *ns, struct node *n)
{
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n++] = n;
}

/* ---- tokenizer -------------------------------------------------------- */

static void pos_of(const char *text, const char *p, int *line, int *col)
{
	int l = 1, c = 1;

	for (const char *q = text; q < p; q++) {
		if (*q == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void toks_free(struct tok *toks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(toks[i].text);
	free(toks);
}

static void tok_push(struct tok **toks, size_t *n, enum tok_kind k, char *text,
		     int line, int col, size_t start, size_t end)
{
	*toks = xrealloc(*toks, (*n + 1) * sizeof(**toks));
	(*toks)[*n] = (struct tok){ k, text, line, col, start, end };
	(*n)++;
}

static int tokenize(const char *name, const char *text, struct tok **out,
		    size_t *nout)
{
	struct tok *toks = NULL;
	size_t n = 0;
	const char *p = text;

	while (*p) {
		const char *open = strchr(p, '{');

		while (open && open[1] != '{' && open[1] != '%' && open[1] != '#')
			open = strchr(open + 1, '{');
		if (!open) {
			tok_push(&toks, &n, TOK_TEXT, xstrdup(p), 0, 0, 0, 0);
			break;
		}
		if (open > p)
			tok_push(&toks, &n, TOK_TEXT, xstrndup(p, open - p), 0, 0,
				 0, 0);

		char kind = open[1];
		const char *close_s = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
		const char *close = strstr(open + 2, close_s);
		int line, col;

		pos_of(text, open, &line, &col);
		if (!close) {
			toks_free(toks, n);
			return vb_error("%s:%d:%d: unterminated '{%c'", name, line,
					col, kind);
		}
		tok_push(&toks, &n,
			 kind == '{' ? TOK_VAR : kind == '%' ? TOK_TAG : TOK_COMMENT,
			 trim_dup(open + 2, close - open - 2), line, col,
			 (size_t)(open - text), (size_t)(close + 2 - text));
		p = close + 2;
	}
	*out = toks;
	*nout = n;
	return 0;
}

/*
 * A block tag or comment that is alone on its source line takes the line
 * with it: the blanks before it (back to the newline) and the blanks and
 * newline after it. Without this, every {% if %} in a Markdown template
 * would leave an empty line, which breaks tables. Standalone-ness is judged
 * on the original text, so consecutive standalone tags all vanish.
 */
static void strip_standalone(struct tok *toks, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++) {
		const char *a, *b;

		if (toks[i].kind != TOK_TAG && toks[i].kind != TOK_COMMENT)
			continue;
		for (a = text + toks[i].start; a > text && (a[-1] == ' ' || a[-1] == '\t'); a--)
			;
		if (a > text && a[-1] != '\n')
			continue;
		for (b = text + toks[i].end; *b == ' ' || *b == '\t' || *b == '\r'; b++)
			;
		if (*b != '\n' && *b != '\0')
			continue;

		/* Only blanks lie between the line start and the tag, so the
		 * previous token, if any, is text ending with them. */
		if (i > 0 && toks[i - 1].kind == TOK_TEXT) {
			char *t = toks[i - 1].text;
			size_t j = strlen(t);

			while (j > 0 && (t[j - 1] == ' ' || t[j - 1] == '\t'))
				j--;
			t[j] = '\0';
		}
		if (i + 1 < n && toks[i + 1].kind == TOK_TEXT) {
			char *t = toks[i + 1].text;
			size_t j = 0;

			while (t[j] == ' ' || t[j] == '\t' || t[j] == '\r')
				j++;
			if (t[j] == '\n')
				j++;
			memmove(t, t + j, strlen(t + j) + 1);
		}
	}
}

/* ---- expression parsing ----------------------------------------------- */

static int is_ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* Parses a dotted path at *s; advances *s. NULL if none is there. */
static char **parse_path(const char **s)
{
	const char *p = *s;
	struct sb sb = SB_INIT;
	char **v;

	while (*p == ' ')
		p++;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return NULL;
	for (;;) {
		const char *start = p;

		while (is_ident_char((unsigned char)*p))
			p++;
		if (p == start) {
			sb_release(&sb);
			return NULL;
		}
		sb_add(&sb, start, p - start);
		if (*p != '.')
			break;
		sb_addc(&sb, '\x1f');
		p++;
	}
	*s = p;
	v = vb_split(sb.buf, '\x1f');
	sb_release(&sb);
	return v;
}

static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);

	return strncmp(p, w, n) == 0 && !is_ident_char((unsigned char)p[n]);
}

static const char *skip_ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int parse_atom(const char *name, const struct tok *t, const char **s,
		      struct atom *a)
{
	const char *p = skip_ws(*s);

	memset(a, 0, sizeof(*a));
	if (word_at(p, "not")) {
		a->negate = 1;
		p = skip_ws(p + 3);
	}
	a->path = parse_path(&p);
	if (!a->path)
		return vb_error("%s:%d:%d: expected a name in '%s'", name,
				t->line, t->col, t->text);
	p = skip_ws(p);
	if ((p[0] == '=' || p[0] == '!') && p[1] == '=') {
		a->op = p[0];
		p = skip_ws(p + 2);
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (!end)
				return vb_error("%s:%d:%d: unterminated string in '%s'",
						name, t->line, t->col, t->text);
			a->lit = xstrndup(p + 1, end - p - 1);
			p = end + 1;
		} else {
			const char *start = p;

			while (*p && !isspace((unsigned char)*p))
				p++;
			a->lit = xstrndup(start, p - start);
			if (vb_parse_double(a->lit, &a->lit_num) < 0)
				return vb_error("%s:%d:%d: expected a \"string\" or a number after '%c=' in '%s'",
						name, t->line, t->col, a->op,
						t->text);
			a->lit_is_num = 1;
		}
	}
	*s = p;
	return 0;
}

static int parse_cond(const char *name, const struct tok *t, const char *s,
		      struct cond *c)
{
	const char *p = s;

	memset(c, 0, sizeof(*c));
	for (;;) {
		struct conj *cj;

		c->terms = xrealloc(c->terms, (c->n + 1) * sizeof(*c->terms));
		cj = &c->terms[c->n++];
		memset(cj, 0, sizeof(*cj));
		for (;;) {
			cj->atoms = xrealloc(cj->atoms, (cj->n + 1) * sizeof(*cj->atoms));
			if (parse_atom(name, t, &p, &cj->atoms[cj->n++]) < 0)
				return -1;
			p = skip_ws(p);
			if (!word_at(p, "and"))
				break;
			p += 3;
		}
		if (!word_at(p, "or"))
			break;
		p += 2;
	}
	if (*skip_ws(p))
		return vb_error("%s:%d:%d: unexpected '%s' in condition '%s'", name,
				t->line, t->col, skip_ws(p), t->text);
	return 0;
}

/* ---- tree building ---------------------------------------------------- */

/* Which keyword a tag starts with. */
static const char *tag_word(const struct tok *t)
{
	static const char *const words[] = { "if", "elif", "else", "end", "for" };

	for (size_t i = 0; i < VB_ARRAY_SIZE(words); i++)
		if (word_at(t->text, words[i]))
			return words[i];
	return NULL;
}

/* Parses nodes until a tag whose word is in stops (or the end when stops is
 * NULL); leaves pos at that tag and returns its word via *stop. */
static int parse_nodes(struct parser *ps, struct nodes *out,
		       const char *const *stops, const char **stop);

/* {{ path [| filter] }} at token t into out. */
static int parse_var(struct parser *ps, struct tok *t, struct nodes *out)
{
	struct node *n;
	const char *p = t->text;

	n = xcalloc(1, sizeof(*n));
	n->kind = N_VAR;
	n->line = t->line;
	n->col = t->col;
	nodes_push(out, n);
	n->path = parse_path(&p);
	if (!n->path)
		return vb_error("%s:%d:%d: expected a name in '{{ %s }}'",
				ps->name, t->line, t->col, t->text);
	p = skip_ws(p);
	if (*p == '|') {
		p = skip_ws(p + 1);
		if (word_at(p, "raw"))
			n->filter = F_RAW, p += 3;
		else if (word_at(p, "code"))
			n->filter = F_CODE, p += 4;
		else if (word_at(p, "url"))
			n->filter = F_URL, p += 3;
		else if (word_at(p, "md"))
			n->filter = F_MD, p += 2;
		else
			return vb_error("%s:%d:%d: unknown filter '%s' (raw, code, url, md)",
					ps->name, t->line, t->col, p);
	}
	if (*skip_ws(p))
		return vb_error("%s:%d:%d: unexpected '%s' in '{{ %s }}'",
				ps->name, t->line, t->col, skip_ws(p),
				t->text);
	ps->pos++;
	return 0;
}

/* {% if %} ... {% elif %} ... {% else %} ... {% end %} at token t. */
static int parse_if(struct parser *ps, struct tok *t, struct nodes *out)
{
	struct node *n;
	static const char *const if_stops[] = { "elif", "else", "end", NULL };
	const char *st = NULL;

	n = xcalloc(1, sizeof(*n));
	n->kind = N_IF;
	n->line = t->line;
	n->col = t->col;
	nodes_push(out, n);
	for (;;) {
		/* t is the if/elif tag. */
		n->conds = xrealloc(n->conds, (n->nbranch + 1) * sizeof(*n->conds));
		n->branches = xrealloc(n->branches,
				       (n->nbranch + 1) * sizeof(*n->branches));
		memset(&n->branches[n->nbranch], 0, sizeof(struct nodes));
		n->nbranch++;
		if (parse_cond(ps->name, t, t->text + strlen(tag_word(t)),
			       &n->conds[n->nbranch - 1]) < 0)
			return -1;
		ps->pos++;
		if (parse_nodes(ps, &n->branches[n->nbranch - 1], if_stops, &st) < 0)
			return -1;
		if (!st)
			return vb_error("%s:%d:%d: '{%% if %%}' without '{%% end %%}'",
					ps->name, n->line, n->col);
		t = &ps->toks[ps->pos];
		if (strcmp(st, "elif") != 0)
			break;
	}
	if (strcmp(st, "else") == 0) {
		static const char *const end_stop[] = { "end", NULL };

		if (strcmp(t->text, "else") != 0)
			return vb_error("%s:%d:%d: unexpected text in '{%% %s %%}'",
					ps->name, t->line, t->col, t->text);
		ps->pos++;
		if (parse_nodes(ps, &n->otherwise, end_stop, &st) < 0)
			return -1;
		if (!st)
			return vb_error("%s:%d:%d: '{%% if %%}' without '{%% end %%}'",
					ps->name, n->line, n->col);
		t = &ps->toks[ps->pos];
	}
	if (strcmp(t->text, "end") != 0)
		return vb_error("%s:%d:%d: unexpected text in '{%% %s %%}'",
				ps->name, t->line, t->col, t->text);
	ps->pos++;
	return 0;
}

/* {% for NAME in PATH %} ... {% else %} ... {% end %} at token t. */
static int parse_for(struct parser *ps, struct tok *t, struct nodes *out)
{
	struct node *n;
	static const char *const for_stops[] = { "else", "end", NULL };
	static const char *const end_stop[] = { "end", NULL };
	const char *p = t->text + 3;
	char **var;
	const char *st = NULL;

	n = xcalloc(1, sizeof(*n));
	n->kind = N_FOR;
	n->line = t->line;
	n->col = t->col;
	nodes_push(out, n);
	var = parse_path(&p);
	if (!var || var[1]) {
		vb_strv_free(var);
		return vb_error("%s:%d:%d: expected '{%% for NAME in PATH %%}', got '{%% %s %%}'",
				ps->name, t->line, t->col, t->text);
	}
	n->var = xstrdup(var[0]);
	vb_strv_free(var);
	p = skip_ws(p);
	if (!word_at(p, "in"))
		return vb_error("%s:%d:%d: expected '{%% for NAME in PATH %%}', got '{%% %s %%}'",
				ps->name, t->line, t->col, t->text);
	p += 2;
	n->path = parse_path(&p);
	if (!n->path || *skip_ws(p))
		return vb_error("%s:%d:%d: expected '{%% for NAME in PATH %%}', got '{%% %s %%}'",
				ps->name, t->line, t->col, t->text);
	n->branches = xcalloc(1, sizeof(*n->branches));
	n->nbranch = 1;
	ps->pos++;
	if (parse_nodes(ps, &n->branches[0], for_stops, &st) < 0)
		return -1;
	if (st && strcmp(st, "else") == 0) {
		ps->pos++;
		if (parse_nodes(ps, &n->otherwise, end_stop, &st) < 0)
			return -1;
	}
	if (!st)
		return vb_error("%s:%d:%d: '{%% for %%}' without '{%% end %%}'",
				ps->name, n->line, n->col);
	t = &ps->toks[ps->pos];
	if (strcmp(t->text, "end") != 0)
		return vb_error("%s:%d:%d: unexpected text in '{%% %s %%}'",
				ps->name, t->line, t->col, t->text);
	ps->pos++;
	return 0;
}

static int parse_nodes(struct parser *ps, struct nodes *out,
		       const char *const *stops, const char **stop)
{
	*stop = NULL;
	while (ps->pos < ps->ntok) {
		struct tok *t = &ps->toks[ps->pos];
		struct node *n;

		if (t->kind == TOK_COMMENT) {
			ps->pos++;
			continue;
		}
		if (t->kind == TOK_TEXT) {
			ps->pos++;
			if (!t->text[0])
				continue;
			n = xcalloc(1, sizeof(*n));
			n->kind = N_TEXT;
			n->text = xstrdup(t->text);
			nodes_push(out, n);
			continue;
		}
		if (t->kind == TOK_VAR) {
			if (parse_var(ps, t, out) < 0)
				return -1;
			continue;
		}

		/* A block tag. */
		const char *w = tag_word(t);

		if (!w)
			return vb_error("%s:%d:%d: unknown tag '{%% %s %%}' (if, elif, else, end, for)",
					ps->name, t->line, t->col, t->text);
		if (stops) {
			for (const char *const *s = stops; *s; s++) {
				if (strcmp(*s, w) == 0) {
					*stop = w;
					return 0;
				}
			}
		}
		if (strcmp(w, "if") == 0) {
			if (parse_if(ps, t, out) < 0)
				return -1;
			continue;
		}
		if (strcmp(w, "for") == 0) {
			if (parse_for(ps, t, out) < 0)
				return -1;
			continue;
		}
		return vb_error("%s:%d:%d: '{%% %s %%}' without a matching '{%% if %%}' or '{%% for %%}'",
				ps->name, t->line, t->col, t->text);
	}
	return 0;
}

int tmpl_parse(const char *name, const char *text, struct tmpl **out)
{
	struct parser ps = { .name = name };
	struct tmpl *t = NULL;
	const char *stop;
	int ret = -1;

	*out = NULL;
	if (tokenize(name, text, &ps.toks, &ps.ntok) < 0)
		return -1;
	strip_standalone(ps.toks, ps.ntok, text);
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	if (parse_nodes(&ps, &t->root, NULL, &stop) < 0)
		goto cleanup;
	*out = t;
	t = NULL;
	ret = 0;
cleanup:
	tmpl_free(t);
	toks_free(ps.toks, ps.ntok);
	return ret;
}

int tmpl_load(const char *path, struct tmpl **out)
{
	struct sb sb = SB_INIT;
	int ret;

	*out = NULL;
	if (sb_read_file(&sb, path) < 0) {
		ret = vb_error("%s: cannot read template: %s", path, strerror(errno));
		sb_release(&sb);
		return ret;
	}
	ret = tmpl_parse(path, sb.buf ? sb.buf : "", out);
	sb_release(&sb);
	return ret;
}

/* ---- rendering -------------------------------------------------------- */

struct scope {
	const char *name;
	const cJSON *value;
	const struct scope *up;
};

static const cJSON *child(const cJSON *v, const char *key)
{
	if (cJSON_IsObject(v))
		return cJSON_GetObjectItemCaseSensitive(v, key);
	if (cJSON_IsArray(v)) {
		long i;

		if (vb_parse_long(key, &i) == 0 && i >= 0)
			return cJSON_GetArrayItem(v, (int)i);
	}
	return NULL;
}

static const cJSON *lookup(const struct scope *sc, const cJSON *root,
			   char *const *path)
{
	const cJSON *v = NULL;

	for (const struct scope *s = sc; s; s = s->up) {
		if (strcmp(s->name, path[0]) == 0) {
			v = s->value;
			break;
		}
	}
	if (!v)
		v = child(root, path[0]);
	for (size_t i = 1; v && path[i]; i++)
		v = child(v, path[i]);
	return v;
}

static char *path_str(char *const *path)
{
	struct sb sb = SB_INIT;

	for (size_t i = 0; path[i]; i++) {
		if (i)
			sb_addc(&sb, '.');
		sb_adds(&sb, path[i]);
	}
	return sb_detach(&sb);
}

static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0];
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return 1;
}

/* Scalar to text; returns 0, or -1 for arrays and objects. */
static int scalar_text(const cJSON *v, struct sb *out)
{
	if (cJSON_IsString(v)) {
		sb_adds(out, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 1e15)
			sb_addf(out, "%.0f", d);
		else
			sb_addf(out, "%.15g", d);
	} else if (cJSON_IsTrue(v)) {
		sb_adds(out, "true");
	} else if (cJSON_IsFalse(v)) {
		sb_adds(out, "false");
	} else if (cJSON_IsNull(v)) {
		/* nothing */
	} else {
		return -1;
	}
	return 0;
}

static int atom_eval(const struct atom *a, const struct scope *sc,
		     const cJSON *root)
{
	const cJSON *v = lookup(sc, root, a->path);
	int r;

	if (!a->op) {
		r = truthy(v);
	} else if (!v) {
		r = a->op == '!';
	} else if (a->lit_is_num && cJSON_IsNumber(v)) {
		r = (v->valuedouble == a->lit_num) == (a->op == '=');
	} else {
		struct sb s = SB_INIT;

		if (scalar_text(v, &s) < 0)
			r = a->op == '!';
		else
			r = (strcmp(s.buf ? s.buf : "", a->lit) == 0) == (a->op == '=');
		sb_release(&s);
	}
	return a->negate ? !r : r;
}

static int cond_eval(const struct cond *c, const struct scope *sc,
		     const cJSON *root)
{
	for (size_t i = 0; i < c->n; i++) {
		int all = 1;

		for (size_t j = 0; j < c->terms[i].n && all; j++)
			all = atom_eval(&c->terms[i].atoms[j], sc, root);
		if (all)
			return 1;
	}
	return 0;
}

void tmpl_md_escape(struct sb *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '<': case '>': case '|': case '#': case '&':
			sb_addc(out, '\\');
			sb_addc(out, *s);
			break;
		case '\r':
			break;
		case '\n':
		case '\t':
			sb_addc(out, ' ');
			break;
		default:
			sb_addc(out, *s);
		}
	}
}

void tmpl_md_code(struct sb *out, const char *s)
{
	size_t run = 0, longest = 0;
	const char *p;

	for (p = s ? s : ""; *p; p++) {
		if (*p == '`') {
			if (++run > longest)
				longest = run;
		} else {
			run = 0;
		}
	}
	for (size_t i = 0; i <= longest; i++)
		sb_addc(out, '`');
	/* A space pad keeps a leading or trailing backtick apart from the
	 * fence (CommonMark strips one space on each side). */
	if (longest)
		sb_addc(out, ' ');
	for (p = s ? s : ""; *p; p++)
		sb_addc(out, (*p == '\n' || *p == '\r') ? ' ' : *p);
	if (longest)
		sb_addc(out, ' ');
	for (size_t i = 0; i <= longest; i++)
		sb_addc(out, '`');
}

void tmpl_url_escape(struct sb *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~/", c)) {
			sb_addc(out, (char)c);
		} else {
			sb_addc(out, '%');
			sb_addc(out, hex[c >> 4]);
			sb_addc(out, hex[c & 15]);
		}
	}
}

static int render_nodes(const struct tmpl *t, const struct nodes *ns,
			const struct scope *sc, const cJSON *root, struct sb *out);

static int render_var(const struct tmpl *t, const struct node *n,
		      const struct scope *sc, const cJSON *root, struct sb *out)
{
	const cJSON *v = lookup(sc, root, n->path);
	struct sb s = SB_INIT;
	int ret = 0;

	if (!v) {
		char *p = path_str(n->path);

		ret = vb_error("%s:%d:%d: no value for '%s'", t->name, n->line,
			       n->col, p);
		free(p);
		goto cleanup;
	}
	if (scalar_text(v, &s) < 0) {
		char *p = path_str(n->path);

		ret = vb_error("%s:%d:%d: '%s' is a list or an object, not a value",
			       t->name, n->line, n->col, p);
		free(p);
		goto cleanup;
	}
	switch (n->filter) {
	case F_RAW:
		sb_adds(out, s.buf ? s.buf : "");
		break;
	case F_CODE:
		tmpl_md_code(out, s.buf);
		break;
	case F_URL:
		tmpl_url_escape(out, s.buf);
		break;
	case F_MD:
		tmpl_md_escape(out, s.buf);
		break;
	}
cleanup:
	sb_release(&s);
	return ret;
}

static int render_for(const struct tmpl *t, const struct node *n,
		      const struct scope *sc, const cJSON *root, struct sb *out)
{
	const cJSON *seq = lookup(sc, root, n->path);
	int len, i = 0;
	const cJSON *item;

	if (!seq) {
		char *p = path_str(n->path);
		int ret = vb_error("%s:%d:%d: no list '%s' to loop over", t->name,
				   n->line, n->col, p);

		free(p);
		return ret;
	}
	if (cJSON_IsNull(seq) || !seq->child)
		return render_nodes(t, &n->otherwise, sc, root, out);
	if (!cJSON_IsArray(seq) && !cJSON_IsObject(seq)) {
		char *p = path_str(n->path);
		int ret = vb_error("%s:%d:%d: '%s' is not a list", t->name, n->line,
				   n->col, p);

		free(p);
		return ret;
	}
	len = cJSON_GetArraySize(seq);
	cJSON_ArrayForEach(item, seq) {
		cJSON *loop = cJSON_CreateObject();
		struct scope s_loop = { "loop", loop, sc };
		struct scope s_item = { n->var, item, &s_loop };
		int r;

		cJSON_AddNumberToObject(loop, "index", i + 1);
		cJSON_AddBoolToObject(loop, "first", i == 0);
		cJSON_AddBoolToObject(loop, "last", i == len - 1);
		cJSON_AddNumberToObject(loop, "length", len);
		r = render_nodes(t, &n->branches[0], &s_item, root, out);
		cJSON_Delete(loop);
		if (r < 0)
			return r;
		i++;
	}
	return 0;
}

static int render_nodes(const struct tmpl *t, const struct nodes *ns,
			const struct scope *sc, const cJSON *root, struct sb *out)
{
	for (size_t i = 0; i < ns->n; i++) {
		const struct node *n = ns->v[i];
		int r = 0;

		switch (n->kind) {
		case N_TEXT:
			sb_adds(out, n->text);
			break;
		case N_VAR:
			r = render_var(t, n, sc, root, out);
			break;
		case N_IF: {
			size_t b;

			for (b = 0; b < n->nbranch; b++)
				if (cond_eval(&n->conds[b], sc, root))
					break;
			r = render_nodes(t, b < n->nbranch ? &n->branches[b] :
					 &n->otherwise, sc, root, out);
			break;
		}
		case N_FOR:
			r = render_for(t, n, sc, root, out);
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int tmpl_render(const struct tmpl *t, const cJSON *data, struct sb *out)
{
	sb_grow(out, 0);
	return render_nodes(t, &t->root, NULL, data, out);
}
