/*
 * common/safe.h - names are data: the one rule for names that become file
 * names, directory names, container or domain names or shell words; the
 * rule for user-given paths; recursive removal confined to a run's own
 * directory; and a private directory that is proven to be ours.
 *
 * Names (platform labels, host names) are checked where they enter
 * (options, imported files, the stored parameters of a resumed run), so
 * nothing downstream needs to sanitise them for safety. Paths are not
 * restricted to a character set (real paths have spaces); they are refused
 * only when they hold control characters, and are always shell_quote()d
 * where they reach a shell.
 */
#ifndef VB_COMMON_SAFE_H
#define VB_COMMON_SAFE_H

#include <stdio.h>

/* Longest name vb_name_valid() accepts, in bytes. */
#define VB_NAME_MAX 64

/*
 * 1 if s is a valid name: 1 to VB_NAME_MAX characters from
 * [A-Za-z0-9._+@-], the first a letter, a digit or '_' (so never ".",
 * "..", a hidden file or an option-like "-x"). Such a name is a safe file
 * name, a safe shell word and a valid Docker container name part.
 */
int vb_name_valid(const char *s);
/* The rule in words, for messages and help. Static. */
const char *vb_name_rule(void);
/* 1 if s is one or more valid names joined by ':' (a platform name:
 * KIND:LABEL, ssh:USER@HOST:PORT, or an imported platform's name). */
int vb_compound_name_valid(const char *s);

/* 0 if s is valid; else reports "WHAT 'S': not a valid name (RULE)" and
 * returns -1. what names the option or field ("--host", "FILE: host"). */
int vb_name_check(const char *what, const char *s);

/* s as it may be shown on one line of a message: control characters
 * written as \xHH. Owned. */
char *vb_printable(const char *s);

/* 0 if s is a usable path: not empty, at most 1024 bytes, no control
 * characters (a newline or escape in a path breaks logs, config files and
 * the tools given it); else reports "WHAT 'S': ..." and returns -1. */
int vb_path_check(const char *what, const char *s);

/*
 * Removes path recursively, only if it is root itself or lies inside root
 * once resolved (realpath of its parent; the last component is not
 * followed, so a symlink is removed as a link). root must be a real
 * directory (not a symlink) owned by this user. Never crosses into
 * another file system (a bind mount inside stays). Returns 0 (also when
 * path does not exist) or -1 after reporting a refusal.
 */
int vb_rm_rf_inside(const char *path, const char *root);

/*
 * Makes path a private directory (mode 0700) of this user: its parents
 * are created as needed (vb_mkdir_p); the last component is created, or,
 * if it exists, must be a directory (not a symlink) owned by this user and
 * not writable by group or others. Returns 0, or -1 after reporting.
 */
int vb_mkdir_private(const char *path);

/* Quotes s for a POSIX shell (single quotes); returns an owned string.
 * Everything from a config or database that reaches a command line goes
 * through this. */
char *shell_quote(const char *s);

/*
 * Writes a text field of a CSV file: quoted when it must be (RFC 4180),
 * and, when it starts with =, +, -, @, tab or carriage return (what a
 * spreadsheet reads as a formula: OWASP's CSV injection rule), prefixed
 * with ' inside quotes so it is shown as text, never evaluated. Numbers
 * are not text fields: callers write them as they are.
 */
void vb_csv_text(FILE *f, const char *s);

#endif
