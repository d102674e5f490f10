/*
 * tests/unit/test_docker_api.c - the Docker Engine API client
 * (platform/docker/docker_api.c) and the docker platform (platform/docker/platform_docker.c).
 *
 * The first group needs no daemon: the exec stream demultiplexer fed in
 * chunks of every size (a frame header split across reads was the classic
 * bug of hand-written clients), the in-memory tar writer checked with the
 * real tar(1), DOCKER_HOST parsing, and the one-line error for a daemon
 * that is not there.
 *
 * The second group talks to the real dockerd (skipped when none answers).
 * It imports a tiny image made from the host's own sh and coreutils (a few
 * MiB, so it needs neither a registry nor the benchmark image), then checks
 * exec output and exit codes, host-side deadlines and interrupts, archive
 * upload, labels, volumes, and the platform's whole life cycle, probe and
 * cleanup.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/docker/docker_api.h"
#include "platform/platform.h"
#include "common/util.h"

/* ---- no daemon needed ------------------------------------------------ */

static cJSON *jget(const cJSON *o, const char *path)
{
	char *p = xstrdup(path), *save = NULL;
	const cJSON *cur = o;

	for (char *k = strtok_r(p, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = cJSON_GetObjectItemCaseSensitive(cur, k);
	free(p);
	return (cJSON *)cur;
}

/* Each container setting lands in the create body: storage (a volume
 * mount or none), network, seccomp, a fractional CPU quota, memory;
 * settings win over the shared options and over the name's label. */
static void test_create_body_settings(void **state)
{
	struct platform_opts o = { 0 };
	struct platform_settings s = { 0 };
	struct platform *p;
	cJSON *b, *opt;

	(void)state;
	o.network = "none";
	o.vcpus = 2;
	o.memory_mib = 2048;
	o.image = "img:1";
	p = platform_new_with("docker:host", "docker", &o, &s);
	s.kind = xstrdup("docker");
	b = platform_docker_create_body(p, "0123abcd-1111-4222-8333-444455556666");
	assert_non_null(b);
	/* Defaults: a volume, the label's network, default seccomp. */
	assert_string_equal(jget(b, "HostConfig.NetworkMode")->valuestring, "host");
	assert_string_equal(jget(cJSON_GetArrayItem(jget(b, "HostConfig.Mounts"), 0),
				 "Target")->valuestring, "/virtbench");
	assert_null(jget(b, "HostConfig.SecurityOpt"));
	assert_true(jget(b, "HostConfig.NanoCpus")->valuedouble == 2e9);
	cJSON_Delete(b);

	assert_int_equal(platform_settings_set(&s, "storage", "overlay", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "network", "none", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "seccomp", "unconfined", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "cpus", "1.5", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "memory", "512", "t"), 0);
	b = platform_docker_create_body(p, "0123abcd-1111-4222-8333-444455556666");
	assert_non_null(b);
	assert_string_equal(jget(b, "HostConfig.NetworkMode")->valuestring, "none");
	assert_null(jget(b, "HostConfig.Mounts"));
	opt = cJSON_GetArrayItem(jget(b, "HostConfig.SecurityOpt"), 0);
	assert_string_equal(opt->valuestring, "seccomp=unconfined");
	assert_true(jget(b, "HostConfig.NanoCpus")->valuedouble == 1.5e9);
	assert_true(jget(b, "HostConfig.Memory")->valuedouble == 512.0 * 1048576);
	assert_true(jget(b, "HostConfig.MemorySwap")->valuedouble == 512.0 * 1048576);
	cJSON_Delete(b);
	/* Settings that are not a container's are refused before any
	 * platform sees them. */
	vb_verbosity = -1;
	assert_true(platform_settings_set(&s, "disk_cache", "none", "t") < 0);
	assert_true(platform_settings_set(&s, "seccomp", "off", "t") < 0);
	assert_true(platform_settings_set(&s, "cpus", "0", "t") < 0);
	assert_true(platform_settings_set(&s, "network", "user", "t") < 0);
	vb_verbosity = 0;
	platform_free(p);
	platform_settings_clear(&s);
}

static void frame(struct sb *sb, int stream, const char *payload, size_t n)
{
	unsigned char h[8] = { (unsigned char)stream, 0, 0, 0,
			       (unsigned char)(n >> 24), (unsigned char)(n >> 16),
			       (unsigned char)(n >> 8), (unsigned char)n };

	sb_add(sb, h, 8);
	sb_add(sb, payload, n);
}

static void test_demux_any_chunking(void **state)
{
	struct sb in = SB_INIT, big = SB_INIT;
	size_t chunk;

	(void)state;
	sb_init(&in);
	sb_init(&big);
	for (int i = 0; i < 70000; i++)
		sb_addc(&big, (char)('a' + i % 26));
	frame(&in, 1, "hello ", 6);
	frame(&in, 2, "warn\n", 5);
	frame(&in, 1, "", 0); /* empty frames occur and carry nothing */
	frame(&in, 1, big.buf, big.len); /* > 64 KiB: a 3-byte size */
	frame(&in, 0, "stdin", 5);       /* never output */
	frame(&in, 2, "end", 3);
	/* Every chunk size from 1 byte up: headers and payloads get split
	 * at every possible offset. */
	for (chunk = 1; chunk <= 17; chunk++) {
		struct sb out = SB_INIT, err = SB_INIT;
		struct docker_demux m;

		sb_init(&out);
		sb_init(&err);
		docker_demux_init(&m, &out, &err);
		for (size_t off = 0; off < in.len; off += chunk) {
			size_t n = in.len - off < chunk ? in.len - off : chunk;

			assert_int_equal(docker_demux_feed(&m, in.buf + off, n), 0);
		}
		assert_true(docker_demux_complete(&m));
		assert_int_equal(out.len, 6 + big.len);
		assert_memory_equal(out.buf, "hello ", 6);
		assert_memory_equal(out.buf + 6, big.buf, big.len);
		assert_string_equal(err.buf, "warn\nend");
		sb_release(&out);
		sb_release(&err);
	}
	sb_release(&in);
	sb_release(&big);
}

static void test_demux_malformed_and_partial(void **state)
{
	struct sb out = SB_INIT, err = SB_INIT;
	struct docker_demux m;
	/* A TTY stream (raw text) mistaken for a multiplexed one. */
	static const char raw[] = "Linux 6.1\n";

	(void)state;
	sb_init(&out);
	sb_init(&err);
	docker_demux_init(&m, &out, &err);
	assert_int_equal(docker_demux_feed(&m, raw, sizeof(raw) - 1), -1);

	docker_demux_init(&m, &out, &err);
	assert_int_equal(docker_demux_feed(&m, "\1\0\0\0\0\0\0\5ab", 10), 0);
	assert_false(docker_demux_complete(&m)); /* 3 bytes still owed */
	assert_int_equal(docker_demux_feed(&m, "cde", 3), 0);
	assert_true(docker_demux_complete(&m));
	assert_int_equal(docker_demux_feed(&m, "\2\0\0", 3), 0);
	assert_false(docker_demux_complete(&m)); /* half a header */
	assert_string_equal(out.buf, "abcde");
	sb_release(&out);
	sb_release(&err);
}

/* A runaway command's output is capped, and the stream stays in step. */
static void test_demux_cap(void **state)
{
	struct sb in = SB_INIT, out = SB_INIT, err = SB_INIT;
	struct docker_demux m;

	(void)state;
	sb_init(&in);
	sb_init(&out);
	sb_init(&err);
	frame(&in, 1, "0123456789", 10);
	frame(&in, 2, "e", 1);
	frame(&in, 1, "abc", 3);
	docker_demux_init(&m, &out, &err);
	m.max = 8;
	assert_int_equal(docker_demux_feed(&m, in.buf, in.len), 0);
	assert_true(docker_demux_complete(&m));
	assert_string_equal(out.buf, "01234567");
	assert_string_equal(err.buf, "e");
	assert_int_equal(m.dropped, 5);
	sb_release(&in);
	sb_release(&out);
	sb_release(&err);
}

static char *tmpdir_path;

static int make_tmpdir(void)
{
	char tmpl[] = "/tmp/vbtest-docker.XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	tmpdir_path = xstrdup(tmpl);
	return 0;
}

static int run(const char *fmt, ...) VB_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
	va_list ap;
	struct sb sb = SB_INIT;
	int rc;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	rc = system(sb.buf);
	sb_release(&sb);
	return rc;
}

static void test_tar_read_back_by_tar(void **state)
{
	struct sb tar = SB_INIT, got = SB_INIT;
	char long_name[200], *path, *listing;
	unsigned char data[1500];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	/* 3 * 40 + 1 + 39 = 160 characters: needs the ustar prefix field. */
	snprintf(long_name, sizeof(long_name), "%040d/%040d/%040d/%039d", 1, 2, 3, 4);
	sb_init(&tar);
	assert_int_equal(docker_tar_add_file(&tar, "opt/vb/forkbench", data,
					     sizeof(data), 0750), 0);
	assert_int_equal(docker_tar_add_file(&tar, long_name, "x", 1, 0644), 0);
	docker_tar_finish(&tar);
	assert_int_equal(tar.len % 512, 0);
	path = xasprintf("%s/t.tar", tmpdir_path);
	assert_int_equal(vb_write_file_atomic(path, tar.buf, tar.len, 0600), 0);

	/* GNU tar accepts it, with the right names, modes and contents. */
	listing = xasprintf("%s/list", tmpdir_path);
	assert_int_equal(run("tar -tvf %s > %s", path, listing), 0);
	assert_int_equal(sb_read_file(&got, listing), 0);
	assert_non_null(strstr(got.buf, "-rwxr-x--- root/root      1500"));
	assert_non_null(strstr(got.buf, " opt/vb/forkbench\n"));
	assert_non_null(strstr(got.buf, long_name));
	sb_reset(&got);
	assert_int_equal(run("mkdir -p %s/x && tar -C %s/x -xf %s", tmpdir_path,
			     tmpdir_path, path), 0);
	free(listing);
	listing = xasprintf("%s/x/opt/vb/forkbench", tmpdir_path);
	assert_int_equal(sb_read_file(&got, listing), 0);
	assert_int_equal(got.len, sizeof(data));
	assert_memory_equal(got.buf, data, sizeof(data));

	/* Names tar cannot hold are refused, not truncated. */
	assert_true(docker_tar_add_file(&tar, "/abs/path", "x", 1, 0644) < 0);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_true(docker_tar_add_file(&tar, long_name, "x", 1, 0644) < 0);
	free(listing);
	free(path);
	sb_release(&tar);
	sb_release(&got);
}

static void test_docker_host_parsing(void **state)
{
	char *s;

	(void)state;
	s = docker_host_to_socket(NULL);
	assert_string_equal(s, "/var/run/docker.sock");
	free(s);
	s = docker_host_to_socket("");
	assert_string_equal(s, "/var/run/docker.sock");
	free(s);
	s = docker_host_to_socket("unix:///run/user/1000/docker.sock");
	assert_string_equal(s, "/run/user/1000/docker.sock");
	free(s);
	assert_null(docker_host_to_socket("tcp://127.0.0.1:2375"));
	assert_null(docker_host_to_socket("unix://"));
}

/* The daemon is not there: one line naming the socket and the reason. */
static void test_unreachable_daemon_names_socket(void **state)
{
	char *old = xstrdup(getenv("DOCKER_HOST"));
	char *sock = xasprintf("%s/missing.sock", tmpdir_path);
	char *host = xasprintf("unix://%s", sock);
	struct sockaddr_un sa;
	struct docker *d;
	int fd;

	(void)state;
	setenv("DOCKER_HOST", host, 1);
	d = docker_open(1);
	assert_non_null(d);
	assert_string_equal(docker_socket_path(d), sock);
	assert_true(docker_ping(d) < 0);
	assert_non_null(strstr(docker_last_error(d), sock));
	assert_non_null(strstr(docker_last_error(d), "No such file or directory"));
	assert_non_null(strstr(docker_last_error(d), "is dockerd running?"));
	assert_null(strchr(docker_last_error(d), '\n'));

	/* A socket file nobody listens on (a crashed daemon). */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_true(docker_ping(d) < 0);
	assert_non_null(strstr(docker_last_error(d), "Connection refused"));
	docker_close(d);

	setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
	assert_null(docker_open(1));
	if (old)
		setenv("DOCKER_HOST", old, 1);
	else
		unsetenv("DOCKER_HOST");
	free(old);
	free(sock);
	free(host);
}

/* ---- against the real daemon ----------------------------------------- */

static struct docker *live;       /* NULL: no daemon, live tests skip */
static char *mini_image;          /* tag of the tiny test image */
static char *mini_container;      /* a running container of it */
static char run_uuid[37];

/* A root file system of the host's own sh and a few coreutils with their
 * shared libraries: enough for sleep infinity, timeout(1) and the tests. */
static int build_mini_rootfs(const char *dir)
{
	return run("set -e; d=%s; mkdir -p $d/bin $d/tmp $d/etc; "
		   "for b in sh sleep timeout cat head ls rm mkdir awk stat; do "
		   "  p=$(command -v $b); cp -L $p $d/bin/$b; "
		   "  for l in $(ldd $p | grep -o '/[^ ]*'); do "
		   "    mkdir -p $d$(dirname $l); cp -L $l $d$l; done; "
		   "done", dir);
}

static int live_setup(void **state)
{
	char *rootfs = xasprintf("%s/rootfs", tmpdir_path);
	cJSON *cfg = NULL, *arr;
	char *id = NULL;

	(void)state;
	vb_uuid(run_uuid);
	live = docker_open(1);
	if (!live || docker_ping(live) < 0) {
		fprintf(stderr, "skipping live docker tests: %s\n",
			live ? docker_last_error(live) : "DOCKER_HOST unsupported");
		docker_close(live);
		live = NULL;
		goto out;
	}
	if (build_mini_rootfs(rootfs) != 0) {
		fprintf(stderr, "cannot build the test root file system\n");
		goto fail;
	}
	mini_image = xasprintf("virtbench-test-mini:%ld", (long)getpid());
	if (docker_image_import_rootfs(rootfs, mini_image) < 0)
		goto fail;
	cfg = cJSON_CreateObject();
	cJSON_AddStringToObject(cfg, "Image", mini_image);
	arr = cJSON_AddArrayToObject(cfg, "Cmd");
	cJSON_AddItemToArray(arr, cJSON_CreateString("sleep"));
	cJSON_AddItemToArray(arr, cJSON_CreateString("infinity"));
	cJSON_AddItemToObject(cfg, "Labels", cJSON_CreateObject());
	/* Not virtbench.run: a concurrent "virtbench cleanup" would take it
	 * for a leftover. */
	cJSON_AddStringToObject(cJSON_GetObjectItem(cfg, "Labels"), "virtbench.test", run_uuid);
	cJSON_AddItemToObject(cfg, "HostConfig", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(cfg, "HostConfig"), "NetworkMode", "none");
	cJSON_AddTrueToObject(cJSON_GetObjectItem(cfg, "HostConfig"), "Init");
	{
		char *name = xasprintf("virtbench-test-%.8s", run_uuid);
		int rc = docker_container_create(live, name, cfg, &id);

		free(name);
		if (rc < 0)
			goto fail;
	}
	mini_container = id;
	if (docker_container_start(live, id) < 0)
		goto fail;
out:
	cJSON_Delete(cfg);
	free(rootfs);
	return 0;
fail:
	fprintf(stderr, "live setup failed: %s\n", docker_last_error(live));
	cJSON_Delete(cfg);
	free(rootfs);
	return -1;
}

static int live_teardown(void **state)
{
	(void)state;
	if (live) {
		if (mini_container)
			docker_container_remove(live, mini_container);
		if (mini_image)
			docker_image_remove(live, mini_image);
	}
	docker_close(live);
	free(mini_image);
	free(mini_container);
	if (tmpdir_path)
		run("rm -rf %s", tmpdir_path);
	return 0;
}

#define NEED_LIVE() do { if (!live) { skip(); return; } } while (0)

static void test_live_version_and_missing_image(void **state)
{
	cJSON *v = NULL, *img = NULL;

	(void)state;
	NEED_LIVE();
	assert_int_equal(docker_version(live, &v), 0);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(v, "ApiVersion")));
	cJSON_Delete(v);
	assert_int_equal(docker_image_inspect(live, "virtbench-no-such-image:nope", &img),
			 DOCKER_ENOTFOUND);
	assert_null(img);
	assert_int_equal(docker_image_inspect(live, mini_image, &img), 0);
	assert_non_null(strstr(cJSON_GetObjectItem(img, "Id")->valuestring, "sha256:"));
	cJSON_Delete(img);
}

static void test_live_exec_output_and_status(void **state)
{
	struct docker_exec_result r;
	/* 3 MiB on stdout and lines on stderr, interleaved frames. */
	char *argv[] = { "sh", "-c",
			 "echo first >&2; head -c 3145728 /dev/zero; echo last >&2; exit 42",
			 NULL };
	char *argv2[] = { "sh", "-c", "pwd", NULL };

	(void)state;
	NEED_LIVE();
	assert_int_equal(docker_exec(live, mini_container, argv, NULL, 60, NULL, &r), 0);
	assert_int_equal(r.exit_code, 42);
	assert_false(r.timed_out);
	assert_string_equal(r.err, "first\nlast\n");
	for (size_t i = 0; i < 3145728; i++)
		if (r.out[i] != 0)
			fail_msg("stdout byte %zu is %d", i, r.out[i]);
	assert_int_equal(r.out[3145728], '\0');
	docker_exec_result_clear(&r);

	assert_int_equal(docker_exec(live, mini_container, argv2, "/tmp", 0, NULL, &r), 0);
	assert_string_equal(r.out, "/tmp\n");
	assert_int_equal(r.exit_code, 0);
	docker_exec_result_clear(&r);
}

/* Without timeout(1) inside, the host-side deadline must still end a hung
 * command, and kill it rather than leave it running. */
static void test_live_exec_deadline_kills(void **state)
{
	struct docker_exec_result r;
	char *hang[] = { "sh", "-c", "echo started; sleep 300", NULL };
	char *check[] = { "sh", "-c",
			  "for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null; echo; done",
			  NULL };
	double t0 = vb_mono_time();

	(void)state;
	NEED_LIVE();
	assert_int_equal(docker_exec(live, mini_container, hang, NULL, 1.5, NULL, &r), 0);
	assert_true(r.timed_out);
	assert_true(vb_mono_time() - t0 < 10);
	assert_string_equal(r.out, "started\n");
	assert_int_equal(r.exit_code, 137);
	docker_exec_result_clear(&r);
	assert_int_equal(docker_exec(live, mini_container, check, NULL, 30, NULL, &r), 0);
	assert_null(strstr(r.out, "sleep300"));
	docker_exec_result_clear(&r);
}

static volatile sig_atomic_t stop_flag;
static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void test_live_exec_interrupt(void **state)
{
	struct docker_exec_result r;
	char *hang[] = { "sleep", "300", NULL };
	struct sigaction sa;
	double t0;

	(void)state;
	NEED_LIVE();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	stop_flag = 0;
	alarm(1);
	t0 = vb_mono_time();
	assert_int_equal(docker_exec(live, mini_container, hang, NULL, 0, &stop_flag, &r), 0);
	assert_true(r.interrupted);
	assert_false(r.timed_out);
	assert_true(vb_mono_time() - t0 < 10);
	docker_exec_result_clear(&r);
	signal(SIGALRM, SIG_DFL);
}

static void test_live_archive_and_labels(void **state)
{
	struct docker_exec_result r;
	struct sb tar = SB_INIT;
	char *argv[] = { "sh", "-c", "cat /deep/new/dir/f; ls -l /deep/new/dir/f", NULL };
	char **ids = NULL, **vols = NULL;
	char *label = xasprintf("virtbench.test=%s", run_uuid);
	char *vol = xasprintf("virtbench-test-%.8s", run_uuid);
	cJSON *labels = NULL, *vl = cJSON_CreateObject();

	(void)state;
	NEED_LIVE();
	sb_init(&tar);
	assert_int_equal(docker_tar_add_file(&tar, "deep/new/dir/f", "payload\n", 8, 0751), 0);
	docker_tar_finish(&tar);
	assert_int_equal(docker_container_put_archive(live, mini_container, "/", tar.buf,
						      tar.len), 0);
	assert_int_equal(docker_exec(live, mini_container, argv, NULL, 30, NULL, &r), 0);
	assert_non_null(strstr(r.out, "payload\n-rwxr-x--x"));
	docker_exec_result_clear(&r);

	assert_int_equal(docker_container_list(live, label, &ids, &labels), 0);
	assert_int_equal(vb_strv_len(ids), 1);
	assert_string_equal(ids[0], mini_container);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(labels, 0),
						"virtbench.test")->valuestring, run_uuid);
	vb_strv_free(ids);
	cJSON_Delete(labels);

	cJSON_AddStringToObject(vl, "virtbench.test", run_uuid);
	assert_int_equal(docker_volume_create(live, vol, vl), 0);
	assert_int_equal(docker_volume_list(live, label, &vols, &labels), 0);
	assert_int_equal(vb_strv_len(vols), 1);
	assert_string_equal(vols[0], vol);
	vb_strv_free(vols);
	cJSON_Delete(labels);
	assert_int_equal(docker_volume_remove(live, vol), 0);
	assert_int_equal(docker_volume_remove(live, vol), 0); /* idempotent */
	assert_int_equal(docker_volume_list(live, label, &vols, NULL), 0);
	assert_int_equal(vb_strv_len(vols), 0);
	vb_strv_free(vols);
	cJSON_Delete(vl);
	sb_release(&tar);
	free(label);
	free(vol);
}

/* The platform's whole life cycle on the tiny image. */
static void test_live_platform_lifecycle(void **state)
{
	struct platform_opts o;
	struct platform *p;
	struct exec_result r = { 0 };
	cJSON *desc, *ins = NULL;
	char *local = xasprintf("%s/payload", tmpdir_path);
	char *id, *name;
	/* The second names its variant: the label beats --network. */
	const char *names[] = { "docker", "docker:none+overlay" };

	(void)state;
	NEED_LIVE();
	memset(&o, 0, sizeof(o));
	o.run_uuid = run_uuid;
	o.image = mini_image;
	o.network = "none";
	o.vcpus = 1;
	o.memory_mib = 256;
	assert_int_equal(vb_write_file_atomic(local, "#!/bin/sh\necho ran $0\n", 22, 0600), 0);
	for (int k = 0; k < 2; k++) {
		o.network = k ? "host" : "none";
		p = platform_new(names[k], &o);
		assert_non_null(p);
		assert_int_equal(p->ops->start(p), 0);
		assert_true(p->started);
		assert_null(p->host_addr); /* network none: no way to the host */
		id = xstrdup(p->instance_id);
		name = xasprintf("virtbench-%.8s-%s", run_uuid,
				 k ? "docker-none-overlay" : "docker");

		assert_int_equal(docker_container_inspect(live, name, &ins), 0);
		assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(ins, "HostConfig"),
						     "NanoCpus")->valuedouble, 1e9);
		assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(ins, "HostConfig"),
						     "Memory")->valuedouble, 256.0 * 1048576);
		cJSON_Delete(ins);

		assert_int_equal(p->ops->exec(p, "pwd; echo oops >&2; exit 3", 30, &r), 0);
		assert_string_equal(r.out, "/virtbench\n");
		assert_string_equal(r.err, "oops\n");
		assert_int_equal(r.exit_status, 3);
		assert_false(r.timed_out);

		/* timeout(1) inside ends a hung benchmark at its deadline. */
		assert_int_equal(p->ops->exec(p, "sleep 100", 1, &r), 0);
		assert_true(r.timed_out);
		assert_int_equal(r.exit_status, 137);
		assert_true(r.duration < 5);

		assert_int_equal(p->ops->put_file(p, local, "/opt/vb/bench", 0755), 0);
		assert_int_equal(p->ops->put_file(p, local, "rel", 0700), 0);
		assert_int_equal(p->ops->exec(p, "/opt/vb/bench && ./rel", 30, &r), 0);
		assert_string_equal(r.out, "ran /opt/vb/bench\nran ./rel\n");

		/* Paused: exec is refused with the daemon's reason. */
		assert_int_equal(p->ops->pause(p), 0);
		assert_true(p->paused);
		assert_true(p->ops->exec(p, "true", 10, &r) < 0);
		assert_non_null(strstr(r.err, "paused"));
		assert_int_equal(p->ops->resume(p), 0);
		assert_int_equal(p->ops->exec(p, "true", 10, &r), 0);
		assert_int_equal(r.exit_status, 0);

		desc = cJSON_CreateObject();
		assert_int_equal(p->ops->describe(p, desc), 0);
		assert_string_equal(cJSON_GetObjectItem(desc, "kind")->valuestring, "docker");
		assert_string_equal(cJSON_GetObjectItem(desc, "storage")->valuestring,
				    k ? "overlay" : "volume");
		assert_string_equal(cJSON_GetObjectItem(desc, "network_mode")->valuestring, "none");
		assert_int_equal(cJSON_GetObjectItem(desc, "vcpus")->valueint, 1);
		assert_int_equal(cJSON_GetObjectItem(desc, "memory_mib")->valueint, 256);
		assert_true(cJSON_IsString(cJSON_GetObjectItem(desc, "cgroup_version")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(desc, "storage_driver")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(desc, "daemon_version")));
		/* The tiny image has no sysbench: recorded, not guessed. */
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(desc, "tools"),
							"sysbench")->valuestring, "missing");
		cJSON_Delete(desc);

		p->ops->teardown(p);
		p->ops->teardown(p); /* idempotent */
		assert_int_equal(docker_container_inspect(live, id, &ins), DOCKER_ENOTFOUND);
		{
			char **vols = NULL;
			char *label = xasprintf("virtbench.run=%s", run_uuid);

			assert_int_equal(docker_volume_list(live, label, &vols, NULL), 0);
			assert_int_equal(vb_strv_len(vols), 0);
			vb_strv_free(vols);
			free(label);
		}
		platform_free(p);
		free(id);
		free(name);
	}
	exec_result_clear(&r);
	free(local);
}

/* Settings applied for real and observed: the container's seccomp mode,
 * cgroup quota and limit, and the file system of its work directory. */
static void test_live_platform_settings_verified(void **state)
{
	static const char *const keys[] = { "storage", "seccomp", "cpus", "memory",
					    "network" };
	struct platform_opts o = { 0 };
	struct platform_settings s = { 0 };
	struct platform *p;
	cJSON *desc;

	(void)state;
	NEED_LIVE();
	o.run_uuid = run_uuid;
	o.image = mini_image;
	s.kind = xstrdup("docker");
	assert_int_equal(platform_settings_set(&s, "storage", "overlay", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "seccomp", "unconfined", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "cpus", "0.5", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "memory", "300", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "network", "none", "t"), 0);
	p = platform_new_with("docker-set", "docker", &o, &s);
	assert_int_equal(p->ops->start(p), 0);
	desc = cJSON_CreateObject();
	assert_int_equal(p->ops->describe(p, desc), 0);
	for (size_t i = 0; i < 5; i++) {
		char *path = xasprintf("verified.%s.ok", keys[i]);

		if (!cJSON_IsTrue(jget(desc, path)))
			fail_msg("%s not verified: %s", keys[i],
				 cJSON_PrintUnformatted(jget(desc, "verified")));
		free(path);
	}
	assert_string_equal(jget(desc, "verified.seccomp.observed")->valuestring,
			    "unconfined");
	assert_string_equal(jget(desc, "verified.cpus.observed")->valuestring, "0.5");
	assert_string_equal(jget(desc, "verified.memory.observed")->valuestring, "300");
	assert_string_equal(jget(desc, "verified.storage.observed")->valuestring,
			    "overlay");
	assert_string_equal(jget(desc, "settings.cpus")->valuestring, "0.5");
	cJSON_Delete(desc);
	platform_free(p);
	platform_settings_clear(&s);
}

static void test_live_platform_probe_reasons(void **state)
{
	struct platform_opts o;
	struct platform *p;
	char *reason = NULL;
	cJSON *net = NULL;
	int has_bridge;

	(void)state;
	/* Which image: a Docker reference, never the VMs' disk file. */
	memset(&o, 0, sizeof(o));
	assert_string_equal(platform_docker_image(&o), DOCKER_DEFAULT_IMAGE);
	o.image = "/var/lib/virtbench/base.qcow2";
	assert_string_equal(platform_docker_image(&o), DOCKER_DEFAULT_IMAGE);
	o.image = "registry.local:5000/bench:v2";
	assert_string_equal(platform_docker_image(&o), "registry.local:5000/bench:v2");
	NEED_LIVE();
	o.network = "host";
	o.image = "virtbench-no-such-image:nope";
	assert_int_equal(platform_docker_ops.probe("docker", &o, &reason), 0);
	assert_non_null(strstr(reason, "virtbench-no-such-image:nope not found"));
	assert_non_null(strstr(reason, "virtbench image docker"));
	free(reason);

	/* start() says the same, and leaves nothing behind. */
	o.run_uuid = run_uuid;
	p = platform_new("docker", &o);
	assert_true(p->ops->start(p) < 0);
	assert_non_null(strstr(p->unavailable_reason, "virtbench image docker"));
	platform_free(p);

	/* The users' default, bridge, on a daemon without one. */
	o.image = mini_image;
	o.network = NULL;
	has_bridge = docker_network_inspect(live, "bridge", &net) == 0;
	cJSON_Delete(net);
	reason = NULL;
	assert_int_equal(platform_docker_ops.probe("docker", &o, &reason), has_bridge);
	if (!has_bridge) {
		assert_non_null(strstr(reason, "--bridge=none"));
		assert_non_null(strstr(reason, "--network host"));
	}
	free(reason);
}

/* cleanup removes what a dead collector left, and keeps a live one's. */
static void test_live_platform_cleanup(void **state)
{
	struct platform_opts o;
	struct platform *p;
	cJSON *cfg, *labels, *ins = NULL;
	char *dead = NULL, *name;
	char uuid[37];
	int removed = 0;

	(void)state;
	NEED_LIVE();
	/* A run of its own: the other tests' containers are not leftovers. */
	vb_uuid(uuid);
	memset(&o, 0, sizeof(o));
	o.run_uuid = uuid;
	o.image = mini_image;
	o.network = "none";
	p = platform_new("docker", &o);
	assert_int_equal(p->ops->start(p), 0);
	name = xasprintf("virtbench-%.8s-deadowner", uuid);

	/* What a SIGKILLed collector leaves: its pid no longer runs (pid 1
	 * never has start time 1). */
	cfg = cJSON_CreateObject();
	cJSON_AddStringToObject(cfg, "Image", mini_image);
	cJSON_AddItemToObject(cfg, "Cmd", cJSON_CreateStringArray((const char *[]){ "true" }, 1));
	labels = cJSON_AddObjectToObject(cfg, "Labels");
	cJSON_AddStringToObject(labels, "virtbench.run", uuid);
	{
		char *owner = xasprintf("%s:1:1", vb_hostname());

		cJSON_AddStringToObject(labels, "virtbench.owner", owner);
		free(owner);
	}
	assert_int_equal(docker_container_create(live, name, cfg, &dead), 0);
	assert_int_equal(platform_docker_ops.cleanup(&o, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(docker_container_inspect(live, dead, &ins), DOCKER_ENOTFOUND);
	assert_int_equal(docker_container_inspect(live, p->instance_id, &ins), 0);
	cJSON_Delete(ins);
	platform_free(p);
	cJSON_Delete(cfg);
	free(dead);
	free(name);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_demux_any_chunking),
		cmocka_unit_test(test_demux_malformed_and_partial),
		cmocka_unit_test(test_demux_cap),
		cmocka_unit_test(test_tar_read_back_by_tar),
		cmocka_unit_test(test_docker_host_parsing),
		cmocka_unit_test(test_unreachable_daemon_names_socket),
		cmocka_unit_test(test_create_body_settings),
	};
	const struct CMUnitTest online[] = {
		cmocka_unit_test(test_live_version_and_missing_image),
		cmocka_unit_test(test_live_exec_output_and_status),
		cmocka_unit_test(test_live_exec_deadline_kills),
		cmocka_unit_test(test_live_exec_interrupt),
		cmocka_unit_test(test_live_archive_and_labels),
		cmocka_unit_test(test_live_platform_lifecycle),
		cmocka_unit_test(test_live_platform_settings_verified),
		cmocka_unit_test(test_live_platform_probe_reasons),
		cmocka_unit_test(test_live_platform_cleanup),
	};
	int fails;

	vb_verbosity = 0; /* expected errors would clutter the output */
	unsetenv("VIRTBENCH_DOCKER_IMAGE"); /* the tests name their image */
	if (make_tmpdir() < 0)
		return 1;
	fails = cmocka_run_group_tests_name("docker_api offline", offline, NULL, NULL);
	fails += cmocka_run_group_tests_name("docker_api live", online, live_setup,
					     live_teardown);
	return fails ? 1 : 0;
}
