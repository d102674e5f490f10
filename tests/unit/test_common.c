/*
 * tests/unit/test_common.c - common/util.c and common/fs.c, plus
 * shell_quote() (platform/platform.c), the quoting every remote command
 * line depends on:
 *   - the string buffer: growth across its doubling, formatted appends
 *     longer than the first guess, detach/reset/release ownership;
 *   - vb_split and the strv helpers (empty items skipped);
 *   - vb_parse_double / vb_parse_long: the whole string must be a finite
 *     number (no leading blanks of any kind, no trailing garbage, no
 *     nan/inf, overflow refused);
 *   - SHA-256 against the FIPS 180-2 vectors and against coreutils'
 *     sha256sum for every length around the 55/56/64-byte padding edges,
 *     and vb_sha256_file;
 *   - UUIDs: version 4, RFC 4122 variant, distinct;
 *   - ISO time stamps: epoch, a known instant, millisecond rounding that
 *     carries into the next second, times before 1970;
 *   - shell_quote: what sh reads back is exactly the original string,
 *     for quotes, globs, $(...), newlines and the empty string;
 *   - files: mkdir -p, atomic writes with an exact mode whatever the umask
 *     and no temporary left, copy, rm -rf that never follows a symlink.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/run.h"
#include "common/util.h"
#include "platform/platform.h"

static char tmpdir[] = "/tmp/vbtest-common.XXXXXX";

/* ---- string buffer ---------------------------------------------------- */

static void test_sb(void **state)
{
	struct sb sb = SB_INIT;
	char *p;

	(void)state;
	/* An untouched buffer detaches to an empty, owned string. */
	p = sb_detach(&sb);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);

	/* 10000 single characters: many doublings, content intact. */
	for (int i = 0; i < 10000; i++)
		sb_addc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 10000);
	assert_true(sb.cap > sb.len);
	assert_int_equal(sb.buf[sb.len], '\0');
	for (int i = 0; i < 10000; i += 997)
		assert_int_equal(sb.buf[i], 'a' + i % 26);

	/* A formatted append far longer than the 64-byte first try. */
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	sb_addf(&sb, "%s|%0500d|%s", "head", 7, "tail");
	assert_int_equal(sb.len, 4 + 1 + 500 + 1 + 4);
	assert_int_equal(strncmp(sb.buf, "head|000", 8), 0);
	assert_string_equal(sb.buf + sb.len - 7, "07|tail");

	/* Binary data with NULs keeps its length. */
	sb_reset(&sb);
	sb_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	assert_int_equal(memcmp(sb.buf, "a\0b", 4), 0);

	/* Detach hands over the storage and leaves an empty buffer. */
	sb_reset(&sb);
	sb_adds(&sb, "mine");
	p = sb_detach(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_string_equal(p, "mine");
	free(p);
	sb_adds(&sb, "again");
	assert_string_equal(sb.buf, "again");
	sb_release(&sb);
	assert_null(sb.buf);
	sb_release(&sb); /* twice is fine */

	p = xasprintf("%d-%s-%.2f", 42, "x", 1.005);
	assert_string_equal(p, "42-x-1.00");
	free(p);
	assert_null(xstrdup(NULL));
	p = xstrndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
}

static void test_sb_read_file(void **state)
{
	char *path = xasprintf("%s/big", tmpdir);
	struct sb sb = SB_INIT, want = SB_INIT;

	(void)state;
	/* Larger than the 64 KiB read chunk, so several reads are joined. */
	for (int i = 0; i < 20000; i++)
		sb_addf(&want, "line %d\n", i);
	assert_int_equal(vb_write_file_atomic(path, want.buf, want.len, 0644), 0);
	assert_int_equal(sb_read_file(&sb, path), 0);
	assert_int_equal(sb.len, want.len);
	assert_memory_equal(sb.buf, want.buf, want.len);
	sb_release(&sb);

	errno = 0;
	assert_int_equal(sb_read_file(&sb, "/nonexistent/vbtest"), -1);
	assert_int_equal(errno, ENOENT);
	sb_release(&sb);
	sb_release(&want);
	unlink(path);
	free(path);
}

/* ---- splitting -------------------------------------------------------- */

static void test_split(void **state)
{
	char **v;

	(void)state;
	v = vb_split("a,bb,,ccc,", ',');
	assert_int_equal(vb_strv_len(v), 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "bb");
	assert_string_equal(v[2], "ccc");
	assert_null(v[3]);
	assert_true(vb_strv_contains(v, "bb"));
	assert_false(vb_strv_contains(v, "b"));
	assert_false(vb_strv_contains(v, ""));
	vb_strv_free(v);

	v = vb_split(",,,", ',');
	assert_int_equal(vb_strv_len(v), 0);
	assert_null(v[0]);
	vb_strv_free(v);
	v = vb_split(NULL, ',');
	assert_int_equal(vb_strv_len(v), 0);
	vb_strv_free(v);

	/* Many items: the array grows past its first capacity. */
	{
		struct sb sb = SB_INIT;

		for (int i = 0; i < 100; i++)
			sb_addf(&sb, "%d:", i);
		v = vb_split(sb.buf, ':');
		assert_int_equal(vb_strv_len(v), 100);
		assert_string_equal(v[99], "99");
		vb_strv_free(v);
		sb_release(&sb);
	}
	assert_int_equal(vb_strv_len(NULL), 0);
	assert_false(vb_strv_contains(NULL, "x"));
	vb_strv_free(NULL);
}

/* ---- numbers ---------------------------------------------------------- */

static void test_parse_numbers(void **state)
{
	static const char *const bad[] = {
		"", " 1", "\t1", "\n1", "1 ", "1x", "x1", "nan", "NaN", "inf",
		"-inf", "1e999", "--1", "1,5",
	};
	static const char *const bad_long[] = {
		"", " 1", "\t1", "\n1", "1 ", "1.5", "1e3", "0x10",
		"99999999999999999999", "-99999999999999999999", "+", "-",
	};
	double d = -7;
	long l = -7;

	(void)state;
	assert_int_equal(vb_parse_double("1.5", &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(vb_parse_double("-2e-3", &d), 0);
	assert_true(d == -2e-3);
	assert_int_equal(vb_parse_double("1e308", &d), 0);
	assert_true(d == 1e308);
	for (size_t i = 0; i < VB_ARRAY_SIZE(bad); i++) {
		d = -7;
		if (vb_parse_double(bad[i], &d) == 0)
			fail_msg("vb_parse_double accepted \"%s\" as %g", bad[i], d);
		assert_true(d == -7); /* untouched on failure */
	}
	assert_int_equal(vb_parse_double(NULL, &d), -1);

	assert_int_equal(vb_parse_long("42", &l), 0);
	assert_int_equal(l, 42);
	assert_int_equal(vb_parse_long("-9223372036854775808", &l), 0);
	assert_true(l == (-9223372036854775807L - 1));
	assert_int_equal(vb_parse_long("007", &l), 0); /* decimal, not octal */
	assert_int_equal(l, 7);
	for (size_t i = 0; i < VB_ARRAY_SIZE(bad_long); i++) {
		l = -7;
		if (vb_parse_long(bad_long[i], &l) == 0)
			fail_msg("vb_parse_long accepted \"%s\" as %ld", bad_long[i], l);
		assert_int_equal(l, -7);
	}
	assert_int_equal(vb_parse_long(NULL, &l), -1);
}

/* ---- SHA-256 ---------------------------------------------------------- */

/* sha256sum's digest of data (64 hex + NUL into out), fed on stdin. */
static void coreutils_sha256(const void *data, size_t n, char out[65])
{
	const char *argv[] = { "sha256sum", NULL };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r;

	c.argv = argv;
	c.in = RUN_IN_BUF;
	c.in_buf = data;
	c.in_len = n;
	c.out = RUN_OUT_CAPTURE;
	assert_int_equal(run_command(&c, &r), 0);
	assert_int_equal(r.exit_status, 0);
	assert_true(r.out_len >= 64);
	memcpy(out, r.out, 64);
	out[64] = '\0';
	run_result_clear(&r);
}

static void test_sha256(void **state)
{
	static const struct {
		const char *in, *hex;
	} vec[] = { /* FIPS 180-2, appendix B */
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char got[65], want[65], *path;
	unsigned char buf[200];
	char *million;

	(void)state;
	for (size_t i = 0; i < VB_ARRAY_SIZE(vec); i++) {
		vb_sha256_hex(vec[i].in, strlen(vec[i].in), got);
		assert_string_equal(got, vec[i].hex);
	}
	million = xmalloc(1000000);
	memset(million, 'a', 1000000);
	vb_sha256_hex(million, 1000000, got);
	assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* Every length across the padding edges (55, 56, 63, 64, 119, 120,
	 * 128) against an independent implementation. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t n = 0; n <= 130; n++) {
		vb_sha256_hex(buf, n, got);
		coreutils_sha256(buf, n, want);
		if (strcmp(got, want) != 0)
			fail_msg("length %zu: %s, sha256sum says %s", n, got, want);
	}

	/* Many blocks at an unaligned address, as an importer hashes a file
	 * (the SHA-NI path on CPUs that have it, the portable one elsewhere). */
	for (size_t i = 0; i < 1000000; i++)
		million[i] = (char)(i * 2654435761u >> 13);
	vb_sha256_hex(million + 3, 999989, got);
	coreutils_sha256(million + 3, 999989, want);
	assert_string_equal(got, want);
	memset(million, 'a', 1000000);

	path = xasprintf("%s/million", tmpdir);
	assert_int_equal(vb_write_file_atomic(path, million, 1000000, 0600), 0);
	assert_int_equal(vb_sha256_file(path, got), 0);
	assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	errno = 0;
	assert_int_equal(vb_sha256_file(path, got), -1);
	assert_int_equal(errno, ENOENT);
	free(path);
	free(million);
}

/* ---- UUID ------------------------------------------------------------- */

static void test_uuid(void **state)
{
	char a[37], b[37];

	(void)state;
	assert_int_equal(vb_uuid(a), 0);
	assert_int_equal(vb_uuid(b), 0);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');                 /* version 4 */
	assert_non_null(strchr("89ab", a[19]));       /* RFC 4122 variant */
}

/* ---- time ------------------------------------------------------------- */

static void test_time_iso(void **state)
{
	char buf[32];
	struct tm tm = { 0 };
	double now;
	time_t back;

	(void)state;
	assert_string_equal(vb_time_iso(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(vb_time_iso(1700000000.25, buf, sizeof(buf)),
			    "2023-11-14T22:13:20.250Z");
	/* Rounding to the millisecond carries into the next second, minute,
	 * day and year. */
	assert_string_equal(vb_time_iso(1704067199.9996, buf, sizeof(buf)),
			    "2024-01-01T00:00:00.000Z");
	assert_string_equal(vb_time_iso(951782400, buf, sizeof(buf)),
			    "2000-02-29T00:00:00.000Z");      /* a leap day */
	assert_string_equal(vb_time_iso(-0.5, buf, sizeof(buf)),
			    "1969-12-31T23:59:59.500Z");

	/* Now: parses back to within a second of the wall clock. */
	now = vb_wall_time();
	vb_now_iso(buf, sizeof(buf));
	assert_int_equal(strlen(buf), 24);
	assert_non_null(strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm));
	back = timegm(&tm);
	assert_true(fabs((double)back - now) < 2);
	{
		double m0 = vb_mono_time();

		usleep(20000);
		assert_true(vb_mono_time() - m0 >= 0.019);
	}
}

/* ---- shell quoting ---------------------------------------------------- */

static void test_shell_quote(void **state)
{
	static const char *const words[] = {
		"plain", "", "two words", "it's", "'", "''", "\"dq\"", "$HOME",
		"$(touch /tmp/vbtest-pwned)", "`id`", "*", "a;b|c&d", "back\\slash",
		"new\nline", "tab\there", "-n", "~root", "{a,b}", "!x", "#c",
	};
	char *q;

	(void)state;
	/* Safe words stay readable; everything else is single-quoted. */
	q = shell_quote("abc-1.2/x_y:z@h,%+=");
	assert_string_equal(q, "abc-1.2/x_y:z@h,%+=");
	free(q);
	q = shell_quote("it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	q = shell_quote(NULL);
	assert_string_equal(q, "''");
	free(q);

	/* The real test: sh reads back exactly the original word. */
	for (size_t i = 0; i < VB_ARRAY_SIZE(words); i++) {
		char *cmd;
		const char *argv[] = { "sh", "-c", NULL, NULL };
		struct run_cmd c = RUN_CMD_INIT;
		struct run_result r;

		q = shell_quote(words[i]);
		cmd = xasprintf("printf '%%s' %s", q);
		argv[2] = cmd;
		c.argv = argv;
		c.out = c.err = RUN_OUT_CAPTURE;
		assert_int_equal(run_command(&c, &r), 0);
		if (r.exit_status != 0 || strcmp(r.out, words[i]) != 0)
			fail_msg("shell_quote(\"%s\") = %s: sh printed \"%s\" (%s)",
				 words[i], q, r.out, r.err);
		run_result_clear(&r);
		free(cmd);
		free(q);
	}
	assert_int_equal(access("/tmp/vbtest-pwned", F_OK), -1);
}

/* ---- files ------------------------------------------------------------ */

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_files(void **state)
{
	char *deep = xasprintf("%s/a/b/c", tmpdir);
	char *f = xasprintf("%s/a/key", tmpdir);
	char *g = xasprintf("%s/a/b/copy", tmpdir);
	struct sb sb = SB_INIT;
	mode_t old;

	(void)state;
	assert_int_equal(vb_mkdir_p(deep, 0755), 0);
	assert_int_equal(vb_mkdir_p(deep, 0755), 0); /* exists: fine */
	assert_true(vb_mkdir_p("", 0755) < 0); /* no read past the string */
	{
		/* A plain file in the way is reported, not taken for a dir. */
		char *blocked = xasprintf("%s/a/b/c/file/sub", tmpdir);
		char *plain = xasprintf("%s/a/b/c/file", tmpdir);

		assert_int_equal(vb_write_file_atomic(plain, "", 0, 0644), 0);
		assert_true(vb_mkdir_p(blocked, 0755) < 0);
		free(blocked);
		free(plain);
	}
	assert_true(S_ISDIR(({ struct stat st; stat(deep, &st); st.st_mode; })));

	/* Atomic write: exact mode even under a restrictive or permissive
	 * umask, content complete, no temporary file left. */
	old = umask(0);
	assert_int_equal(vb_write_file_atomic(f, "secret\n", 7, 0600), 0);
	umask(old);
	assert_int_equal(mode_of(f), 0600);
	old = umask(0777);
	assert_int_equal(vb_write_file_atomic(f, "second", 6, 0640), 0);
	umask(old);
	assert_int_equal(mode_of(f), 0640);
	assert_int_equal(sb_read_file(&sb, f), 0);
	assert_string_equal(sb.buf, "second");
	sb_release(&sb);
	{
		char *tmp = xasprintf("%s.tmp.%ld", f, (long)getpid());

		assert_int_equal(access(tmp, F_OK), -1);
		free(tmp);
	}
	/* Into a directory that does not exist: reported, nothing written. */
	{
		char *nope = xasprintf("%s/none/x", tmpdir);

		assert_true(vb_write_file_atomic(nope, "x", 1, 0644) < 0);
		free(nope);
	}

	assert_int_equal(vb_copy_file(f, g, 0751), 0);
	assert_int_equal(mode_of(g), 0751);
	assert_int_equal(sb_read_file(&sb, g), 0);
	assert_string_equal(sb.buf, "second");
	sb_release(&sb);
	assert_true(vb_copy_file("/nonexistent/vbtest", g, 0644) < 0);

	/* vb_write_all through a pipe. */
	{
		int p[2];
		char buf[8] = { 0 };

		assert_int_equal(pipe(p), 0);
		assert_int_equal(vb_write_all(p[1], "pipe", 4), 0);
		close(p[1]);
		assert_int_equal(read(p[0], buf, sizeof(buf)), 4);
		assert_string_equal(buf, "pipe");
		close(p[0]);
	}
	free(deep);
	free(f);
	free(g);
}

static void test_rm_rf(void **state)
{
	char *outside = xasprintf("%s/outside", tmpdir);
	char *keep = xasprintf("%s/outside/keep", tmpdir);
	char *tree = xasprintf("%s/tree", tmpdir);
	char *sub = xasprintf("%s/tree/d1/d2", tmpdir);
	char *file = xasprintf("%s/tree/d1/d2/f", tmpdir);
	char *link = xasprintf("%s/tree/link", tmpdir);
	char *flink = xasprintf("%s/tree/d1/flink", tmpdir);

	(void)state;
	assert_int_equal(vb_mkdir_p(outside, 0755), 0);
	assert_int_equal(vb_write_file_atomic(keep, "k", 1, 0644), 0);
	assert_int_equal(vb_mkdir_p(sub, 0755), 0);
	assert_int_equal(vb_write_file_atomic(file, "f", 1, 0644), 0);
	/* Symlinks to a directory and a file outside the tree. */
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(symlink(keep, flink), 0);

	assert_int_equal(vb_rm_rf(tree), 0);
	assert_int_equal(access(tree, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0); /* never followed */
	assert_int_equal(vb_rm_rf(tree), 0);     /* missing: fine */
	assert_int_equal(vb_rm_rf(NULL), 0);
	/* A path that is itself a symlink: the link goes, the target stays. */
	assert_int_equal(symlink(outside, tree), 0);
	assert_int_equal(vb_rm_rf(tree), 0);
	assert_int_equal(access(keep, F_OK), 0);
	assert_int_equal(vb_rm_rf(outside), 0);
	assert_int_equal(access(outside, F_OK), -1);
	free(outside);
	free(keep);
	free(tree);
	free(sub);
	free(file);
	free(link);
	free(flink);
}

static void test_free_port(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int p = vb_free_loopback_port(), fd;

	(void)state;
	assert_true(p > 0 && p < 65536);
	/* It really is free on the loopback: we can bind it. */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)p);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	assert_true(strlen(vb_hostname()) > 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return vb_rm_rf(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sb),
		cmocka_unit_test(test_sb_read_file),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_rm_rf),
		cmocka_unit_test(test_free_port),
	};

	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
