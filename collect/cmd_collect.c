/*
 * collect/cmd_collect.c - the collector's commands: collect, run, parse,
 * reparse, doctor and cleanup. Option parsing only; the work is in
 * collect.c, parsers.c and the platform implementations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "collect/collect.h"
#include "collect/hostload.h"
#include "platform/libvirt/libvirt_remote.h"
#include "collect/parsers.h"
#include "collect/study.h"
#include "common/cmd.h"
#include "common/safe.h"
#include "common/util.h"
#include "db/db.h"

struct collect_cli {
	struct collect_opts o;
	const char *out;       /* run: where figures and report.md go */
	const char *margin;    /* run: --margin as given, for analyze/report */
	const char *study_path;
	char **sets;           /* --set NAME.KEY=VALUE (owned by the table) */
	struct study *study;   /* owned */
	struct platform_settings *settings; /* parallel to o.platforms, owned */
};

/* --margin PCT: the verdicts' margin as a fraction (and as given). */
static int opt_margin(const struct vb_option *opt, const char *arg, void *dest)
{
	struct collect_cli *c = dest;

	(void)opt;
	if (analyze_margin_parse(arg, &c->o.margin) < 0)
		return vb_error("--margin: '%s' is not a percentage above 0 and "
				"at most 100", arg);
	c->margin = arg;
	return 0;
}

/* --disturbed-steal PCT: stored as a fraction. */
static int opt_steal(const struct vb_option *opt, const char *arg, void *dest)
{
	struct collect_cli *c = dest;
	double v;

	(void)opt;
	if (vb_parse_double(arg, &v) < 0 || !(v > 0 && v <= 100))
		return vb_error("--disturbed-steal: '%s' is not a percentage "
				"above 0 and at most 100", arg);
	c->o.disturbed_steal = v / 100;
	return 0;
}

static int opt_seed(const struct vb_option *opt, const char *arg, void *dest)
{
	struct collect_cli *c = dest;
	long v;

	(void)opt;
	if (vb_parse_long(arg, &v) < 0 || v < 0)
		return vb_error("--seed: '%s' is not a non-negative whole number",
				arg);
	c->o.seed = (uint64_t)v;
	c->o.has_seed = 1;
	return 0;
}

static int opt_connect(const struct vb_option *opt, const char *arg, void *dest)
{
	struct collect_cli *c = dest;
	struct lvr_uri u;

	(void)opt;
	/* Malformed: said now (by the parser), before a run exists. */
	if (lvr_uri_parse(arg, &u) < 0)
		return -1;
	lvr_uri_clear(&u);
	c->o.popts.connect_uri = arg;
	return 0;
}

static int opt_docker_storage(const struct vb_option *opt, const char *arg,
			      void *dest)
{
	struct collect_cli *c = dest;

	(void)opt;
	if (strcmp(arg, "volume") && strcmp(arg, "overlay"))
		return vb_error("--docker-storage: volume or overlay, not '%s'", arg);
	c->o.popts.docker_storage = arg;
	return 0;
}

static int opt_iperf_server(const struct vb_option *opt, const char *arg,
			    void *dest)
{
	struct collect_cli *c = dest;
	const char *colon = strrchr(arg, ':');
	long port;

	(void)opt;
	if (!colon || colon == arg || vb_parse_long(colon + 1, &port) < 0 ||
	    port < 1 || port > 65535)
		return vb_error("--iperf-server '%s': expected HOST:PORT", arg);
	c->o.iperf_server = arg;
	return 0;
}

/* Paths may hold any character but control characters (common/safe.h);
 * they are quoted wherever they reach a shell. *to gets a valid one. */
static int path_arg(const char *flag, const char *arg, const char **to)
{
	if (vb_path_check(flag, arg) < 0)
		return -1;
	*to = arg;
	return 0;
}

static int opt_state_dir(const struct vb_option *opt, const char *arg,
			 void *dest)
{
	(void)opt;
	return path_arg("--state-dir", arg,
			&((struct collect_cli *)dest)->o.state_base);
}

static int opt_out(const struct vb_option *opt, const char *arg, void *dest)
{
	(void)opt;
	return path_arg("--out", arg, &((struct collect_cli *)dest)->out);
}

static int opt_cleanup_state_dir(const struct vb_option *opt, const char *arg,
				 void *dest)
{
	(void)opt;
	return path_arg("--state-dir", arg,
			&((struct platform_opts *)dest)->state_dir);
}

#define T struct collect_cli
/* The options of collect, also taken by run. */
#define COLLECT_OPTIONS \
	OPT_STRING("study", 0, T, study_path, "FILE", \
		   "a study (studies/README.md): suite, stopping rule,\n" \
		   "platforms with their settings; the options below\n" \
		   "apply on top (--platforms picks some of its own)"), \
	OPT_LIST("platforms", 0, T, o.platforms, "LIST", \
		 "comma-separated: native, docker, kvm, qemu,\n" \
		 "ssh:USER@HOST[:PORT]; KIND:LABEL names a variant\n" \
		 "(default native)"), \
	OPT_LIST("set", 0, T, sets, "NAME.KEY=VALUE", \
		 "a setting of one platform (repeatable), e.g.\n" \
		 "--set qemu:wb.disk_cache=writeback; keys in\n" \
		 "studies/README.md"), \
	OPT_LIST("benchmarks", 0, T, o.benchmarks, "LIST", \
		 "benchmarks of the suite to run (default all)"), \
	OPT_STRING("profile", 0, T, o.profile, "NAME|FILE", \
		   "suite: classic (default, 60 s each), quick\n" \
		   "(3 s each), or a .suite file (suites/README.md)"), \
	OPT_INT("reps", 0, T, o.reps, "N", 1, 100000, \
		"measured repetitions per platform and benchmark\n" \
		"(default: the suite's), after one warm-up"), \
	OPT_DOUBLE("target-ci", 0, T, o.target_ci, "PCT", 0, 100, \
		   "adaptive: stop a pair once its 95% CI half-width\n" \
		   "is below PCT% of its mean (not with --reps)"), \
	OPT_FLAG("until-decided", 0, T, o.until_decided, \
		 "adaptive: stop a pair once its verdict against\n" \
		 "native (faster, slower, equivalent within the\n" \
		 "margin) is decided (not with --reps, --target-ci)"), \
	OPT_CALLBACK("margin", 0, "PCT", opt_margin, \
		     "equivalence margin of the verdicts (default 2)"), \
	OPT_INT("min-reps", 0, T, o.min_reps, "N", 2, 100000, \
		"lower bound for --target-ci and --until-decided\n" \
		"(default 3)"), \
	OPT_INT("max-reps", 0, T, o.max_reps, "N", 2, 100000, \
		"upper bound for --target-ci and --until-decided\n" \
		"(default 30)"), \
	OPT_INT("instances", 0, T, o.instances, "K", 1, 64, \
		"measure each docker/kvm/qemu platform on K fresh\n" \
		"containers/guests, interleaved (default 1)"), \
	OPT_DOUBLE("disturbed-cpu", 0, T, o.disturbed_cpu, "CORES", 0, 4097, \
		   "a sample is disturbed when other processes used\n" \
		   "more host CPU than this (default 0.25)"), \
	OPT_CALLBACK("disturbed-steal", 0, "PCT", opt_steal, \
		     "... or the host's steal time was above PCT%\n" \
		     "(default 5)"), \
	OPT_INT("retake-disturbed", 0, T, o.retake_disturbed, "N", 0, 100000, \
		"disturbed samples do not count towards stopping;\n" \
		"with --reps up to N extra repetitions per pair\n" \
		"replace them (default 0: they count)"), \
	OPT_INT("duration", 0, T, o.duration, "SECONDS", 1, 86400, \
		"length of each benchmark (default: the suite's)"), \
	OPT_CALLBACK("seed", 0, "N", opt_seed, \
		     "seed of the randomised order (default random;\n" \
		     "always recorded with the run)"), \
	OPT_STRING("image", 0, T, o.popts.image, "PATH", \
		   "guest base image / docker image"), \
	OPT_CALLBACK("connect", 0, "URI", opt_connect, \
		     "libvirt URI (default qemu:///system); another\n" \
		     "host: qemu+ssh://USER@HOST/system[?keyfile=K&\n" \
		     "known_hosts=F&command=SSH] (files go there as\n" \
		     "volumes of pool 'virtbench'; guests reached via HOST)"), \
	OPT_INT("vcpus", 0, T, o.popts.vcpus, "N", 1, 1024, \
		"guest and container vCPUs (default 2)"), \
	OPT_INT("memory", 0, T, o.popts.memory_mib, "MIB", 64, 16 << 20, \
		"guest and container memory (default 2048)"), \
	OPT_STRING("disk-cache", 0, T, o.popts.disk_cache, "MODE", \
		   "guest disk cache: none, writeback, ..."), \
	OPT_STRING("network", 0, T, o.popts.network, "MODE", \
		   "platform network mode (see docs)"), \
	OPT_CALLBACK("docker-storage", 0, "volume|overlay", opt_docker_storage, \
		     "where the container's disk test runs"), \
	OPT_STRING("docker-network", 0, T, o.popts.docker_network, "MODE", \
		   "the containers' network (host, none, bridge,\n" \
		   "NAME); overrides --network for docker"), \
	OPT_CALLBACK("iperf-server", 0, "HOST:PORT", opt_iperf_server, \
		     "use this iperf3 server for uplink instead\n" \
		     "of starting one on 127.0.0.1"), \
	OPT_CALLBACK("state-dir", 0, "DIR", opt_state_dir, \
		   "where run scratch directories go (default\n" \
		   "$VIRTBENCH_STATE_DIR or /var/tmp; a disk, not a\n" \
		   "tmpfs: disk tests use O_DIRECT)"), \
	OPT_STRING("resume", 0, T, o.resume, "RUN", \
		   "finish an interrupted run (UUID or prefix); the\n" \
		   "run's own options are used, completed samples kept")

static const struct vb_option collect_options[] = {
	COLLECT_OPTIONS,
	OPT_END(),
};

static const struct vb_option run_options[] = {
	COLLECT_OPTIONS,
	OPT_CALLBACK("out", 0, "DIR", opt_out,
		     "where figures and report.md go (default out/report)"),
	OPT_END(),
};
#undef T

static const struct vb_optgroup collect_groups[] = {
	GROUP_EXCLUSIVE("reps target-ci until-decided"),
	GROUP_NEEDS("min-reps max-reps", "target-ci until-decided"),
	/* collect uses the margin only to decide when to stop; run also
	 * hands it to analyze and report */
	GROUP_NEEDS("margin", "until-decided"),
	GROUP_ONLY_WITH("resume", "iperf-server state-dir out",
			"--resume takes the run's own options; only "
			"--iperf-server and --state-dir may be given with it"),
	GROUP_END(),
};

static const struct vb_optgroup run_groups[] = {
	GROUP_EXCLUSIVE("reps target-ci until-decided"),
	GROUP_NEEDS("min-reps max-reps", "target-ci until-decided"),
	GROUP_ONLY_WITH("resume", "iperf-server state-dir out",
			"--resume takes the run's own options; only "
			"--iperf-server and --state-dir may be given with it"),
	GROUP_END(),
};

#define COLLECT_ENVIRONMENT \
	"environment: FORKBENCH (the fork benchmark binary, default\n" \
	"build/forkbench next to virtbench), VIRTBENCH_SUITES (suites directory),\n" \
	"VIRTBENCH_BOOT_TIMEOUT (seconds to wait for a guest's SSH, default 240)\n"

const struct vb_optspec cmd_collect_spec = {
	.synopsis = "virtbench collect [--platforms LIST] [--benchmarks LIST]\n"
		    "                         [--profile classic|quick|FILE]\n"
		    "                         [--reps N | --target-ci PCT | --until-decided]\n"
		    "                         [--instances K] [--duration S]\n"
		    "                         [--seed N] [--image PATH] [--connect URI] ...\n"
		    "       virtbench collect --resume RUN",
	.description =
	"Runs a benchmark suite on each platform in randomised interleaved\n"
	"rounds and stores every sample in the database the moment it is parsed.\n"
	"Prints the run's UUID on stdout; the plan, progress and warnings go to\n"
	"stderr. Ctrl-C tears the platforms down and marks the run interrupted.\n",
	.options = collect_options,
	.groups = collect_groups,
	.footer = COLLECT_ENVIRONMENT,
	.size = sizeof(struct collect_cli),
};

const struct vb_optspec cmd_run_spec = {
	.synopsis = "virtbench run [collect options] [--out DIR]",
	.description =
	"collect, then analyze (printed), plot and report (into DIR, default\n"
	"out/report) for the new run, in one go.\n",
	.options = run_options,
	.groups = run_groups,
	.footer = COLLECT_ENVIRONMENT,
	.size = sizeof(struct collect_cli),
};

/* The checks between values that no group expresses. Returns 0, or 2
 * after a usage message. */
static int check_collect_args(const struct vb_optspec *spec,
			      const struct collect_opts *o)
{
	if (o->min_reps && o->max_reps && o->min_reps > o->max_reps)
		return vb_usage_error(spec, "--min-reps %d is above --max-reps "
				      "%d", o->min_reps, o->max_reps);
	/* Names are data (common/safe.h): a label becomes a directory, a
	 * container or domain name; refused here, before any run exists.
	 * (An unknown kind is the collector's to report.) */
	for (size_t i = 0; o->platforms && o->platforms[i]; i++)
		if (platform_kind_find(o->platforms[i], NULL) &&
		    platform_name_check("--platforms", o->platforms[i]) < 0)
			return vb_usage_error(spec, NULL);
	return 0;
}

static char *join_argv(const struct vb_ctx *ctx)
{
	struct sb sb = SB_INIT;

	sb_init(&sb);
	for (int i = 0; i < ctx->argc_full && ctx->argv_full[i]; i++) {
		char *q = shell_quote(ctx->argv_full[i]);

		sb_addf(&sb, "%s%s", i ? " " : "", q);
		free(q);
	}
	return sb_detach(&sb);
}

/* The study's choices under the command line's: suite, benchmarks,
 * stopping rule, duration; --platforms picks among its platforms. */
static int study_options(struct collect_cli *c)
{
	struct study *st = c->study;
	struct collect_opts *o = &c->o;
	size_t n;

	if (!o->profile)
		o->profile = st->suite;
	if (!o->benchmarks && st->benchmarks) {
		size_t nb = vb_strv_len(st->benchmarks);

		o->benchmarks = xcalloc(nb + 1, sizeof(char *));
		for (size_t i = 0; i < nb; i++)
			o->benchmarks[i] = xstrdup(st->benchmarks[i]);
	}
	if (!o->duration)
		o->duration = st->duration;
	/* A stopping rule on the command line replaces the study's. */
	if (!o->reps && !(o->target_ci > 0)) {
		o->reps = st->reps;
		o->target_ci = st->target_ci;
		o->min_reps = st->min_reps;
		o->max_reps = st->max_reps;
	}
	if (!o->instances)
		o->instances = st->instances;
	if (o->platforms) {
		for (char **w = o->platforms; *w; w++) {
			size_t i;

			for (i = 0; i < st->n_plat && strcmp(st->plat[i].name, *w); i++)
				;
			if (i == st->n_plat)
				return vb_error("--platforms: %s is not a platform "
						"of %s", *w, st->origin);
		}
	} else {
		o->platforms = xcalloc(st->n_plat + 1, sizeof(char *));
		for (size_t i = 0; i < st->n_plat; i++)
			o->platforms[i] = xstrdup(st->plat[i].name);
	}
	n = vb_strv_len(o->platforms);
	c->settings = xcalloc(n + 1, sizeof(*c->settings));
	for (size_t j = 0; j < n; j++) {
		const struct study_platform *sp = NULL;

		for (size_t i = 0; i < st->n_plat; i++)
			if (!strcmp(st->plat[i].name, o->platforms[j]))
				sp = &st->plat[i];
		c->settings[j].kind = xstrdup(sp->settings.kind);
		if (sp->settings.address)
			c->settings[j].address = xstrdup(sp->settings.address);
		for (size_t k = 0; k < sp->settings.n; k++)
			if (platform_settings_set(&c->settings[j],
						  sp->settings.keys[k],
						  sp->settings.values[k],
						  st->origin) < 0)
				return -1;
	}
	o->study_text = st->text;
	o->study_origin = st->origin;
	return study_apply_network(c->settings, n, o->popts.network,
				   o->popts.docker_network);
}

/* Each platform's kind and settings: from the study, or each name's
 * KIND; then every --set. Returns 0, 1 (bad study) or 2 (usage). */
static int platform_settings_args(struct collect_cli *c,
				  const struct vb_optspec *spec)
{
	size_t n;

	if (c->study_path) {
		if (study_load(c->study_path, &c->study) < 0 ||
		    study_options(c) < 0)
			return 1;
	} else if (c->o.platforms) {
		n = vb_strv_len(c->o.platforms);
		c->settings = xcalloc(n + 1, sizeof(*c->settings));
		for (size_t i = 0; i < n; i++) {
			const struct platform_kind *k =
				platform_kind_find(c->o.platforms[i], NULL);

			/* An unknown kind is reported by the collector. */
			if (k)
				c->settings[i].kind = xstrdup(k->name);
		}
	}
	if (c->sets && !c->settings)
		return vb_usage_error(spec, "--set needs --platforms or --study "
				      "(the default platform, native, takes no "
				      "settings)");
	n = vb_strv_len(c->o.platforms);
	for (size_t i = 0; c->sets && c->sets[i]; i++)
		if (study_apply_set(c->o.platforms, c->settings, n, c->sets[i]) < 0)
			return vb_usage_error(spec, NULL);
	c->o.settings = c->settings;
	return 0;
}

/* Frees what platform_settings_args() made (the table's lists are the
 * dispatcher's to release). */
static void collect_cli_clear(struct collect_cli *c)
{
	for (size_t i = 0; c->settings && c->o.platforms && c->o.platforms[i]; i++)
		platform_settings_clear(&c->settings[i]);
	free(c->settings);
	c->settings = NULL;
	c->o.settings = NULL;
	study_free(c->study);
	c->study = NULL;
}

/* Runs the collector with parsed options. Returns the handler's status. */
static int do_collect(struct collect_cli *c, const struct vb_optspec *spec,
		      struct vb_ctx *ctx, char uuid[37])
{
	struct collect_opts *o = &c->o;
	char *cmdline, *suites, *fork = NULL;
	int ret;

	if ((ret = platform_settings_args(c, spec)) != 0) {
		collect_cli_clear(c);
		return ret;
	}
	cmdline = join_argv(ctx);
	suites = collect_find_suites(ctx->argv0);
	o->command_line = cmdline;
	o->suites_dir = suites;
	/* Without it only a suite that never uses {forkbench} can run; the
	 * collector says so if one does. */
	fork = collect_find_forkbench(ctx->argv0, getenv("FORKBENCH") != NULL);
	o->forkbench = fork;
	ret = collect_run(ctx->db, o, uuid);
	collect_cli_clear(c);
	free(cmdline);
	free(suites);
	free(fork);
	return ret < 0 ? 1 : ret;
}

int cmd_collect(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct collect_cli *c = opts;
	char uuid[37];
	int r;

	(void)argc;
	(void)argv;
	if ((r = check_collect_args(&cmd_collect_spec, &c->o)))
		return r;
	return do_collect(c, &cmd_collect_spec, ctx, uuid);
}

/* Calls another command's handler as if typed on the command line. */
static int call_cmd(const struct vb_optspec *spec, vb_cmd_fn *fn,
		    struct vb_ctx *ctx, char **args)
{
	int n = 0;

	while (args[n])
		n++;
	return cmd_call(spec, fn, n, args, ctx);
}

int cmd_run(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct collect_cli *c = opts;
	char uuid[37], *out;
	int r;

	(void)argc;
	(void)argv;
	if ((r = check_collect_args(&cmd_run_spec, &c->o)))
		return r;
	r = do_collect(c, &cmd_run_spec, ctx, uuid);
	if (r)
		return r;
	out = (char *)(c->out ? c->out : "out/report");
	{
		char *margin = (char *)c->margin;
		char *analyze[] = { "analyze", "--run", uuid,
				    margin ? "--margin" : NULL, margin, NULL };
		char *plot[] = { "plot", "--out", out, "--run", uuid, NULL };
		char *report[] = { "report", "--out", out, "--run", uuid,
				   margin ? "--margin" : NULL, margin, NULL };

		vb_info("analyzing run %s", uuid);
		fflush(stdout);
		if ((r = call_cmd(&cmd_analyze_spec, cmd_analyze, ctx, analyze)) != 0)
			return r;
		fflush(stdout);
		vb_info("plotting into %s", out);
		if ((r = call_cmd(&cmd_plot_spec, cmd_plot, ctx, plot)) != 0)
			return r;
		vb_info("writing the report into %s", out);
		if ((r = call_cmd(&cmd_report_spec, cmd_report, ctx, report)) != 0)
			return r;
	}
	return 0;
}

/* ---- parse, reparse --------------------------------------------------------- */

struct parse_cli {
	int list;
};

static const struct vb_option parse_options[] = {
	OPT_FLAG("list", 0, struct parse_cli, list,
		 "show the parsers, their versions and units"),
	OPT_END(),
};

const struct vb_optspec cmd_parse_spec = {
	.synopsis = "virtbench parse PARSER FILE\n"
		    "       virtbench parse --list",
	.description =
	"Reads a saved tool output (FILE, or - for standard input) the way the\n"
	"collector would and prints \"VALUE UNIT\" on one line; or prints the\n"
	"reason it is refused (truncated, FATAL, tool error, another tool's\n"
	"output) and exits 1.\n",
	.options = parse_options,
	.operands = "PARSER FILE", .max_operands = 2,
	.size = sizeof(struct parse_cli),
};

int cmd_parse(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct parse_cli *c = opts;
	struct sb sb = SB_INIT;
	char *reason = NULL;
	double v;
	int ret;

	(void)ctx;
	if (c->list && argc == 1) {
		for (const struct parser *const *p = parser_all(); *p; p++)
			printf("%-16s v%d  %-9s %s\n", (*p)->name, (*p)->version,
			       (*p)->unit, (*p)->summary);
		return 0;
	}
	if (c->list || argc != 3)
		return vb_usage_error(&cmd_parse_spec, "expected PARSER FILE");
	if (!parser_find(argv[1])) {
		struct sb names = SB_INIT;

		for (const struct parser *const *p = parser_all(); *p; p++)
			sb_addf(&names, "%s%s", names.len ? ", " : "", (*p)->name);
		ret = vb_usage_error(&cmd_parse_spec, "unknown parser '%s' (known: %s)",
				     argv[1], names.buf);
		sb_release(&names);
		return ret;
	}
	if (!strcmp(argv[2], "-") ? sb_read_file(&sb, "/dev/stdin") < 0 :
	    sb_read_file(&sb, argv[2]) < 0) {
		sb_release(&sb);
		return vb_error("cannot read %s: %m", argv[2]) ? 1 : 1;
	}
	if (parser_run(argv[1], sb.buf, sb.len, &v, &reason) < 0) {
		vb_error("%s: %s", argv[2], reason);
		ret = 1;
	} else {
		printf("%.10g %s\n", v, parser_find(argv[1])->unit);
		ret = 0;
	}
	free(reason);
	sb_release(&sb);
	return ret;
}

struct reparse_cli {
	const char *run;
};

static const struct vb_option reparse_options[] = {
	OPT_STRING("run", 0, struct reparse_cli, run, "ID",
		   "only this run (UUID or unique prefix)"),
	OPT_END(),
};

const struct vb_optspec cmd_reparse_spec = {
	.synopsis = "virtbench reparse [--run ID]",
	.description =
	"Applies the current parsers to the raw outputs stored with every sample\n"
	"(of one run, or of all), in one transaction, and prints what changed.\n"
	"Samples refused by a parser may become values; samples whose command\n"
	"failed (exit status, timeout) stay failed. Nothing is re-run.\n",
	.options = reparse_options,
	.size = sizeof(struct reparse_cli),
};

int cmd_reparse(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	const char *run = ((struct reparse_cli *)opts)->run;
	int64_t run_id = 0;
	int seen, changed, ok, failed;

	(void)argc;
	(void)argv;
	if (run && db_run_find(ctx->db, run, &run_id) < 0)
		return 1;
	if (collect_reparse(ctx->db, run_id, &seen, &changed, &ok, &failed) < 0)
		return 1;
	printf("reparsed %d samples: %d changed (%d now ok, %d now failed)\n",
	       seen, changed, ok, failed);
	return 0;
}

/* ---- doctor, cleanup ---------------------------------------------------------- */

static const struct vb_option doctor_options[] = {
	OPT_STRING("connect", 0, struct platform_opts, connect_uri, "URI",
		   "libvirt URI to check (default qemu:///system)"),
	OPT_STRING("image", 0, struct platform_opts, image, "PATH",
		   "guest base image / docker image to check"),
	OPT_STRING("network", 0, struct platform_opts, network, "MODE",
		   "platform network mode"),
	OPT_STRING("docker-network", 0, struct platform_opts, docker_network,
		   "MODE", "the containers' network"),
	OPT_END(),
};

const struct vb_optspec cmd_doctor_spec = {
	.synopsis = "virtbench doctor [--connect URI] [--image PATH] [--network MODE]\n"
		    "                        [--docker-network MODE]",
	.description =
	"Tells, per platform kind, whether it can run on this host, and if not,\n"
	"why and what fixes it; also checks the fork benchmark and the suites.\n"
	"Exit status 1 when not even the native platform can run.\n",
	.options = doctor_options,
	.size = sizeof(struct platform_opts),
};

static void doctor_line(const char *what, int ok, const char *detail)
{
	printf("%-10s %s%s%s\n", what, ok ? "ok" : "no", detail ? ": " : "",
	       detail ? detail : "");
}

int cmd_doctor(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	const struct platform_opts po = *(const struct platform_opts *)opts;
	char *fork, *suites, *path;
	int native_ok = 0;

	(void)argc;
	(void)argv;
	for (const struct platform_kind *k = platform_kinds; k->name; k++) {
		char *reason = NULL;
		int ok;

		if (!k->ops->probe) {
			doctor_line(k->name, 1, "no check available");
			continue;
		}
		ok = k->ops->probe(k->name, &po, &reason) == 1;
		doctor_line(k->name, ok, reason);
		if (!strcmp(k->name, "native"))
			native_ok = ok;
		free(reason);
	}
	fork = collect_find_forkbench(ctx->argv0, 1);
	doctor_line("forkbench", fork != NULL, fork ? fork :
		    "not built: run 'make'");
	suites = collect_find_suites(ctx->argv0);
	path = xasprintf("%s/classic.suite", suites);
	doctor_line("suites", access(path, R_OK) == 0, suites);
	free(path);
	free(suites);
	free(fork);
	return native_ok ? 0 : 1;
}

static const struct vb_option cleanup_options[] = {
	OPT_CALLBACK("state-dir", 0, "DIR", opt_cleanup_state_dir,
		   "where run directories are (default\n"
		   "$VIRTBENCH_STATE_DIR or /var/tmp)"),
	OPT_STRING("connect", 0, struct platform_opts, connect_uri, "URI",
		   "libvirt URI (default qemu:///system)"),
	OPT_END(),
};

const struct vb_optspec cmd_cleanup_spec = {
	.synopsis = "virtbench cleanup [--state-dir DIR] [--connect URI]",
	.description =
	"Removes what interrupted runs left behind: guests, containers, volumes,\n"
	"overlays and run directories named virtbench-*, on every platform kind\n"
	"built in. A run directory whose collector is still running is kept.\n"
	"Prints how many resources each kind removed.\n",
	.options = cleanup_options,
	.size = sizeof(struct platform_opts),
};

int cmd_cleanup(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	const struct platform_opts po = *(const struct platform_opts *)opts;
	const struct platform_ops *done[8] = { 0 };
	int ret = 0, n_done = 0;

	(void)argc;
	(void)argv;
	(void)ctx;
	/* Two passes: the kinds that must go last (cleanup_last) in the
	 * second. Kinds sharing an implementation are cleaned once. */
	for (int pass = 0; pass < 2; pass++) {
		for (const struct platform_kind *k = platform_kinds; k->name; k++) {
			int removed = 0, seen = 0;

			if (!k->ops->cleanup || k->cleanup_last != pass)
				continue;
			for (int j = 0; j < n_done; j++)
				seen |= done[j] == k->ops;
			if (seen)
				continue;
			if (n_done < (int)VB_ARRAY_SIZE(done))
				done[n_done++] = k->ops;
			if (k->ops->cleanup(&po, &removed) < 0)
				ret = 1;
			printf("%-8s removed %d\n", k->ops->kind ? k->ops->kind :
			       k->name, removed);
		}
	}
	return ret;
}
