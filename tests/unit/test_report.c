/*
 * tests/unit/test_report.c - the report's answers and validity checks
 * (report/answers.c, checks.c) and its facts and model (facts.c, model.c), on a real
 * temporary database with recorded platform configurations:
 *   - disk: cache=writeback (guest beats native: caching artefact) vs
 *     cache=none (bypasses the host page cache);
 *   - cpu: KVM (hardware virtualization) vs TCG (software translation),
 *     and TCG faster than KVM flagged as against the expected direction;
 *   - docker: volume vs overlay layer;
 *   - uplink: user-mode networking;
 *   - imported data without configuration: the missing fact is named;
 *   - a configuration that differs between runs; an unavailable platform
 *     with its reason; database text that must not break Markdown;
 *   - a guest or container faster than its own host on cpu/mem: flagged
 *     as implausible only when the interval's low end is above 1.05;
 *   - a guest of a remote libvirtd (libvirt_host recorded) compared with
 *     native on the collecting host: warned once, qualified in each answer,
 *     with the ssh baseline that fixes it; same-machine checks skip it;
 *     no warning once the baseline is that machine;
 *   - the answers up front (report/summary.c): verdict, the interval it
 *     rests on, the mechanism inferred from facts, at most ~80 words;
 *   - the HTML page (report/html.c): ids, contents, tables, no raw HTML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/db.h"
#include "report/report.h"
#include "report/answers.h"
#include "report/template.h"

#define REPS 8

struct fixture {
	char dir[64];
	char *path;
	struct db *db;
	struct analyze_set *set;
	struct report_facts facts;
};

static int64_t host_id, bench_cpu, bench_disk, bench_up;

/* Values around mean with a fixed +/-2 % pattern: deterministic, n = 8. */
static void samples(struct db *db, int64_t run, int64_t plat, int64_t bench,
		    double mean)
{
	static const double pat[REPS] = { -2, 1, 0, 2, -1, 1, -2, 1 };

	for (int i = 0; i < REPS; i++) {
		struct db_sample s = {
			.run_id = run, .platform_id = plat, .benchmark_id = bench,
			.repetition = i + 1, .has_value = 1,
			.value = mean * (1 + pat[i] / 100.0), .status = "ok",
			.parser = "test", .parser_version = 1,
			.started_at = "2026-01-01T00:00:00.000Z", .duration = 1,
		};

		assert_int_equal(db_sample_insert(db, &s), 0);
	}
}

static int64_t run_new(struct db *db, const char *started, const char *status)
{
	struct db_run r = { .host_id = host_id, .suite = "classic",
			    .params = "{\"duration\":5}", .seed = 42,
			    .has_seed = 1, .started_at = started,
			    .status = status };
	int64_t id;

	assert_int_equal(db_run_create(db, &r, &id), 0);
	return id;
}

/* A platform in run with config (NULL = none recorded) and three means
 * (0 = no samples of that benchmark). */
static void platform(struct db *db, int64_t run, const char *name,
		     const char *kind, const char *config, const char *state,
		     const char *reason, double cpu, double disk, double up)
{
	int64_t id;

	assert_int_equal(db_platform_ensure(db, host_id, name, kind, &id), 0);
	assert_int_equal(db_run_platform_set(db, run, id, config, NULL,
					     state ? state : "ok", reason), 0);
	if (cpu)
		samples(db, run, id, bench_cpu, cpu);
	if (disk)
		samples(db, run, id, bench_disk, disk);
	if (up)
		samples(db, run, id, bench_up, up);
}

#define KVM(cache) "{\"kind\":\"kvm\",\"accelerator\":\"kvm\",\"vcpus\":2," \
	"\"memory_mib\":2048,\"cpu_model\":\"host-passthrough\"," \
	"\"disk_bus\":\"virtio\",\"disk_cache\":\"" cache "\"," \
	"\"disk_format\":\"qcow2\",\"network_mode\":\"user\"}"
#define TCG "{\"kind\":\"qemu\",\"accelerator\":\"tcg\",\"vcpus\":2," \
	"\"memory_mib\":2048,\"cpu_model\":\"qemu64\",\"disk_bus\":\"virtio\"," \
	"\"disk_cache\":\"none\",\"network_mode\":\"user\"}"
#define DOCKER(st) "{\"kind\":\"docker\",\"accelerator\":\"none\"," \
	"\"storage\":\"" st "\",\"storage_driver\":\"overlay2\"," \
	"\"network_mode\":\"host\"}"

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct analyze_opts ao = { 0 };
	int64_t run1, run2;

	strcpy(f->dir, "/tmp/vbreport.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/t.db", f->dir);
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	assert_int_equal(db_host_ensure_named(f->db, "h1", 0, &host_id), 0);
	assert_int_equal(db_benchmark_ensure(f->db, "cpu", "events/s", "higher", &bench_cpu), 0);
	assert_int_equal(db_benchmark_ensure(f->db, "diskRand", "MiB/s", "higher", &bench_disk), 0);
	assert_int_equal(db_benchmark_ensure(f->db, "uplink", "Mbit/s", "higher", &bench_up), 0);

	run1 = run_new(f->db, "2026-01-01T00:00:00.000Z", "complete");
	platform(f->db, run1, "native", "native",
		 "{\"kind\":\"native\",\"accelerator\":\"none\",\"network_mode\":\"host\","
		 "\"tools\":{\"sysbench\":\"sysbench 1.0.20\"}}",
		 NULL, NULL, 4500, 240, 20000);
	/* writeback: reads from the host page cache, faster than native */
	platform(f->db, run1, "kvm-wb", "kvm", KVM("writeback"), NULL, NULL,
		 4450, 400, 9000);
	platform(f->db, run1, "kvm-none", "kvm", KVM("none"), NULL, NULL,
		 4400, 150, 9000);
	/* TCG faster than KVM on disk: against the expected direction */
	platform(f->db, run1, "qemu", "qemu", TCG, NULL, NULL, 600, 200, 400);
	platform(f->db, run1, "docker-vol", "docker",
		 "{\"kind\":\"docker\",\"accelerator\":\"none\",\"storage\":\"volume\","
		 "\"network_mode\":\"host\",\"tools\":{\"sysbench\":\"sysbench 1.0.18\"}}",
		 NULL, NULL, 4490, 238, 19000);
	platform(f->db, run1, "docker-ovl", "docker", DOCKER("overlay"), NULL,
		 NULL, 4490, 180, 19000);
	/* imported: the platform is called kvm but nothing was recorded */
	platform(f->db, run1, "kvm", "kvm", NULL, NULL, NULL, 4000, 250, 0);
	platform(f->db, run1, "evil|name*`x", "unknown", NULL, NULL, NULL,
		 4100, 0, 0);
	platform(f->db, run1, "kvm-dead", "kvm", "{\"kind\":\"kvm\"}",
		 "unavailable", "kvm: failed to set MSR 0x10a", 0, 0, 0);
	/* the same platform with two cache modes in two runs */
	platform(f->db, run1, "kvm-mixed", "kvm", KVM("none"), NULL, NULL, 0, 200, 0);
	/* ... in a second run that was interrupted */
	run2 = run_new(f->db, "2026-01-02T00:00:00.000Z", "interrupted");
	platform(f->db, run2, "kvm-mixed", "kvm", KVM("writeback"), NULL, NULL, 0, 210, 0);

	assert_int_equal(analyze_load(f->db, &ao, &f->set), 0);
	assert_int_equal(report_facts_load(f->db, NULL, &f->facts), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };

	report_facts_clear(&f->facts);
	analyze_set_free(f->set);
	db_close(f->db);
	for (size_t i = 0; i < VB_ARRAY_SIZE(suffix); i++) {
		char *p = xasprintf("%s%s", f->path, suffix[i]);

		unlink(p);
		free(p);
	}
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static const struct analyze_group *group(struct fixture *f, const char *plat,
					 const char *bench)
{
	for (size_t i = 0; i < f->set->n_groups; i++)
		if (!strcmp(f->set->groups[i].platform, plat) &&
		    !strcmp(f->set->groups[i].benchmark, bench))
			return &f->set->groups[i];
	fail_msg("no group %s/%s", plat, bench);
	return NULL;
}

/* The answer for a platform and benchmark (owned). */
static char *answer(struct fixture *f, const char *plat, const char *bench)
{
	struct sb sb = SB_INIT;

	report_answer(&f->facts, f->set, group(f, plat, bench),
		      group(f, "native", bench), &sb);
	return sb_detach(&sb);
}

#define HAS(s, sub) do { if (!strstr((s), (sub))) \
	fail_msg("expected \"%s\" in:\n%s", (sub), (s)); } while (0)
#define HASNT(s, sub) do { if (strstr((s), (sub))) \
	fail_msg("did not expect \"%s\" in:\n%s", (sub), (s)); } while (0)

static void test_disk_writeback_vs_none(void **state)
{
	struct fixture *f = *state;
	char *wb = answer(f, "kvm-wb", "diskRand");
	char *none = answer(f, "kvm-none", "diskRand");

	HAS(wb, "cache=`writeback`");
	HAS(wb, "host's page cache");
	HAS(wb, "caching artefact");
	HAS(none, "cache=`none`");
	HAS(none, "bypass the host page cache");
	HASNT(none, "artefact");
	HASNT(none, "Under TCG");
	free(none);
	/* TCG's own I/O path is emulated too. */
	none = answer(f, "qemu", "diskRand");
	HAS(none, "Under TCG the guest's own I/O path");
	free(wb);
	free(none);
}

static void test_cpu_kvm_vs_tcg(void **state)
{
	struct fixture *f = *state;
	char *kvm = answer(f, "kvm-wb", "cpu");
	char *tcg = answer(f, "qemu", "cpu");

	HAS(kvm, "`kvm`");
	HAS(kvm, "VT-x/AMD-V");
	HAS(kvm, "`host-passthrough`");
	HASNT(kvm, "translates");
	HAS(tcg, "`tcg`");
	HAS(tcg, "translates every guest instruction");
	HAS(tcg, "is slower than **native**");
	HASNT(tcg, "VT-x");
	free(kvm);
	free(tcg);
}

static void test_docker_volume_vs_overlay(void **state)
{
	struct fixture *f = *state;
	char *vol = answer(f, "docker-vol", "diskRand");
	char *ovl = answer(f, "docker-ovl", "diskRand");

	HAS(vol, "Docker **volume**");
	HASNT(vol, "overlay layer**");
	HAS(ovl, "**overlay layer**");
	HAS(ovl, "`overlay2`");
	free(vol);
	free(ovl);
	/* A container's CPU result, and a tool build that differs from the
	 * baseline's (recorded on both sides) is pointed out. */
	vol = answer(f, "docker-vol", "cpu");
	ovl = answer(f, "docker-ovl", "cpu");
	HAS(vol, "directly on the host kernel");
	HAS(vol, "the tool differs: `sysbench 1.0.18` here, `sysbench 1.0.20` on native");
	HASNT(ovl, "the tool differs");
	free(vol);
	free(ovl);
}

static void test_uplink_user_mode(void **state)
{
	struct fixture *f = *state;
	char *up = answer(f, "kvm-wb", "uplink");
	char *dock = answer(f, "docker-vol", "uplink");

	HAS(up, "`user`");
	HAS(up, "slirp");
	HASNT(up, "Under TCG");
	free(up);
	up = answer(f, "qemu", "uplink");
	HAS(up, "Under TCG the guest's own TCP/IP stack");
	HAS(dock, "shares the host's network stack");
	free(up);
	free(dock);
}

static void test_unknown_config_names_missing_fact(void **state)
{
	struct fixture *f = *state;
	char *cpu = answer(f, "kvm", "cpu");
	char *disk = answer(f, "kvm", "diskRand");

	/* Called "kvm", but nothing says it ran under KVM: no guessing. */
	HAS(cpu, "accelerator");
	HAS(cpu, "was not recorded");
	HASNT(cpu, "VT-x");
	HASNT(cpu, "translates");
	HAS(disk, "disk cache mode");
	HAS(disk, "were not recorded");
	HASNT(disk, "artefact");
	free(cpu);
	free(disk);
}

static void test_conflicting_runs(void **state)
{
	struct fixture *f = *state;
	const struct report_platform *p = report_facts_platform(&f->facts, "h1", "kvm-mixed");
	char buf[64], *a = answer(f, "kvm-mixed", "diskRand");

	assert_non_null(p);
	assert_int_equal(p->runs, 2);
	assert_true(report_fact_conflicts(p, "disk_cache"));
	assert_null(report_fact(p, "disk_cache", buf, sizeof(buf)));
	assert_string_equal(report_fact(p, "accelerator", buf, sizeof(buf)), "kvm");
	assert_string_equal(report_fact(p, "vcpus", buf, sizeof(buf)), "2");
	HAS(a, "differed between the runs");
	HASNT(a, "artefact");
	free(a);
}

/* Finds a check whose platform and text match. */
static int has_check(const cJSON *arr, const char *level, const char *plat,
		     const char *text)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, arr) {
		const char *l = cJSON_GetObjectItem(c, "level")->valuestring;
		const char *p = cJSON_GetObjectItem(c, "platform")->valuestring;
		const char *t = cJSON_GetObjectItem(c, "text")->valuestring;

		if (!strcmp(l, level) && !strcmp(p, plat) && strstr(t, text))
			return 1;
	}
	return 0;
}

static void test_checks(void **state)
{
	struct fixture *f = *state;
	cJSON *arr = cJSON_CreateArray();
	size_t b = 0, e;

	/* The diskRand block of host h1. */
	while (strcmp(f->set->groups[b].benchmark, "diskRand"))
		b++;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "diskRand"); e++)
		;
	report_checks(&f->facts, f->set, &f->set->groups[b], e - b, arr);
	assert_true(has_check(arr, "problem", "kvm-wb", "a cache, not a faster disk"));
	assert_true(has_check(arr, "problem", "kvm-wb", "caching artefact"));
	assert_true(has_check(arr, "problem", "qemu", "(TCG) is faster than"));
	/* Unknown configuration faster than native: warned, not explained. */
	assert_true(has_check(arr, "warning", "kvm", "was not recorded"));
	assert_false(has_check(arr, "problem", "kvm-none", ""));
	cJSON_Delete(arr);
}

static void test_model_and_template(void **state)
{
	struct fixture *f = *state;
	struct report_opts o = { .db_path = f->path };
	cJSON *m = report_model(&f->facts, f->set, NULL, &o);
	struct tmpl *t = NULL;
	struct sb out = SB_INIT;
	const struct analyze_group *q = group(f, "qemu", "cpu");
	char row[256], mean[32], sp[128], p[32];

	assert_non_null(m);
	/* Tests run from the top of the tree (tests/run.sh). */
	assert_int_equal(tmpl_load("templates/report.md.tmpl", &t), 0);
	assert_int_equal(tmpl_render(t, m, &out), 0);
	/* The interrupted run is a warning; the complete one is not. */
	HAS(out.buf, "has status interrupted: it was interrupted");
	HASNT(out.buf, "has status complete");
	/* The answers open the report; problems come before warnings. */
	assert_non_null(strstr(out.buf, "## Problems"));
	assert_non_null(strstr(out.buf, "## Warnings"));
	assert_true(strstr(out.buf, "\n## ") == strstr(out.buf, "\n## Answers\n"));
	assert_true(strstr(out.buf, "## Problems") < strstr(out.buf, "## Warnings"));
	/* The unavailable platform and its reason are shown. */
	HAS(out.buf, "**kvm-dead** is unavailable: kvm: failed to set MSR 0x10a");
	/* A table row carries the analyzer's formatted numbers. */
	snprintf(row, sizeof(row), "| qemu | 8 | %s |",
		 analyze_fmt_num(q->mean, mean, sizeof(mean)));
	HAS(out.buf, row);
	HAS(out.buf, analyze_fmt_speedup(&q->vs_baseline, sp, sizeof(sp)));
	HAS(out.buf, analyze_fmt_p(q->vs_baseline.p_holm, p, sizeof(p)));
	/* Database text cannot break a table row or start emphasis. */
	HAS(out.buf, "| evil\\|name\\*\\`x |");
	HASNT(out.buf, "evil|name");
	/* every platform ran here: no remote-machine caveat anywhere */
	HASNT(out.buf, "The exception");
	HASNT(out.buf, "two machines");
	tmpl_free(t);
	sb_release(&out);
	cJSON_Delete(m);
}

/* A platform of a small fixture: its recorded configuration and the
 * centre of its samples for the fixture's two benchmarks. */
struct fplat {
	const char *name, *kind, *config;
	double a, b;
};

/* Fills f with its own database: host h1, benchmarks a and b (higher is
 * better), one complete run with plats, then the analysis and the facts
 * loaded as the report would. */
static void small_fixture(struct fixture *f, const char *a, const char *a_unit,
			  const char *b, const char *b_unit,
			  const struct fplat *plats, size_t n)
{
	struct analyze_opts ao = { 0 };
	int64_t bench_a, bench_b, run, id;

	strcpy(f->dir, "/tmp/vbreport.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = xasprintf("%s/t.db", f->dir);
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &f->db), 0);
	assert_int_equal(db_host_ensure_named(f->db, "h1", 0, &host_id), 0);
	assert_int_equal(db_benchmark_ensure(f->db, a, a_unit, "higher", &bench_a), 0);
	assert_int_equal(db_benchmark_ensure(f->db, b, b_unit, "higher", &bench_b), 0);
	run = run_new(f->db, "2026-01-01T00:00:00.000Z", "complete");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(db_platform_ensure(f->db, host_id, plats[i].name,
						    plats[i].kind, &id), 0);
		assert_int_equal(db_run_platform_set(f->db, run, id, plats[i].config,
						     NULL, "ok", NULL), 0);
		samples(f->db, run, id, bench_a, plats[i].a);
		samples(f->db, run, id, bench_b, plats[i].b);
	}
	assert_int_equal(analyze_load(f->db, &ao, &f->set), 0);
	assert_int_equal(report_facts_load(f->db, NULL, &f->facts), 0);
}

/* A platform faster than the host it runs on, on cpu or mem: a guest or
 * container cannot get more CPU or memory bandwidth than its host, so a
 * speedup whose interval starts above 1.05 is flagged as a problem with
 * its likely causes; an equal one, one just above 1, and machines that are
 * not the host (ssh, a guest over qemu+ssh) are not. Its own database:
 * the numbers must not disturb the main fixture's Holm adjustment. */
static void test_faster_than_host(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct fplat plats[] = {
		{ "native", "native", "{\"kind\":\"native\",\"accelerator\":\"none\"}", 4500, 16000 },
		/* mem 3x native: implausible; cpu equal: fine */
		{ "docker", "docker", DOCKER("volume"), 4500, 48000 },
		/* the same as native: nothing */
		{ "docker-eq", "docker", DOCKER("volume"), 4500, 16000 },
		/* TCG 20 % faster on cpu */
		{ "qemu", "qemu", TCG, 5400, 900 },
		/* KVM 3 % faster: significant, but the interval starts below
		 * 1.05 - the older "against the expected direction" check */
		{ "kvm", "kvm", KVM("none"), 4635, 16000 },
		/* another machine: may well be faster */
		{ "cloud", "ssh", "{\"kind\":\"ssh\",\"network_mode\":\"ssh\"}", 9000, 48000 },
		{ "kvm-remote", "kvm", "{\"kind\":\"kvm\",\"accelerator\":\"kvm\","
		  "\"connect_uri\":\"qemu+ssh://big/system\"}", 4500, 48000 },
	};
	cJSON *cpu = cJSON_CreateArray(), *mem = cJSON_CreateArray();
	size_t b, e;

	(void)state;
	small_fixture(f, "cpu", "events/s", "mem", "MiB/s", plats,
		      VB_ARRAY_SIZE(plats));

	for (b = 0; strcmp(f->set->groups[b].benchmark, "cpu"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "cpu"); e++)
		;
	report_checks(&f->facts, f->set, &f->set->groups[b], e - b, cpu);
	for (b = 0; strcmp(f->set->groups[b].benchmark, "mem"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "mem"); e++)
		;
	report_checks(&f->facts, f->set, &f->set->groups[b], e - b, mem);

	/* docker's mem: a container, so the clock is ruled out */
	assert_true(has_check(mem, "problem", "docker",
			      "moves more memory per second than native (3.000×"));
	assert_true(has_check(mem, "problem", "docker",
			      "a container cannot get more memory bandwidth than the host that runs it"));
	assert_true(has_check(mem, "problem", "docker", "clock drift is ruled out"));
	assert_true(has_check(mem, "problem", "docker", "fits in a CPU cache"));
	assert_true(has_check(mem, "problem", "docker", "the host busy"));
	/* its kind was recorded: no "registered as" caveat */
	assert_false(has_check(mem, "problem", "docker", "registered as"));
	assert_false(has_check(cpu, "problem", "docker", ""));
	assert_false(has_check(mem, "problem", "docker-eq", ""));
	assert_false(has_check(cpu, "problem", "docker-eq", ""));
	/* TCG on cpu: the guest clock under TCG is named */
	assert_true(has_check(cpu, "problem", "qemu",
			      "does more CPU work per second than native"));
	assert_true(has_check(cpu, "problem", "qemu", "a guest cannot get more CPU"));
	assert_true(has_check(cpu, "problem", "qemu", "its accelerator is `tcg`"));
	assert_false(has_check(cpu, "problem", "qemu", "virtualization only adds work"));
	assert_false(has_check(mem, "problem", "qemu", ""));
	/* 3 % faster: the lower bound is under 1.05, not called implausible */
	assert_true(has_check(cpu, "problem", "kvm", "virtualization only adds work"));
	assert_false(has_check(cpu, "problem", "kvm", "implausible"));
	/* not this host */
	assert_false(has_check(mem, "problem", "cloud", ""));
	assert_false(has_check(cpu, "problem", "cloud", ""));
	assert_false(has_check(mem, "problem", "kvm-remote", "implausible"));

	/* In the rendered report: under Problems, once. */
	{
		struct report_opts o = { .db_path = f->path };
		cJSON *m = report_model(&f->facts, f->set, NULL, &o);
		struct tmpl *t = NULL;
		struct sb out = SB_INIT;
		const char *v, *h;

		assert_int_equal(tmpl_load("templates/report.md.tmpl", &t), 0);
		assert_int_equal(tmpl_render(t, m, &out), 0);
		v = strstr(out.buf, "## Problems");
		h = strstr(out.buf, "## Warnings");
		assert_non_null(v);
		assert_non_null(h);
		v = strstr(v, "- ⚠️ **mem**: **docker** moves more memory per second");
		assert_non_null(v);
		assert_true(v < h);
		tmpl_free(t);
		sb_release(&out);
		cJSON_Delete(m);
	}
	cJSON_Delete(cpu);
	cJSON_Delete(mem);
	teardown((void **)&f);
}

/* The checks of one benchmark block (owned array). */
static cJSON *checks_of(struct fixture *f, const char *bench)
{
	cJSON *arr = cJSON_CreateArray();
	size_t b, e;

	for (b = 0; strcmp(f->set->groups[b].benchmark, bench); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, bench); e++)
		;
	report_checks(&f->facts, f->set, &f->set->groups[b], e - b, arr);
	return arr;
}

/* The rendered report of f (owned). */
static char *render(struct fixture *f)
{
	struct report_opts o = { .db_path = f->path };
	cJSON *m = report_model(&f->facts, f->set, NULL, &o);
	struct tmpl *t = NULL;
	struct sb out = SB_INIT;

	assert_int_equal(tmpl_load("templates/report.md.tmpl", &t), 0);
	assert_int_equal(tmpl_render(t, m, &out), 0);
	tmpl_free(t);
	cJSON_Delete(m);
	return sb_detach(&out);
}

static int count(const char *s, const char *sub)
{
	int n = 0;

	for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
		n++;
	return n;
}

/* Guests of a remote libvirtd: their samples are stored under this host
 * (h1), so their speedup against native compares two machines. The
 * warning comes once per platform with the ssh baseline that separates
 * the two, each answer is qualified, and checks that assume one machine
 * (virtualization only adds work, TCG slower than KVM, an uncached disk
 * cannot beat O_DIRECT) leave them alone. With the remote machine itself
 * as the baseline the warning goes - for the guests on that machine. */
static void test_remote_baseline(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct fplat plats[] = {
		{ "native", "native", "{\"kind\":\"native\",\"accelerator\":\"none\"}", 4500, 240 },
		/* local TCG: its disk beats the remote KVM guest's */
		{ "qemu", "qemu", TCG, 600, 400 },
		/* 3 % faster on cpu, 25 % on an uncached disk */
		{ "kvm-remote", "kvm", "{\"kind\":\"kvm\",\"accelerator\":\"kvm\","
		  "\"disk_cache\":\"none\",\"disk_bus\":\"virtio\",\"vcpus\":2,"
		  "\"memory_mib\":2048,\"cpu_model\":\"host-passthrough\","
		  "\"connect_uri\":\"qemu+ssh://root@hostB/system\","
		  "\"libvirt_host\":\"hostB\","
		  "\"storage_pool\":\"/var/lib/libvirt/images/virtbench\"}", 4635, 300 },
		/* a port, a key file with a space in its path: quoted */
		{ "qemu-far", "qemu", "{\"kind\":\"qemu\",\"accelerator\":\"tcg\","
		  "\"connect_uri\":\"qemu+ssh://bench@10.0.0.9:2222/system?keyfile=/k/id b\","
		  "\"libvirt_host\":\"10.0.0.9\"}", 500, 100 },
		/* the remote machine itself, over ssh */
		{ "ssh:root@hostB", "ssh", "{\"kind\":\"ssh\",\"network_mode\":\"ssh\","
		  "\"target\":\"root@hostB:22\",\"accelerator\":\"none\"}", 4500, 120 },
	};
	cJSON *cpu, *disk;
	char *a, *md;

	(void)state;
	small_fixture(f, "cpu", "events/s", "diskRand", "MiB/s", plats,
		      VB_ARRAY_SIZE(plats));

	/* The one test for "remote". */
	{
		char b[64];

		assert_string_equal(report_remote_host(report_facts_platform(&f->facts, "h1", "kvm-remote"),
						       b, sizeof(b)), "hostB");
		assert_string_equal(report_remote_host(report_facts_platform(&f->facts, "h1", "ssh:root@hostB"),
						       b, sizeof(b)), "hostB");
		assert_null(report_remote_host(report_facts_platform(&f->facts, "h1", "qemu"),
					       b, sizeof(b)));
		assert_null(report_remote_host(report_facts_platform(&f->facts, "h1", "native"),
					       b, sizeof(b)));
	}

	/* Each answer is qualified; the numbers stay. */
	a = answer(f, "kvm-remote", "cpu");
	HAS(a, "**kvm-remote** is faster than **native**.");
	HAS(a, "It ran on `hostB`, while **native** ran on this host (h1): the speedup mixes the cost of virtualization with the difference between the two machines, so the mechanism below explains only part of the gap");
	HAS(a, "Mechanism: the accelerator is `kvm`");
	assert_int_equal(count(a, "It ran on"), 1);
	free(a);
	a = answer(f, "qemu-far", "diskRand");
	HAS(a, "It ran on `10.0.0.9`");
	free(a);
	a = answer(f, "qemu", "cpu");
	HASNT(a, "It ran on");
	HASNT(a, "two machines");
	free(a);

	/* Checks of one machine leave remote guests alone. */
	cpu = checks_of(f, "cpu");
	disk = checks_of(f, "diskRand");
	assert_false(has_check(cpu, "problem", "kvm-remote", "virtualization only adds work"));
	assert_false(has_check(disk, "problem", "kvm-remote", ""));
	assert_true(has_check(disk, "warning", "kvm-remote",
			      "but it ran on `hostB`, another machine than native's, whose disk may simply be faster"));
	assert_false(has_check(disk, "problem", "qemu", "(TCG) is faster than"));
	/* the ssh host is another machine too: not held to a guest's rules */
	assert_false(has_check(cpu, "problem", "ssh:root@hostB", ""));
	cJSON_Delete(cpu);
	cJSON_Delete(disk);

	/* The warning: once per remote platform, among the warnings,
	 * with the ssh baseline that separates the two machines. */
	md = render(f);
	HAS(md, "- all benchmarks: **kvm-remote** ran on `hostB` (libvirt `qemu+ssh://root@hostB/system`), while the baseline **native** ran on this host (h1): its speedups mix the cost of virtualization with the difference between the two machines");
	HAS(md, "measure `hostB` itself as the baseline with the ssh platform, in the same run as the guest: `virtbench collect --platforms ssh:root@hostB,kvm-remote --connect qemu+ssh://root@hostB/system`, then compare with it: `virtbench report --baseline ssh:root@hostB` (or `virtbench analyze --baseline ssh:root@hostB`).");
	HAS(md, "`virtbench collect --platforms ssh:bench@10.0.0.9:2222,qemu-far --connect 'qemu+ssh://bench@10.0.0.9:2222/system?keyfile=/k/id b'` (with `VIRTBENCH_SSH_IDENTITY` set");
	assert_int_equal(count(md, "ran on `hostB` (libvirt"), 1);
	assert_true(strstr(md, "**kvm-remote** ran on `hostB`") < strstr(md, "## Hosts"));
	HASNT(md, "**qemu** ran on");
	HASNT(md, "**ssh:root@hostB** ran on");
	/* the introduction names the exception, the platforms where they ran */
	HAS(md, "Exception: 2 guest platform(s) of a remote libvirtd ran on another machine than native");
	HAS(md, "**kvm-remote** ran on `hostB`, through libvirt `qemu+ssh://root@hostB/system` (storage pool `/var/lib/libvirt/images/virtbench`): its samples are filed under h1");
	free(md);
	analyze_set_free(f->set);

	/* hostB as the baseline: kvm-remote is compared on its own machine
	 * (and held to its rules again); qemu-far still is not. */
	assert_int_equal(analyze_load(f->db, &(struct analyze_opts){
		.baseline = "ssh:root@hostB" }, &f->set), 0);
	md = render(f);
	HASNT(md, "**kvm-remote** ran on `hostB` (libvirt");
	HAS(md, "**qemu-far** ran on `10.0.0.9` (libvirt `qemu+ssh://bench@10.0.0.9:2222/system?keyfile=/k/id b`), while the baseline **ssh:root@hostB** ran on `hostB`");
	free(md);
	a = answer(f, "kvm-remote", "cpu");
	HASNT(a, "It ran on");
	free(a);
	cpu = checks_of(f, "cpu");
	disk = checks_of(f, "diskRand");
	assert_true(has_check(cpu, "problem", "kvm-remote", "virtualization only adds work"));
	/* now this host's guest is the one on another machine */
	assert_true(has_check(disk, "warning", "qemu",
			      "but it ran on this host (h1), another machine than ssh:root@hostB's"));
	cJSON_Delete(cpu);
	cJSON_Delete(disk);
	teardown((void **)&f);
}

static size_t words(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

/* The answers up front: per benchmark one short paragraph with each
 * platform's verdict, its speedup and the interval the verdict rests on
 * (which never contradicts the word), then why in one sentence that says
 * it was inferred from the recorded configuration; then the summary
 * table, one cell per platform. */
static void test_answers_up_front(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct fplat plats[] = {
		{ "native", "native", "{\"kind\":\"native\",\"accelerator\":\"none\"}", 4500, 240 },
		{ "docker", "docker", DOCKER("volume"), 4500, 238 },
		{ "qemu", "qemu", TCG, 600, 45 },
		{ "imported", "kvm", NULL, 4000, 200 },
	};
	const struct analyze_group *g;
	struct report_verdict v;
	struct sb t = SB_INIT;
	char sp[128], want[256], *md, *row;
	size_t b, e;

	(void)state;
	small_fixture(f, "cpu", "events/s", "diskRand", "MiB/s", plats,
		      VB_ARRAY_SIZE(plats));
	for (b = 0; strcmp(f->set->groups[b].benchmark, "cpu"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "cpu"); e++)
		;
	report_summary(&f->facts, f->set, &f->set->groups[b], e - b, NULL, &t);
	HAS(t.buf, "**CPU** (cpu, events/s):");
	g = group(f, "qemu", "cpu");
	report_verdict(&g->vs_baseline, &v);
	assert_string_equal(v.word, "slower");
	assert_true(v.bounded && v.hi < 1);
	snprintf(want, sizeof(want), "**qemu** slower, %s (7.5× slower)",
		 report_fmt_verdict_speedup(&g->vs_baseline, &v, sp, sizeof(sp)));
	HAS(t.buf, want);
	/* equal means: never called faster or slower */
	g = group(f, "docker", "cpu");
	report_verdict(&g->vs_baseline, &v);
	assert_true(!strcmp(v.word, "equivalent") || !strcmp(v.word, "inconclusive"));
	assert_true(v.lo < 1 && v.hi > 1);
	HAS(t.buf, "Why, inferred from the recorded configuration: ");
	HAS(t.buf, "qemu — TCG translates every guest instruction in software");
	HAS(t.buf, "docker — a container shares the host kernel");
	/* the platform without configuration gets no invented mechanism */
	HASNT(t.buf, "imported —");
	assert_true(words(t.buf) <= 80);
	sb_reset(&t);
	/* disk: the cache mode named, under TCG */
	for (b = 0; strcmp(f->set->groups[b].benchmark, "diskRand"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "diskRand"); e++)
		;
	report_summary(&f->facts, f->set, &f->set->groups[b], e - b, NULL, &t);
	HAS(t.buf, "**Random disk reads** (diskRand, MiB/s):");
	HAS(t.buf, "qemu — each read crosses QEMU's virtual disk (cache=none), under TCG");
	HAS(t.buf, "docker — a volume is the host's own disk path");
	assert_true(words(t.buf) <= 80);
	sb_release(&t);

	/* Rendered: "## Answers" first, the paragraphs, the summary table
	 * with one cell per platform, then the evidence; the platform
	 * without configuration named once. */
	md = render(f);
	assert_true(strstr(md, "\n## ") == strstr(md, "\n## Answers\n"));
	HAS(md, "No configuration was recorded for **imported** (imported data, say)");
	assert_int_equal(count(md, "No configuration was recorded"), 1);
	HAS(md, "| benchmark | docker | qemu | imported |");
	g = group(f, "qemu", "cpu");
	report_verdict(&g->vs_baseline, &v);
	row = strstr(md, "| cpu | ");
	assert_non_null(row);
	snprintf(want, sizeof(want), "| %s slower |",
		 report_fmt_verdict_speedup(&g->vs_baseline, &v, sp, sizeof(sp)));
	HAS(row, want);
	assert_true(strstr(md, "**CPU** (cpu") < row);
	assert_true(row < strstr(md, "## Warnings"));
	/* sizes are said once, in the platform table, not in every answer */
	HASNT(md, "It had 2 vCPUs");
	free(md);
	teardown((void **)&f);
}

/* The HTML page from Markdown: heading ids (unique), the contents after
 * the title, tables in a scrolling box, raw HTML never passed through, a
 * PNG figure replaced by its SVG only when that file exists. */
static void test_html(void **state)
{
	static const char md[] =
		"# virtbench report\n\n## Answers\n\ntext <script>alert(1)</script>\n\n"
		"## Results\n\n### cpu (events/s, higher is better)\n\n"
		"| a | b |\n|---|--:|\n| 1 | 2 |\n\n### cpu (events/s, higher is better)\n\n"
		"![one](figures/one.png)\n![two](figures/two.png)\n";
	char dir[] = "/tmp/vbhtml.XXXXXX";
	struct sb out = SB_INIT;
	char *svg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	svg = xasprintf("%s/figures", dir);
	assert_int_equal(mkdir(svg, 0755), 0);
	free(svg);
	svg = xasprintf("%s/figures/one.svg", dir);
	assert_int_equal(vb_write_file_atomic(svg, "<svg/>", 6, 0644), 0);
	assert_int_equal(report_html(md, strlen(md), dir, &out), 0);
	HAS(out.buf, "<h1 id=\"virtbench-report\">virtbench report</h1>\n<nav class=\"toc\">");
	HAS(out.buf, "<h2 id=\"answers\">Answers</h2>");
	HAS(out.buf, "<h3 id=\"cpu-events-s-higher-is-better\">");
	HAS(out.buf, "<h3 id=\"cpu-events-s-higher-is-better-2\">");
	HAS(out.buf, "<a href=\"#cpu-events-s-higher-is-better-2\">cpu</a>");
	HAS(out.buf, "<a href=\"#results\">Results</a>");
	HAS(out.buf, "<div class=\"table\"><table>");
	HAS(out.buf, "<td align=\"right\">2</td>");
	HASNT(out.buf, "<script>");
	HAS(out.buf, "<img src=\"figures/one.svg\" alt=\"one\"");
	HAS(out.buf, "<img src=\"figures/two.png\" alt=\"two\"");
	HAS(out.buf, "<style>");
	HAS(out.buf, "<meta name=\"viewport\"");
	unlink(svg);
	free(svg);
	svg = xasprintf("%s/figures", dir);
	rmdir(svg);
	free(svg);
	rmdir(dir);
	sb_release(&out);
}

/* A study's sibling platforms that differ in one setting: the answer
 * says what was measured, not only what the configuration suggests. */
static void test_answer_measured(void **state)
{
	struct fixture *f = *state;
	struct sb t = SB_INIT;
	size_t b, e;

	for (b = 0; strcmp(f->set->groups[b].benchmark, "diskRand"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "diskRand"); e++)
		;
	report_summary(&f->facts, f->set, &f->set->groups[b], e - b, NULL, &t);
	HAS(t.buf, " Measured in this study: with `disk_cache` ");
	HAS(t.buf, "kvm-none is slower than kvm-wb, ");
	/* cpu does not depend on the disk cache: no measured effect named */
	sb_reset(&t);
	for (b = 0; strcmp(f->set->groups[b].benchmark, "cpu"); b++)
		;
	for (e = b; e < f->set->n_groups && !strcmp(f->set->groups[e].benchmark, "cpu"); e++)
		;
	report_summary(&f->facts, f->set, &f->set->groups[b], e - b, NULL, &t);
	HASNT(t.buf, "kvm-none is slower than kvm-wb");
	sb_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_writeback_vs_none),
		cmocka_unit_test(test_cpu_kvm_vs_tcg),
		cmocka_unit_test(test_docker_volume_vs_overlay),
		cmocka_unit_test(test_uplink_user_mode),
		cmocka_unit_test(test_unknown_config_names_missing_fact),
		cmocka_unit_test(test_conflicting_runs),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_model_and_template),
		cmocka_unit_test(test_faster_than_host),
		cmocka_unit_test(test_remote_baseline),
		cmocka_unit_test(test_answers_up_front),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_answer_measured),
	};

	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, setup, teardown);
}
