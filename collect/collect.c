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
#include "collect/collect.h"

#include <arpa/inet.h>
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
	struct platform *p;
	int64_t id;
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
		    suite_seconds(b->estimate, c->duration, &cb->estimate) < 0)
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

static int setup_platform_list(struct collector *c, char **names)
{
	static char *dflt[] = { "native", NULL };

	if (!names || !*names)
		names = dflt;
	c->n_plat = vb_strv_len(names);
	c->plat = xcalloc(c->n_plat, sizeof(*c->plat));
	for (size_t i = 0; i < c->n_plat; i++) {
		const char *why = NULL;

		/* A typo must not become an "unavailable" platform. */
		if (!platform_kind_find(names[i], &why))
			return vb_error("platform %s: %s", names[i], why);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return vb_error("platform %s given twice", names[i]);
		c->plat[i].name = xstrdup(names[i]);
	}
	return 0;
}

static cJSON *build_params(struct collector *c)
{
	struct collect_opts *o = c->o;
	cJSON *p = cJSON_CreateObject(), *a;
	char *gov = read_governor();

	cJSON_AddStringToObject(p, "suite", c->suite->name);
	cJSON_AddStringToObject(p, "suite_origin", c->suite->origin);
	cJSON_AddStringToObject(p, "suite_text", c->suite->text);
	a = cJSON_AddArrayToObject(p, "platforms");
	for (size_t i = 0; i < c->n_plat; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->plat[i].name));
	a = cJSON_AddArrayToObject(p, "benchmarks");
	for (size_t i = 0; i < c->n_bench; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->bench[i].b->name));
	cJSON_AddNumberToObject(p, "duration", c->duration);
	if (o->target_ci > 0) {
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
	v = json_strv(c->params, "platforms");
	ret = setup_platform_list(c, v);
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

		for (pi = 0; pi < c->n_plat && strcmp(c->plat[pi].name, s.platform); pi++)
			;
		for (bi = 0; bi < c->n_bench && strcmp(c->bench[bi].b->name, s.benchmark); bi++)
			;
		if (pi == c->n_plat || bi == c->n_bench)
			continue;
		sched_record(&c->sched, pi * c->n_bench + bi, s.repetition,
			     s.status && !strcmp(s.status, "ok"), s.value);
		(*n)++;
	}
	db_cursor_close(cur);
	return rc < 0 ? -1 : 0;
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
		if (strncmp(c->plat[i].name, "native", 6))
			guests++;
	}
	est += guests * START_ESTIMATE;
	est_hi += guests * START_ESTIMATE;

	vb_info("plan for run %s", c->uuid);
	vb_info("  suite:       %s (%s)", c->suite->name, c->suite->origin);
	for (size_t i = 0; i < c->n_plat; i++)
		sb_addf(&sb, "%s%s%s", i ? ", " : "", c->plat[i].name,
			c->plat[i].unavailable ? " (unavailable)" : "");
	vb_info("  platforms:   %s", sb.buf);
	sb_reset(&sb);
	for (size_t i = 0; i < c->n_bench; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", c->bench[i].b->name);
	vb_info("  benchmarks:  %s, %d s each", sb.buf, c->duration);
	if (c->o->target_ci > 0)
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

static int mark_unavailable(struct collector *c, size_t i, const char *reason)
{
	struct cplat *cp = &c->plat[i];

	cp->available = 0;
	cp->unavailable = 1;
	sched_disable_platform(&c->sched, i);
	vb_warn("platform %s is unavailable: %s", cp->name, reason);
	return db_run_platform_set(c->db, c->run_id, cp->id, NULL, NULL,
				   "unavailable", reason);
}

static int start_platform(struct collector *c, size_t i)
{
	struct cplat *cp = &c->plat[i];
	cJSON *cfg;
	char *json;
	int ret;

	cp->p = platform_new(cp->name, &c->o->popts);
	if (!cp->p)
		return mark_unavailable(c, i, "cannot be created");
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
	add_previous_instances(c, cp, cfg);
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
					char *cmd = cp->p->workdir ? xasprintf("cd %s && %s",
						cp->p->workdir, cp->cleanups[j]) :
						xstrdup(cp->cleanups[j]);

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
			 c->o->target_ci > 0 ? c->o->max_reps : c->reps);
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

/* Takes one sample and stores it. Returns 0 (stored, ok or failed), 1
 * when interrupted (nothing stored), negative on a database error. */
static int take_sample(struct collector *c, size_t pair, int rep)
{
	const struct sched_pair *sp = &c->sched.pairs[pair];
	struct cplat *cp = &c->plat[sp->platform];
	struct cbench *cb = &c->bench[sp->bench];
	struct exec_result r = { 0 };
	struct db_sample s = { 0 };
	struct suite_vars v;
	struct sb raw = SB_INIT;
	char started[40], *cmd = NULL, *full = NULL, *why = NULL, *reason = NULL;
	double value = 0, t0 = vb_wall_time();
	int ret = -1, ok = 0, rc, lost = 0;

	vb_now_iso(started, sizeof(started));
	if (activate(c, cp) < 0) {
		why = xasprintf("could not run: platform %s cannot be resumed",
				cp->name);
		goto store;
	}
	if (prepare(c, cp, cb, &why) < 0) {
		if (collect_stop_requested)
			goto interrupted;
		goto store;
	}
	vars_for(c, cp, &v);
	cmd = suite_expand(c->suite, cb->b->command, &v);
	if (!cmd) {
		why = xasprintf("not run: a placeholder of %s has no value on %s",
				cb->b->name, cp->name);
		goto store;
	}
	full = with_workdir(cp->p, cmd);
	vb_debug("%s/%s #%d: %s", cp->name, cb->b->name, rep, cmd);
	vb_now_iso(started, sizeof(started));
	t0 = vb_wall_time();
	rc = cp->p->ops->exec(cp->p, full, cb->timeout, &r);
	if (collect_stop_requested)
		goto interrupted;
	sb_init(&raw);
	if (r.out)
		sb_adds(&raw, r.out);
	if (r.err && *r.err)
		sb_adds(&raw, r.err);
	if (rc < 0) {
		/* A platform that lost its guest or container says why in
		 * unavailable_reason; that is what the report should show.
		 * Otherwise the transport's own first line of error. */
		size_t n = r.err ? strcspn(r.err, "\n") : 0;

		why = cp->p->unavailable_reason ?
			xasprintf("could not run: %s", cp->p->unavailable_reason) :
			n ? xasprintf("could not run: %.*s", (int)n, r.err) :
			xasprintf("could not run: %s did not run the command "
				  "(see the collector's log)", cp->name);
		lost = 1;
	} else if (r.timed_out) {
		why = xasprintf("timed out after %.0f s", cb->timeout);
	} else if (parser_run(cb->b->parser, raw.buf, raw.len, &value,
			      &reason) < 0) {
		why = r.exit_status ? xasprintf("exit status %d: %s",
						r.exit_status, reason) :
			xasprintf("parse: %s", reason);
	} else if (r.exit_status) {
		why = xasprintf("exit status %d", r.exit_status);
	} else {
		ok = 1;
	}
store:
	s.run_id = c->run_id;
	s.platform_id = cp->id;
	s.benchmark_id = cb->id;
	s.repetition = rep;
	s.has_value = ok;
	s.value = value;
	s.status = !ok ? "failed" : rep == 0 ? "warmup" : "ok";
	s.raw_output = raw.buf;
	s.error = why;
	s.parser = cb->b->parser;
	s.parser_version = cb->b->parser_version;
	s.started_at = started;
	s.duration = r.out ? r.duration : vb_wall_time() - t0;
	if (db_sample_insert(c->db, &s) < 0)
		goto out;
	sched_record(&c->sched, pair, rep, ok, value);
	if (lost) {
		/* The platform itself is gone (daemon stopped, guest destroyed,
		 * connection lost): every further sample would fail the same
		 * way. Stop measuring it, record why, and leave the rest of its
		 * samples to "collect --resume" once it is back. */
		cp->lost = 1;
		c->lost_any = 1;
		sched_disable_platform(&c->sched, sp->platform);
		if (db_run_platform_set(c->db, c->run_id, cp->id, NULL, NULL,
					"failed", why) < 0)
			goto out;
	}
	c->done_samples++;
	c->est_done += cb->estimate;
	c->real_done += vb_wall_time() - t0;
	if (!ok) {
		say(c);
		vb_warn("%s/%s #%d failed: %s", cp->name, cb->b->name, rep, why);
	} else if (!vb_progress_wanted()) {
		vb_info("%s/%s #%d%s: %g %s (%.1f s)", cp->name, cb->b->name, rep,
			rep ? "" : " (warm-up)", value, cb->b->unit, s.duration);
	}
	ret = 0;
	goto out;
interrupted:
	ret = 1;
out:
	exec_result_clear(&r);
	sb_release(&raw);
	free(cmd);
	free(full);
	free(why);
	free(reason);
	return ret;
}

/* ---- the run -------------------------------------------------------------- */

static int write_pidfile(struct collector *c)
{
	char *path = xasprintf("%s/collector.pid", c->state_dir), pid[32];
	int ret;

	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	ret = vb_write_file_atomic(path, pid, strlen(pid), 0600);
	free(path);
	return ret;
}

/* Refuses to resume a run another live collector is working on. */
static int check_not_running(struct collector *c)
{
	char *path = xasprintf("%s/collector.pid", c->state_dir);
	struct sb sb = SB_INIT;
	long pid;
	int ret = 0;

	if (sb_read_file(&sb, path) == 0) {
		sb.buf[strcspn(sb.buf, "\n")] = '\0';
		if (vb_parse_long(sb.buf, &pid) == 0 && pid > 0 &&
		    pid != (long)getpid() && kill((pid_t)pid, 0) == 0)
			ret = vb_error("run %s is being collected by process %ld "
				       "(%s)", c->uuid, pid, path);
	}
	sb_release(&sb);
	free(path);
	return ret;
}

static void collector_free(struct collector *c)
{
	for (size_t i = 0; i < c->n_plat; i++) {
		struct cplat *cp = &c->plat[i];

		platform_free(cp->p);
		free(cp->name);
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

int collect_run(struct db *db, struct collect_opts *o, char uuid[37])
{
	struct collector c = { 0 };
	struct rusage ru0, ru1;
	char *params = NULL, *status = NULL, *base = NULL, *json = NULL;
	const char *final = "failed";
	long stored = 0;
	int ret = -1, available = 0, rc = 0;
	size_t pair;
	int rep;

	c.db = db;
	c.o = o;
	uuid[0] = '\0';
	collect_stop_requested = 0;
	if (o->min_reps <= 0)
		o->min_reps = 3;
	if (o->max_reps <= 0)
		o->max_reps = 30;

	if (o->resume) {
		if (find_run(&c, o->resume, &params, &status) < 0)
			goto out;
		snprintf(uuid, 37, "%s", c.uuid);
		if (!strcmp(status, "complete")) {
			vb_info("run %s is already complete", c.uuid);
			ret = 0;
			goto out;
		}
		if (!strcmp(status, "imported")) {
			vb_error("run %s was imported, not collected; it cannot be "
				 "resumed", c.uuid);
			goto out;
		}
		if (load_params(&c, params) < 0)
			goto out;
	} else {
		if (suite_load(o->suites_dir, o->profile ? o->profile : "classic",
			       &c.suite) < 0)
			goto out;
		c.duration = o->duration > 0 ? o->duration : c.suite->duration;
		c.reps = o->reps > 0 ? o->reps : c.suite->reps;
		if (setup_platform_list(&c, o->platforms) < 0 ||
		    select_benchmarks(&c, o->benchmarks) < 0)
			goto out;
		if (o->has_seed)
			c.seed = o->seed & 0x7fffffffffffffffULL;
		else if (random_seed(&c.seed) < 0)
			goto out;
	}
	if (uses(&c, "forkbench") && !o->forkbench) {
		vb_error("the suite's fork benchmark needs build/forkbench: run "
			 "'make', or set $FORKBENCH");
		goto out;
	}

	/* The schedule. */
	{
		struct sched_opts so = { 0 };

		so.reps = c.reps;
		so.target_ci = o->target_ci;
		so.min_reps = o->min_reps;
		so.max_reps = o->max_reps;
		so.warmup = 1;
		so.seed = c.seed;
		sched_init(&c.sched, &so, c.n_plat, c.n_bench);
	}

	/* The run row, then its UUID on stdout at once. */
	if (!o->resume) {
		struct db_run run = { 0 };

		if (db_host_ensure_named(db, NULL, 1, &c.host_id) < 0)
			goto out;
		c.params = build_params(&c);
		json = cJSON_PrintUnformatted(c.params);
		run.host_id = c.host_id;
		run.suite = c.suite->name;
		run.params = json;
		run.seed = (int64_t)c.seed;
		run.has_seed = 1;
		run.command_line = o->command_line;
		run.status = "running";
		if (db_run_create(db, &run, &c.run_id) < 0)
			goto out;
		snprintf(c.uuid, sizeof(c.uuid), "%s", run.uuid);
	} else {
		base = platform_state_base(o->state_base);
		c.state_dir = xasprintf("%s/virtbench-%s", base, c.uuid);
		if (check_not_running(&c) < 0)
			goto out;
		if (note_resume(&c) < 0 || load_existing(&c, &stored) < 0)
			goto out;
	}
	snprintf(uuid, 37, "%s", c.uuid);
	printf("%s\n", c.uuid);
	fflush(stdout);

	for (size_t i = 0; i < c.n_bench; i++)
		if (db_benchmark_ensure(db, c.bench[i].b->name, c.bench[i].b->unit,
					c.bench[i].b->direction, &c.bench[i].id) < 0)
			goto fail_run;
	for (size_t i = 0; i < c.n_plat; i++) {
		char *kind = xstrndup(c.plat[i].name, strcspn(c.plat[i].name, ":"));
		int r = db_platform_ensure(db, c.host_id, c.plat[i].name, kind,
					   &c.plat[i].id);

		free(kind);
		if (r < 0)
			goto fail_run;
	}

	if (!c.state_dir) {
		base = platform_state_base(o->state_base);
		c.state_dir = xasprintf("%s/virtbench-%s", base, c.uuid);
	}
	if (vb_mkdir_p(c.state_dir, 0700) < 0 || write_pidfile(&c) < 0)
		goto fail_run;
	o->popts.run_uuid = c.uuid;
	o->popts.state_dir = c.state_dir;

	/* A stored kind this binary does not know (a resumed run made by
	 * another version) is known before anything starts; leave it out of
	 * the plan's estimate. */
	for (size_t i = 0; i < c.n_plat; i++) {
		const char *why = NULL;

		if (!platform_kind_find(c.plat[i].name, &why) &&
		    mark_unavailable(&c, i, why) < 0)
			goto fail_run;
	}
	print_plan(&c, stored);
	signals_install();

	if (setup_iperf(&c) < 0)
		goto teardown;
	for (size_t i = 0; i < c.n_plat && !collect_stop_requested; i++) {
		if (c.plat[i].unavailable)
			continue;
		if (start_platform(&c, i) < 0)
			goto teardown;
		available += c.plat[i].available;
	}
	if (collect_stop_requested)
		goto teardown;
	if (!available) {
		vb_error("no platform could be started; nothing measured");
		goto teardown;
	}

	getrusage(RUSAGE_SELF, &ru0);
	c.loop_start = vb_mono_time();
	progress(&c, NULL);
	while (!collect_stop_requested && sched_next(&c.sched, &pair, &rep)) {
		char what[160];

		snprintf(what, sizeof(what), "%s/%s #%d",
			 c.plat[c.sched.pairs[pair].platform].name,
			 c.bench[c.sched.pairs[pair].bench].b->name, rep);
		progress(&c, what);
		rc = take_sample(&c, pair, rep);
		if (rc < 0)
			goto teardown;
		if (rc > 0)
			break;
	}
	progress_end(&c);
	getrusage(RUSAGE_SELF, &ru1);
	{
		double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
			     (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
			     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
			     (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
		double wall = vb_mono_time() - c.loop_start;

		vb_info("collector overhead: %.3f s CPU over %.1f s of sampling "
			"(%.3f%% of one core)", cpu, wall,
			wall > 0 ? 100.0 * cpu / wall : 0.0);
	}
	final = collect_stop_requested ? "interrupted" : "complete";
	ret = collect_stop_requested ? 1 : 0;
	if (!collect_stop_requested && c.lost_any) {
		/* Not complete: the lost platforms' remaining samples are
		 * still to take, and --resume takes them. */
		final = "failed";
		ret = 1;
		for (size_t i = 0; i < c.n_plat; i++)
			if (c.plat[i].lost)
				vb_error("platform %s was lost during the run; once it "
					 "is back, finish the run with 'virtbench "
					 "collect --resume %s'", c.plat[i].name, c.uuid);
	}

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
		vb_rm_rf(c.state_dir);
fail_run:
	if (c.run_id && db_run_finish(db, c.run_id, final) < 0)
		ret = -1;
	if (ret == 1 && !strcmp(final, "interrupted"))
		vb_info("run %s interrupted; finish it with 'virtbench collect "
			"--resume %s'", c.uuid, c.uuid);
out:
	collector_free(&c);
	free(params);
	free(status);
	free(base);
	free(json);
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
