/*
 * tests/unit/test_libvirt_remote.c - the parts of platform/libvirt/libvirt_remote.c
 * that need no libvirt daemon: the --connect URI parser and the SSH
 * ProxyCommand that reaches a guest through the libvirt host. (The volume
 * functions are covered by the integration tests.)
 *
 * The ProxyCommand is run for real through /bin/sh -c, as libssh runs it,
 * with a fake `ssh` first in PATH that prints its arguments, so quoting is
 * proved by the argv ssh receives, not by comparing strings.
 *
 * Guards against: an SSH port taken from a TLS/TCP URI, %XX not decoded
 * in keyfile=, IPv6 brackets kept in the host, bad ports accepted, a
 * failed parse leaving owned fields behind, shell injection through the
 * user, host, keyfile or known_hosts, a libssh %-token left in the
 * command, and OpenSSH splitting a file name on its spaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/libvirt/libvirt_remote.h"
#include "common/run.h"
#include "common/util.h"

/* The same hostile text in every field that reaches the shell. */
#define EVIL "a b'c;$(touch pwned)`touch pwned2`\"d\\e"

/* ---- lvr_uri_parse ---------------------------------------------------- */

static void test_uri_local(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu:///system", &u), 0);
	assert_false(u.remote);
	assert_false(u.ssh);
	assert_null(u.user);
	assert_string_equal(u.host, "");
	assert_int_equal(u.port, 0);
	assert_null(u.keyfile);
	assert_null(u.known_hosts);
	lvr_uri_clear(&u);

	assert_int_equal(lvr_uri_parse("qemu+unix:///system", &u), 0);
	assert_false(u.remote);
	assert_false(u.ssh);
	lvr_uri_clear(&u);

	/* A host with the unix transport is still this machine's socket. */
	assert_int_equal(lvr_uri_parse("qemu+unix://h/system?socket=/s", &u), 0);
	assert_false(u.remote);
	lvr_uri_clear(&u);
}

static void test_uri_ssh(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu+ssh://root@host/system", &u), 0);
	assert_true(u.remote);
	assert_true(u.ssh);
	assert_string_equal(u.user, "root");
	assert_string_equal(u.host, "host");
	assert_int_equal(u.port, 0);
	assert_null(u.keyfile);
	assert_null(u.known_hosts);
	lvr_uri_clear(&u);
	/* Cleared means empty, and clearing twice is harmless. */
	assert_null(u.host);
	lvr_uri_clear(&u);

	/* No user: the local user name (NULL), no path at all. */
	assert_int_equal(lvr_uri_parse("qemu+libssh2://h.example", &u), 0);
	assert_true(u.remote);
	assert_true(u.ssh);
	assert_null(u.user);
	assert_string_equal(u.host, "h.example");
	lvr_uri_clear(&u);
}

static void test_uri_libssh_query(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu+libssh://u@127.0.0.1:2222/system"
				       "?keyfile=/a%20b/id&known_hosts=/k"
				       "&sshauth=privkey", &u), 0);
	assert_true(u.remote);
	assert_true(u.ssh);
	assert_string_equal(u.user, "u");
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 2222);
	assert_string_equal(u.keyfile, "/a b/id");
	assert_string_equal(u.known_hosts, "/k");
	lvr_uri_clear(&u);

	/* Query right after the host; a repeated key: the last one wins (the
	 * first is freed: ASan would see the leak); %XX in the user too. */
	assert_int_equal(lvr_uri_parse("qemu+ssh://us%40er@h?keyfile=/1&x&"
				       "keyfile=/2%2F3&known_hosts=", &u), 0);
	assert_string_equal(u.user, "us@er");
	assert_string_equal(u.host, "h");
	assert_string_equal(u.keyfile, "/2/3");
	assert_string_equal(u.known_hosts, "");
	lvr_uri_clear(&u);
}

static void test_uri_ipv6(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu+ssh://[::1]:22/system", &u), 0);
	assert_true(u.remote);
	assert_true(u.ssh);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 22);
	lvr_uri_clear(&u);

	assert_int_equal(lvr_uri_parse("qemu+ssh://me@[fe80::1]/system", &u), 0);
	assert_string_equal(u.user, "me");
	assert_string_equal(u.host, "fe80::1");
	assert_int_equal(u.port, 0);
	lvr_uri_clear(&u);
}

static void test_uri_tls_port_not_ssh(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu+tls://host:16514/system", &u), 0);
	assert_true(u.remote);
	assert_false(u.ssh);
	assert_string_equal(u.host, "host");
	assert_int_equal(u.port, 0); /* 16514 is libvirt's TLS port */
	lvr_uri_clear(&u);

	/* No transport with a host is remote TLS in libvirt. */
	assert_int_equal(lvr_uri_parse("qemu://host:16509/system", &u), 0);
	assert_true(u.remote);
	assert_false(u.ssh);
	assert_int_equal(u.port, 0);
	lvr_uri_clear(&u);
}

static void test_uri_malformed_escape(void **state)
{
	struct lvr_uri u;

	(void)state;
	assert_int_equal(lvr_uri_parse("qemu+ssh://host/system?keyfile=%zz", &u), 0);
	assert_string_equal(u.keyfile, "%zz");
	lvr_uri_clear(&u);

	/* Truncated escapes at the end of the value stay as they are. */
	assert_int_equal(lvr_uri_parse("qemu+ssh://host/system?keyfile=/x%4",
				       &u), 0);
	assert_string_equal(u.keyfile, "/x%4");
	lvr_uri_clear(&u);
	assert_int_equal(lvr_uri_parse("qemu+ssh://host/system?keyfile=/x%",
				       &u), 0);
	assert_string_equal(u.keyfile, "/x%");
	lvr_uri_clear(&u);
	assert_int_equal(lvr_uri_parse("qemu+ssh://host/system?keyfile=%41%2f",
				       &u), 0);
	assert_string_equal(u.keyfile, "A/");
	lvr_uri_clear(&u);
}

/* A failed parse owns nothing: the fields are NULL even without a clear. */
static void expect_bad(const char *uri)
{
	struct lvr_uri u;

	if (lvr_uri_parse(uri, &u) >= 0) {
		fprintf(stderr, "accepted bad URI %s\n", uri);
		fail();
	}
	assert_null(u.user);
	assert_null(u.host);
	assert_null(u.keyfile);
	assert_null(u.known_hosts);
	lvr_uri_clear(&u);
}

static void test_uri_bad(void **state)
{
	(void)state;
	expect_bad("qemu+ssh://h:99999/system");
	expect_bad("qemu+ssh://h:x/system");
	expect_bad("qemu+ssh://u@h:0/system");
	expect_bad("qemu+ssh://u@h:-22/system");
	expect_bad("qemu+ssh://u@h:22x?keyfile=/k");
	expect_bad("qemu/system");
	expect_bad("qemu+ssh:/host/system");
	expect_bad("");
	expect_bad("qemu+ssh://u@[::1/system");
}

/* ---- lvr_proxy_command ------------------------------------------------ */

/* What libssh does to a ProxyCommand before handing it to /bin/sh -c:
 * "%%" becomes "%", any other %-sequence is a token it would expand
 * (which must never occur in our command: fails the test). Owned. */
static char *libssh_expand(const char *cmd)
{
	struct sb sb = SB_INIT;

	for (const char *c = cmd; *c; c++) {
		if (*c == '%') {
			if (c[1] != '%') {
				fprintf(stderr, "libssh would expand %%%c in: %s\n",
					c[1], cmd);
				fail();
			}
			c++;
		}
		sb_addc(&sb, *c);
	}
	if (!sb.buf)
		sb_adds(&sb, "");
	return sb_detach(&sb);
}

struct fake {
	char *dir;      /* holds the fake ssh; cwd of the command too */
	char *path_env; /* "PATH=dir:$PATH" */
};

static int fake_setup(void **state)
{
	struct fake *f = xcalloc(1, sizeof(*f));
	const char *script = "#!/bin/sh\nfor a; do printf '[%s]\\n' \"$a\"; done\n";
	char tmpl[] = "/tmp/vb-test-lvr-XXXXXX";
	char *ssh;

	if (!mkdtemp(tmpl))
		return -1;
	f->dir = xstrdup(tmpl);
	ssh = xasprintf("%s/ssh", f->dir);
	if (vb_write_file_atomic(ssh, script, strlen(script), 0755) < 0 ||
	    chmod(ssh, 0755) < 0) {
		free(ssh);
		return -1;
	}
	free(ssh);
	f->path_env = xasprintf("PATH=%s:%s", f->dir,
				getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;
	char *p;

	if (!f)
		return 0;
	/* Had the quoting failed, the injected `touch` would have run here. */
	p = xasprintf("%s/ssh", f->dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/pwned", f->dir);
	unlink(p);
	free(p);
	p = xasprintf("%s/pwned2", f->dir);
	unlink(p);
	free(p);
	rmdir(f->dir);
	free(f->dir);
	free(f->path_env);
	free(f);
	return 0;
}

/* Runs cmd (after libssh's expansion) with /bin/sh -c in f->dir, with the
 * fake ssh first in PATH; returns its stdout (owned), the argv one
 * "[arg]" per line. */
static char *run_proxy(struct fake *f, const char *cmd)
{
	char *sh_cmd = libssh_expand(cmd);
	const char *env[] = { f->path_env, NULL };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;

	c.shell = sh_cmd;
	c.dir = f->dir;
	c.env = env;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.exit_status, 0);
	free(sh_cmd);
	free(r.err);
	return r.out;
}

/* "[a]\n[b]\n" for the argv list (NULL-terminated). Owned. */
static char *argv_lines(const char *const *argv)
{
	struct sb sb = SB_INIT;

	for (; *argv; argv++)
		sb_addf(&sb, "[%s]\n", *argv);
	return sb_detach(&sb);
}

static void assert_argv(struct fake *f, const char *cmd,
			const char *const *want)
{
	char *got = run_proxy(f, cmd), *exp = argv_lines(want);
	char *p;

	if (strcmp(got, exp)) {
		fprintf(stderr, "command: %s\nssh got:\n%sexpected:\n%s", cmd,
			got, exp);
		fail();
	}
	p = xasprintf("%s/pwned", f->dir);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	p = xasprintf("%s/pwned2", f->dir);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	free(got);
	free(exp);
}

static void test_proxy_minimal(void **state)
{
	struct fake *f = *state;
	struct lvr_uri u;
	char *c;
	const char *const want[] = {
		"-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10", "-W", "127.0.0.1:40022", "--",
		"host", NULL,
	};

	assert_int_equal(lvr_uri_parse("qemu+ssh://host/system", &u), 0);
	c = lvr_proxy_command(&u, "127.0.0.1", 40022);
	assert_non_null(c);
	assert_true(!strncmp(c, "exec ssh ", 9));
	assert_non_null(strstr(c, "-o StrictHostKeyChecking=yes"));
	assert_non_null(strstr(c, "-o BatchMode=yes"));
	/* No user in the URI: no -l, ssh picks the local user. */
	assert_null(strstr(c, " -l "));
	assert_null(strstr(c, " -p "));
	assert_argv(f, c, want);
	free(c);
	lvr_uri_clear(&u);
}

/* ?command= names the ssh program libvirt uses: the jump uses it too. */
static void test_proxy_command_param(void **state)
{
	struct fake *f = *state;
	struct lvr_uri u;
	char *uri = xasprintf("qemu+ssh://h/system?command=%s/ssh", f->dir);
	char *c, *prefix = xasprintf("exec %s/ssh ", f->dir);
	const char *const want[] = {
		"-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10", "-W", "127.0.0.1:22", "--", "h", NULL,
	};

	assert_int_equal(lvr_uri_parse(uri, &u), 0);
	assert_non_null(u.command);
	c = lvr_proxy_command(&u, "127.0.0.1", 22);
	assert_true(!strncmp(c, prefix, strlen(prefix)));
	assert_argv(f, c, want);
	free(c);
	free(prefix);
	free(uri);
	lvr_uri_clear(&u);
}

static void test_proxy_full(void **state)
{
	struct fake *f = *state;
	struct lvr_uri u;
	char *c;
	const char *const want[] = {
		"-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10",
		"-o", "UserKnownHostsFile=\"/k h\"",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityFile=\"/a b/id\"",
		"-p", "2222", "-l", "u", "-W", "10.0.0.5:22", "--", "127.0.0.1",
		NULL,
	};

	assert_int_equal(lvr_uri_parse("qemu+libssh://u@127.0.0.1:2222/system"
				       "?keyfile=/a%20b/id&known_hosts=/k%20h",
				       &u), 0);
	c = lvr_proxy_command(&u, "10.0.0.5", 22);
	assert_true(!strncmp(c, "exec ssh ", 9));
	assert_argv(f, c, want);
	free(c);
	lvr_uri_clear(&u);
}

/* Every field hostile: each arrives at ssh as one argument, unchanged but
 * for OpenSSH's own quoting of file-name option values. */
static void test_proxy_hostile(void **state)
{
	struct fake *f = *state;
	struct lvr_uri u = {
		.remote = 1, .ssh = 1, .port = 22,
		.user = xstrdup("-oProxyCommand=" EVIL),
		.host = xstrdup("-h" EVIL),
		.keyfile = xstrdup("/k " EVIL),
		.known_hosts = xstrdup("/kh " EVIL),
	};
	char *c;
	/* OpenSSH's -o parser: inside "...", \" is " and \\ is \. */
	const char *const want[] = {
		"-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10",
		"-o", "UserKnownHostsFile=\"/kh a b'c;$(touch pwned)"
		"`touch pwned2`\\\"d\\\\e\"",
		"-o", "IdentitiesOnly=yes",
		"-o", "IdentityFile=\"/k a b'c;$(touch pwned)"
		"`touch pwned2`\\\"d\\\\e\"",
		"-p", "22", "-l", "-oProxyCommand=" EVIL,
		"-W", "g" EVIL ":2200", "--", "-h" EVIL, NULL,
	};

	c = lvr_proxy_command(&u, "g" EVIL, 2200);
	assert_true(!strncmp(c, "exec ssh ", 9));
	assert_non_null(strstr(c, "-o StrictHostKeyChecking=yes"));
	assert_non_null(strstr(c, "-o BatchMode=yes"));
	assert_argv(f, c, want);
	free(c);
	lvr_uri_clear(&u);
}

/* libssh expands %h, %p, ... in a ProxyCommand, and OpenSSH expands them
 * again in IdentityFile and UserKnownHostsFile: a literal % in a file name
 * is doubled for each, in a user or host once (libssh only). */
static void test_proxy_percent(void **state)
{
	struct fake *f = *state;
	struct lvr_uri u = {
		.remote = 1, .ssh = 1,
		.user = xstrdup("u%p"), .host = xstrdup("h%h"),
		.keyfile = xstrdup("/k%h"), .known_hosts = xstrdup("/n%d%%"),
	};
	char *c;
	const char *const want[] = {
		"-q", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "ConnectTimeout=10",
		"-o", "UserKnownHostsFile=\"/n%%d%%%%\"",
		"-o", "IdentitiesOnly=yes", "-o", "IdentityFile=\"/k%%h\"",
		"-l", "u%p", "-W", "127.0.0.1:1", "--", "h%h", NULL,
	};

	c = lvr_proxy_command(&u, "127.0.0.1", 1);
	assert_non_null(strstr(c, "/k%%%%h"));
	assert_non_null(strstr(c, " -l u%%p "));
	assert_non_null(strstr(c, " -- h%%h"));
	assert_null(strstr(c, "/k%h"));
	/* libssh_expand() fails the test on any single %. */
	assert_argv(f, c, want);
	free(c);
	lvr_uri_clear(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_local),
		cmocka_unit_test(test_uri_ssh),
		cmocka_unit_test(test_uri_libssh_query),
		cmocka_unit_test(test_uri_ipv6),
		cmocka_unit_test(test_uri_tls_port_not_ssh),
		cmocka_unit_test(test_uri_malformed_escape),
		cmocka_unit_test(test_uri_bad),
		cmocka_unit_test_setup_teardown(test_proxy_minimal, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_proxy_command_param,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_proxy_full, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_proxy_hostile, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_proxy_percent, fake_setup,
						fake_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
