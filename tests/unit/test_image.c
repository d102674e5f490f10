/*
 * tests/unit/test_image.c - image/image.c without building an image:
 *   - the recipe hash: equal for an equal recipe held elsewhere in
 *     memory, different for every single change (version, suite, a
 *     package, a file's path, mode or text, a file added, a masked unit
 *     added or removed), and the default's is image_recipe_hash();
 *   - the cache layout: $VIRTBENCH_CACHE, else ~/.cache/virtbench;
 *     images/debian-bookworm-HASH/{image.json,disk.qcow2,vmlinuz,
 *     initrd.img}; rootfs/debian-bookworm-HASH with its completion
 *     marker; an image for another recipe hash is not found; a broken
 *     manifest is reported; a cached image is used without building;
 *   - image_run(): the command line and output appended to the log,
 *     exit status and signal reported with the tail of the output.
 * The environment variables are set for this process only.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/util.h"
#include "image/image.h"

static char tmpdir[] = "/tmp/vbtest-image.XXXXXX";

/* Runs fn with stderr sent to a file; returns what it printed (owned). */
static char *stderr_of(int (*fn)(void *), void *arg, int *ret)
{
	char *path = xasprintf("%s/stderr", tmpdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int saved = dup(2);
	struct sb sb = SB_INIT;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	*ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_int_equal(sb_read_file(&sb, path), 0);
	unlink(path);
	free(path);
	return sb_detach(&sb);
}

/* ---- the recipe hash ---------------------------------------------------- */

/* A deep copy of r in fresh memory, files and masked list included. */
struct recipe_copy {
	struct image_recipe r;
	struct image_file files[32];
	const char *masked[32];
	char *strings[128];
	size_t nstr;
};

static const char *keep(struct recipe_copy *c, const char *s)
{
	assert_true(c->nstr < VB_ARRAY_SIZE(c->strings));
	return c->strings[c->nstr++] = xstrdup(s);
}

static void copy_recipe(struct recipe_copy *c, const struct image_recipe *r)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->r.version = keep(c, r->version);
	c->r.suite = keep(c, r->suite);
	c->r.include = keep(c, r->include);
	c->r.extra = keep(c, r->extra);
	assert_true(r->n_files < VB_ARRAY_SIZE(c->files));
	for (i = 0; i < r->n_files; i++) {
		c->files[i].path = keep(c, r->files[i].path);
		c->files[i].mode = r->files[i].mode;
		c->files[i].text = keep(c, r->files[i].text);
	}
	c->r.files = c->files;
	c->r.n_files = r->n_files;
	for (i = 0; r->masked[i]; i++)
		c->masked[i] = keep(c, r->masked[i]);
	c->masked[i] = NULL;
	c->r.masked = c->masked;
}

static void free_copy(struct recipe_copy *c)
{
	for (size_t i = 0; i < c->nstr; i++)
		free(c->strings[i]);
}

static void test_recipe_hash(void **state)
{
	const struct image_recipe *def = image_default_recipe();
	enum { N = 11 };
	char h[N][17], base[17];
	struct recipe_copy c;

	(void)state;
	/* What the default recipe must contain for the guest to work. */
	assert_non_null(strstr(def->include, "openssh-server"));
	assert_non_null(strstr(def->include, "sysbench"));
	assert_true(def->n_files > 0);

	image_recipe_digest(def, base);
	assert_int_equal(strlen(base), 16);
	assert_int_equal(strspn(base, "0123456789abcdef"), 16);
	assert_string_equal(image_recipe_hash(), base);
	assert_string_equal(image_recipe_hash(), base); /* cached, same */

	/* The same content elsewhere in memory: the same hash. */
	copy_recipe(&c, def);
	assert_ptr_not_equal(c.r.include, def->include);
	image_recipe_digest(&c.r, h[0]);
	assert_string_equal(h[0], base);
	free_copy(&c);

	/* Each single change gives a hash of its own. */
	for (int k = 1; k < N; k++) {
		copy_recipe(&c, def);
		switch (k) {
		case 1: c.r.version = keep(&c, "999"); break;
		case 2: c.r.suite = keep(&c, "trixie"); break;
		case 3: {
			char *inc = xasprintf("%s,strace", def->include);

			c.r.include = keep(&c, inc);
			free(inc);
			break;
		}
		case 4: c.r.extra = keep(&c, ""); break;
		case 5: c.files[0].mode ^= 0020; break;
		case 6: c.files[0].path = keep(&c, "etc/resolv.conf.d"); break;
		case 7: {
			char *t = xasprintf("%s#", c.files[c.r.n_files - 1].text);

			c.files[c.r.n_files - 1].text = keep(&c, t);
			free(t);
			break;
		}
		case 8:
			c.files[c.r.n_files].path = "etc/motd";
			c.files[c.r.n_files].mode = 0644;
			c.files[c.r.n_files].text = "";
			c.r.n_files++;
			break;
		case 9: {
			size_t n = 0;

			while (c.masked[n])
				n++;
			c.masked[n] = "man-db.timer";
			c.masked[n + 1] = NULL;
			break;
		}
		case 10: c.masked[0] = NULL; break; /* none masked */
		}
		image_recipe_digest(&c.r, h[k]);
		free_copy(&c);
		if (!strcmp(h[k], base))
			fail_msg("change %d did not change the recipe hash", k);
		for (int j = 1; j < k; j++)
			if (!strcmp(h[k], h[j]))
				fail_msg("changes %d and %d hash alike", j, k);
	}
}

/* ---- cache layout ------------------------------------------------------ */

static void test_cache_dir(void **state)
{
	char *d, *home = xstrdup(getenv("HOME"));

	(void)state;
	setenv("VIRTBENCH_CACHE", "/some/where", 1);
	d = image_cache_dir();
	assert_string_equal(d, "/some/where");
	free(d);
	setenv("VIRTBENCH_CACHE", "", 1); /* empty = unset */
	setenv("HOME", "/home/u", 1);
	d = image_cache_dir();
	assert_string_equal(d, "/home/u/.cache/virtbench");
	free(d);
	unsetenv("VIRTBENCH_CACHE");
	unsetenv("HOME");
	d = image_cache_dir();
	assert_string_equal(d, "/tmp/.cache/virtbench");
	free(d);
	if (home)
		setenv("HOME", home, 1);
	free(home);
}

static void write_text(const char *path, const char *text)
{
	char *dir = xstrdup(path);

	*strrchr(dir, '/') = '\0';
	assert_int_equal(vb_mkdir_p(dir, 0755), 0);
	assert_int_equal(vb_write_file_atomic(path, text, strlen(text), 0644), 0);
	free(dir);
}

static int find_quiet(void *arg)
{
	return image_find(arg);
}

static void test_find(void **state)
{
	char *cache = xasprintf("%s/cache", tmpdir);
	char *dir = xasprintf("%s/images/debian-bookworm-%s", cache, image_recipe_hash());
	char *man = xasprintf("%s/image.json", dir);
	char *other = xasprintf("%s/images/debian-bookworm-0000000000000000/image.json", cache);
	struct image_info im = { 0 };
	char *err, *want;
	int ret;

	(void)state;
	setenv("VIRTBENCH_CACHE", cache, 1);
	/* Nothing there: not built yet, no message. */
	err = stderr_of(find_quiet, &im, &ret);
	assert_int_equal(ret, 1);
	assert_string_equal(err, "");
	free(err);

	/* An image for another recipe is not this one. */
	write_text(other, "{\"disk_sha256\":\"00\"}");
	assert_int_equal(image_find(&im), 1);

	write_text(man, "{\"name\":\"debian-bookworm\",\"disk_sha256\":\"abc123\","
			"\"kernel_version\":\"6.1.0-99-cloud-amd64\"}");
	assert_int_equal(image_find(&im), 0);
	assert_string_equal(im.dir, dir);
	want = xasprintf("%s/disk.qcow2", dir);
	assert_string_equal(im.disk, want);
	free(want);
	want = xasprintf("%s/vmlinuz", dir);
	assert_string_equal(im.kernel, want);
	free(want);
	want = xasprintf("%s/initrd.img", dir);
	assert_string_equal(im.initrd, want);
	free(want);
	assert_string_equal(im.disk_sha256, "abc123");
	assert_string_equal(im.kernel_version, "6.1.0-99-cloud-amd64");
	assert_string_equal(im.recipe_hash, image_recipe_hash());

	/* A cached image is used as it is: nothing built, locked or made. */
	image_info_clear(&im);
	assert_null(im.dir);
	assert_int_equal(image_build(0, &im), 0);
	assert_string_equal(im.disk_sha256, "abc123");
	{
		char *lock = xasprintf("%s.lock", dir), *tmp = xasprintf("%s.tmp", dir);
		char *rootfs = xasprintf("%s/rootfs", cache);

		assert_int_equal(access(lock, F_OK), -1);
		assert_int_equal(access(tmp, F_OK), -1);
		assert_int_equal(access(rootfs, F_OK), -1);
		free(lock);
		free(tmp);
		free(rootfs);
	}
	image_info_clear(&im);

	/* Broken manifests: reported with the file and the way out. */
	write_text(man, "{ not json");
	err = stderr_of(find_quiet, &im, &ret);
	assert_true(ret < 0);
	assert_non_null(strstr(err, man));
	assert_non_null(strstr(err, "not an image manifest"));
	assert_non_null(strstr(err, "virtbench image build --force"));
	free(err);
	write_text(man, "{\"kernel_version\":\"6.1\"}"); /* no disk hash */
	err = stderr_of(find_quiet, &im, &ret);
	assert_true(ret < 0);
	free(err);
	assert_null(im.dir);

	unsetenv("VIRTBENCH_CACHE");
	free(cache);
	free(dir);
	free(man);
	free(other);
}

static void test_rootfs_cached(void **state)
{
	char *cache = xasprintf("%s/cache2", tmpdir);
	char *root = xasprintf("%s/rootfs/debian-bookworm-%s", cache, image_recipe_hash());
	char *marker = xasprintf("%s/.virtbench-complete", root);
	char *dir = NULL;

	(void)state;
	setenv("VIRTBENCH_CACHE", cache, 1);
	/* The completion marker is what makes a tree reusable. */
	write_text(marker, image_recipe_hash());
	assert_int_equal(image_rootfs_ensure(&dir), 0);
	assert_string_equal(dir, root);
	free(dir);
	unsetenv("VIRTBENCH_CACHE");
	free(cache);
	free(root);
	free(marker);
}

/* ---- image_run ----------------------------------------------------------- */

struct run_args {
	char *const *argv;
	const char *log;
};

static int run_it(void *arg)
{
	struct run_args *a = arg;

	return image_run(a->argv, a->log, NULL);
}

static void test_run(void **state)
{
	char *log = xasprintf("%s/build.log", tmpdir);
	char *ok[] = { "sh", "-c", "echo to-out; echo to-err >&2", NULL };
	char *bad[] = { "sh", "-c", "for i in $(seq 1 40); do echo line$i; done; exit 3", NULL };
	char *killed[] = { "sh", "-c", "echo dying; kill -9 $$", NULL };
	char *missing[] = { "/nonexistent/vbtool", NULL };
	struct run_args a = { ok, log };
	struct sb sb = SB_INIT;
	char *err;
	int ret;

	(void)state;
	/* Success: quiet; the log has the command line, then both streams. */
	err = stderr_of(run_it, &a, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(err, "");
	free(err);
	assert_int_equal(sb_read_file(&sb, log), 0);
	assert_string_equal(sb.buf, "$ sh -c echo to-out; echo to-err >&2\nto-out\nto-err\n");
	sb_release(&sb);

	/* Failure with a log: appended to it, its last 15 lines shown. */
	a.argv = bad;
	err = stderr_of(run_it, &a, &ret);
	assert_true(ret < 0);
	assert_non_null(strstr(err, "sh failed with exit status 3"));
	assert_non_null(strstr(err, "--- last lines of "));
	assert_non_null(strstr(err, "line40\n"));
	assert_non_null(strstr(err, "line26\n"));
	assert_null(strstr(err, "line25\n"));
	free(err);
	assert_int_equal(sb_read_file(&sb, log), 0);
	assert_non_null(strstr(sb.buf, "to-err\n$ sh -c for i in"));
	assert_non_null(strstr(sb.buf, "line1\n"));
	sb_release(&sb);

	/* Without a log the tail comes from the captured output. */
	a.argv = killed;
	a.log = NULL;
	err = stderr_of(run_it, &a, &ret);
	assert_true(ret < 0);
	assert_non_null(strstr(err, "sh killed by signal 9"));
	assert_non_null(strstr(err, "--- last lines of sh ---\ndying\n"));
	free(err);

	a.argv = missing;
	err = stderr_of(run_it, &a, &ret);
	assert_true(ret < 0);
	assert_non_null(strstr(err, "/nonexistent/vbtool"));
	free(err);

	/* A log that cannot be opened is an error before anything runs. */
	a.argv = ok;
	a.log = "/nonexistent/dir/log";
	err = stderr_of(run_it, &a, &ret);
	assert_true(ret < 0);
	assert_non_null(strstr(err, "cannot open log /nonexistent/dir/log"));
	free(err);
	free(log);
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
		cmocka_unit_test(test_recipe_hash),
		cmocka_unit_test(test_cache_dir),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_rootfs_cached),
		cmocka_unit_test(test_run),
	};

	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
