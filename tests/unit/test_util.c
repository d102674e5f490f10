/*
 * tests/unit/test_util.c - common/: the name rule (names are data), the
 * path rule, removal confined to a run's directory (no symlink or ".."
 * escape), private directories that refuse a planted link, and atomic
 * writes that never follow a link planted at the target or its temporary
 * name (issue 13, class 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/safe.h"
#include "common/util.h"

static char tmp[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/vbutil.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmp) ? 0 : -1;
}

static int rm_all(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp);
	int r = system(cmd);

	(void)state;
	free(cmd);
	return r == 0 ? 0 : -1;
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void touch(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_name_rule(void **state)
{
	static const char *good[] = { "native", "wb", "host+overlay", "a.b",
		"user@host", "_x", "0", "A-1_b.c+d@e", NULL };
	static const char *bad[] = { "", ".", "..", "../../victim", "a/b",
		".hidden", "-rf", "$(touch x)", "a b", "a;b", "a'b", "a\nb",
		"a:b", "a\\b", "`x`", "é", "*", NULL };
	char longest[VB_NAME_MAX + 2];

	(void)state;
	for (int i = 0; good[i]; i++)
		assert_true(vb_name_valid(good[i]));
	for (int i = 0; bad[i]; i++)
		assert_false(vb_name_valid(bad[i]));
	assert_false(vb_name_valid(NULL));
	memset(longest, 'a', sizeof(longest));
	longest[VB_NAME_MAX] = '\0';
	assert_true(vb_name_valid(longest));
	longest[VB_NAME_MAX] = 'a';
	longest[VB_NAME_MAX + 1] = '\0';
	assert_false(vb_name_valid(longest));
	assert_int_equal(vb_name_check("--host", "ok"), 0);
	assert_int_equal(vb_name_check("--host", "a/b"), -1);
}

static void test_path_rule(void **state)
{
	(void)state;
	assert_int_equal(vb_path_check("--out", "/tmp/with space/x"), 0);
	assert_int_equal(vb_path_check("--out", "relative/$(x)"), 0);
	assert_int_equal(vb_path_check("--out", ""), -1);
	assert_int_equal(vb_path_check("--out", "a\nb"), -1);
	assert_int_equal(vb_path_check("--out", "a\033[2Jb"), -1);
}

/* A victim outside the run directory survives every way of pointing the
 * removal at it; the run's own contents go. */
static void test_rm_rf_inside(void **state)
{
	char *run = at("run"), *victim = at("victim"), *vfile = at("victim/keep");
	char *inner = at("run/native"), *link = at("run/link");
	char *escape = at("run/native/../../victim");
	char *linkdir = at("run/linkdir"), *via = at("run/linkdir/keep");
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(run, 0700), 0);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_int_equal(mkdir(victim, 0700), 0);
	touch(vfile, "precious");
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(symlink(victim, linkdir), 0);

	/* ".." out of the run directory: refused. */
	assert_int_equal(vb_rm_rf_inside(escape, run), -1);
	/* Through a symlinked directory inside the run: refused. */
	assert_int_equal(vb_rm_rf_inside(via, run), -1);
	/* A path that is not under the root at all: refused. */
	assert_int_equal(vb_rm_rf_inside(victim, run), -1);
	/* The run itself: its symlinks are removed as links. */
	assert_int_equal(vb_rm_rf_inside(run, run), 0);
	assert_int_equal(lstat(run, &st), -1);
	assert_int_equal(stat(vfile, &st), 0);
	/* A root that is a symlink is not trusted. */
	assert_int_equal(symlink(victim, run), 0);
	assert_int_equal(vb_rm_rf_inside(run, run), -1);
	assert_int_equal(stat(vfile, &st), 0);
	/* Missing: nothing to do. */
	unlink(run);
	assert_int_equal(vb_rm_rf_inside(run, tmp), 0);
	free(run);
	free(victim);
	free(vfile);
	free(inner);
	free(link);
	free(escape);
	free(linkdir);
	free(via);
}

static void test_mkdir_private(void **state)
{
	char *d = at("priv"), *planted = at("planted"), *victim = at("v");
	struct stat st;

	(void)state;
	assert_int_equal(vb_mkdir_private(d), 0);
	assert_int_equal(lstat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(vb_mkdir_private(d), 0); /* ours: accepted again */
	assert_int_equal(chmod(d, 0777), 0);
	assert_int_equal(vb_mkdir_private(d), -1); /* others could plant */
	assert_int_equal(mkdir(victim, 0700), 0);
	assert_int_equal(symlink(victim, planted), 0);
	assert_int_equal(vb_mkdir_private(planted), -1);
	free(d);
	free(planted);
	free(victim);
}

/* Links planted at the target and at every name the old code would have
 * used for its temporary file are not followed. */
static void test_write_atomic_nofollow(void **state)
{
	char *victim = at("victim.txt"), *target = at("out.md");
	char *tmpname = xasprintf("%s.tmp.%ld", target, (long)getpid());
	struct sb sb = SB_INIT;
	struct stat st;

	(void)state;
	touch(victim, "precious");
	assert_int_equal(symlink(victim, tmpname), 0);
	assert_int_equal(symlink(victim, target), 0);
	assert_int_equal(vb_write_file_atomic(target, "new", 3, 0640), 0);
	assert_int_equal(sb_read_file(&sb, victim), 0);
	assert_string_equal(sb.buf, "precious");
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640);
	sb_reset(&sb);
	assert_int_equal(sb_read_file(&sb, target), 0);
	assert_string_equal(sb.buf, "new");
	sb_release(&sb);
	free(victim);
	free(target);
	free(tmpname);
}

/* HMAC-SHA256 against RFC 4231 (test cases 2 and 6: a short key, and a
 * key longer than the block, which is hashed first). */
static void test_hmac_sha256(void **state)
{
	char out[65], key[131];

	(void)state;
	vb_hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, out);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c7"
				 "5a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	vb_hmac_sha256_hex(key, sizeof(key),
			   "Test Using Larger Than Block-Size Key - Hash Key First",
			   54, out);
	assert_string_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f"
				 "8e0bc6213728c5140546040f0ee37f54");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_path_rule),
		cmocka_unit_test(test_hmac_sha256),
		cmocka_unit_test_setup_teardown(test_rm_rf_inside, setup, rm_all),
		cmocka_unit_test_setup_teardown(test_mkdir_private, setup, rm_all),
		cmocka_unit_test_setup_teardown(test_write_atomic_nofollow, setup,
						rm_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
