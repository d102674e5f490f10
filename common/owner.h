/*
 * common/owner.h - who owns a resource, and whether that owner still runs:
 * the one rule "virtbench cleanup" (native run directories, docker
 * containers and volumes, libvirt guests) and "collect --resume" (is
 * another collector on this run?) decide by.
 *
 * An owner is (host name, pid, process start time): the start time is
 * field 22 of /proc/PID/stat (clock ticks since boot), so a pid the kernel
 * has since given to another process does not make a dead owner look
 * alive. Its string form, stored in run-directory files, docker labels
 * and libvirt domain metadata, is "HOST:PID:START".
 *
 * The rule:
 *   - another host's owner cannot be judged from here: OWNER_ELSEWHERE,
 *     which callers treat as alive (not ours to remove);
 *   - on this host the owner is alive iff a process with that pid exists
 *     and started at that time;
 *   - a record written by older versions - a bare "PID", or a start time
 *     of 0 - cannot be checked against pid reuse: alive iff the pid
 *     exists (keeping a leftover is better than removing a live run's);
 *   - anything else (empty, garbage, no record) is OWNER_GONE.
 */
#ifndef VB_COMMON_OWNER_H
#define VB_COMMON_OWNER_H

enum owner_state {
	OWNER_GONE = 0,    /* nobody runs it: its resources may go */
	OWNER_ALIVE,       /* its process runs on this host */
	OWNER_ELSEWHERE,   /* recorded by another host: not ours to judge */
};

struct owner {
	char host[256];    /* "" for a bare-pid record (this host) */
	long pid;
	unsigned long long start; /* 0 = unknown */
};

/* The current process's record, "HOST:PID:START". Owned. */
char *owner_self(void);

/* Start time of process pid in clock ticks since boot (field 22 of
 * /proc/PID/stat); 0 if there is no such process. */
unsigned long long owner_start_time(long pid);

/* Parses "HOST:PID:START" (the host is what precedes the last two ':')
 * or a bare "PID"; surrounding white space is ignored. 0, or -1 when rec is not an
 * owner record. */
int owner_parse(const char *rec, struct owner *o);

/* The rule above; NULL is OWNER_GONE. */
enum owner_state owner_check(const char *rec);

/* 1 unless owner_check() says OWNER_GONE: what "may I remove it?" asks. */
int owner_alive(const char *rec);

/* 1 if rec names this very process. */
int owner_is_self(const char *rec);

/* Writes owner_self() and a newline to path (atomically, mode); reports
 * errors. */
int owner_write_file(const char *path, int mode);

/* The record in a file written by owner_write_file() (or by older
 * versions: a pid), first line only; owned, or NULL when unreadable. */
char *owner_read_file(const char *path);

#endif
