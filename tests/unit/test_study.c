/*
 * tests/unit/test_study.c - study files (collect/study.c) and per-platform
 * settings (platform/settings.c): the shipped studies parse; every bad
 * study is refused with FILE:LINE and the reason (unknown section or key,
 * no kind, a setting the kind does not take, a value outside its domain,
 * settings that conflict); --set finds its platform and names itself in
 * errors; --network applies only to the kinds whose mode it is; settings
 * survive the round trip through the run's params JSON.
 *
 * Guards against: a typo in a study becoming a default setting (a
 * "disk_cahce" that silently measures cache=none twice), and a setting
 * accepted for a kind that ignores it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "collect/study.h"
#include "common/util.h"

/* Runs fn with stderr captured into msg. */
#define CAPTURE(msg, call) do {						\
		FILE *tmp_ = tmpfile();					\
		int saved_;						\
		size_t n_;						\
		assert_non_null(tmp_);					\
		fflush(stderr);						\
		saved_ = dup(2);					\
		dup2(fileno(tmp_), 2);					\
		call;							\
		fflush(stderr);						\
		dup2(saved_, 2);					\
		close(saved_);						\
		rewind(tmp_);						\
		n_ = fread(msg, 1, sizeof(msg) - 1, tmp_);		\
		msg[n_] = '\0';						\
		fclose(tmp_);						\
	} while (0)

static void refused(const char *text, const char *where, const char *why)
{
	struct study *s = NULL;
	char msg[1024] = "";
	int ret = 0;

	CAPTURE(msg, ret = study_parse(text, "bad.study", &s));
	assert_int_equal(ret, -1);
	assert_null(s);
	if (strncmp(msg, where, strlen(where)) || !strstr(msg, why))
		fail_msg("study:\n%s\nmessage \"%s\" lacks \"%s\" ... \"%s\"", text,
			 msg, where, why);
	if (strchr(msg, '\n') != msg + strlen(msg) - 1)
		fail_msg("message is not one line: %s", msg);
}

static const char good[] =
	"# a comment\n"
	"[study]\n"
	"name = t\n"
	"suite = disk\n"
	"benchmarks = diskRandWrite, diskMixed\n"
	"reps = 4\n"
	"duration = 2\n"
	"\n"
	"[platform native]\n"
	"kind = native\n"
	"[platform qemu-wb]\n"
	"disk_cache = writeback\n"   /* before its kind: checked at the end */
	"kind = qemu\n"
	"disk_bus = scsi\n"
	"vcpus = 1\n"
	"[platform d1]\n"
	"kind = docker\n"
	"storage = overlay\n"
	"cpus = 0.5\n"
	"seccomp = unconfined\n";

static void test_parse_good(void **state)
{
	struct study *s = NULL;

	(void)state;
	assert_int_equal(study_parse(good, "good.study", &s), 0);
	assert_string_equal(s->name, "t");
	assert_string_equal(s->suite, "disk");
	assert_int_equal(vb_strv_len(s->benchmarks), 2);
	assert_string_equal(s->benchmarks[1], "diskMixed");
	assert_int_equal(s->reps, 4);
	assert_int_equal(s->duration, 2);
	assert_int_equal(s->n_plat, 3);
	assert_string_equal(s->plat[1].name, "qemu-wb");
	assert_string_equal(s->plat[1].settings.kind, "qemu");
	assert_int_equal(s->plat[1].line, 11);
	assert_string_equal(platform_settings_get(&s->plat[1].settings,
						  "disk_cache"), "writeback");
	assert_string_equal(platform_settings_get(&s->plat[1].settings,
						  "disk_bus"), "scsi");
	assert_null(platform_settings_get(&s->plat[1].settings, "disk_io"));
	assert_int_equal(s->plat[0].settings.n, 0);
	assert_string_equal(platform_settings_get(&s->plat[2].settings, "cpus"),
			    "0.5");
	assert_non_null(strstr(s->text, "# a comment"));
	study_free(s);
}

/* An ssh platform named apart from its target carries the target. */
static void test_ssh_kind(void **state)
{
	struct study *s = NULL;

	(void)state;
	assert_int_equal(study_parse("[platform far]\nkind = ssh:bench@10.0.0.5:2222\n"
				     "[platform ssh:u@h]\nkind = ssh\n", "s.study", &s), 0);
	assert_string_equal(s->plat[0].settings.kind, "ssh");
	assert_string_equal(s->plat[0].settings.address, "ssh:bench@10.0.0.5:2222");
	assert_null(s->plat[1].settings.address);
	study_free(s);
	refused("[platform far]\nkind = ssh:u@h\nmemory = 512\n", "bad.study:3",
		"does not apply to kind ssh");
}

static void test_shipped_studies(void **state)
{
	static const char *const files[] = { "studies/classic.study",
		"studies/disk-cache.study", "studies/docker-storage.study",
		"studies/demo.study" };

	(void)state;
	for (size_t i = 0; i < VB_ARRAY_SIZE(files); i++) {
		struct study *s = NULL;

		if (study_load(files[i], &s) < 0)
			fail_msg("%s does not parse", files[i]);
		assert_true(s->n_plat >= 3);
		study_free(s);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	refused("[study]\nreps = 3\n", "bad.study", "no [platform NAME] section");
	refused("[studies]\n", "bad.study:1", "unknown section [studies]");
	refused("[study]\nsuit = disk\n", "bad.study:2", "unknown key 'suit'");
	refused("kind = qemu\n", "bad.study:1", "key outside a section");
	refused("[platform a]\nkind qemu\n", "bad.study:2", "expected 'key = value'");
	refused("[platform a]\n", "bad.study:1", "[platform a] has no kind");
	refused("[platform a]\nkind = vmware\n", "bad.study:2", "kind 'vmware' unknown");
	refused("[platform a]\nkind = qemu\nkind = kvm\n", "bad.study:3",
		"kind given twice");
	refused("[platform a]\nkind = qemu\n[platform a]\nkind = kvm\n",
		"bad.study:3", "platform a given twice (first on line 1)");
	refused("[platform -a]\nkind = qemu\n", "bad.study:1", "platform name '-a'");
	refused("[platform a b]\nkind = qemu\n", "bad.study:1", "platform name 'a b'");
	/* The typo the file comment is about. */
	refused("[platform a]\nkind = qemu\n\ndisk_cahce = writeback\n",
		"bad.study:4", "setting 'disk_cahce' unknown");
	refused("[platform a]\nkind = docker\ndisk_cache = none\n", "bad.study:3",
		"setting 'disk_cache' does not apply to kind docker");
	refused("[platform a]\nkind = native\nmemory = 512\n", "bad.study:3",
		"does not apply to kind native (it takes no settings)");
	refused("[platform a]\nkind = qemu\nstorage = overlay\n", "bad.study:3",
		"does not apply to kind qemu (it takes disk_cache");
	refused("[platform a]\nkind = qemu\ndisk_cache = fast\n", "bad.study:3",
		"disk_cache 'fast' is not one of none, writeback, writethrough, "
		"directsync, unsafe");
	refused("[platform a]\nkind = kvm\ndisk_bus = ide\n", "bad.study:3",
		"disk_bus 'ide' is not one of virtio, scsi, sata");
	refused("[platform a]\nkind = kvm\nvcpus = 0\n", "bad.study:3",
		"vcpus '0' is not a whole number from 1 to 1024");
	refused("[platform a]\nkind = kvm\nmemory = lots\n", "bad.study:3",
		"memory 'lots' is not a whole number");
	refused("[platform a]\nkind = docker\ncpus = -1\n", "bad.study:3",
		"cpus '-1' is not a number");
	refused("[platform a]\nkind = qemu\ncpu_mode = host-passthrough\n",
		"bad.study:3", "host-passthrough needs KVM");
	refused("[platform a]\nkind = qemu\ncpu_mode = a;b\n", "bad.study:3",
		"cpu_mode 'a;b' is not a CPU mode");
	refused("[platform a]\nkind = qemu\nnetwork = host\n", "bad.study:3",
		"network 'host' is not a guest network mode");
	refused("[platform a]\nkind = docker\nnetwork = user\n", "bad.study:3",
		"network 'user' is not a container network mode");
	refused("[platform a]\nkind = qemu\ndisk_cache =\n", "bad.study:3",
		"setting 'disk_cache' has no value");
	refused("[platform a]\nkind = qemu\ndisk_io = native\ndisk_cache = writeback\n",
		"bad.study:4", "disk_io native needs disk_cache none or directsync");
	refused("[platform b]\nkind = ssh\n", "bad.study:2",
		"kind ssh needs its target");
	refused("[study]\nreps = 3\ntarget_ci = 5\n[platform a]\nkind = native\n",
		"bad.study", "reps and target_ci exclude each other");
	refused("[study]\nreps = 3\nreps = 4\n", "bad.study:3", "reps given twice");
	refused("[study]\ntarget_ci = 100\n", "bad.study:2", "target_ci must be");
	refused("[study]\nbenchmarks = ,\n[platform a]\nkind = native\n",
		"bad.study:2", "benchmarks names none");
}

static void test_set_and_network(void **state)
{
	char *names[] = { "qemu:wb", "ssh:u@a.example", "docker", NULL };
	struct platform_settings s[3] = { { 0 } };
	char msg[512] = "";
	int ret = 0;

	(void)state;
	s[0].kind = xstrdup("qemu");
	s[1].kind = xstrdup("ssh");
	s[2].kind = xstrdup("docker");
	assert_int_equal(study_apply_set(names, s, 3, "qemu:wb.disk_cache=writeback"), 0);
	assert_string_equal(platform_settings_get(&s[0], "disk_cache"), "writeback");
	/* Set twice: the last value, one entry. */
	assert_int_equal(study_apply_set(names, s, 3, "qemu:wb.disk_cache=none"), 0);
	assert_int_equal(s[0].n, 1);
	assert_string_equal(platform_settings_get(&s[0], "disk_cache"), "none");
	CAPTURE(msg, ret = study_apply_set(names, s, 3, "qemu:xx.disk_cache=none"));
	assert_true(ret < 0);
	assert_non_null(strstr(msg, "--set qemu:xx.disk_cache: no platform qemu:xx"));
	/* A name with dots: the key is after the last one. */
	CAPTURE(msg, ret = study_apply_set(names, s, 3, "ssh:u@a.example.vcpus=2"));
	assert_true(ret < 0);
	assert_non_null(strstr(msg, "--set ssh:u@a.example.vcpus: setting 'vcpus' "
			       "does not apply to kind ssh"));
	CAPTURE(msg, ret = study_apply_set(names, s, 3, "docker.storage=tmpfs"));
	assert_true(ret < 0);
	assert_non_null(strstr(msg, "--set docker.storage: storage 'tmpfs'"));
	CAPTURE(msg, ret = study_apply_set(names, s, 3, "qemu:wb=1"));
	assert_true(ret < 0);
	assert_non_null(strstr(msg, "expected NAME.KEY=VALUE"));

	/* --network user is the guests'; docker keeps its own. */
	assert_int_equal(study_apply_network(s, 3, "user", NULL), 0);
	assert_string_equal(platform_settings_get(&s[0], "network"), "user");
	assert_null(platform_settings_get(&s[1], "network"));
	assert_null(platform_settings_get(&s[2], "network"));
	assert_int_equal(study_apply_network(s, 3, "user", "host"), 0);
	assert_string_equal(platform_settings_get(&s[2], "network"), "host");
	assert_int_equal(study_apply_network(s, 3, "none", NULL), 0);
	assert_string_equal(platform_settings_get(&s[0], "network"), "user");
	assert_string_equal(platform_settings_get(&s[2], "network"), "none");
	for (int i = 0; i < 3; i++)
		platform_settings_clear(&s[i]);
}

/* What the collector stores in the run's params comes back the same,
 * and a stored setting this build would refuse is refused on resume. */
static void test_json_round_trip(void **state)
{
	struct platform_settings s = { 0 }, back = { 0 };
	cJSON *j, *bad;
	char msg[512] = "";
	int ret = 0;

	(void)state;
	s.kind = xstrdup("kvm");
	assert_int_equal(platform_settings_set(&s, "disk_io", "io_uring", "t"), 0);
	assert_int_equal(platform_settings_set(&s, "memory", "1024", "t"), 0);
	j = platform_settings_json(&s);
	assert_int_equal(platform_settings_from_json(&back, "kvm", j, "run x"), 0);
	assert_string_equal(back.kind, "kvm");
	assert_int_equal(back.n, 2);
	assert_string_equal(platform_settings_get(&back, "disk_io"), "io_uring");
	assert_string_equal(platform_settings_get(&back, "memory"), "1024");
	bad = cJSON_Parse("{\"seccomp\": \"default\"}");
	CAPTURE(msg, ret = platform_settings_from_json(&back, "kvm", bad, "run x"));
	assert_true(ret < 0);
	assert_non_null(strstr(msg, "run x: setting 'seccomp' does not apply to kind kvm"));
	assert_string_equal(platform_settings_keys("docker")[0], "storage");
	assert_null(platform_settings_keys("native")[0]);
	cJSON_Delete(j);
	cJSON_Delete(bad);
	platform_settings_clear(&s);
	platform_settings_clear(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_shipped_studies),
		cmocka_unit_test(test_ssh_kind),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_set_and_network),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
