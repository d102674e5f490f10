/*
 * tests/unit/test_ssh.c - the libssh client (platform/ssh/ssh.c) against a
 * REAL private OpenSSH server this test starts on 127.0.0.1 with its own
 * host key (made by vbssh_keygen, so the keys it writes are proven to be
 * what OpenSSH reads), where root logs in with one client key only:
 *   - trust: the pinned host key is accepted; another key, an invalid key
 *     text, a changed known_hosts entry and an absent one are refused
 *     before authenticating (sshd's log shows no login), known_hosts is
 *     never written; nothing listening and a key sshd does not accept are
 *     "retry" failures;
 *   - exec: stdout, stderr and the exit status; a megabyte of output; a
 *     command with quotes survives the remote timeout(1) wrapper;
 *   - timeout and the stop flag end the call in time and leave no remote
 *     process behind, background children included (the server is this
 *     machine: its /proc is checked); the group's pid line is not output;
 *   - a connection lost mid-session is a transport failure, reported;
 *   - SFTP put with the exact mode; background commands (first line,
 *     stdin EOF on stop, stderr or "no output" as the reason).
 * Skips (77) without root or without /usr/sbin/sshd.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/run.h"
#include "common/util.h"
#include "platform/platform.h"
#include "platform/ssh/ssh.h"

static char tmpdir[] = "/tmp/vbtest-ssh.XXXXXX";
static struct run_cmd sshd = RUN_CMD_INIT;
static const char *sshd_argv[8];
static int port;
static char *host_pub, *other_pub, *client_key, *other_key;
static char *known_hosts, *wrong_hosts, *empty_hosts, *sshd_log;

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int tcp_ready(int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)p);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(vb_write_file_atomic(path, text, strlen(text), 0600), 0);
}

/* Number of "Accepted publickey" lines in sshd's log so far. */
static int logins(void)
{
	struct sb sb = SB_INIT;
	int n = 0;

	if (sb_read_file(&sb, sshd_log) == 0)
		for (const char *p = sb.buf; (p = strstr(p, "Accepted publickey")); p++)
			n++;
	sb_release(&sb);
	return n;
}

/* Processes on this machine whose argv is exactly (a0, a1), or, when a1
 * is NULL, whose argv joined by spaces is a0. */
static int count_procs(const char *a0, const char *a1)
{
	char *want = a1 ? xasprintf("%s %s", a0, a1) : xstrdup(a0);
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *p;
		struct sb sb = SB_INIT;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		p = xasprintf("/proc/%s/cmdline", e->d_name);
		if (sb_read_file(&sb, p) == 0 && sb.len > 0) {
			for (size_t i = 0; i + 1 < sb.len; i++)
				if (sb.buf[i] == '\0')
					sb.buf[i] = ' ';
			if (strcmp(sb.buf, want) == 0)
				n++;
		}
		sb_release(&sb);
		free(p);
	}
	closedir(d);
	free(want);
	return n;
}

/* 1 once no (a0, a1) process is left, 0 if one is after secs. */
static int gone_within(const char *a0, const char *a1, double secs)
{
	double t0 = vb_mono_time();

	while (vb_mono_time() - t0 < secs) {
		if (count_procs(a0, a1) == 0)
			return 1;
		usleep(50000);
	}
	return 0;
}

static int connect_with(const char *host_key, const char *kh,
			const char *identity, struct vbssh **s, char **why)
{
	struct vbssh_opts o = {
		.host = "127.0.0.1", .port = port, .user = "root",
		.identity = identity, .host_key = host_key, .known_hosts = kh,
		.timeout = 5,
	};

	return vbssh_connect(&o, s, why);
}

/* A connection trusted by the pinned host key; fails the test if not. */
static struct vbssh *session(void)
{
	struct vbssh *s = NULL;
	char *why = NULL;
	int r = connect_with(host_pub, NULL, client_key, &s, &why);

	if (r != VBSSH_OK)
		fail_msg("connect: %d %s", r, why ? why : "");
	free(why);
	return s;
}

static int setup(void **state)
{
	char *pem = NULL, *pub = NULL, *cfg, *hostkey, *auth, *line;
	struct sb sb = SB_INIT;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	hostkey = tpath("hostkey");
	client_key = tpath("id");
	other_key = tpath("other");
	auth = tpath("authorized_keys");
	cfg = tpath("sshd_config");
	sshd_log = tpath("sshd.log");
	known_hosts = tpath("known_hosts");
	wrong_hosts = tpath("wrong_hosts");
	empty_hosts = tpath("empty_hosts");

	if (vbssh_keygen("vbtest-host", hostkey, &pem, &host_pub) < 0)
		return -1;
	free(pem);
	if (vbssh_keygen("vbtest-client", client_key, &pem, &pub) < 0)
		return -1;
	free(pem);
	write_text(auth, pub);
	free(pub);
	if (vbssh_keygen("vbtest-other", other_key, &pem, &other_pub) < 0)
		return -1;
	free(pem);

	port = vb_free_loopback_port();
	mkdir("/run/sshd", 0755); /* privilege separation directory */
	sb_addf(&sb, "Port %d\nListenAddress 127.0.0.1\nHostKey %s\n"
		"PidFile %s/sshd.pid\nAuthorizedKeysFile %s\n"
		"PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
		"KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
		"Subsystem sftp internal-sftp\nLogLevel VERBOSE\n",
		port, hostkey, tmpdir, auth);
	write_text(cfg, sb.buf);
	sb_release(&sb);

	sshd_argv[0] = "/usr/sbin/sshd";
	sshd_argv[1] = "-f";
	sshd_argv[2] = cfg;
	sshd_argv[3] = "-D";
	sshd_argv[4] = "-E";
	sshd_argv[5] = sshd_log;
	sshd_argv[6] = NULL;
	sshd.argv = sshd_argv;
	if (run_start(&sshd) < 0)
		return -1;
	for (int i = 0; !tcp_ready(port); i++) {
		if (i > 100 || run_ended(&sshd)) {
			struct sb l = SB_INIT;

			sb_read_file(&l, sshd_log);
			fprintf(stderr, "sshd did not listen on %d: %s\n", port,
				l.buf ? l.buf : "");
			sb_release(&l);
			return -1;
		}
		usleep(50000);
	}

	/* known_hosts entries: the right key, another key, none. */
	line = xasprintf("[127.0.0.1]:%d %.*s\n", port,
			 (int)(strrchr(host_pub, ' ') - host_pub), host_pub);
	write_text(known_hosts, line);
	free(line);
	line = xasprintf("[127.0.0.1]:%d %.*s\n", port,
			 (int)(strrchr(other_pub, ' ') - other_pub), other_pub);
	write_text(wrong_hosts, line);
	free(line);
	write_text(empty_hosts, "");
	free(hostkey);
	free(auth);
	free(cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sshd.st)
		run_stop(&sshd, 2, NULL);
	vb_rm_rf(tmpdir);
	free(host_pub);
	free(other_pub);
	free(client_key);
	free(other_key);
	free(known_hosts);
	free(wrong_hosts);
	free(empty_hosts);
	free(sshd_log);
	return 0;
}

/* ---- keys --------------------------------------------------------------- */

static void test_keygen(void **state)
{
	struct stat st;
	struct sb sb = SB_INIT;
	char *pem = NULL, *pub = NULL;

	(void)state;
	assert_int_equal(stat(client_key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(sb_read_file(&sb, client_key), 0);
	assert_int_equal(strncmp(sb.buf, "-----BEGIN OPENSSH PRIVATE KEY-----", 35), 0);
	sb_release(&sb);
	assert_int_equal(strncmp(host_pub, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", 32), 0);
	assert_string_equal(strrchr(host_pub, ' '), " vbtest-host");
	assert_string_not_equal(host_pub, other_pub);

	/* No file asked for: only the strings; a comment defaults. */
	assert_int_equal(vbssh_keygen(NULL, NULL, &pem, &pub), 0);
	assert_string_equal(strrchr(pub, ' '), " virtbench");
	free(pem);
	free(pub);
	assert_true(vbssh_keygen("x", "/nonexistent/dir/key", &pem, &pub) < 0);
	assert_null(pem);
	assert_null(pub);
	assert_non_null(vbssh_version());
}

/* ---- trust ---------------------------------------------------------------- */

static void test_trust(void **state)
{
	struct vbssh *s = NULL;
	char *why = NULL, *bad;
	int before = logins(), r;

	(void)state;
	/* Pinned: another key is refused before authenticating. */
	r = connect_with(other_pub, NULL, client_key, &s, &why);
	assert_int_equal(r, VBSSH_HOSTKEY);
	assert_null(s);
	assert_non_null(strstr(why, "host key mismatch"));
	free(why);
	bad = xstrdup("ssh-ed25519 AAAA!!notbase64");
	r = connect_with(bad, NULL, client_key, &s, &why);
	assert_int_equal(r, VBSSH_HOSTKEY);
	assert_non_null(strstr(why, "not a valid ssh-ed25519 key"));
	free(why);
	free(bad);

	/* known_hosts: changed, and absent (never learned). */
	r = connect_with(NULL, wrong_hosts, client_key, &s, &why);
	assert_int_equal(r, VBSSH_HOSTKEY);
	assert_non_null(strstr(why, "changed"));
	free(why);
	r = connect_with(NULL, empty_hosts, client_key, &s, &why);
	assert_int_equal(r, VBSSH_HOSTKEY);
	{
		char *want = xasprintf("is not in %s", empty_hosts);
		struct stat st;

		assert_non_null(strstr(why, want));
		free(want);
		assert_int_equal(stat(empty_hosts, &st), 0);
		assert_int_equal(st.st_size, 0);
	}
	free(why);
	usleep(200000); /* let sshd log whatever it would */
	assert_int_equal(logins(), before);

	/* The right entry and the pinned key both get in. */
	r = connect_with(NULL, known_hosts, client_key, &s, &why);
	if (r != VBSSH_OK)
		fail_msg("known_hosts: %d %s", r, why);
	vbssh_close(s);
	s = session();
	vbssh_close(s);
	assert_int_equal(logins(), before + 2);
	vbssh_close(NULL);
}

static void test_refusals(void **state)
{
	struct vbssh *s = NULL;
	char *why = NULL;
	int r, dead = vb_free_loopback_port();

	(void)state;
	/* A key sshd does not accept: may be fixed, so "retry". */
	r = connect_with(host_pub, NULL, other_key, &s, &why);
	assert_int_equal(r, VBSSH_RETRY);
	assert_null(s);
	{
		char *want = xasprintf("public key authentication as root@127.0.0.1:%d failed",
				       port);

		assert_non_null(strstr(why, want));
		free(want);
	}
	free(why);
	/* A private key file that does not exist: final, named. */
	r = connect_with(host_pub, NULL, "/nonexistent/key", &s, &why);
	assert_true(r < 0 && r != VBSSH_RETRY);
	assert_non_null(strstr(why, "cannot read private key /nonexistent/key"));
	free(why);
	/* Nothing listening (yet): retry. */
	{
		struct vbssh_opts o = { .host = "127.0.0.1", .port = dead,
					.host_key = host_pub, .identity = client_key,
					.timeout = 2 };
		double t0 = vb_mono_time();

		r = vbssh_connect(&o, &s, &why);
		assert_int_equal(r, VBSSH_RETRY);
		assert_non_null(strstr(why, "cannot connect to root@127.0.0.1:"));
		assert_true(vb_mono_time() - t0 < 3);
		free(why);
	}
}

/* ---- exec ------------------------------------------------------------------ */

static void test_exec(void **state)
{
	struct vbssh *s = session();
	struct exec_result r;

	(void)state;
	assert_int_equal(vbssh_exec(s, "t", "echo out; echo err >&2; exit 7", 0, NULL, &r), 0);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.err, "err\n");
	assert_int_equal(r.exit_status, 7);
	assert_false(r.timed_out);
	exec_result_clear(&r);

	/* With a timeout the command runs under timeout(1) via sh -c: its
	 * quoting must survive. */
	assert_int_equal(vbssh_exec(s, "t", "printf '%s|' \"a'b\" '$HOME' \"`echo x`\"",
				    10, NULL, &r), 0);
	assert_string_equal(r.out, "a'b|$HOME|x|");
	assert_int_equal(r.exit_status, 0);
	exec_result_clear(&r);

	/* A megabyte of output arrives whole. */
	assert_int_equal(vbssh_exec(s, "t", "head -c 1000000 /dev/zero | tr '\\0' x",
				    20, NULL, &r), 0);
	assert_int_equal(strlen(r.out), 1000000);
	assert_int_equal(strspn(r.out, "x"), 1000000);
	exec_result_clear(&r);

	/* Several commands on one connection, and the remote environment is
	 * the server's (root). */
	assert_int_equal(vbssh_exec(s, "t", "id -u", 5, NULL, &r), 0);
	assert_string_equal(r.out, "0\n");
	exec_result_clear(&r);
	vbssh_close(s);
}

static void test_timeout_and_stop(void **state)
{
	struct vbssh *s = session();
	struct exec_result r;
	volatile int stop = 1;
	double t0;

	char a1[32], a2[32], a3[32], *cmd;

	(void)state;
	/* Arguments no other process has (this pid in them), so a leftover
	 * of another run cannot be mistaken for ours. */
	snprintf(a1, sizeof(a1), "31.%d", (int)getpid());
	snprintf(a2, sizeof(a2), "34.%d", (int)getpid());
	snprintf(a3, sizeof(a3), "32.%d", (int)getpid());
	/* Local deadline after 1 s: the remote command and the child it
	 * started in the background are killed before the call returns
	 * (OpenSSH refuses signal requests in root sessions, so this is
	 * the group kill from a second channel, not timeout(1) 2 s later). */
	cmd = xasprintf("sleep %s & sleep %s", a2, a1);
	t0 = vb_mono_time();
	assert_int_equal(vbssh_exec(s, "t", cmd, 1, NULL, &r), 0);
	free(cmd);
	assert_true(r.timed_out);
	/* 100 ms poll slices; generous bounds for a loaded machine */
	assert_true(r.duration >= 1 && r.duration < 4);
	assert_true(vb_mono_time() - t0 < 5);
	exec_result_clear(&r);
	if (!gone_within("sleep", a1, 1) || !gone_within("sleep", a2, 1))
		fail_msg("the remote command outlived its timeout");

	/* The stop flag, already set, and no timeout (so no timeout(1)
	 * either): the call returns at once and kills the command. */
	cmd = xasprintf("sleep %s", a3);
	t0 = vb_mono_time();
	assert_int_equal(vbssh_exec(s, "t", cmd, 0, &stop, &r), 0);
	free(cmd);
	assert_true(r.timed_out);
	assert_true(vb_mono_time() - t0 < 6); /* ~0.1 s; loaded machines */
	exec_result_clear(&r);
	usleep(300000); /* had it survived, it would be running by now */
	if (!gone_within("sleep", a3, 1))
		fail_msg("the remote command outlived the stop flag");

	/* The connection still works afterwards, and the pid line that
	 * names the group is not part of the output. */
	assert_int_equal(vbssh_exec(s, "t", "echo alive", 5, NULL, &r), 0);
	assert_string_equal(r.out, "alive\n");
	exec_result_clear(&r);
	assert_int_equal(vbssh_exec(s, "t", "printf 12", 0, NULL, &r), 0);
	assert_string_equal(r.out, "12");
	exec_result_clear(&r);
	vbssh_close(s);
}

/* The idle timeout: a command that keeps printing runs past it; one
 * that goes silent is killed once it has been silent that long, with
 * stalled set, and the timeout off again lets a silent command finish. */
static void test_idle_timeout(void **state)
{
	struct vbssh *s = session();
	struct exec_result r;
	char a[32], *cmd;
	double t0;

	(void)state;
	vbssh_set_idle_timeout(s, 1.5);
	assert_int_equal(vbssh_exec(s, "t", "for i in 1 2 3 4; do echo $i; "
				    "sleep 0.5; done", 30, NULL, &r), 0);
	assert_false(r.timed_out);
	assert_false(r.stalled);
	assert_int_equal(r.exit_status, 0);
	assert_string_equal(r.out, "1\n2\n3\n4\n");
	exec_result_clear(&r);

	snprintf(a, sizeof(a), "33.%d", (int)getpid());
	cmd = xasprintf("echo started; echo on stderr >&2; sleep %s", a);
	t0 = vb_mono_time();
	assert_int_equal(vbssh_exec(s, "t", cmd, 30, NULL, &r), 0);
	free(cmd);
	assert_true(r.stalled);
	assert_true(r.timed_out);
	assert_string_equal(r.out, "started\n");
	assert_true(r.duration >= 1.5 && vb_mono_time() - t0 < 8);
	exec_result_clear(&r);
	if (!gone_within("sleep", a, 1))
		fail_msg("the silent command outlived the idle timeout");

	vbssh_set_idle_timeout(s, 0);
	assert_int_equal(vbssh_exec(s, "t", "sleep 2; echo late", 30, NULL, &r), 0);
	assert_false(r.stalled);
	assert_string_equal(r.out, "late\n");
	exec_result_clear(&r);
	vbssh_close(s);
}

static void test_connection_lost(void **state)
{
	struct vbssh *s = session();
	struct exec_result r;
	int ret;

	(void)state;
	/* Kill the server's side of this connection: without a timeout
	 * (no timeout(1) wrapper) the shell's parent is the session's sshd
	 * process. */
	ret = vbssh_exec(s, "t", "kill -9 $PPID; sleep 5", 0, NULL, &r);
	if (ret == 0) {
		/* The exec may still end "normally" without a status... */
		assert_int_equal(r.exit_status, -1);
		exec_result_clear(&r);
		/* ...but the next one is a transport failure. */
		ret = vbssh_exec(s, "t", "true", 5, NULL, &r);
	}
	assert_true(ret < 0);
	assert_non_null(r.err);
	assert_true(strstr(r.err, "ssh") != NULL);
	assert_int_equal(r.exit_status, -1);
	exec_result_clear(&r);
	vbssh_close(s);
}

/* ---- files and background commands ------------------------------------- */

static void test_put(void **state)
{
	struct vbssh *s = session();
	char *local = tpath("payload"), *remote = tpath("remote-payload");
	char *nodir = tpath("no/such/dir/x");
	struct sb data = SB_INIT, back = SB_INIT;
	struct stat st;

	(void)state;
	for (int i = 0; i < 40000; i++)
		sb_addf(&data, "%d,", i * 7919);
	assert_int_equal(vb_write_file_atomic(local, data.buf, data.len, 0644), 0);
	assert_int_equal(vbssh_put(s, "t", local, remote, 0751), 0);
	assert_int_equal(sb_read_file(&back, remote), 0);
	assert_int_equal(back.len, data.len);
	assert_memory_equal(back.buf, data.buf, data.len);
	assert_int_equal(stat(remote, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_true(vbssh_put(s, "t", local, nodir, 0644) < 0);
	assert_true(vbssh_put(s, "t", "/nonexistent/file", remote, 0644) < 0);
	sb_release(&data);
	sb_release(&back);
	free(local);
	free(remote);
	free(nodir);
	vbssh_close(s);
}

static void test_background(void **state)
{
	struct vbssh *s = session();
	char *done = tpath("bg-done"), *cmd, *line = NULL, *why = NULL;
	struct vbssh_bg *b;
	double t0;

	(void)state;
	/* Runs until its stdin reaches EOF, then leaves a mark. */
	cmd = xasprintf("echo ready; echo more; cat >/dev/null; touch %s", done);
	b = vbssh_bg_start(s, cmd, 5, &line, &why);
	assert_non_null(b);
	assert_string_equal(line, "ready");
	assert_null(why);
	usleep(300000);
	assert_int_equal(access(done, F_OK), -1); /* still waiting */
	vbssh_bg_stop(b);
	assert_int_equal(access(done, F_OK), 0);
	free(line);
	free(cmd);

	b = vbssh_bg_start(s, "echo boom >&2; exit 1", 5, &line, &why);
	assert_null(b);
	assert_null(line);
	assert_string_equal(why, "boom");
	free(why);
	b = vbssh_bg_start(s, "exit 0", 5, &line, &why);
	assert_null(b);
	assert_string_equal(why, "exited without output");
	free(why);
	/* Silent, waiting on stdin: given up, and its stdin's EOF ends it. */
	t0 = vb_mono_time();
	cmd = xasprintf("cat -u - /dev/null/vbtest%d", (int)getpid());
	b = vbssh_bg_start(s, cmd, 0.5, &line, &why);
	assert_null(b);
	assert_string_equal(why, "no output in time");
	assert_true(vb_mono_time() - t0 < 4);
	free(why);
	if (!gone_within(cmd, NULL, 3))
		fail_msg("a background command given up still runs");
	free(cmd);
	vbssh_bg_stop(NULL);
	free(done);
	vbssh_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_trust),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_timeout_and_stop),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_connection_lost),
	};

	if (geteuid() != 0) {
		printf("needs root to run a private sshd\n");
		return 77;
	}
	if (access("/usr/sbin/sshd", X_OK) != 0) {
		printf("openssh-server is not installed\n");
		return 77;
	}
	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
