/*
 * common/owner.c - owner records and the liveness rule (see owner.h).
 */
#define _GNU_SOURCE /* memrchr */
#include "common/owner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

unsigned long long owner_start_time(long pid)
{
	char path[64];
	struct sb sb = SB_INIT;
	unsigned long long start = 0;
	char *p;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (sb_read_file(&sb, path) < 0)
		return 0;
	/* The command name (field 2, in parentheses) may hold spaces and
	 * parentheses: fields 3.. start after its last ')'. */
	p = strrchr(sb.buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	sb_release(&sb);
	return start;
}

char *owner_self(void)
{
	long pid = (long)getpid();

	return xasprintf("%s:%ld:%llu", vb_hostname(), pid, owner_start_time(pid));
}

static int parse_ull(const char *s, size_t n, unsigned long long *out)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -1;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	return errno || *end ? -1 : 0;
}

int owner_parse(const char *rec, struct owner *o)
{
	const char *s, *e, *c1, *c2;
	unsigned long long pid;

	memset(o, 0, sizeof(*o));
	if (!rec)
		return -1;
	for (s = rec; *s == ' ' || *s == '\t' || *s == '\n'; s++)
		;
	for (e = s + strlen(s); e > s && strchr(" \t\r\n", e[-1]); e--)
		;
	c2 = memrchr(s, ':', (size_t)(e - s));
	if (!c2) {
		/* Older versions: a bare pid. */
		if (parse_ull(s, (size_t)(e - s), &pid) < 0 || pid == 0 ||
		    pid > 0x7fffffff)
			return -1;
		o->pid = (long)pid;
		return 0;
	}
	c1 = c2 > s ? memrchr(s, ':', (size_t)(c2 - s)) : NULL;
	if (!c1 || c1 == s || (size_t)(c1 - s) >= sizeof(o->host) ||
	    parse_ull(c1 + 1, (size_t)(c2 - c1 - 1), &pid) < 0 || pid == 0 ||
	    pid > 0x7fffffff ||
	    parse_ull(c2 + 1, (size_t)(e - c2 - 1), &o->start) < 0)
		return -1;
	memcpy(o->host, s, (size_t)(c1 - s));
	o->host[c1 - s] = '\0';
	o->pid = (long)pid;
	return 0;
}

enum owner_state owner_check(const char *rec)
{
	struct owner o;

	if (owner_parse(rec, &o) < 0)
		return OWNER_GONE;
	if (o.host[0] && strcmp(o.host, vb_hostname()))
		return OWNER_ELSEWHERE;
	if (o.start)
		return owner_start_time(o.pid) == o.start ? OWNER_ALIVE : OWNER_GONE;
	/* No start time to compare: the pid alone (EPERM: it exists, as
	 * another user's). */
	return kill((pid_t)o.pid, 0) == 0 || errno == EPERM ? OWNER_ALIVE :
							       OWNER_GONE;
}

int owner_alive(const char *rec)
{
	return owner_check(rec) != OWNER_GONE;
}

int owner_is_self(const char *rec)
{
	struct owner o;

	if (owner_parse(rec, &o) < 0 || o.pid != (long)getpid())
		return 0;
	if (o.host[0] && strcmp(o.host, vb_hostname()))
		return 0;
	return !o.start || o.start == owner_start_time(o.pid);
}

int owner_write_file(const char *path, int mode)
{
	char *rec = owner_self(), *line = xasprintf("%s\n", rec);
	int ret = vb_write_file_atomic(path, line, strlen(line), mode);

	free(rec);
	free(line);
	return ret;
}

char *owner_read_file(const char *path)
{
	struct sb sb = SB_INIT;
	char *rec;

	if (sb_read_file(&sb, path) < 0) {
		sb_release(&sb);
		return NULL;
	}
	rec = xstrndup(sb.buf, strcspn(sb.buf, "\n"));
	sb_release(&sb);
	return rec;
}
