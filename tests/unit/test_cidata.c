/*
 * tests/unit/test_cidata.c - the NoCloud seed (platform/libvirt/cidata.c) and the
 * key generation it carries (vbssh_keygen in platform/ssh/ssh.c): the guest's
 * host key and the client key reach user-data intact, the private key
 * file is 0600, and values that could change the YAML are refused rather
 * than written (a hostname with a newline would otherwise add keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/libvirt/cidata.h"
#include "platform/ssh/ssh.h"
#include "common/util.h"

static void test_keygen(void **state)
{
	char dir[] = "/tmp/vbtest-cidata.XXXXXX";
	char *path, *priv = NULL, *pub = NULL;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/id", dir);
	assert_int_equal(vbssh_keygen("unit", path, &priv, &pub), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(strstr(priv, "-----BEGIN OPENSSH PRIVATE KEY-----"));
	assert_int_equal(strncmp(pub, "ssh-ed25519 AAAA", 16), 0);
	assert_non_null(strstr(pub, " unit"));
	unlink(path);
	rmdir(dir);
	free(path);
	free(priv);
	free(pub);
}

static void test_user_data(void **state)
{
	char *hpriv = NULL, *hpub = NULL, *cpriv = NULL, *cpub = NULL, *ud, *md;
	struct cidata c = { .instance_id = "virtbench-0123abcd-qemu",
			    .hostname = "virtbench-0123abcd-qemu" };

	(void)state;
	assert_int_equal(vbssh_keygen("host", NULL, &hpriv, &hpub), 0);
	assert_int_equal(vbssh_keygen("client", NULL, &cpriv, &cpub), 0);
	c.host_key_priv = hpriv;
	c.host_key_pub = hpub;
	c.authorized_key = cpub;
	ud = cidata_user_data(&c);
	md = cidata_meta_data(&c);
	assert_int_equal(strncmp(ud, "#cloud-config\n", 14), 0);
	assert_non_null(strstr(ud, cpub));
	assert_non_null(strstr(ud, "ssh_deletekeys: true"));
	assert_non_null(strstr(ud, "  ed25519_private: |\n    -----BEGIN OPENSSH"));
	assert_null(strstr(ud, "packages:"));
	assert_string_equal(md, "instance-id: virtbench-0123abcd-qemu\n"
			    "local-hostname: virtbench-0123abcd-qemu\n");
	free(ud);
	c.install_packages = 1;
	ud = cidata_user_data(&c);
	assert_non_null(strstr(ud, "packages:\n  - sysbench\n  - fio\n  - iperf3\n"));
	free(ud);
	free(md);
	free(hpriv);
	free(hpub);
	free(cpriv);
	free(cpub);
}

/* Issue 13, class 6: the seed holds the guest's private host key, so it
 * is never readable by others, not even while genisoimage writes it. The
 * real genisoimage runs, through a wrapper that records, the moment it
 * has written its output, whether another user could have opened it
 * (its mode, or the mode of the directory it was written in). */
static void test_seed_private_while_written(void **state)
{
	char dir[] = "/tmp/vbtest-seed.XXXXXX", *wrap, *log, *iso, *path, *cmd;
	struct cidata c = { .instance_id = "i-1", .hostname = "guest",
			    .authorized_key = "ssh-ed25519 AAAA x",
			    .host_key_priv = "-----BEGIN OPENSSH PRIVATE KEY-----",
			    .host_key_pub = "ssh-ed25519 AAAA y" };
	struct sb sb = SB_INIT;
	struct stat st;
	const char *old = getenv("PATH");
	int others;

	(void)state;
	if (access("/usr/bin/genisoimage", X_OK) < 0)
		skip();
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755); /* a run directory libvirt can traverse */
	wrap = xasprintf("%s/bin", dir);
	assert_int_equal(mkdir(wrap, 0700), 0);
	log = xasprintf("%s/modes", dir);
	path = xasprintf("%s/genisoimage", wrap);
	{
		char *script = xasprintf(
			"#!/bin/sh\n"
			"out=; prev=\n"
			"for a in \"$@\"; do [ \"$prev\" = -output ] && out=$a; prev=$a; done\n"
			"/usr/bin/genisoimage \"$@\" || exit $?\n"
			"stat -c %%a \"$out\" \"$(dirname \"$out\")\" >%s\n", log);

		assert_int_equal(vb_write_file_atomic(path, script, strlen(script), 0755), 0);
		free(script);
	}
	cmd = xasprintf("%s:%s", wrap, old ? old : "/usr/bin:/bin");
	setenv("PATH", cmd, 1);
	iso = xasprintf("%s/seed.iso", dir);
	assert_int_equal(cidata_write_iso(&c, dir, iso), 0);
	setenv("PATH", old ? old : "/usr/bin:/bin", 1);
	assert_int_equal(stat(iso, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	assert_int_equal(sb_read_file(&sb, log), 0);
	{
		unsigned file_mode = 0, dir_mode = 0;

		assert_int_equal(sscanf(sb.buf, "%o %o", &file_mode, &dir_mode), 2);
		/* Others could open it if the file was readable to them and
		 * they could reach its directory. */
		others = (file_mode & 004) && (dir_mode & 001);
	}
	assert_false(others);
	sb_release(&sb);
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(wrap);
	free(log);
	free(iso);
	free(path);
}

static void test_refuses_yaml_injection(void **state)
{
	struct cidata c = { .instance_id = "i-1", .hostname = "h\nruncmd: [reboot]",
			    .authorized_key = "ssh-ed25519 AAAA x",
			    .host_key_priv = "k", .host_key_pub = "ssh-ed25519 AAAA y" };

	(void)state;
	assert_int_equal(cidata_write_iso(&c, "/nonexistent", "/nonexistent/x.iso"), -1);
	c.hostname = "ok";
	c.authorized_key = "ssh-ed25519 AAAA' x";
	assert_int_equal(cidata_write_iso(&c, "/nonexistent", "/nonexistent/x.iso"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_user_data),
		cmocka_unit_test(test_refuses_yaml_injection),
		cmocka_unit_test(test_seed_private_while_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
