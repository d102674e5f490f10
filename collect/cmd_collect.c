/*
 * collect/cmd_collect.c - the collector's commands: collect, run, parse,
 * reparse, doctor and cleanup. Option parsing only; the work is in
 * collect.c, parsers.c and the platform implementations.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/collect.h"
#include "platform/libvirt/libvirt_remote.h"
#include "collect/parsers.h"
#include "common/cmd.h"
#include "common/safe.h"
#include "common/util.h"
#include "db/db.h"

#define COLLECT_OPTIONS_HELP \
	"  --platforms LIST     comma-separated: native, docker, kvm, qemu,\n" \
	"                       ssh:USER@HOST[:PORT]; KIND:LABEL names a variant\n" \
	"                       (default native)\n" \
	"  --benchmarks LIST    benchmarks of the suite to run (default all)\n" \
	"  --profile NAME|FILE  suite: classic (default, 60 s each), quick\n" \
	"                       (3 s each), or a .suite file (suites/README.md)\n" \
	"  --reps N             measured repetitions per platform and benchmark\n" \
	"                       (default: the suite's), after one warm-up\n" \
	"  --target-ci PCT      adaptive: stop a pair once its 95% CI half-width\n" \
	"                       is below PCT% of its mean (not with --reps)\n" \
	"  --min-reps N, --max-reps N   bounds for --target-ci (3, 30)\n" \
	"  --duration SECONDS   length of each benchmark (default: the suite's)\n" \
	"  --seed N             seed of the randomised order (default random;\n" \
	"                       always recorded with the run)\n" \
	"  --image PATH         guest base image / docker image\n" \
	"  --connect URI        libvirt URI (default qemu:///system); another\n" \
	"                       host: qemu+ssh://USER@HOST/system[?keyfile=K&\n" \
	"                       known_hosts=F&command=SSH] (files go there as\n" \
	"                       volumes of pool 'virtbench'; guests reached via HOST)\n" \
	"  --vcpus N, --memory MIB   guest and container size (2, 2048)\n" \
	"  --disk-cache MODE    guest disk cache: none, writeback, ...\n" \
	"  --network MODE       platform network mode (see docs)\n" \
	"  --docker-storage volume|overlay   where the container's disk test runs\n" \
	"  --docker-network MODE   the containers' network (host, none, bridge,\n" \
	"                       NAME); overrides --network for docker\n" \
	"  --iperf-server HOST:PORT   use this iperf3 server for uplink instead\n" \
	"                       of starting one on 127.0.0.1\n" \
	"  --state-dir DIR      where run scratch directories go (default\n" \
	"                       $VIRTBENCH_STATE_DIR or /var/tmp; a disk, not a\n" \
	"                       tmpfs: disk tests use O_DIRECT)\n" \
	"  --resume RUN         finish an interrupted run (UUID or prefix); the\n" \
	"                       run's own options are used, completed samples kept\n"

const char cmd_collect_usage[] =
	"usage: virtbench collect [--platforms LIST] [--benchmarks LIST]\n"
	"                         [--profile classic|quick|FILE]\n"
	"                         [--reps N | --target-ci PCT] [--duration S]\n"
	"                         [--seed N] [--image PATH] [--connect URI] ...\n"
	"       virtbench collect --resume RUN\n"
	"\n"
	"Runs a benchmark suite on each platform in randomised interleaved\n"
	"rounds and stores every sample in the database the moment it is parsed.\n"
	"Prints the run's UUID on stdout; the plan, progress and warnings go to\n"
	"stderr. Ctrl-C tears the platforms down and marks the run interrupted.\n"
	"\n"
	COLLECT_OPTIONS_HELP
	"\n"
	"environment: FORKBENCH (the fork benchmark binary, default\n"
	"build/forkbench next to virtbench), VIRTBENCH_SUITES (suites directory)\n";

const char cmd_run_usage[] =
	"usage: virtbench run [collect options] [--out DIR]\n"
	"\n"
	"collect, then analyze (printed), plot and report (into DIR, default\n"
	"report) for the new run, in one go.\n"
	"\n"
	COLLECT_OPTIONS_HELP
	"  --out DIR            where figures and report.md go (default report)\n";

enum {
	OPT_PLATFORMS = 256, OPT_BENCHMARKS, OPT_PROFILE, OPT_REPS, OPT_TARGET_CI,
	OPT_MIN_REPS, OPT_MAX_REPS, OPT_DURATION, OPT_SEED, OPT_IMAGE,
	OPT_CONNECT, OPT_VCPUS, OPT_MEMORY, OPT_DISK_CACHE, OPT_NETWORK,
	OPT_DOCKER_STORAGE, OPT_DOCKER_NETWORK, OPT_IPERF_SERVER, OPT_STATE_DIR, OPT_RESUME, OPT_OUT,
};

static const struct option collect_options[] = {
	{ "platforms", required_argument, NULL, OPT_PLATFORMS },
	{ "benchmarks", required_argument, NULL, OPT_BENCHMARKS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "target-ci", required_argument, NULL, OPT_TARGET_CI },
	{ "min-reps", required_argument, NULL, OPT_MIN_REPS },
	{ "max-reps", required_argument, NULL, OPT_MAX_REPS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "connect", required_argument, NULL, OPT_CONNECT },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "disk-cache", required_argument, NULL, OPT_DISK_CACHE },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "docker-storage", required_argument, NULL, OPT_DOCKER_STORAGE },
	{ "docker-network", required_argument, NULL, OPT_DOCKER_NETWORK },
	{ "iperf-server", required_argument, NULL, OPT_IPERF_SERVER },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "out", required_argument, NULL, OPT_OUT },
	{ NULL, 0, NULL, 0 },
};

struct parsed {
	struct collect_opts o;
	char *platforms_s, *benchmarks_s;
	const char *out;
	int measurement_opts;  /* options that --resume cannot take */
	int min_max_given;
};

static int int_arg(const struct vb_ctx *ctx, const char *cmd, const char *opt,
		   const char *s, long lo, long hi, int *out)
{
	long v;

	if (vb_parse_long(s, &v) < 0 || v < lo || v > hi)
		return cmd_usage_error(ctx, cmd, "%s: '%s' is not a whole number "
				       "from %ld to %ld", opt, s, lo, hi);
	*out = (int)v;
	return 0;
}

/* Parses collect's options (and --out for run). Returns 0, or 2 after a
 * usage message. */
static int parse_collect_args(int argc, char **argv, struct vb_ctx *ctx,
			      int allow_out, struct parsed *p)
{
	const char *cmd = argv[0];
	struct collect_opts *o = &p->o;
	int c, r = 0, reps_given = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", collect_options, NULL)) != -1) {
		switch (c) {
		case OPT_PLATFORMS: p->platforms_s = optarg; p->measurement_opts++; break;
		case OPT_BENCHMARKS: p->benchmarks_s = optarg; p->measurement_opts++; break;
		case OPT_PROFILE: o->profile = optarg; p->measurement_opts++; break;
		case OPT_REPS:
			r = int_arg(ctx, cmd, "--reps", optarg, 1, 100000, &o->reps);
			reps_given = 1;
			p->measurement_opts++;
			break;
		case OPT_TARGET_CI:
			if (vb_parse_double(optarg, &o->target_ci) < 0 ||
			    !(o->target_ci > 0 && o->target_ci < 100))
				return cmd_usage_error(ctx, cmd, "--target-ci: '%s' is "
						       "not a percentage above 0 and "
						       "below 100", optarg);
			p->measurement_opts++;
			break;
		case OPT_MIN_REPS:
			r = int_arg(ctx, cmd, "--min-reps", optarg, 2, 100000,
				    &o->min_reps);
			p->min_max_given = 1;
			p->measurement_opts++;
			break;
		case OPT_MAX_REPS:
			r = int_arg(ctx, cmd, "--max-reps", optarg, 2, 100000,
				    &o->max_reps);
			p->min_max_given = 1;
			p->measurement_opts++;
			break;
		case OPT_DURATION:
			r = int_arg(ctx, cmd, "--duration", optarg, 1, 86400,
				    &o->duration);
			p->measurement_opts++;
			break;
		case OPT_SEED: {
			long v;

			if (vb_parse_long(optarg, &v) < 0 || v < 0)
				return cmd_usage_error(ctx, cmd, "--seed: '%s' is not "
						       "a non-negative whole number",
						       optarg);
			o->seed = (uint64_t)v;
			o->has_seed = 1;
			p->measurement_opts++;
			break;
		}
		case OPT_IMAGE: o->popts.image = optarg; p->measurement_opts++; break;
		case OPT_CONNECT: {
			struct lvr_uri u;

			/* Malformed: said now (by the parser), before a run
			 * exists. */
			if (lvr_uri_parse(optarg, &u) < 0)
				return 2;
			lvr_uri_clear(&u);
			o->popts.connect_uri = optarg;
			p->measurement_opts++;
			break;
		}
		case OPT_VCPUS:
			r = int_arg(ctx, cmd, "--vcpus", optarg, 1, 1024, &o->popts.vcpus);
			p->measurement_opts++;
			break;
		case OPT_MEMORY:
			r = int_arg(ctx, cmd, "--memory", optarg, 64, 16 << 20,
				    &o->popts.memory_mib);
			p->measurement_opts++;
			break;
		case OPT_DISK_CACHE: o->popts.disk_cache = optarg; p->measurement_opts++; break;
		case OPT_NETWORK: o->popts.network = optarg; p->measurement_opts++; break;
		case OPT_DOCKER_NETWORK:
			o->popts.docker_network = optarg;
			p->measurement_opts++;
			break;
		case OPT_DOCKER_STORAGE:
			if (strcmp(optarg, "volume") && strcmp(optarg, "overlay"))
				return cmd_usage_error(ctx, cmd, "--docker-storage: "
						       "volume or overlay, not '%s'",
						       optarg);
			o->popts.docker_storage = optarg;
			p->measurement_opts++;
			break;
		case OPT_IPERF_SERVER: {
			const char *colon = strrchr(optarg, ':');
			long port;

			if (!colon || colon == optarg ||
			    vb_parse_long(colon + 1, &port) < 0 || port < 1 ||
			    port > 65535)
				return cmd_usage_error(ctx, cmd, "--iperf-server '%s': "
						       "expected HOST:PORT", optarg);
			o->iperf_server = optarg;
			break;
		}
		case OPT_STATE_DIR: o->state_base = optarg; break;
		case OPT_RESUME: o->resume = optarg; break;
		case OPT_OUT:
			if (!allow_out)
				return cmd_usage_error(ctx, cmd, "unknown option '--out'");
			p->out = optarg;
			break;
		default:
			return cmd_usage_error(ctx, cmd, "unknown or incomplete option "
					       "'%s'", argv[optind - 1]);
		}
		if (r)
			return r;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, cmd, "unexpected argument '%s'",
				       argv[optind]);
	/* Names are data (common/safe.h): a label becomes a directory, a
	 * container or domain name; refused here, before any run exists. */
	if (p->platforms_s) {
		char **v = vb_split(p->platforms_s, ',');

		for (size_t i = 0; v[i]; i++)
			/* (An unknown kind is the collector's to report.) */
			if (platform_kind_find(v[i], NULL) &&
			    platform_name_check("--platforms", v[i]) < 0) {
				vb_strv_free(v);
				return 2;
			}
		vb_strv_free(v);
	}
	if ((o->state_base && vb_path_check("--state-dir", o->state_base) < 0) ||
	    (p->out && vb_path_check("--out", p->out) < 0))
		return 2;
	if (reps_given && o->target_ci > 0)
		return cmd_usage_error(ctx, cmd, "--reps and --target-ci exclude "
				       "each other");
	if (p->min_max_given && !(o->target_ci > 0))
		return cmd_usage_error(ctx, cmd, "--min-reps and --max-reps need "
				       "--target-ci");
	if (o->min_reps && o->max_reps && o->min_reps > o->max_reps)
		return cmd_usage_error(ctx, cmd, "--min-reps %d is above --max-reps "
				       "%d", o->min_reps, o->max_reps);
	if (o->resume && p->measurement_opts)
		return cmd_usage_error(ctx, cmd, "--resume takes the run's own "
				       "options; only --iperf-server and "
				       "--state-dir may be given with it");
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

/* Runs the collector with parsed options. Returns the handler's status. */
static int do_collect(struct parsed *p, struct vb_ctx *ctx, char uuid[37])
{
	char *cmdline = join_argv(ctx), *suites = collect_find_suites(ctx->argv0);
	char *fork = NULL;
	int ret;

	p->o.platforms = p->platforms_s ? vb_split(p->platforms_s, ',') : NULL;
	p->o.benchmarks = p->benchmarks_s ? vb_split(p->benchmarks_s, ',') : NULL;
	p->o.command_line = cmdline;
	p->o.suites_dir = suites;
	/* Without it only a suite that never uses {forkbench} can run; the
	 * collector says so if one does. */
	fork = collect_find_forkbench(ctx->argv0, getenv("FORKBENCH") != NULL);
	p->o.forkbench = fork;
	ret = collect_run(ctx->db, &p->o, uuid);
	vb_strv_free(p->o.platforms);
	vb_strv_free(p->o.benchmarks);
	free(cmdline);
	free(suites);
	free(fork);
	return ret < 0 ? 1 : ret;
}

int cmd_collect(int argc, char **argv, struct vb_ctx *ctx)
{
	struct parsed p = { 0 };
	char uuid[37];
	int r = parse_collect_args(argc, argv, ctx, 0, &p);

	if (r)
		return r;
	return do_collect(&p, ctx, uuid);
}

/* Calls another command's handler as if typed on the command line. */
static int call_cmd(struct vb_ctx *ctx, const char *name, char **args)
{
	const struct vb_cmd *c = cmd_lookup(name);
	int n = 0;

	if (!c)
		return vb_error("command %s is not available", name);
	while (args[n])
		n++;
	return c->fn(n, args, ctx);
}

int cmd_run(int argc, char **argv, struct vb_ctx *ctx)
{
	struct parsed p = { 0 };
	char uuid[37], *out;
	int r = parse_collect_args(argc, argv, ctx, 1, &p);

	if (r)
		return r;
	r = do_collect(&p, ctx, uuid);
	if (r)
		return r;
	out = (char *)(p.out ? p.out : "report");
	{
		char *analyze[] = { "analyze", "--run", uuid, NULL };
		char *plot[] = { "plot", "--out", out, "--run", uuid, NULL };
		char *report[] = { "report", "--out", out, "--run", uuid, NULL };

		vb_info("analyzing run %s", uuid);
		fflush(stdout);
		if ((r = call_cmd(ctx, "analyze", analyze)) != 0)
			return r;
		fflush(stdout);
		vb_info("plotting into %s", out);
		if ((r = call_cmd(ctx, "plot", plot)) != 0)
			return r;
		vb_info("writing the report into %s", out);
		if ((r = call_cmd(ctx, "report", report)) != 0)
			return r;
	}
	return 0;
}

/* ---- parse, reparse --------------------------------------------------------- */

const char cmd_parse_usage[] =
	"usage: virtbench parse PARSER FILE\n"
	"       virtbench parse --list\n"
	"\n"
	"Reads a saved tool output (FILE, or - for standard input) the way the\n"
	"collector would and prints \"VALUE UNIT\" on one line; or prints the\n"
	"reason it is refused (truncated, FATAL, tool error, another tool's\n"
	"output) and exits 1. --list shows the parsers, their versions and units.\n";

int cmd_parse(int argc, char **argv, struct vb_ctx *ctx)
{
	struct sb sb = SB_INIT;
	char *reason = NULL;
	double v;
	int ret;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (const struct parser *const *p = parser_all(); *p; p++)
			printf("%-16s v%d  %-9s %s\n", (*p)->name, (*p)->version,
			       (*p)->unit, (*p)->summary);
		return 0;
	}
	if (argc != 3)
		return cmd_usage_error(ctx, argv[0], "expected PARSER FILE");
	if (!parser_find(argv[1])) {
		struct sb names = SB_INIT;

		for (const struct parser *const *p = parser_all(); *p; p++)
			sb_addf(&names, "%s%s", names.len ? ", " : "", (*p)->name);
		ret = cmd_usage_error(ctx, argv[0], "unknown parser '%s' (known: %s)",
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

const char cmd_reparse_usage[] =
	"usage: virtbench reparse [--run ID]\n"
	"\n"
	"Applies the current parsers to the raw outputs stored with every sample\n"
	"(of one run, or of all), in one transaction, and prints what changed.\n"
	"Samples refused by a parser may become values; samples whose command\n"
	"failed (exit status, timeout) stay failed. Nothing is re-run.\n";

int cmd_reparse(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *run = NULL;
	int64_t run_id = 0;
	int c, seen, changed, ok, failed;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			run = optarg;
		else
			return cmd_usage_error(ctx, argv[0], "unknown or incomplete "
					       "option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cmd_usage_error(ctx, argv[0], "unexpected argument '%s'",
				       argv[optind]);
	if (run && db_run_find(ctx->db, run, &run_id) < 0)
		return 1;
	if (collect_reparse(ctx->db, run_id, &seen, &changed, &ok, &failed) < 0)
		return 1;
	printf("reparsed %d samples: %d changed (%d now ok, %d now failed)\n",
	       seen, changed, ok, failed);
	return 0;
}

/* ---- doctor, cleanup ---------------------------------------------------------- */

const char cmd_doctor_usage[] =
	"usage: virtbench doctor [--connect URI] [--image PATH] [--network MODE]\n"
	"                        [--docker-network MODE]\n"
	"\n"
	"Tells, per platform kind, whether it can run on this host, and if not,\n"
	"why and what fixes it; also checks the fork benchmark and the suites.\n"
	"Exit status 1 when not even the native platform can run.\n";

static void doctor_line(const char *what, int ok, const char *detail)
{
	printf("%-10s %s%s%s\n", what, ok ? "ok" : "no", detail ? ": " : "",
	       detail ? detail : "");
}

int cmd_doctor(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "image", required_argument, NULL, 'i' },
		{ "network", required_argument, NULL, 'n' },
		{ "docker-network", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct platform_opts po = { 0 };
	char *fork, *suites, *path;
	int c, native_ok = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			po.connect_uri = optarg;
		else if (c == 'i')
			po.image = optarg;
		else if (c == 'n')
			po.network = optarg;
		else if (c == 'd')
			po.docker_network = optarg;
		else
			return cmd_usage_error(ctx, argv[0], "unknown or incomplete "
					       "option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cmd_usage_error(ctx, argv[0], "unexpected argument '%s'",
				       argv[optind]);
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

const char cmd_cleanup_usage[] =
	"usage: virtbench cleanup [--state-dir DIR] [--connect URI]\n"
	"\n"
	"Removes what interrupted runs left behind: guests, containers, volumes,\n"
	"overlays and run directories named virtbench-*, on every platform kind\n"
	"built in. A run directory whose collector is still running is kept.\n"
	"Prints how many resources each kind removed.\n";

int cmd_cleanup(int argc, char **argv, struct vb_ctx *ctx)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "connect", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct platform_opts po = { 0 };
	const struct platform_ops *done[8] = { 0 };
	int c, ret = 0, n_done = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's' && vb_path_check("--state-dir", optarg) < 0)
			return 2;
		else if (c == 's')
			po.state_dir = optarg;
		else if (c == 'c')
			po.connect_uri = optarg;
		else
			return cmd_usage_error(ctx, argv[0], "unknown or incomplete "
					       "option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cmd_usage_error(ctx, argv[0], "unexpected argument '%s'",
				       argv[optind]);
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
