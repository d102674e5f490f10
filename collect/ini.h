/*
 * collect/ini.h - the one reader of the INI-like texts of suite and study
 * files.
 *
 * Lines are trimmed of blanks; blank lines and lines starting with '#'
 * are skipped ('#' is a comment only at the start of a line, because
 * commands may contain '#'). What remains is a "[section]" header or a
 * "key = value" setting (split at the first '='). Line numbers are the
 * true ones of the text, empty lines counted, so messages can name
 * ORIGIN:LINE. Malformed lines are reported here, with one wording:
 *   ORIGIN:LINE: malformed section header
 *   ORIGIN:LINE: expected 'key = value'
 *   ORIGIN:LINE: key outside a section
 */
#ifndef VB_COLLECT_INI_H
#define VB_COLLECT_INI_H

/* One header or setting; the strings are trimmed and live until the
 * callback returns (the callback may modify them in place). */
struct ini_item {
	int line;      /* 1-based line number in the text */
	char *section; /* a header's inside, or NULL for a setting */
	char *key, *value;
};

/* Calls fn for every header and setting of text in order. A negative
 * return of fn stops the walk and is returned (fn describes its error);
 * a malformed line is described with vb_error and returns -1. */
int ini_parse(const char *text, const char *origin,
	      int (*fn)(const struct ini_item *it, void *arg), void *arg);

/* A header "WORD NAME" (blank between): NAME, trimmed; else NULL. */
char *ini_section_arg(char *section, const char *word);

/* s without leading and trailing blanks (and '\r'), cut in place. */
char *ini_trim(char *s);

#endif
