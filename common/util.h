/*
 * common/util.h - the small shared toolbox every module uses: error and log
 * reporting, a growable string buffer, allocation that never returns NULL,
 * time stamps, UUIDs, SHA-256 and a few string helpers.
 *
 * Conventions (see docs/ARCHITECTURE.md):
 *  - functions return 0 on success and a negative value on failure; the
 *    failure is described once, where it happens, with vb_error();
 *  - messages are lowercase, without a full stop, the error first;
 *  - results go to stdout, logs and errors to stderr;
 *  - free functions accept NULL.
 */
#ifndef VB_COMMON_UTIL_H
#define VB_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>

#define VB_VERSION "0.1.0"

#define VB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VB_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Verbosity: 0 with -q (errors only), 1 by default, 2 with -v, 3 with -vv. */
extern int vb_verbosity;

/* Prints "msg\n" to stderr and returns -1, so callers write
 * "return vb_error(...)" or "ret = vb_error(...); goto cleanup;". */
int vb_error(const char *fmt, ...) VB_PRINTF(1, 2);
/* Like vb_error() but prefixed "warning: "; returns 0. Shown unless -q. */
int vb_warn(const char *fmt, ...) VB_PRINTF(1, 2);
/* Progress and information for humans on stderr; hidden with -q. */
void vb_info(const char *fmt, ...) VB_PRINTF(1, 2);
/* Debug chatter on stderr, only with -v. */
void vb_debug(const char *fmt, ...) VB_PRINTF(1, 2);

/* Allocation that aborts on exhaustion: never returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) VB_PRINTF(1, 2);

/*
 * A growable NUL-terminated string buffer. buf is always valid after
 * sb_init() (an empty string); sb_detach() hands the storage to the caller,
 * who then owns it and must free() it.
 */
struct sb {
	char *buf;
	size_t len;
	size_t cap;
};
#define SB_INIT { NULL, 0, 0 }
void sb_init(struct sb *sb);
void sb_grow(struct sb *sb, size_t extra);
void sb_add(struct sb *sb, const void *data, size_t n);
void sb_adds(struct sb *sb, const char *s);
void sb_addc(struct sb *sb, char c);
void sb_addf(struct sb *sb, const char *fmt, ...) VB_PRINTF(2, 3);
void sb_vaddf(struct sb *sb, const char *fmt, va_list ap);
void sb_reset(struct sb *sb);
char *sb_detach(struct sb *sb);
void sb_release(struct sb *sb);
/* Reads a whole file; returns 0, or a negative value with errno set
 * (no message: the caller knows the context). */
int sb_read_file(struct sb *sb, const char *path);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (>= 32 bytes). */
char *vb_now_iso(char *buf, size_t size);
/* Formats a UNIX time (seconds, fractional) the same way. */
char *vb_time_iso(double t, char *buf, size_t size);
/* Wall clock and monotonic clock in seconds. */
double vb_wall_time(void);
double vb_mono_time(void);

/* A random (version 4) UUID as 36 characters plus NUL into out[37]. */
int vb_uuid(char out[37]);

/* SHA-256 of a buffer, as 64 lowercase hex characters plus NUL. */
void vb_sha256_hex(const void *data, size_t n, char out[65]);
/* HMAC-SHA256 (RFC 2104) of msg under key, as 64 lowercase hex + NUL. */
void vb_hmac_sha256_hex(const void *key, size_t klen, const void *msg,
			size_t n, char out[65]);
/* SHA-256 of a file's contents; negative with errno set on read failure. */
int vb_sha256_file(const char *path, char out[65]);

/* The local host's name (never NULL; "localhost" if unknown). Static. */
const char *vb_hostname(void);

/* Strict number parsing: the whole string must be a finite number. */
int vb_parse_double(const char *s, double *out);
int vb_parse_long(const char *s, long *out);

/* Splits "a,b,c" into a NULL-terminated array of owned strings; free with
 * vb_strv_free(). Empty items are skipped. */
char **vb_split(const char *s, char sep);
void vb_strv_free(char **v);
size_t vb_strv_len(char *const *v);
int vb_strv_contains(char *const *v, const char *s);

/* write() until all n bytes are out (EINTR retried); -1 with errno. */
int vb_write_all(int fd, const void *data, size_t n);
/* Writes data to path atomically (temp file in the same directory, then
 * rename) with the given mode. Reports its own errors. */
int vb_write_file_atomic(const char *path, const void *data, size_t n, int mode);
/* mkdir -p; reports its own errors. */
int vb_mkdir_p(const char *path, int mode);
/* Copies a file (atomically, with mode); reports its errors (common/fs.c). */
int vb_copy_file(const char *from, const char *to, int mode);
/* rm -rf path, never following symlinks; a missing path is fine; what
 * cannot be removed is warned about (common/fs.c). */
int vb_rm_rf(const char *path);

/* A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks
 * it), or -1. Another process may take it before the caller binds: callers
 * that can, retry. */
int vb_free_loopback_port(void);

/* Returns 1 if stderr is a terminal and progress output is wanted. */
int vb_progress_wanted(void);

/* Checks that stdout was written without error (call last in main). */
int vb_finish_stdout(void);

#endif
