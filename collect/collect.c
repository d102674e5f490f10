/*
 * collect/collect.c - run orchestration; the method is described in
 * collect.h (life of a run) and scheduler.h (order of samples).
 *
 * Everything a resumed run needs is in the database, not on the command
 * line: the run's params JSON holds the suite's full text, the platform
 * list, the benchmark selection, the stopping rule, the duration and the
 * platform options, and run.seed the seed. "collect --resume RUN" rebuilds
 * the same plan from it and skips what the sample table already holds.
 *
 * Sample errors are stored with a prefix saying which stage failed, which
 * "reparse" relies on: "parse: " (the parser refused output of a command
 * that exited 0 - a parser fix may turn it into a value), "exit status N"
 * (the tool failed), "timed out", "could not run", "not run" (a
 * placeholder had no value on that platform).
 */
#include "analyze/analyze.h"
#include "collect/collect.h"
#include "collect/hostload.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "collect/parsers.h"
#include "collect/scheduler.h"
#include "collect/suite.h"
#include "common/safe.h"
#include "common/owner.h"
#include "common/run.h"
#include "common/util.h"
#include "db/db.h"

/* Prepare and cleanup commands (sysbench fileio prepare writes 1 GiB,
 * slowly in a TCG guest) get this long. */
#define PREPARE_TIMEOUT 1800.0
/* Assumed seconds per prepare command in the plan's estimate. */
#define PREPARE_ESTIMATE 10.0
/* Assumed start-up seconds of a non-native platform (a TCG guest boots to
 * SSH in 15-30 s here). */
#define START_ESTIMATE 30.0

/* ---- locating files ------------------------------------------------------- */

/* Directory of the running binary (/proc/self/exe, else argv0). Owned. */
static char *exe_dir(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *copy, *d;

	if (n > 0) {
		buf[n] = '\0';
	} else if (argv0 && realpath(argv0, buf)) {
		/* buf filled */
	} else {
		return xstrdup(".");
	}
	copy = xstrdup(buf);
	d = xstrdup(dirname(copy));
	free(copy);
	return d;
}

static int is_file(const char *path, int mode)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, mode) == 0;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *collect_find_forkbench(const char *argv0, int report)
{
	const char *e = getenv("FORKBENCH");
	/* ./virtbench sits next to build/; build-san/virtbench inside a
	 * sibling of it. */
	static const char *const rel[] = { "build/forkbench", "../build/forkbench",
					   "forkbench", NULL };
	char *dir, *path = NULL;

	if (e && *e) {
		if (is_file(e, X_OK))
			return xstrdup(e);
		if (report)
			vb_error("$FORKBENCH=%s is not an executable file", e);
		return NULL;
	}
	dir = exe_dir(argv0);
	for (int i = 0; rel[i]; i++) {
		path = xasprintf("%s/%s", dir, rel[i]);
		if (is_file(path, X_OK))
			break;
		free(path);
		path = NULL;
	}
	if (!path && report)
		vb_error("cannot find the fork benchmark (build/forkbench next to "
			 "%s): run 'make', or set $FORKBENCH", dir);
	free(dir);
	return path;
}

char *collect_find_suites(const char *argv0)
{
	const char *e = getenv("VIRTBENCH_SUITES");
	char *dir, *path;

	if (e && *e)
		return xstrdup(e);
	dir = exe_dir(argv0);
	path = xasprintf("%s/suites", dir);
	if (!is_dir(path)) {
		free(path);
		path = xasprintf("%s/../suites", dir);
		if (!is_dir(path)) {
			free(path);
			path = xstrdup("/usr/share/virtbench/suites");
		}
	}
	free(dir);
	return path;
}

/* ---- signals ---------------------------------------------------------------- */

static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
	(void)sig;
	/* The first signal asks for an orderly stop; if teardown itself
	 * hangs, the next one is not caught and ends the process. */
	if (collect_stop_requested) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	collect_stop_requested = 1;
}

static void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call returns EINTR and the caller looks
	 * at collect_stop_requested. */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
}

static void signals_restore(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

/* ---- the private iperf3 server ------------------------------------------ */

static int port_open(int port)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Starts "iperf3 -s -B 127.0.0.1 -p PORT" (no shell, so the pid is
 * iperf3's own) through common/run.c, so it dies with the collector even
 * when the collector is SIGKILLed. Retries with another port if one was
 * taken in between. The argv and log path must outlive the server. */
static int iperf_start(struct run_cmd *srv, const char *logfile, char *pstr,
		       size_t pstr_size, const char **argv)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int port = vb_free_loopback_port();
		double t0;

		if (port <= 0)
			return vb_error("cannot find a free port on 127.0.0.1");
		snprintf(pstr, pstr_size, "%d", port);
		*srv = (struct run_cmd)RUN_CMD_INIT;
		srv->argv = argv;
		srv->out = RUN_OUT_FILE;
		srv->err = RUN_OUT_TO_OUT;
		srv->out_path = logfile;
		srv->append = 1;
		if (run_start(srv) < 0)
			return -1;
		t0 = vb_mono_time();
		while (vb_mono_time() - t0 < 5.0 && !collect_stop_requested &&
		       !run_ended(srv)) {
			if (port_open(port)) {
				vb_debug("iperf3 server pid %ld on 127.0.0.1:%d",
					 (long)srv->pid, port);
				return 0;
			}
			usleep(20000);
		}
		run_stop(srv, 0, NULL);
		if (collect_stop_requested)
			return -1;
	}
	return vb_error("cannot start 'iperf3 -s -B 127.0.0.1' (see %s)", logfile);
}

static void iperf_stop(struct run_cmd *srv)
{
	if (srv->st)
		run_stop(srv, 2.0, NULL);
}

/* ---- run state ------------------------------------------------------------- */

struct cplat {
	char *name;
	/* Its kind and own settings: from the options, or as stored with a
	 * resumed run (owned). */
	struct platform_settings settings;
	struct platform *p;
	int64_t id;
	/* collect --instances K: a docker/kvm/qemu platform is K cplats of
	 * the same name (and platform row), slot 0..K-1, each its own guest
	 * or container; instance is the number its samples record. */
	int slot, n_slots, instance;
	pid_t qemu_pid;     /* a local guest's QEMU process (host load) */
	int qemu_searched;
	int available;
	int unavailable;    /* recorded as such; never started */
	int lost;           /* stopped running commands mid-run (state failed) */
	char *forkbench;    /* path inside the platform, or NULL */
	char **prepared;    /* expanded prepare commands already run */
	size_t n_prepared;
	char **cleanups;    /* expanded cleanup commands to run at the end */
	size_t n_cleanups;
};

struct cbench {
	const struct suite_bench *b;
	int64_t id;
	double timeout, estimate;
};

struct collector {
	struct db *db;
	struct collect_opts *o;
	struct suite *suite;
	char uuid[37];
	int64_t run_id, host_id;
	cJSON *params;          /* owned */
	uint64_t seed;
	int duration;
	int reps;
	char *state_dir;
	size_t n_plat, n_bench;
	size_t n_names;         /* distinct platform names */
	int instances;          /* --instances K (1 = one per platform) */
	double disturbed_cpu;   /* cores of other CPU that disturb a sample */
	double disturbed_steal; /* steal fraction that does */
	int retake;             /* --retake-disturbed N per pair */
	struct cplat *plat;
	struct cbench *bench;
	struct scheduler sched;
	char *iperf_host, *iperf_port;
	struct run_cmd iperf;   /* our server, when running */
	const char *iperf_argv[8];
	char iperf_pstr[16];
	char *iperf_log;
	struct cplat *active;   /* the platform currently resumed */
	int lost_any;           /* a platform was lost mid-run */
	/* progress */
	long done_samples;
	double est_done, real_done, loop_start;
	int progress_shown;
};

static int strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
	return 1;
}

static void fmt_secs(double s, char *buf, size_t size)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, size, "%lds", t);
}

static char *read_governor(void)
{
	struct sb sb = SB_INIT;
	char *r;

	if (sb_read_file(&sb, "/sys/devices/system/cpu/cpu0/cpufreq/"
			 "scaling_governor") < 0) {
		sb_release(&sb);
		return xstrdup("unknown (no cpufreq)");
	}
	sb.buf[strcspn(sb.buf, "\n")] = '\0';
	r = xstrdup(sb.buf[0] ? sb.buf : "unknown");
	sb_release(&sb);
	return r;
}

static const char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double json_num(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static char **json_strv(const cJSON *o, const char *k)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *e;
	size_t n = 0;
	char **v;

	if (!cJSON_IsArray(a))
		return NULL;
	v = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e))
			v[n++] = xstrdup(e->valuestring);
	return v;
}

static void add_opt_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

/* ---- setting a run up -------------------------------------------------- */

/* Chooses the benchmarks (in suite order) and checks the names. */
static int select_benchmarks(struct collector *c, char **names)
{
	c->bench = xcalloc(c->suite->n_bench, sizeof(*c->bench));
	c->n_bench = 0;
	for (char **n = names; n && *n; n++) {
		if (!suite_find(c->suite, *n)) {
			struct sb all = SB_INIT;

			for (size_t i = 0; i < c->suite->n_bench; i++)
				sb_addf(&all, "%s%s", i ? ", " : "",
					c->suite->bench[i].name);
			vb_error("unknown benchmark '%s' in suite %s (known: %s)",
				 *n, c->suite->name, all.buf);
			sb_release(&all);
			return -1;
		}
	}
	for (size_t i = 0; i < c->suite->n_bench; i++) {
		const struct suite_bench *b = &c->suite->bench[i];
		struct cbench *cb;

		if (names && !vb_strv_contains(names, b->name))
			continue;
		cb = &c->bench[c->n_bench++];
		cb->b = b;
		if (suite_seconds(b->timeout, c->duration, &cb->timeout) < 0 ||
		    suite_seconds(b->estimate, c->duration, &cb->estimate) < 0 ||
		    !(cb->timeout > 0))
			return vb_error("%s: benchmark %s: bad timeout or estimate",
					c->suite->origin, b->name);
	}
	if (!c->n_bench)
		return vb_error("no benchmark selected");
	return 0;
}

static int uses(const struct collector *c, const char *placeholder)
{
	for (size_t i = 0; i < c->n_bench; i++)
		if (suite_bench_uses(c->bench[i].b, placeholder))
			return 1;
	return 0;
}

/* Kinds that get K instances with --instances K: the ones whose every
 * start() provisions something fresh. The host itself (native) and an
 * existing machine (ssh) are one instance whatever K is. */
static int kind_has_instances(const char *kind)
{
	return kind && (!strcmp(kind, "docker") || !strcmp(kind, "kvm") ||
			!strcmp(kind, "qemu"));
}

/* The platforms by name, with their kinds and settings (parallel to
 * names; NULL: each name's KIND and none). With --instances K a
 * docker/kvm/qemu platform becomes K slots of the same name, next to
 * each other; the scheduler's random order interleaves them with the
 * rest. */
static int setup_platform_list(struct collector *c, char **names,
			       const struct platform_settings *settings)
{
	static char *dflt[] = { "native", NULL };
	int K = c->instances > 1 ? c->instances : 1;
	size_t n;

	if (!names || !*names) {
		names = dflt;
		settings = NULL;
	}
	n = vb_strv_len(names);
	c->n_names = n;
	c->n_plat = 0;
	c->plat = xcalloc(n * (size_t)K, sizeof(*c->plat));
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL, *kind = settings && settings[i].kind ?
			settings[i].kind : names[i];
		const struct platform_kind *k = platform_kind_find(kind, &why);
		int slots;

		/* A typo must not become an "unavailable" platform. */
		if (!k)
			return vb_error("platform %s: %s", names[i], why);
		if (platform_name_check(c->uuid[0] ? "platform of the run" :
					"--platforms", names[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return vb_error("platform %s given twice", names[i]);
		slots = kind_has_instances(k->name) ? K : 1;
		for (int sl = 0; sl < slots; sl++) {
			struct cplat *cp = &c->plat[c->n_plat++];
			struct platform_settings *ps = &cp->settings;

			cp->name = xstrdup(names[i]);
			cp->slot = sl;
			cp->n_slots = slots;
			cp->instance = sl + 1;
			ps->kind = xstrdup(k->name);
			if (settings && settings[i].address)
				ps->address = xstrdup(settings[i].address);
			for (size_t j = 0; settings && j < settings[i].n; j++)
				if (platform_settings_set(ps, settings[i].keys[j],
							  settings[i].values[j],
							  names[i]) < 0)
					return -1;
		}
	}
	return 0;
}

/* The repetition number a sample of slot sl at the slot's own repetition
 * r is stored under: the sample table's key is (run, platform, benchmark,
 * repetition), so the K slots of a platform share one sequence, r = 1 of
 * slot 0, 1, ..., K-1 first, then r = 2, ... Only slot 0 stores a warm-up
 * (repetition 0); the other slots' warm-ups are run, not stored. */
static int stored_repetition(const struct cplat *cp, int r)
{
	if (r == 0)
		return 0;
	return (r - 1) * cp->n_slots + cp->slot + 1;
}

/* {NAME: {"kind": K, "settings": {...}}} for the run's params. */
static cJSON *platform_settings_params(const struct collector *c)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < c->n_plat; i++) {
		cJSON *e;

		if (c->plat[i].slot > 0)
			continue; /* one entry per platform, not per instance */
		e = cJSON_AddObjectToObject(o, c->plat[i].name);

		cJSON_AddStringToObject(e, "kind", c->plat[i].settings.kind);
		add_opt_str(e, "address", c->plat[i].settings.address);
		cJSON_AddItemToObject(e, "settings",
				      platform_settings_json(&c->plat[i].settings));
	}
	return o;
}

/* The stored kinds and settings of a resumed run's platforms, parallel
 * to names (owned; free with free_settings). A run made before settings
 * existed has none: kinds from the names. NULL after an error. */
static struct platform_settings *stored_settings(const struct collector *c,
						 char **names, const cJSON *stored)
{
	size_t n = vb_strv_len(names);
	struct platform_settings *v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(stored, names[i]);
		const char *kind = json_str(e, "kind");
		char *where;
		int r;

		if (!kind)
			continue;
		where = xasprintf("run %s, platform %s", c->uuid, names[i]);
		r = platform_settings_from_json(&v[i], kind,
			cJSON_GetObjectItemCaseSensitive(e, "settings"), where);
		if (r == 0 && json_str(e, "address"))
			v[i].address = xstrdup(json_str(e, "address"));
		free(where);
		if (r < 0) {
			for (size_t j = 0; j <= i; j++)
				platform_settings_clear(&v[j]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static cJSON *build_params(struct collector *c)
{
	struct collect_opts *o = c->o;
	cJSON *p = cJSON_CreateObject(), *a;
	char *gov = read_governor();

	cJSON_AddStringToObject(p, "suite", c->suite->name);
	cJSON_AddStringToObject(p, "suite_origin", c->suite->origin);
	cJSON_AddStringToObject(p, "suite_text", c->suite->text);
	add_opt_str(p, "study_origin", o->study_origin);
	add_opt_str(p, "study_text", o->study_text);
	a = cJSON_AddArrayToObject(p, "platforms");
	for (size_t i = 0; i < c->n_plat; i++)
		if (c->plat[i].slot == 0)
			cJSON_AddItemToArray(a, cJSON_CreateString(c->plat[i].name));
	cJSON_AddItemToObject(p, "platform_settings", platform_settings_params(c));
	cJSON_AddNumberToObject(p, "instances", c->instances > 1 ?
				c->instances : 1);
	cJSON_AddNumberToObject(p, "disturbed_cpu", c->disturbed_cpu);
	cJSON_AddNumberToObject(p, "disturbed_steal", c->disturbed_steal);
	cJSON_AddNumberToObject(p, "retake_disturbed", c->retake);
	a = cJSON_AddArrayToObject(p, "benchmarks");
	for (size_t i = 0; i < c->n_bench; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->bench[i].b->name));
	cJSON_AddNumberToObject(p, "duration", c->duration);
	if (o->until_decided) {
		cJSON_AddStringToObject(p, "stopping", "until-decided");
		cJSON_AddNumberToObject(p, "margin", o->margin);
		cJSON_AddNumberToObject(p, "min_reps", o->min_reps);
		cJSON_AddNumberToObject(p, "max_reps", o->max_reps);
	} else if (o->target_ci > 0) {
		cJSON_AddStringToObject(p, "stopping", "adaptive");
		cJSON_AddNumberToObject(p, "target_ci", o->target_ci);
		cJSON_AddNumberToObject(p, "min_reps", o->min_reps);
		cJSON_AddNumberToObject(p, "max_reps", o->max_reps);
	} else {
		cJSON_AddStringToObject(p, "stopping", "fixed");
		cJSON_AddNumberToObject(p, "reps", c->reps);
	}
	cJSON_AddBoolToObject(p, "warmup", 1);
	add_opt_str(p, "iperf_server", o->iperf_server);
	add_opt_str(p, "state_base", o->state_base);
	if (o->popts.vcpus)
		cJSON_AddNumberToObject(p, "vcpus", o->popts.vcpus);
	if (o->popts.memory_mib)
		cJSON_AddNumberToObject(p, "memory_mib", o->popts.memory_mib);
	add_opt_str(p, "image", o->popts.image);
	add_opt_str(p, "connect_uri", o->popts.connect_uri);
	add_opt_str(p, "disk_cache", o->popts.disk_cache);
	add_opt_str(p, "network", o->popts.network);
	add_opt_str(p, "docker_storage", o->popts.docker_storage);
	add_opt_str(p, "docker_network", o->popts.docker_network);
	cJSON_AddStringToObject(p, "host_cpu_governor", gov);
	free(gov);
	return p;
}

/* Restores the options of a run being resumed from its params. The
 * strings stay owned by c->params. */
static int load_params(struct collector *c, const char *params)
{
	struct collect_opts *o = c->o;
	const char *text, *origin;
	char **v;
	int ret;

	c->params = cJSON_Parse(params ? params : "");
	text = json_str(c->params, "suite_text");
	if (!cJSON_IsObject(c->params) || !text)
		return vb_error("run %s was not made by 'virtbench collect' (its "
				"parameters hold no suite) and cannot be resumed",
				c->uuid);
	origin = json_str(c->params, "suite_origin");
	{
		char *org = xasprintf("%s (as stored with run %s)",
				      origin ? origin : "suite", c->uuid);

		ret = suite_parse(text, org, &c->suite);
		free(org);
	}
	if (ret < 0)
		return -1;
	c->duration = (int)json_num(c->params, "duration", c->suite->duration);
	c->reps = (int)json_num(c->params, "reps", c->suite->reps);
	o->target_ci = json_num(c->params, "target_ci", 0);
	{
		const char *st = json_str(c->params, "stopping");

		o->until_decided = st && !strcmp(st, "until-decided");
		o->margin = json_num(c->params, "margin", ANALYZE_DEFAULT_MARGIN);
	}
	o->min_reps = (int)json_num(c->params, "min_reps", 3);
	o->max_reps = (int)json_num(c->params, "max_reps", 30);
	if (!o->iperf_server)
		o->iperf_server = json_str(c->params, "iperf_server");
	if (!o->state_base)
		o->state_base = json_str(c->params, "state_base");
	o->popts.vcpus = (int)json_num(c->params, "vcpus", 0);
	o->popts.memory_mib = (int)json_num(c->params, "memory_mib", 0);
	o->popts.image = json_str(c->params, "image");
	o->popts.connect_uri = json_str(c->params, "connect_uri");
	o->popts.disk_cache = json_str(c->params, "disk_cache");
	o->popts.network = json_str(c->params, "network");
	o->popts.docker_storage = json_str(c->params, "docker_storage");
	o->popts.docker_network = json_str(c->params, "docker_network");
	c->instances = (int)json_num(c->params, "instances", 1);
	c->disturbed_cpu = json_num(c->params, "disturbed_cpu",
				    HOSTLOAD_OTHER_CPU);
	c->disturbed_steal = json_num(c->params, "disturbed_steal",
				      HOSTLOAD_STEAL);
	c->retake = (int)json_num(c->params, "retake_disturbed", 0);
	v = json_strv(c->params, "platforms");
	{
		struct platform_settings *ps = stored_settings(c, v,
			cJSON_GetObjectItemCaseSensitive(c->params,
							 "platform_settings"));

		ret = ps ? setup_platform_list(c, v, ps) : -1;
		for (size_t i = 0; ps && v && v[i]; i++)
			platform_settings_clear(&ps[i]);
		free(ps);
	}
	vb_strv_free(v);
	if (ret < 0)
		return -1;
	v = json_strv(c->params, "benchmarks");
	ret = select_benchmarks(c, v);
	vb_strv_free(v);
	return ret;
}

/* Appends {at, command_line} to params.resumes and stores the params. */
static int note_resume(struct collector *c)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(c->params, "resumes"), *e;
	char now[40], *json;
	int rc;

	if (!cJSON_IsArray(a))
		a = cJSON_AddArrayToObject(c->params, "resumes");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "at", vb_now_iso(now, sizeof(now)));
	add_opt_str(e, "command_line", c->o->command_line);
	cJSON_AddItemToArray(a, e);
	json = cJSON_PrintUnformatted(c->params);
	rc = db_run_mark_resumed(c->db, c->run_id, json);
	free(json);
	return rc;
}

static int find_run(struct collector *c, const char *id, char **params,
		    char **status)
{
	struct db_run_info ri;

	if (db_run_find(c->db, id, &c->run_id) < 0)
		return -1;
	if (db_run_get(c->db, c->run_id, &ri) < 0)
		return -1;
	snprintf(c->uuid, sizeof(c->uuid), "%s", ri.uuid);
	*params = ri.params;
	c->seed = (uint64_t)ri.seed;
	*status = ri.status;
	c->host_id = ri.host_id;
	return 0;
}

/* Feeds the samples already stored for this run to the scheduler. */
static int load_existing(struct collector *c, long *n)
{
	struct db_cursor *cur;
	struct db_named_sample s;
	int rc;

	*n = 0;
	if (db_run_samples_open(c->db, c->run_id, &cur) < 0)
		return -1;
	while ((rc = db_run_samples_next(cur, &s)) == 1) {
		size_t pi, bi;

		int inst = s.instance, r = s.repetition, K;

		for (pi = 0; pi < c->n_plat && strcmp(c->plat[pi].name, s.platform); pi++)
			;
		for (bi = 0; bi < c->n_bench && strcmp(c->bench[bi].b->name, s.benchmark); bi++)
			;
		if (pi == c->n_plat || bi == c->n_bench)
			continue;
		/* Back from the stored repetition to the slot and the slot's
		 * own repetition (see stored_repetition()). */
		K = c->plat[pi].n_slots;
		if (s.repetition > 0) {
			r = (s.repetition - 1) / K + 1;
			pi += (size_t)((s.repetition - 1) % K);
		}
		sched_record_sample(&c->sched, pi * c->n_bench + bi, r,
				    s.status && !strcmp(s.status, "ok"), s.value,
				    s.disturbed);
		/* Fresh guests and containers are new instances: number them
		 * after the ones that took the stored samples. */
		for (size_t q = 0; q < c->n_plat; q++)
			if (!strcmp(c->plat[q].name, s.platform) &&
			    c->plat[q].n_slots > 1 &&
			    c->plat[q].instance <= inst + c->plat[q].slot)
				c->plat[q].instance = inst + c->plat[q].slot + 1;
		(*n)++;
	}
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
}

/* --until-decided: each pair is compared with native's pair of the same
 * benchmark (with instances, each instance's pair on its own). */
static void set_baselines(struct collector *c)
{
	size_t nat;

	for (nat = 0; nat < c->n_plat && strcmp(c->plat[nat].name, "native");
	     nat++)
		;
	if (nat == c->n_plat) {
		vb_warn("--until-decided: no native platform to compare with; "
			"every pair stops at --min-reps");
		return;
	}
	for (size_t i = 0; i < c->n_plat; i++)
		for (size_t j = 0; i != nat && j < c->n_bench; j++)
			sched_set_baseline(&c->sched, i * c->n_bench + j,
					   nat * c->n_bench + j,
					   !strcmp(c->bench[j].b->direction,
						   "lower"));
}

/* --until-decided: what earlier runs on this host predict. For each
 * platform and benchmark measured before against native, the repetitions
 * per side that would decide it from scratch at the variance seen then:
 * 2 + reps_needed(.., 2, .., 2) with the earlier means and variances. */
static void plan_expected(struct collector *c)
{
	struct analyze_opts ao = { 0 };
	struct analyze_set *set = NULL;
	struct sb sb = SB_INIT;
	char *host = NULL;
	struct db_cursor *cur;
	size_t m = 0;

	if (db_hosts_open(c->db, &cur) < 0)
		return;
	{
		int64_t id;
		const char *name;

		while (!host && db_hosts_next(cur, &id, &name) == 1)
			if (id == c->host_id)
				host = xstrdup(name);
	}
	db_cursor_close(cur);
	ao.host = host;
	ao.margin = c->o->margin;
	/* the family of this run: every pair compared with native */
	for (size_t i = 0; i < c->sched.n; i++)
		m += c->sched.pairs[i].baseline >= 0;
	if (!host || analyze_load(c->db, &ao, &set) < 0) {
		free(host);
		return;
	}
	for (size_t i = 0; i < set->n_groups; i++) {
		const struct analyze_vs *v = &set->groups[i].vs_baseline;
		int wanted = 0;
		long k;

		if (!v->present || v->in_nx < 2 || v->in_ny < 2)
			continue;
		for (size_t p = 0; p < c->n_plat && !wanted; p++)
			wanted = !strcmp(c->plat[p].name, set->groups[i].platform);
		for (size_t b = 0; wanted && b < c->n_bench; b++)
			if (!strcmp(c->bench[b].b->name, set->groups[i].benchmark))
				wanted = 2;
		if (wanted != 2)
			continue;
		k = analyze_reps_needed(v->in_mx, v->in_vx, 2, v->in_my, v->in_vy,
					2, m, c->o->margin);
		if (k < 0)
			sb_addf(&sb, "%s%s/%s >%ld", sb.len ? ", " : "",
				set->groups[i].platform, set->groups[i].benchmark,
				ANALYZE_REPS_MAX);
		else
			sb_addf(&sb, "%s%s/%s %ld", sb.len ? ", " : "",
				set->groups[i].platform, set->groups[i].benchmark,
				k + 2);
	}
	if (sb.len)
		vb_info("  expected:    repetitions per side to a verdict, from "
			"earlier runs on %s: %s", host, sb.buf);
	sb_release(&sb);
	analyze_set_free(set);
	free(host);
}

static void print_plan(struct collector *c, long stored)
{
	double est = 0, est_hi = 0;
	long lo, hi;
	char a[32], b[32];
	struct sb sb = SB_INIT;
	int guests = 0;

	sched_remaining(&c->sched, &lo, &hi);
	for (size_t i = 0; i < c->sched.n; i++) {
		const struct sched_pair *p = &c->sched.pairs[i];
		long l = 0, h = 0;
		struct scheduler one = c->sched;

		/* Per pair: remaining samples times its estimate. */
		one.n = 1;
		one.pairs = (struct sched_pair *)p;
		sched_remaining(&one, &l, &h);
		est += (double)l * c->bench[p->bench].estimate;
		est_hi += (double)h * c->bench[p->bench].estimate;
	}
	for (size_t i = 0; i < c->n_plat; i++) {
		char **prep = NULL;
		size_t np = 0;

		if (c->plat[i].unavailable)
			continue;
		for (size_t j = 0; j < c->n_bench; j++)
			if (c->bench[j].b->prepare)
				strv_add_unique(&prep, &np, c->bench[j].b->prepare);
		est += (double)np * PREPARE_ESTIMATE;
		est_hi += (double)np * PREPARE_ESTIMATE;
		for (size_t j = 0; j < np; j++)
			free(prep[j]);
		free(prep);
		if (strcmp(c->plat[i].settings.kind, "native"))
			guests++;
	}
	est += guests * START_ESTIMATE;
	est_hi += guests * START_ESTIMATE;

	vb_info("plan for run %s", c->uuid);
	vb_info("  suite:       %s (%s)", c->suite->name, c->suite->origin);
	for (size_t i = 0; i < c->n_plat; i++)
		if (c->plat[i].slot == 0)
			sb_addf(&sb, "%s%s%s", sb.len ? ", " : "", c->plat[i].name,
				c->plat[i].unavailable ? " (unavailable)" : "");
	vb_info("  platforms:   %s", sb.buf);
	if (c->instances > 1)
		vb_info("  instances:   %d per docker/kvm/qemu platform (fresh "
			"guests and containers, interleaved)", c->instances);
	sb_reset(&sb);
	for (size_t i = 0; i < c->n_bench; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", c->bench[i].b->name);
	vb_info("  benchmarks:  %s, %d s each", sb.buf, c->duration);
	if (c->o->until_decided) {
		vb_info("  repetitions: 1 warm-up + until each verdict against "
			"native is decided at a %g%% margin (%d to %d), "
			"interleaved, seed %" PRIu64, 100 * c->o->margin,
			c->o->min_reps, c->o->max_reps, c->seed);
		plan_expected(c);
	} else if (c->o->target_ci > 0)
		vb_info("  repetitions: 1 warm-up + until the 95%% CI is within "
			"%g%% of the mean (%d to %d), interleaved, seed %" PRIu64,
			c->o->target_ci, c->o->min_reps, c->o->max_reps, c->seed);
	else
		vb_info("  repetitions: 1 warm-up + %d per pair, interleaved, seed %"
			PRIu64, c->reps, c->seed);
	fmt_secs(est, a, sizeof(a));
	fmt_secs(est_hi, b, sizeof(b));
	if (stored)
		vb_info("  resuming:    %ld samples already stored are kept", stored);
	if (lo == hi)
		vb_info("  samples:     %ld to take, estimated wall time %s", lo, a);
	else
		vb_info("  samples:     %ld to %ld to take, estimated wall time %s "
			"to %s", lo, hi, a, b);
	sb_release(&sb);
}

/* ---- platforms ---------------------------------------------------------- */

/* Tool versions and CPU governor as the platform itself sees them, by the
 * same exec every benchmark uses (so it works on any platform). */
static const char tools_cmd[] =
	"for t in sysbench iperf3 fio; do printf '%s=' \"$t\"; "
	"if command -v \"$t\" >/dev/null 2>&1; then "
	"\"$t\" --version 2>&1 | head -n 1; else echo missing; fi; done; "
	"printf 'kernel=%s\\n' \"$(uname -r)\"; "
	"printf 'os=%s\\n' \"$(. /etc/os-release 2>/dev/null; echo \"$PRETTY_NAME\")\"; "
	"printf 'cpu_governor=%s\\n' \"$(cat /sys/devices/system/cpu/cpu0/cpufreq/"
	"scaling_governor 2>/dev/null || echo unknown)\"";

static void add_tools(struct cplat *cp, cJSON *cfg)
{
	struct exec_result r = { 0 };
	cJSON *tools = cJSON_GetObjectItemCaseSensitive(cfg, "tools");

	if (!cJSON_IsObject(tools)) {
		cJSON_DeleteItemFromObject(cfg, "tools");
		tools = cJSON_AddObjectToObject(cfg, "tools");
	}
	if (cp->p->ops->exec(cp->p, tools_cmd, 30, &r) == 0 && r.exit_status == 0) {
		char **lines = vb_split(r.out, '\n');

		for (char **l = lines; *l; l++) {
			char *eq = strchr(*l, '=');

			if (!eq)
				continue;
			*eq = '\0';
			if (!cJSON_GetObjectItemCaseSensitive(tools, *l))
				cJSON_AddStringToObject(tools, *l, eq + 1);
		}
		vb_strv_free(lines);
	} else {
		vb_warn("platform %s: cannot read tool versions", cp->name);
	}
	exec_result_clear(&r);
}

/* A resumed run starts fresh guests and containers; the instances that
 * took the earlier samples stay listed in the configuration, so every
 * sample can be traced to the instance (by its start time) that ran it. */
static void add_previous_instances(struct collector *c, struct cplat *cp,
				   cJSON *cfg)
{
	cJSON *old = NULL, *prev, *arr;
	const char *id;
	char *json;

	if (db_run_platform_config(c->db, c->run_id, cp->id, &json) < 0)
		return;
	old = json ? cJSON_Parse(json) : NULL;
	free(json);
	if (!old)
		return;
	prev = cJSON_GetObjectItemCaseSensitive(old, "previous_instances");
	arr = cJSON_IsArray(prev) ? cJSON_Duplicate(prev, 1) : cJSON_CreateArray();
	id = json_str(old, "instance_id");
	if (id) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "instance_id", id);
		add_opt_str(e, "started_at", json_str(old, "started_at"));
		cJSON_AddItemToArray(arr, e);
	}
	if (cJSON_GetArraySize(arr))
		cJSON_AddItemToObject(cfg, "previous_instances", arr);
	else
		cJSON_Delete(arr);
	cJSON_Delete(old);
}

/* Another slot of cp's platform that started (its row says "ok")? */
static int sibling_available(const struct collector *c, const struct cplat *cp)
{
	for (size_t i = 0; i < c->n_plat; i++)
		if (&c->plat[i] != cp && c->plat[i].id == cp->id &&
		    c->plat[i].available)
			return 1;
	return 0;
}

static int mark_unavailable(struct collector *c, size_t i, const char *reason)
{
	struct cplat *cp = &c->plat[i];

	cp->available = 0;
	cp->unavailable = 1;
	sched_disable_platform(&c->sched, i);
	if (cp->n_slots > 1) {
		vb_warn("platform %s, instance %d is unavailable: %s", cp->name,
			cp->instance, reason);
		/* The platform's row stays "ok" while one instance runs. */
		if (sibling_available(c, cp))
			return 0;
	} else {
		vb_warn("platform %s is unavailable: %s", cp->name, reason);
	}
	return db_run_platform_set(c->db, c->run_id, cp->id, NULL, NULL,
				   "unavailable", reason);
}

/* With instances, the platform's one configuration row lists them all:
 * cfg (of this slot) gets "instances": [... earlier slots' entries from
 * the stored row, this one's {instance, instance_id, started_at}]. The
 * first slot of a run starts the list afresh. */
static void add_instance_entry(struct collector *c, struct cplat *cp,
			       cJSON *cfg)
{
	cJSON *arr = NULL, *e;

	if (cp->slot > 0) {
		cJSON *old = NULL, *prev;
		char *json = NULL;

		if (db_run_platform_config(c->db, c->run_id, cp->id, &json) == 0 &&
		    json)
			old = cJSON_Parse(json);
		free(json);
		prev = old ? cJSON_GetObjectItemCaseSensitive(old, "instances") :
			NULL;
		if (cJSON_IsArray(prev))
			arr = cJSON_Duplicate(prev, 1);
		prev = old ? cJSON_GetObjectItemCaseSensitive(old,
			"previous_instances") : NULL;
		if (cJSON_IsArray(prev))
			cJSON_AddItemToObject(cfg, "previous_instances",
					      cJSON_Duplicate(prev, 1));
		cJSON_Delete(old);
	}
	if (!arr)
		arr = cJSON_CreateArray();
	e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "instance", cp->instance);
	add_opt_str(e, "instance_id", cp->p->instance_id);
	add_opt_str(e, "started_at", json_str(cfg, "started_at"));
	cJSON_AddItemToArray(arr, e);
	cJSON_AddItemToObject(cfg, "instances", arr);
}

static int start_platform(struct collector *c, size_t i)
{
	struct cplat *cp = &c->plat[i];
	cJSON *cfg;
	char *json;
	int ret;

	cp->p = platform_new_with(cp->name, cp->settings.kind, &c->o->popts,
				  &cp->settings);
	if (!cp->p)
		return mark_unavailable(c, i, "cannot be created");
	if (cp->n_slots > 1)
		cp->p->instance = cp->slot + 1;
	if (cp->n_slots > 1)
		vb_info("starting platform %s, instance %d of %d", cp->name,
			cp->instance, cp->n_slots);
	else
		vb_info("starting platform %s", cp->name);
	if (cp->p->ops->start(cp->p) < 0) {
		if (collect_stop_requested)
			return 0;
		return mark_unavailable(c, i, cp->p->unavailable_reason ?
					cp->p->unavailable_reason :
					"start failed (see the messages above)");
	}
	cp->p->started = 1;
	if (c->o->forkbench && uses(c, "forkbench")) {
		const char *wd = cp->p->workdir ? cp->p->workdir : "/tmp";

		cp->forkbench = xasprintf("%s/forkbench", wd);
		if (cp->p->ops->put_file(cp->p, c->o->forkbench, cp->forkbench,
					 0755) < 0) {
			free(cp->forkbench);
			cp->forkbench = NULL;
			vb_warn("platform %s: cannot copy the fork benchmark in; "
				"its fork samples will fail", cp->name);
		}
	}
	cfg = cJSON_CreateObject();
	{
		char now[40];

		cJSON_AddStringToObject(cfg, "started_at", vb_now_iso(now, sizeof(now)));
	}
	if (cp->p->ops->describe && cp->p->ops->describe(cp->p, cfg) < 0)
		vb_warn("platform %s: incomplete configuration", cp->name);
	add_tools(cp, cfg);
	if (cp->forkbench)
		cJSON_AddStringToObject(cfg, "forkbench", cp->forkbench);
	if (cp->p->instance_id)
		cJSON_AddStringToObject(cfg, "instance_id", cp->p->instance_id);
	if (cp->slot == 0)
		add_previous_instances(c, cp, cfg);
	if (cp->n_slots > 1)
		add_instance_entry(c, cp, cfg);
	json = cJSON_PrintUnformatted(cfg);
	cJSON_Delete(cfg);
	ret = db_run_platform_set(c->db, c->run_id, cp->id, json,
				  cp->p->instance_id, "ok", NULL);
	free(json);
	if (ret < 0)
		return -1;
	cp->available = 1;
	/* Idle until its turn. */
	if (cp->p->ops->pause && cp->p->ops->pause(cp->p) == 0)
		cp->p->paused = 1;
	return 0;
}

static int activate(struct collector *c, struct cplat *cp)
{
	if (c->active == cp)
		return 0;
	if (c->active && c->active->p->ops->pause &&
	    c->active->p->ops->pause(c->active->p) == 0)
		c->active->p->paused = 1;
	c->active = NULL;
	if (cp->p->paused && cp->p->ops->resume) {
		if (cp->p->ops->resume(cp->p) < 0)
			return vb_error("platform %s: cannot resume", cp->name);
		cp->p->paused = 0;
	}
	c->active = cp;
	return 0;
}

static char *with_workdir(const struct platform *p, const char *cmd);

static void teardown_all(struct collector *c)
{
	for (size_t i = 0; i < c->n_plat; i++) {
		struct cplat *cp = &c->plat[i];

		if (!cp->p)
			continue;
		if (cp->available && !collect_stop_requested) {
			for (size_t j = 0; j < cp->n_cleanups; j++) {
				struct exec_result r = { 0 };

				if (activate(c, cp) == 0) {
					char *cmd = with_workdir(cp->p, cp->cleanups[j]);

					if (cp->p->ops->exec(cp->p, cmd, PREPARE_TIMEOUT,
							     &r) < 0 || r.exit_status)
						vb_warn("platform %s: cleanup failed: %s",
							cp->name, cp->cleanups[j]);
					free(cmd);
				}
				exec_result_clear(&r);
			}
		}
		if (cp->p->started || cp->available)
			vb_info("stopping platform %s", cp->name);
		platform_free(cp->p);
		cp->p = NULL;
		/* The next platform's cleanup activates it, which pauses the
		 * active one: that must not be this freed one. */
		if (c->active == cp)
			c->active = NULL;
	}
	c->active = NULL;
}

/* ---- samples ---------------------------------------------------------------- */

static void progress(struct collector *c, const char *what)
{
	long lo, hi;
	double remaining = 0, scale;
	char eta[32], label[48];

	if (!vb_progress_wanted())
		return;
	sched_remaining(&c->sched, &lo, &hi);
	for (size_t i = 0; i < c->sched.n; i++) {
		struct scheduler one = c->sched;
		long l, h;

		one.n = 1;
		one.pairs = &c->sched.pairs[i];
		sched_remaining(&one, &l, &h);
		remaining += (double)l * c->bench[c->sched.pairs[i].bench].estimate;
	}
	/* Correct the suite's estimates by what the run has seen so far. */
	scale = c->est_done > 0 ? c->real_done / c->est_done : 1;
	fmt_secs(remaining * scale, eta, sizeof(eta));
	if (c->sched.round <= 0)
		snprintf(label, sizeof(label), "warm-up");
	else
		snprintf(label, sizeof(label), "round %d/%d", c->sched.round,
			 c->o->target_ci > 0 || c->o->until_decided ?
			 c->o->max_reps : c->reps);
	fprintf(stderr, "\r\033[K[%s] %ld done, %ld%s to go, ETA %s  %s",
		label, c->done_samples, lo, lo == hi ? "" : "+", eta,
		what ? what : "");
	fflush(stderr);
	c->progress_shown = 1;
}

static void progress_end(struct collector *c)
{
	if (c->progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		c->progress_shown = 0;
	}
}

/* Quiet the progress line before any message. */
static void say(struct collector *c)
{
	progress_end(c);
}

static char *with_workdir(const struct platform *p, const char *cmd)
{
	char *q, *r;

	if (!p->workdir)
		return xstrdup(cmd);
	q = shell_quote(p->workdir);
	r = xasprintf("cd %s && %s", q, cmd);
	free(q);
	return r;
}

static void vars_for(struct collector *c, struct cplat *cp, struct suite_vars *v)
{
	memset(v, 0, sizeof(*v));
	v->duration = c->duration;
	v->workdir = cp->p->workdir;
	v->iperf_host = cp->p->host_addr;
	/* An external server on the host's loopback is reached from a guest
	 * through the guest's address for the host (10.0.2.2), like ours. */
	if (c->o->iperf_server && strcmp(c->iperf_host, "127.0.0.1") &&
	    strcmp(c->iperf_host, "localhost"))
		v->iperf_host = c->iperf_host;
	v->iperf_port = c->iperf_port;
	if (cp->p->iperf_port && !c->o->iperf_server)
		v->iperf_port = cp->p->iperf_port;
	v->forkbench = cp->forkbench;
}

/* Runs the benchmark's prepare command on the platform unless the same
 * command already ran there. Returns 0, or negative with *why set. */
static int prepare(struct collector *c, struct cplat *cp, struct cbench *cb,
		   char **why)
{
	struct suite_vars v;
	struct exec_result r = { 0 };
	char *cmd, *full;
	int ret = 0;

	if (!cb->b->prepare)
		return 0;
	vars_for(c, cp, &v);
	cmd = suite_expand(c->suite, cb->b->prepare, &v);
	if (!cmd) {
		*why = xasprintf("not run: prepare command of %s cannot be "
				 "expanded on %s", cb->b->name, cp->name);
		return -1;
	}
	for (size_t i = 0; i < cp->n_prepared; i++) {
		if (!strcmp(cp->prepared[i], cmd)) {
			free(cmd);
			return 0;
		}
	}
	say(c);
	vb_info("%s: preparing %s: %s", cp->name, cb->b->name, cmd);
	full = with_workdir(cp->p, cmd);
	if (cp->p->ops->exec(cp->p, full, PREPARE_TIMEOUT, &r) < 0) {
		*why = xasprintf("could not run: prepare command failed on %s",
				 cp->name);
		ret = -1;
	} else if (r.exit_status != 0 || r.timed_out) {
		char *last = r.out;
		const char *txt = r.err && *r.err ? r.err : r.out;

		last = xstrndup(txt, strcspn(txt, "\n"));
		*why = xasprintf("prepare failed (exit status %d%s): %s",
				 r.exit_status, r.timed_out ? ", timed out" : "",
				 last);
		free(last);
		ret = -1;
	} else {
		strv_add_unique(&cp->prepared, &cp->n_prepared, cmd);
	}
	if (cb->b->cleanup) {
		char *cl = suite_expand(c->suite, cb->b->cleanup, &v);

		if (cl)
			strv_add_unique(&cp->cleanups, &cp->n_cleanups, cl);
		free(cl);
	}
	exec_result_clear(&r);
	free(full);
	free(cmd);
	return ret;
}

/* What serves cp's benchmark besides our children (hostload.h). */
static void load_target(struct collector *c, struct cplat *cp,
			struct hostload_target *t)
{
	const char *kind = cp->settings.kind ? cp->settings.kind : "";

	memset(t, 0, sizeof(*t));
	t->iperf_pid = c->iperf.st ? c->iperf.pid : 0;
	t->kind = kind;
	t->instance_id = cp->p->instance_id;
	if ((!strcmp(kind, "kvm") || !strcmp(kind, "qemu")) &&
	    !cp->qemu_searched) {
		/* found once: a guest on this host; none for a remote one */
		cp->qemu_pid = hostload_find_qemu(cp->p->instance_id);
		cp->qemu_searched = 1;
	}
	t->qemu_pid = cp->qemu_pid;
}

/* " (instance 2)" for a platform with instances, else "". Static. */
static const char *inst_tag(const struct cplat *cp)
{
	static char buf[32];

	if (cp->n_slots <= 1)
		return "";
	snprintf(buf, sizeof(buf), " (instance %d)", cp->instance);
	return buf;
}

/* One attempt at a sample, from its start to what is stored of it. */
struct attempt {
	char started[40];       /* when the command started (ISO 8601) */
	double t0;              /* the same, wall seconds */
	struct exec_result r;   /* the command's result; zeros if it never ran */
	struct sb raw;          /* its stdout, then its stderr: what is stored */
	double value;           /* the parsed value, when ok */
	char *why;              /* why it failed (owned); NULL when ok */
	char *reason;           /* the parser's refusal (owned), part of why */
	int ok;                 /* ran, exit 0, parsed */
	int lost;               /* the platform could not run the command */
	int measurable;         /* host load measured around the command: */
	double other, steal;    /* other processes' cores, steal time */
};

static void attempt_clear(struct attempt *a)
{
	exec_result_clear(&a->r);
	sb_release(&a->raw);
	free(a->why);
	free(a->reason);
}

/* The platform resumed and the benchmark prepared. 0 when ready, 1 when
 * interrupted, negative with a->why set when the sample fails here. */
static int attempt_ready(struct collector *c, struct cplat *cp,
			 struct cbench *cb, struct attempt *a)
{
	if (activate(c, cp) < 0) {
		a->why = xasprintf("could not run: platform %s cannot be resumed",
				   cp->name);
		return -1;
	}
	if (prepare(c, cp, cb, &a->why) < 0)
		return collect_stop_requested ? 1 : -1;
	return 0;
}

/*
 * Runs the benchmark's command on the platform into a->r, measuring the
 * host's load around it, and sets a->lost when the platform itself failed.
 * 0 when it ran, 1 when interrupted meanwhile, negative with a->why set
 * when the command cannot be expanded on this platform.
 */
static int attempt_run(struct collector *c, struct cplat *cp,
		       struct cbench *cb, int rep, struct attempt *a)
{
	struct suite_vars v;
	struct hostload_target lt;
	struct hostload_snap l0, l1;
	char *cmd, *full;
	int rc;

	vars_for(c, cp, &v);
	cmd = suite_expand(c->suite, cb->b->command, &v);
	if (!cmd) {
		a->why = xasprintf("not run: a placeholder of %s has no value on %s",
				   cb->b->name, cp->name);
		return -1;
	}
	full = with_workdir(cp->p, cmd);
	vb_debug("%s/%s #%d: %s", cp->name, cb->b->name, rep, cmd);
	vb_now_iso(a->started, sizeof(a->started));
	load_target(c, cp, &lt);
	a->measurable = hostload_measurable(&lt);
	if (a->measurable)
		hostload_snap(&lt, &l0);
	a->t0 = vb_wall_time();
	rc = cp->p->ops->exec(cp->p, full, cb->timeout, &a->r);
	if (a->measurable) {
		hostload_snap(&lt, &l1);
		a->measurable = hostload_between(&l0, &l1, &a->other,
						 &a->steal) == 0;
	}
	free(full);
	free(cmd);
	if (collect_stop_requested)
		return 1;
	a->lost = rc < 0;
	return 0;
}

/* The verdict on a command that ran: a->raw collected, then a->ok, or
 * a->why saying what went wrong. */
static void attempt_judge(const struct cplat *cp, const struct cbench *cb,
			  struct attempt *a)
{
	const struct exec_result *r = &a->r;

	sb_init(&a->raw);
	if (r->out)
		sb_adds(&a->raw, r->out);
	if (r->err && *r->err)
		sb_adds(&a->raw, r->err);
	if (a->lost) {
		/* A platform that lost its guest or container says why in
		 * unavailable_reason; that is what the report should show.
		 * Otherwise the transport's own first line of error. */
		size_t n = r->err ? strcspn(r->err, "\n") : 0;

		a->why = cp->p->unavailable_reason ?
			xasprintf("could not run: %s", cp->p->unavailable_reason) :
			n ? xasprintf("could not run: %.*s", (int)n, r->err) :
			xasprintf("could not run: %s did not run the command "
				  "(see the collector's log)", cp->name);
	} else if (r->timed_out) {
		a->why = xasprintf("timed out after %.0f s", cb->timeout);
	} else if (parser_run(cb->b->parser, a->raw.buf, a->raw.len, &a->value,
			      &a->reason) < 0) {
		a->why = r->exit_status ? xasprintf("exit status %d: %s",
						    r->exit_status, a->reason) :
			xasprintf("parse: %s", a->reason);
	} else if (r->exit_status) {
		a->why = xasprintf("exit status %d", r->exit_status);
	} else {
		a->ok = 1;
	}
}

/* The sample row for attempt a (pointing into a). */
static void attempt_sample(const struct collector *c, const struct cplat *cp,
			   const struct cbench *cb, int rep,
			   const struct attempt *a, struct db_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->run_id = c->run_id;
	s->platform_id = cp->id;
	s->benchmark_id = cb->id;
	s->repetition = stored_repetition(cp, rep);
	s->instance = cp->instance;
	if (a->measurable) {
		s->has_disturbance = 1;
		s->host_other_cpu = a->other;
		s->disturbed = a->other > c->disturbed_cpu ||
			       a->steal > c->disturbed_steal;
	}
	s->has_value = a->ok;
	s->value = a->value;
	s->status = !a->ok ? "failed" : rep == 0 ? "warmup" : "ok";
	s->raw_output = a->raw.buf;
	s->error = a->why;
	s->parser = cb->b->parser;
	s->parser_version = cb->b->parser_version;
	s->started_at = a->started;
	s->duration = a->r.out ? a->r.duration : vb_wall_time() - a->t0;
}

/*
 * The platform itself is gone (daemon stopped, guest destroyed, connection
 * lost): every further sample would fail the same way. Stops measuring it
 * and records why, leaving the rest of its samples to "collect --resume"
 * once it is back. Negative on a database error.
 */
static int platform_lost(struct collector *c, size_t platform,
			 const char *why)
{
	struct cplat *cp = &c->plat[platform];

	cp->lost = 1;
	c->lost_any = 1;
	sched_disable_platform(&c->sched, platform);
	return db_run_platform_set(c->db, c->run_id, cp->id, NULL, NULL,
				   "failed", why);
}

/* One line on stderr for a stored sample: a warning when it failed or was
 * disturbed, else its value when no progress line shows it. */
static void sample_say(struct collector *c, const struct cplat *cp,
		       const struct cbench *cb, int rep,
		       const struct db_sample *s, const struct attempt *a)
{
	if (!a->ok) {
		say(c);
		vb_warn("%s/%s #%d%s failed: %s", cp->name, cb->b->name,
			s->repetition, inst_tag(cp), a->why);
	} else if (s->has_disturbance && s->disturbed) {
		say(c);
		vb_warn("%s/%s #%d%s: %g %s, disturbed: other processes used "
			"%.2f cores%s", cp->name, cb->b->name, s->repetition,
			inst_tag(cp), a->value, cb->b->unit, a->other,
			a->steal > c->disturbed_steal ? " (and steal time)" : "");
	} else if (!vb_progress_wanted()) {
		vb_info("%s/%s #%d%s%s: %g %s (%.1f s)", cp->name, cb->b->name,
			s->repetition, inst_tag(cp),
			rep ? "" : " (warm-up)", a->value, cb->b->unit,
			s->duration);
	}
}

/* Takes one sample and stores it. Returns 0 (stored, ok or failed), 1
 * when interrupted (nothing stored), negative on a database error. */
static int take_sample(struct collector *c, size_t pair, int rep)
{
	const struct sched_pair *sp = &c->sched.pairs[pair];
	struct cplat *cp = &c->plat[sp->platform];
	struct cbench *cb = &c->bench[sp->bench];
	struct attempt a = { .raw = SB_INIT };
	struct db_sample s;
	int ret = -1, rc;

	vb_now_iso(a.started, sizeof(a.started));
	a.t0 = vb_wall_time();
	rc = attempt_ready(c, cp, cb, &a);
	if (!rc)
		rc = attempt_run(c, cp, cb, rep, &a);
	if (rc > 0) {
		ret = 1;
		goto out;
	}
	if (!rc)
		attempt_judge(cp, cb, &a);
	attempt_sample(c, cp, cb, rep, &a, &s);
	/* The table holds one warm-up per (run, platform, benchmark): that
	 * of the first instance. Later instances warm up all the same (a
	 * fresh guest is as cold as the first), and the value is logged. */
	if (rep == 0 && cp->slot > 0)
		vb_debug("%s/%s instance %d warm-up: %s %g", cp->name,
			 cb->b->name, cp->instance, a.ok ? "ok" : "failed",
			 a.value);
	else if (db_sample_insert(c->db, &s) < 0)
		goto out;
	sched_record_sample(&c->sched, pair, rep, a.ok, a.value,
			    s.has_disturbance && s.disturbed);
	if (a.lost && platform_lost(c, sp->platform, a.why) < 0)
		goto out;
	c->done_samples++;
	c->est_done += cb->estimate;
	c->real_done += vb_wall_time() - a.t0;
	sample_say(c, cp, cb, rep, &s, &a);
	ret = 0;
out:
	attempt_clear(&a);
	return ret;
}

/* ---- the run -------------------------------------------------------------- */

/* collector.pid in the run directory: this collector's owner record
 * (common/owner.h), which "cleanup" and a second "collect --resume" read. */
static int write_pidfile(struct collector *c)
{
	char *path = xasprintf("%s/collector.pid", c->state_dir);
	int ret = owner_write_file(path, 0600);

	free(path);
	return ret;
}

static void collector_free(struct collector *c)
{
	for (size_t i = 0; i < c->n_plat; i++) {
		struct cplat *cp = &c->plat[i];

		platform_free(cp->p);
		free(cp->name);
		platform_settings_clear(&cp->settings);
		free(cp->forkbench);
		for (size_t j = 0; j < cp->n_prepared; j++)
			free(cp->prepared[j]);
		free(cp->prepared);
		for (size_t j = 0; j < cp->n_cleanups; j++)
			free(cp->cleanups[j]);
		free(cp->cleanups);
	}
	free(c->plat);
	free(c->bench);
	sched_free(&c->sched);
	suite_free(c->suite);
	cJSON_Delete(c->params);
	free(c->state_dir);
	iperf_stop(&c->iperf);
	free(c->iperf_host);
	free(c->iperf_port);
	free(c->iperf_log);
}

static int random_seed(uint64_t *seed)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, seed, sizeof(*seed));
		close(fd);
	}
	if (n != (ssize_t)sizeof(*seed))
		return vb_error("cannot read /dev/urandom for a seed");
	/* Stored in a signed 64-bit column; keep it positive and printable. */
	*seed &= 0x7fffffffffffffffULL;
	return 0;
}

static int setup_iperf(struct collector *c)
{
	if (!uses(c, "iperf_port") && !uses(c, "iperf_host"))
		return 0;
	if (c->o->iperf_server) {
		const char *colon = strrchr(c->o->iperf_server, ':');
		long port;

		if (!colon || colon == c->o->iperf_server ||
		    vb_parse_long(colon + 1, &port) < 0 || port < 1 || port > 65535)
			return vb_error("--iperf-server '%s': expected HOST:PORT",
					c->o->iperf_server);
		c->iperf_host = xstrndup(c->o->iperf_server,
					 (size_t)(colon - c->o->iperf_server));
		c->iperf_port = xstrdup(colon + 1);
		return 0;
	} else {
		const char *argv[] = { "iperf3", "-s", "-B", "127.0.0.1", "-p",
				       c->iperf_pstr, NULL };

		memcpy(c->iperf_argv, argv, sizeof(argv));
		c->iperf_log = xasprintf("%s/iperf3-server.log", c->state_dir);
		if (iperf_start(&c->iperf, c->iperf_log, c->iperf_pstr,
				sizeof(c->iperf_pstr), c->iperf_argv) < 0)
			return -1;
		c->iperf_port = xstrdup(c->iperf_pstr);
		vb_info("iperf3 server on 127.0.0.1:%s (pid %ld)", c->iperf_port,
			(long)c->iperf.pid);
	}
	return 0;
}

/* Pids of this user's processes whose environment carries
 * VIRTBENCH_RUN=uuid (set on every native command), except ours. Returns
 * how many were found, up to max. */
static int run_processes(const char *uuid, pid_t *pids, int max)
{
	char *want = xasprintf("VIRTBENCH_RUN=%s", uuid);
	size_t wn = strlen(want);
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max) {
		long pid;
		char *path;
		struct sb env = SB_INIT;
		struct stat st;

		if (vb_parse_long(e->d_name, &pid) < 0 || pid == (long)getpid())
			continue;
		path = xasprintf("/proc/%ld/environ", pid);
		if (stat(path, &st) == 0 && st.st_uid == geteuid() &&
		    sb_read_file(&env, path) == 0) {
			/* NUL-separated NAME=value strings. */
			for (size_t at = 0; at < env.len;) {
				const char *v = env.buf + at;
				size_t len = strnlen(v, env.len - at);

				if (len == wn && !memcmp(v, want, len)) {
					pids[n++] = (pid_t)pid;
					break;
				}
				at += len + 1;
			}
		}
		sb_release(&env);
		free(path);
	}
	if (d)
		closedir(d);
	free(want);
	return n;
}

/* A resumed run must not be measured beside what its killed collector
 * left running: a benchmark's process group dies with the collector
 * (common/run.h), but a descendant that left the group does not. Waits
 * for them (saying so), then ends them. */
#define DEAD_RUN_WAIT 10.0
static void wait_for_dead_run(const char *uuid)
{
	pid_t pids[64];
	double t0 = vb_mono_time();
	int n, told = 0;

	while ((n = run_processes(uuid, pids, 64)) > 0) {
		if (!told) {
			vb_warn("%d process%s still running from the interrupted "
				"collection of run %s (pid %ld%s); waiting up to %.0f s "
				"before ending %s", n, n == 1 ? " is" : "es are", uuid,
				(long)pids[0], n > 1 ? ", ..." : "", DEAD_RUN_WAIT,
				n == 1 ? "it" : "them");
			told = 1;
		}
		if (vb_mono_time() - t0 > DEAD_RUN_WAIT) {
			for (int i = 0; i < n; i++)
				kill(pids[i], SIGKILL);
			vb_warn("ended %d leftover process%s of run %s", n,
				n == 1 ? "" : "es", uuid);
			/* SIGKILL is not instant: let them go before measuring. */
			for (int i = 0; i < 100 && run_processes(uuid, pids, 64); i++)
				usleep(20000);
			return;
		}
		usleep(100000);
	}
}

/* The state base (--state-dir, the run's stored one, $VIRTBENCH_STATE_DIR
 * or /var/tmp) after the path rule; owned, or NULL after reporting. */
static char *state_base_checked(const struct collect_opts *o)
{
	char *base = platform_state_base(o->state_base);
	const char *env = getenv("VIRTBENCH_STATE_DIR");

	if (vb_path_check(o->state_base && *o->state_base ? "state directory" :
			  env && *env ? "$VIRTBENCH_STATE_DIR" : "state directory",
			  base) < 0) {
		free(base);
		return NULL;
	}
	return base;
}

/* The plan: a new run's suite, platforms, benchmarks and seed from the
 * options, or a resumed run's from its stored params; then the schedule.
 * Returns 0, 1 when the run to resume is already complete (nothing to
 * do), negative on failure (reported). */
static int plan_run(struct collector *c, char uuid[37])
{
	struct collect_opts *o = c->o;
	char *params = NULL, *status = NULL;
	struct sched_opts so = { 0 };
	int ret = -1;

	if (o->resume) {
		if (find_run(c, o->resume, &params, &status) < 0)
			goto out;
		snprintf(uuid, 37, "%s", c->uuid);
		/* Imported (any status) or another host's: its stored suite
		 * is never run here. */
		if (db_run_check_resumable(c->db, c->run_id) < 0)
			goto out;
		if (!strcmp(status, "complete")) {
			vb_info("run %s is already complete", c->uuid);
			ret = 1;
			goto out;
		}
		if (load_params(c, params) < 0)
			goto out;
	} else {
		if (suite_load(o->suites_dir, o->profile ? o->profile : "classic",
			       &c->suite) < 0)
			goto out;
		c->duration = o->duration > 0 ? o->duration : c->suite->duration;
		c->reps = o->reps > 0 ? o->reps : c->suite->reps;
		c->instances = o->instances > 1 ? o->instances : 1;
		c->disturbed_cpu = o->disturbed_cpu > 0 ? o->disturbed_cpu :
			HOSTLOAD_OTHER_CPU;
		c->disturbed_steal = o->disturbed_steal > 0 ?
			o->disturbed_steal : HOSTLOAD_STEAL;
		c->retake = o->retake_disturbed;
		if (setup_platform_list(c, o->platforms, o->settings) < 0 ||
		    select_benchmarks(c, o->benchmarks) < 0)
			goto out;
		if (o->has_seed)
			c->seed = o->seed & 0x7fffffffffffffffULL;
		else if (random_seed(&c->seed) < 0)
			goto out;
	}
	if (uses(c, "forkbench") && !o->forkbench) {
		vb_error("the suite's fork benchmark needs build/forkbench: run "
			 "'make', or set $FORKBENCH");
		goto out;
	}
	so.reps = c->reps;
	so.target_ci = o->target_ci;
	so.until_decided = o->until_decided;
	so.margin = o->margin > 0 ? o->margin : ANALYZE_DEFAULT_MARGIN;
	so.min_reps = o->min_reps;
	so.max_reps = o->max_reps;
	so.warmup = 1;
	so.seed = c->seed;
	so.retake = c->retake;
	sched_init(&c->sched, &so, c->n_plat, c->n_bench);
	if (o->until_decided)
		set_baselines(c);
	ret = 0;
out:
	free(params);
	free(status);
	return ret;
}

/* The run row: created for a new run, marked resumed (after checking
 * that no other collector holds it) for a resumed one, whose stored
 * samples go to the scheduler (*stored counts them). */
static int open_run(struct collector *c, long *stored)
{
	struct db_run run = { 0 };
	char *json;
	int ret;

	*stored = 0;
	if (c->o->resume) {
		char *base = state_base_checked(c->o);

		if (!base)
			return -1;
		c->state_dir = xasprintf("%s/virtbench-%s", base, c->uuid);
		free(base);
		/* One live collector per run, whatever its state directory
		 * or path to the database (db/guard.c). */
		if (db_run_lock(c->db, c->uuid) < 0)
			return -1;
		wait_for_dead_run(c->uuid);
		if (note_resume(c) < 0 || load_existing(c, stored) < 0)
			return -1;
		return 0;
	}
	if (db_host_ensure_named(c->db, NULL, 1, &c->host_id) < 0)
		return -1;
	c->params = build_params(c);
	json = cJSON_PrintUnformatted(c->params);
	run.host_id = c->host_id;
	run.suite = c->suite->name;
	run.params = json;
	run.seed = (int64_t)c->seed;
	run.has_seed = 1;
	run.command_line = c->o->command_line;
	run.status = "running";
	ret = db_run_create(c->db, &run, &c->run_id);
	if (ret == 0) {
		snprintf(c->uuid, sizeof(c->uuid), "%s", run.uuid);
		ret = db_run_lock(c->db, c->uuid);
	}
	free(json);
	return ret;
}

/* Benchmark and platform rows, the run directory with our owner record,
 * and the platforms of kinds this binary does not know (a resumed run
 * made by another version) marked unavailable before anything starts. */
static int prepare_run(struct collector *c)
{
	struct collect_opts *o = c->o;

	for (size_t i = 0; i < c->n_bench; i++)
		if (db_benchmark_ensure(c->db, c->bench[i].b->name, c->bench[i].b->unit,
					c->bench[i].b->direction, &c->bench[i].id) < 0)
			return -1;
	for (size_t i = 0; i < c->n_plat; i++) {
		if (db_platform_ensure(c->db, c->host_id, c->plat[i].name,
				       c->plat[i].settings.kind, &c->plat[i].id) < 0)
			return -1;
	}
	if (!c->state_dir) {
		char *base = state_base_checked(o);

		if (!base)
			return -1;
		c->state_dir = xasprintf("%s/virtbench-%s", base, c->uuid);
		free(base);
	}
	/* Private and proven ours: a directory planted at the (predictable,
	 * printed) run directory's name is refused, never used or removed. */
	if (vb_mkdir_private(c->state_dir) < 0) {
		free(c->state_dir);
		c->state_dir = NULL;
		return -1;
	}
	if (write_pidfile(c) < 0) {
		vb_rm_rf_inside(c->state_dir, c->state_dir);
		return -1;
	}
	o->popts.run_uuid = c->uuid;
	o->popts.state_dir = c->state_dir;
	for (size_t i = 0; i < c->n_plat; i++) {
		const char *why = NULL;

		if (!platform_kind_find(c->plat[i].settings.kind, &why) &&
		    mark_unavailable(c, i, why) < 0)
			return -1;
	}
	return 0;
}

/* The uplink's server and every platform not already unavailable.
 * Returns 0 when at least one platform runs, negative otherwise or when
 * interrupted. */
static int start_all(struct collector *c)
{
	int available = 0;

	if (setup_iperf(c) < 0)
		return -1;
	for (size_t i = 0; i < c->n_plat && !collect_stop_requested; i++) {
		if (c->plat[i].unavailable)
			continue;
		if (start_platform(c, i) < 0)
			return -1;
		available += c->plat[i].available;
	}
	if (collect_stop_requested)
		return -1;
	if (!available)
		return vb_error("no platform could be started; nothing measured");
	return 0;
}

/* Takes samples in the scheduler's order until it is done or a signal
 * stops it, then reports the collector's own CPU time. Negative on a
 * database error. */
static int sample_loop(struct collector *c)
{
	struct rusage ru0, ru1;
	double cpu, wall;
	size_t pair;
	int rep, rc;

	getrusage(RUSAGE_SELF, &ru0);
	c->loop_start = vb_mono_time();
	progress(c, NULL);
	while (!collect_stop_requested && sched_next(&c->sched, &pair, &rep)) {
		char what[160];

		snprintf(what, sizeof(what), "%s/%s #%d",
			 c->plat[c->sched.pairs[pair].platform].name,
			 c->bench[c->sched.pairs[pair].bench].b->name, rep);
		progress(c, what);
		rc = take_sample(c, pair, rep);
		if (rc < 0)
			return -1;
		if (rc > 0)
			break;
	}
	progress_end(c);
	getrusage(RUSAGE_SELF, &ru1);
	cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
	      (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	      (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
	      (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	wall = vb_mono_time() - c->loop_start;
	vb_info("collector overhead: %.3f s CPU over %.1f s of sampling "
		"(%.3f%% of one core)", cpu, wall,
		wall > 0 ? 100.0 * cpu / wall : 0.0);
	return 0;
}

/* How a run that sampled to its end finished: complete (0), interrupted
 * (1), or failed (1) because a platform was lost, with the hint to
 * resume. */
static int run_outcome(struct collector *c, const char **final)
{
	if (collect_stop_requested) {
		*final = "interrupted";
		return 1;
	}
	*final = "complete";
	if (!c->lost_any)
		return 0;
	/* Not complete: the lost platforms' remaining samples are still to
	 * take, and --resume takes them. */
	*final = "failed";
	for (size_t i = 0; i < c->n_plat; i++)
		if (c->plat[i].lost)
			vb_error("platform %s was lost during the run; once it is "
				 "back, finish the run with 'virtbench collect "
				 "--resume %s'", c->plat[i].name, c->uuid);
	return 1;
}

int collect_run(struct db *db, struct collect_opts *o, char uuid[37])
{
	struct collector c = { 0 };
	const char *final = "failed";
	long stored = 0;
	int ret = -1;

	c.db = db;
	c.o = o;
	uuid[0] = '\0';
	collect_stop_requested = 0;
	if (o->margin <= 0)
		o->margin = ANALYZE_DEFAULT_MARGIN;
	if (o->min_reps <= 0)
		o->min_reps = 3;
	if (o->max_reps <= 0)
		o->max_reps = 30;

	/* A measured sample is never given up for another process's lock. */
	db_wait_for_locks(db, &collect_stop_requested);
	ret = plan_run(&c, uuid);
	if (ret != 0) {
		ret = ret > 0 ? 0 : -1;
		goto out;
	}
	ret = -1;
	/* The run row, then its UUID on stdout at once. */
	if (open_run(&c, &stored) < 0)
		goto out;
	snprintf(uuid, 37, "%s", c.uuid);
	printf("%s\n", c.uuid);
	fflush(stdout);
	if (prepare_run(&c) < 0)
		goto fail_run;
	print_plan(&c, stored);
	signals_install();
	if (start_all(&c) < 0 || sample_loop(&c) < 0)
		goto teardown;
	ret = run_outcome(&c, &final);

teardown:
	progress_end(&c);
	if (collect_stop_requested) {
		final = "interrupted";
		ret = 1;
		vb_info("interrupted: abandoning the current sample, tearing down");
	}
	teardown_all(&c);
	iperf_stop(&c.iperf);
	signals_restore();
	if (c.state_dir)
		vb_rm_rf_inside(c.state_dir, c.state_dir);
fail_run:
	if (c.run_id && db_run_finish(db, c.run_id, final) < 0)
		ret = -1;
	if (ret == 1 && !strcmp(final, "interrupted"))
		vb_info("run %s interrupted; finish it with 'virtbench collect "
			"--resume %s'", c.uuid, c.uuid);
out:
	collector_free(&c);
	return ret;
}

/* ---- reparse ------------------------------------------------------------- */

int collect_reparse(struct db *db, int64_t run_id, int *seen, int *changed,
		    int *now_ok, int *now_failed)
{
	struct db_cursor *cur = NULL;
	struct db_raw_sample s;
	int ret = -1, rc;

	*seen = *changed = *now_ok = *now_failed = 0;
	if (db_begin(db) < 0)
		return -1;
	if (db_reparse_open(db, run_id, &cur) < 0)
		goto out;
	while ((rc = db_reparse_next(cur, &s)) == 1) {
		const struct parser *p = parser_find(s.parser);
		char *reason = NULL, *err = NULL;
		const char *st;
		double v = 0;
		int ok;

		if (!p) {
			vb_warn("sample %" PRId64 ": unknown parser '%s', left as is",
				s.id, s.parser);
			continue;
		}
		(*seen)++;
		ok = parser_run(s.parser, s.raw, s.raw_len, &v, &reason) == 0;
		st = !ok ? "failed" : s.repetition == 0 ? "warmup" : "ok";
		if (!ok)
			err = xasprintf("parse: %s", reason);
		if (strcmp(st, s.status) || ok != s.has_value ||
		    (ok && v != s.value) || s.parser_version != p->version) {
			(*changed)++;
			if (ok && !strcmp(s.status, "failed"))
				(*now_ok)++;
			if (!ok && strcmp(s.status, "failed"))
				(*now_failed)++;
			if (db_sample_set_parsed(db, s.id, ok, v, st, err,
						 p->version) < 0) {
				free(reason);
				free(err);
				goto out;
			}
		}
		free(reason);
		free(err);
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	db_cursor_close(cur);
	if (ret == 0)
		ret = db_commit(db);
	else
		db_rollback(db);
	return ret;
}
