/*
 * collect/forkbench/forkbench.c - the fork benchmark (benchmark "fork").
 *
 * usage: forkbench [SECONDS]      (default 5; 0.1 to 3600)
 *
 * Measures how many processes the platform can create and reap per second:
 * for SECONDS of wall time it repeats fork(); the child _exit(0)s at once;
 * the parent waitpid()s for it. One cycle = one process created, run,
 * exited and reaped - the cost a shell script or a build pays per command,
 * and the path where virtualisation hurts (page-table copies, TLB and
 * scheduler work, which TCG emulates and KVM accelerates).
 *
 * Why cycles over a fixed duration rather than the classic recursive
 * "forksum" over a range: the work scales with time, not with the
 * platform's speed, so a TCG guest finishes in SECONDS like native does
 * instead of taking 20 times longer; only one child exists at a time, so
 * the result does not depend on the process limit or on memory; and the
 * count is exact.
 *
 * Output (parsed by the "forkbench" parser in collect/parsers.c):
 *   forkbench 1 fork+exit+wait cycles
 *   forks N
 *   seconds S
 *   forks_per_second R
 * On failure a "FATAL: ..." line on stdout and exit status 1.
 *
 * Statically linked (see the Makefile) so that the same binary runs in any
 * Linux guest or container whatever its libc; it uses nothing but libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 5, start, end, elapsed;
	unsigned long forks = 0;
	char *rest;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
				       !strcmp(argv[1], "--help")))) {
		fprintf(stderr, "usage: forkbench [SECONDS]\n");
		return 2;
	}
	if (argc == 2) {
		seconds = strtod(argv[1], &rest);
		if (*rest || !(seconds >= 0.1 && seconds <= 3600)) {
			printf("FATAL: duration '%s' is not 0.1 to 3600 seconds\n",
			       argv[1]);
			return 2;
		}
	}
	/* Output must not be duplicated into children's buffers. */
	fflush(stdout);
	start = now();
	end = start + seconds;
	do {
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			printf("FATAL: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(0);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				printf("FATAL: waitpid: %s\n", strerror(errno));
				return 1;
			}
		}
		forks++;
	} while (now() < end);
	elapsed = now() - start;
	printf("forkbench 1 fork+exit+wait cycles\n"
	       "forks %lu\n"
	       "seconds %.6f\n"
	       "forks_per_second %.2f\n",
	       forks, elapsed, (double)forks / elapsed);
	return fflush(stdout) == 0 ? 0 : 1;
}
