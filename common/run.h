/*
 * common/run.h - the one way virtbench starts a child process: benchmarks
 * on the native platform, gnuplot, tar, debootstrap and qemu-img, the
 * iperf3 server, the KVM probe. fd hygiene, signals, timeouts and cleanup
 * are decided here once.
 *
 * Every child runs in its own process group, led by a tiny guard process
 * that virtbench forks first:
 *
 *     virtbench ──► guard (group leader, pgid) ──► the command ──► its children
 *                   ▲ holds the read end of a pipe whose only writer is
 *                     virtbench
 *
 * The guard waits for the command and reports its exit status; it also
 * watches the pipe, and when virtbench dies (even by SIGKILL, which no
 * handler sees) the kernel closes the write end, the guard reads EOF and
 * SIGKILLs the whole group. So a benchmark (sysbench under "sh -c") never
 * outlives the collector that started it - PR_SET_PDEATHSIG alone would
 * kill only the shell and leave sysbench running into the next run's
 * measurements. A timeout or *stop sends SIGTERM to the group, then
 * SIGKILL after kill_grace seconds; when the command exits, whatever it
 * left running in its group is SIGKILLed with it.
 *
 * Limits: a descendant that leaves the group (setsid, a daemon) is not
 * killed; its copies of the output pipes are given up 3 s after the group
 * was killed.
 *
 * Life: fill a struct run_cmd (RUN_CMD_INIT), then run_command() (start
 * and wait), or run_start() and later run_finish() / run_stop() /
 * run_wait_any() for children that run alongside virtbench (the iperf3
 * server, parallel gnuplots). Every started child must be finished by one
 * of those, which reaps it.
 */
#ifndef VB_COMMON_RUN_H
#define VB_COMMON_RUN_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Output kept per captured stream; beyond it bytes are dropped (and
 * counted in truncated): a runaway command must not exhaust memory. */
#define RUN_MAX_OUTPUT (16u << 20)

enum run_in {
	RUN_IN_NULL = 0,    /* /dev/null */
	RUN_IN_INHERIT,     /* virtbench's own stdin */
	RUN_IN_BUF,         /* in_buf/in_len, then EOF */
	RUN_IN_FD,          /* in_fd (borrowed: the caller closes it) */
};

enum run_out {
	RUN_OUT_NULL = 0,   /* /dev/null */
	RUN_OUT_INHERIT,    /* virtbench's own stdout / stderr */
	RUN_OUT_CAPTURE,    /* into run_result.out / .err, up to max_output */
	RUN_OUT_FD,         /* out_fd / err_fd (borrowed) */
	RUN_OUT_FILE,       /* out_path / err_path, created 0644 (append
			       with the append flag, else truncated) */
	RUN_OUT_PIPE,       /* stdout only: run_start() leaves the read end
			       in out_pipe, owned by the caller */
	RUN_OUT_TO_OUT,     /* stderr only: wherever stdout goes (2>&1) */
};

struct run_state;

struct run_cmd {
	/* What to run: exactly one of argv (argv[0] looked up in $PATH,
	 * no shell) and shell (a command line for /bin/sh -c, already
	 * quoted by the caller). Borrowed until the child is finished. */
	const char *const *argv;
	const char *shell;
	const char *dir;            /* working directory, NULL = ours */
	/* Extra environment: "NAME=value" sets, "NAME" alone unsets; NULL
	 * = virtbench's own environment unchanged. */
	const char *const *env;

	enum run_in in;
	const char *in_buf;
	size_t in_len;
	int in_fd;

	enum run_out out, err;
	int out_fd, err_fd;
	const char *out_path, *err_path;
	int append;
	size_t max_output;          /* 0 = RUN_MAX_OUTPUT */
	/* Every byte of a captured stream is also written here (a log);
	 * -1 = none. */
	int tee_fd;
	/* Called with every chunk of a captured stream (1 = stdout,
	 * 2 = stderr), e.g. to show progress; may be NULL. */
	void (*on_output)(void *arg, int stream, const char *buf, size_t n);
	void *arg;

	double timeout;             /* seconds from start; <= 0 = none */
	double kill_grace;          /* SIGTERM to SIGKILL; 0 = 1 s */
	/* When *stop becomes non-zero (a signal handler's flag) the child
	 * is stopped like on a timeout and the result says stopped. */
	const volatile sig_atomic_t *stop;

	/* Set by run_start(). */
	pid_t pid;                  /* the command itself (argv[0] or sh) */
	pid_t pgid;                 /* its process group (the guard's pid) */
	int out_pipe;               /* RUN_OUT_PIPE: the read end, or -1 */
	struct run_state *st;       /* private; NULL when not running */
};

#define RUN_CMD_INIT { .in_fd = -1, .out_fd = -1, .err_fd = -1, \
		       .tee_fd = -1, .out_pipe = -1 }

struct run_result {
	/* The exit code; 128+N when killed by signal N; -1 unknown. */
	int exit_status;
	int signal;                 /* N when killed by signal N, else 0 */
	int timed_out;              /* stopped by the timeout */
	int stopped;                /* stopped by *stop */
	/* Captured output, NUL-terminated, owned by the result (free with
	 * run_result_clear()); NULL for a stream not captured. */
	char *out, *err;
	size_t out_len, err_len;
	size_t truncated;           /* captured bytes dropped over the cap */
	double duration;            /* wall seconds, start to exit */
	double cpu_seconds;         /* user + system of the command and the
				       children it waited for */
};

/* Starts the child. Returns 0, or a negative value after reporting
 * (cannot fork, argv[0] not found in $PATH, cannot enter dir, cannot
 * exec): then nothing is left running and the command must not be
 * finished. */
int run_start(struct run_cmd *c);

/* Waits for a started child (feeding its stdin, reading what is captured,
 * applying the timeout and *stop), kills what is left of its group, reaps
 * it and fills r (may be NULL). Returns 0 once it has ended - whatever its
 * exit status, timed out or stopped: see r - and a negative value on an
 * internal error (reported; the child is killed and reaped anyway). */
int run_finish(struct run_cmd *c, struct run_result *r);

/* Waits until one of the n started children ends, finishes it like
 * run_finish() (its result in r) and returns its index; children that
 * are NULL or not running are skipped. Returns a negative value when none
 * of them is running. */
int run_wait_any(struct run_cmd *const *v, size_t n, struct run_result *r);

/* 1 if the started child has ended (not yet finished), 0 if it still
 * runs. Never blocks. */
int run_ended(struct run_cmd *c);

/* Stops a started child now: SIGTERM to its group, SIGKILL after grace
 * seconds (<= 0: at once), then finishes it. */
int run_stop(struct run_cmd *c, double grace, struct run_result *r);

/* run_start() + run_finish(). Returns 0 when it ran (see r), negative
 * when it could not be started or waited for (reported). */
int run_command(struct run_cmd *c, struct run_result *r);

/* Frees the captured output; accepts NULL and a cleared result. */
void run_result_clear(struct run_result *r);

/* "exit status N" / "killed by signal N" / "timed out" / "stopped" for
 * messages, into buf; returns buf. */
const char *run_describe(const struct run_result *r, char *buf, size_t size);

#endif
