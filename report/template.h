/*
 * report/template.h - a small text template engine for the report.
 *
 * The report's wording lives in templates/ so that it can be changed without
 * touching C; the data a template sees is a cJSON tree built by the report
 * code from the analyzer's result structs (numbers arrive pre-formatted as
 * strings, so the precision is decided in one place, in C).
 *
 * Syntax:
 *   {{ path }}                 a value, Markdown-escaped
 *   {{ path | raw }}           verbatim (text that is already Markdown)
 *   {{ path | code }}          an inline code span (`...`), safe for any text
 *   {{ path | url }}           percent-encoded for a link target
 *   {% if COND %} ... {% elif COND %} ... {% else %} ... {% end %}
 *   {% for NAME in path %} ... {% else %} (when empty) ... {% end %}
 *   {# a comment #}
 * A path is dot-separated names (or array indexes) looked up first in the
 * loop variables, innermost first, then in the root object. Inside a loop,
 * loop.index (from 1), loop.first, loop.last and loop.length are defined.
 * COND is terms joined by "or", each of atoms joined by "and"; an atom is
 * [not] path [== LITERAL | != LITERAL], LITERAL a "string" or a number.
 * Truth: missing, null, false, "", 0, [] and {} are false.
 *
 * A block tag or comment alone on its line (only blanks around it) removes
 * the whole line, so templates can be indented and laid out readably
 * without leaving blank lines in the output.
 *
 * Strictness: {{ missing }} and {% for x in missing %} are errors (a typo in
 * a template must not silently print nothing), but {% if missing %} is false
 * so optional facts can be tested. Errors name template:line:column.
 */
#ifndef VB_REPORT_TEMPLATE_H
#define VB_REPORT_TEMPLATE_H

#include <cjson/cJSON.h>

#include "common/util.h"

struct tmpl;

/* Compiles template text. name is used in error messages (a file name).
 * On success *out is owned by the caller: tmpl_free() it. On a syntax error
 * the error is reported and a negative value returned. */
int tmpl_parse(const char *name, const char *text, struct tmpl **out);
/* Reads and compiles a template file. */
int tmpl_load(const char *path, struct tmpl **out);
/* Renders t with data (normally an object) appended to out. Returns 0, or
 * negative after reporting a missing variable or a type error; out then
 * holds partial output. */
int tmpl_render(const struct tmpl *t, const cJSON *data, struct sb *out);
/* Frees a template; accepts NULL. */
void tmpl_free(struct tmpl *t);

/* Appends s with Markdown's inline special characters escaped and line
 * breaks turned into spaces, so database text can sit in a table cell or a
 * sentence without changing its structure. */
void tmpl_md_escape(struct sb *out, const char *s);
/* Appends s as a Markdown inline code span, choosing a backtick fence longer
 * than any backtick run inside s. */
void tmpl_md_code(struct sb *out, const char *s);
/* Appends s percent-encoded for use as a link or image target. */
void tmpl_url_escape(struct sb *out, const char *s);

#endif
