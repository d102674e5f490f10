/*
 * platform/docker/platform_docker.c - the "docker" platform: a container started
 * from the benchmark image through the Docker Engine API (docker_api.h).
 *
 * One long-lived container per platform and run, named
 * virtbench-<uuid8>-<platform> and labelled virtbench.run=<uuid>, runs
 * "sleep infinity" under docker-init (so the fork benchmark's orphans are
 * reaped); every benchmark is an exec into it. It gets the same CPU and
 * memory as the VMs by default (a CFS quota of vcpus CPUs, a hard memory
 * limit without swap), so the comparison is like for like.
 *
 * The disk benchmark's working directory (/virtbench) is a named volume by
 * default, i.e. a plain directory of the host's file system, which is what
 * the volume-vs-native question is about; with storage "overlay" it lives
 * in the container's own writable layer instead, which goes through
 * overlayfs and can change the disk answer. Both are recorded.
 *
 * The image is $VIRTBENCH_DOCKER_IMAGE, else --image if that names a Docker
 * image (not the VMs' disk file), else DOCKER_DEFAULT_IMAGE.
 *
 * Options come from platform_opts, and a platform label may pick one for
 * that platform alone, so two variants run side by side:
 * "docker:overlay", "docker:volume", "docker:host", "docker:none", or
 * several joined with '+' ("docker:host+overlay"). The
 * network option is shared with the VMs; their modes ("user",
 * "libvirt:NAME") leave docker on its default, bridge, so a mixed run
 * names the container's mode with a label ("docker:host").
 *
 * Timeouts: each command runs under timeout(1) -s KILL inside the container,
 * and the exec client keeps a host-side deadline a little later that kills
 * the process by its host pid, so a hung benchmark never hangs the run.
 *
 * Cleanup: containers and volumes carry virtbench.owner=HOST:PID:START (the
 * collector's owner record, common/owner.h); "virtbench cleanup" removes
 * every labelled resource whose collector no longer runs.
 */
#include "platform/platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/docker/docker_api.h"
#include "common/owner.h"
#include "common/util.h"

#define DOCKER_WORKDIR "/virtbench"
/* Extra seconds the host-side deadline allows beyond the in-container
 * timeout(1), so that normally the latter acts and reports cleanly. */
#define DOCKER_EXEC_GRACE 10.0
#define DOCKER_LABEL_RUN "virtbench.run"
#define DOCKER_LABEL_OWNER "virtbench.owner"

struct docker_priv {
	struct docker *d;
	char uuid[37];
	char *image;       /* the reference asked for */
	char *image_id;    /* sha256:... */
	char *name;        /* container (and volume) name */
	char *network;
	char *storage;     /* "volume" | "overlay" */
	char *seccomp;     /* "default" | "unconfined" */
	int vcpus, vcpus_requested, memory_mib;
	double cpus;       /* CFS quota in CPUs: vcpus, or the cpus setting */
	cJSON *verified;   /* settings against inspect data and the inside */
	int volume_created;
	cJSON *info, *version; /* cached at start for describe() */
	cJSON *tools;          /* cached on first describe() */
};

/* A Docker object name from the platform name: [a-zA-Z0-9_.-] only. */
static char *object_name(const char *uuid, const char *platform)
{
	char *s = xasprintf("virtbench-%.8s-%s", uuid, platform);

	for (char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-'))
			*c = '-';
	return s;
}

static void priv_free(struct docker_priv *v)
{
	if (!v)
		return;
	docker_close(v->d);
	free(v->image);
	free(v->image_id);
	free(v->name);
	free(v->network);
	free(v->storage);
	free(v->seccomp);
	cJSON_Delete(v->verified);
	cJSON_Delete(v->info);
	cJSON_Delete(v->version);
	cJSON_Delete(v->tools);
	free(v);
}

/* The image to run: $VIRTBENCH_DOCKER_IMAGE, else --image when it names a
 * Docker image rather than the VMs' disk file (the option is shared), else
 * the default. Borrowed. */
static const char *docker_image_for(const char *opt)
{
	const char *env = getenv("VIRTBENCH_DOCKER_IMAGE");
	size_t n = opt ? strlen(opt) : 0;

	if (env && *env)
		return env;
	if (!n || opt[0] == '/' || opt[0] == '.' || access(opt, F_OK) == 0 ||
	    (n > 6 && !strcmp(opt + n - 6, ".qcow2")) ||
	    (n > 4 && (!strcmp(opt + n - 4, ".img") || !strcmp(opt + n - 4, ".raw"))))
		return DOCKER_DEFAULT_IMAGE;
	return opt;
}

const char *platform_docker_image(const struct platform_opts *o)
{
	return docker_image_for(o ? o->image : NULL);
}

static cJSON *container_config(struct platform *p, struct docker_priv *v);
static void priv_free(struct docker_priv *v);
static int resolve_settings(struct docker_priv *v, const char *pname,
			    const struct platform_opts *o,
			    const struct platform_settings *ps);

cJSON *platform_docker_create_body(struct platform *p, const char *uuid)
{
	struct docker_priv *v = xcalloc(1, sizeof(*v));
	cJSON *body = NULL;

	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	if (resolve_settings(v, p->name, p->opts, p->settings) == 0) {
		v->name = object_name(v->uuid, p->name);
		body = container_config(p, v);
	}
	priv_free(v);
	return body;
}

/* Resolves the settings: defaults, then platform_opts, then the label of
 * "docker:LABEL" when it names a storage or network mode, then the
 * platform's own settings (ps, may be NULL; validated already). */
static int resolve_settings(struct docker_priv *v, const char *pname,
			    const struct platform_opts *o,
			    const struct platform_settings *ps)
{
	const char *label = strchr(pname, ':'), *e;

	v->vcpus_requested = o->vcpus > 0 ? o->vcpus : 2;
	v->vcpus = v->vcpus_requested;
	v->memory_mib = o->memory_mib > 0 ? o->memory_mib : 2048;
	v->image = xstrdup(docker_image_for(o->image));
	/* --docker-network is docker's own; --network is shared with the
	 * VMs, whose modes mean nothing here. */
	if (o->docker_network && *o->docker_network)
		v->network = xstrdup(o->docker_network);
	else if (o->network && *o->network && strcmp(o->network, "user") &&
	    strncmp(o->network, "libvirt:", 8))
		v->network = xstrdup(o->network);
	else
		v->network = xstrdup("bridge");
	v->storage = xstrdup(o->docker_storage && *o->docker_storage ?
			     o->docker_storage : "volume");
	if (label) {
		char **words = vb_split(label + 1, '+');

		for (char **w = words; *w; w++) {
			if (!strcmp(*w, "volume") || !strcmp(*w, "overlay")) {
				free(v->storage);
				v->storage = xstrdup(*w);
			} else if (!strcmp(*w, "host") || !strcmp(*w, "none") ||
				   !strcmp(*w, "bridge")) {
				free(v->network);
				v->network = xstrdup(*w);
			}
		}
		vb_strv_free(words);
	}
	v->seccomp = xstrdup("default");
	if ((e = platform_settings_get(ps, "storage"))) {
		free(v->storage);
		v->storage = xstrdup(e);
	}
	if ((e = platform_settings_get(ps, "network"))) {
		free(v->network);
		v->network = xstrdup(e);
	}
	if ((e = platform_settings_get(ps, "seccomp"))) {
		free(v->seccomp);
		v->seccomp = xstrdup(e);
	}
	if ((e = platform_settings_get(ps, "memory")))
		v->memory_mib = atoi(e);
	v->cpus = v->vcpus;
	if ((e = platform_settings_get(ps, "cpus")) && vb_parse_double(e, &v->cpus) == 0)
		v->vcpus_requested = v->vcpus = (int)(v->cpus + 0.999);
	if (strcmp(v->storage, "volume") && strcmp(v->storage, "overlay"))
		return vb_error("platform %s: unknown docker storage '%s' (volume, overlay)",
				pname, v->storage);
	return 0;
}

/* The connection's last error without its "docker: " prefix, for
 * messages that already name the platform. Borrowed. */
static const char *last_error(const struct docker *d)
{
	const char *e = docker_last_error(d);

	return strncmp(e, "docker: ", 8) ? e : e + 8;
}

/* Checks that the network mode can work on this daemon; 0 or negative
 * with *reason (owned). */
static int check_network(struct docker *d, const char *network, char **reason)
{
	cJSON *net = NULL;
	int ret;

	if (!strcmp(network, "host") || !strcmp(network, "none") ||
	    !strncmp(network, "container:", 10))
		return 0;
	ret = docker_network_inspect(d, network, &net);
	cJSON_Delete(net);
	if (ret == DOCKER_ENOTFOUND) {
		if (!strcmp(network, "bridge"))
			*reason = xstrdup("docker network mode 'bridge' is unavailable: "
					  "the daemon has no bridge network (dockerd "
					  "runs with --bridge=none); use --network host "
					  "or --network none");
		else
			*reason = xasprintf("docker network '%s' does not exist; create "
					    "it or use --network host", network);
		return -1;
	}
	if (ret < 0) {
		*reason = xstrdup(last_error(d));
		return -1;
	}
	return 0;
}

/* Connects and checks daemon, image and network; 0, or negative with
 * *reason (owned) naming the fix. */
static int check_ready(struct docker *d, const char *image, const char *network,
		       cJSON **image_out, char **reason)
{
	int ret;

	if (docker_ping(d) < 0) {
		*reason = xasprintf("%s; start dockerd (scripts/start-daemons.sh "
				    "docker) or set DOCKER_HOST=unix://SOCKET",
				    last_error(d));
		return -1;
	}
	ret = docker_image_inspect(d, image, image_out);
	if (ret == DOCKER_ENOTFOUND) {
		*reason = xasprintf("docker image %s not found in the daemon at %s; "
				    "build it with: virtbench image docker", image,
				    docker_socket_path(d));
		return -1;
	}
	if (ret < 0) {
		*reason = xstrdup(last_error(d));
		return -1;
	}
	return check_network(d, network, reason);
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The number obj.key, or 0 when it is missing or not a number. */
static double jnum(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static cJSON *container_config(struct platform *p, struct docker_priv *v)
{
	cJSON *c = cJSON_CreateObject(), *hc, *labels, *arr, *m;
	char *owner = owner_self();

	cJSON_AddStringToObject(c, "Image", v->image);
	arr = cJSON_AddArrayToObject(c, "Cmd");
	cJSON_AddItemToArray(arr, cJSON_CreateString("sleep"));
	cJSON_AddItemToArray(arr, cJSON_CreateString("infinity"));
	/* An imported root file system has no ENV: give tools a PATH. */
	arr = cJSON_AddArrayToObject(c, "Env");
	cJSON_AddItemToArray(arr, cJSON_CreateString(
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	/* The daemon creates the working directory if the image lacks it. */
	cJSON_AddStringToObject(c, "WorkingDir", DOCKER_WORKDIR);
	cJSON_AddStringToObject(c, "Hostname", "virtbench-docker");
	labels = cJSON_AddObjectToObject(c, "Labels");
	cJSON_AddStringToObject(labels, DOCKER_LABEL_RUN, v->uuid);
	cJSON_AddStringToObject(labels, "virtbench.platform", p->name);
	cJSON_AddStringToObject(labels, DOCKER_LABEL_OWNER, owner);

	hc = cJSON_AddObjectToObject(c, "HostConfig");
	cJSON_AddNumberToObject(hc, "NanoCpus", v->cpus * 1e9);
	cJSON_AddNumberToObject(hc, "Memory", (double)v->memory_mib * 1048576.0);
	/* Equal to Memory: no swap, as the VMs have none. */
	cJSON_AddNumberToObject(hc, "MemorySwap", (double)v->memory_mib * 1048576.0);
	cJSON_AddStringToObject(hc, "NetworkMode", v->network);
	cJSON_AddTrueToObject(hc, "Init");
	if (!strcmp(v->seccomp, "unconfined")) {
		arr = cJSON_AddArrayToObject(hc, "SecurityOpt");
		cJSON_AddItemToArray(arr, cJSON_CreateString("seccomp=unconfined"));
	}
	if (!strcmp(v->storage, "volume")) {
		arr = cJSON_AddArrayToObject(hc, "Mounts");
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "Type", "volume");
		cJSON_AddStringToObject(m, "Source", v->name);
		cJSON_AddStringToObject(m, "Target", DOCKER_WORKDIR);
		cJSON_AddItemToArray(arr, m);
	}
	free(owner);
	return c;
}

/* The resource names are derived from the run, so a resumed run finds the
 * container of an earlier, killed attempt: remove it if it is ours. */
static int remove_stale(struct docker_priv *v)
{
	cJSON *old = NULL;
	const char *run;
	int ret = docker_container_inspect(v->d, v->name, &old);

	if (ret == DOCKER_ENOTFOUND)
		return 0;
	if (ret < 0)
		return ret;
	run = jstr(cJSON_GetObjectItemCaseSensitive(
			   cJSON_GetObjectItemCaseSensitive(old, "Config"), "Labels"),
		   DOCKER_LABEL_RUN);
	if (!run || strcmp(run, v->uuid)) {
		cJSON_Delete(old);
		return vb_error("docker: a container named %s exists and is not this run's; "
				"remove it (virtbench cleanup)", v->name);
	}
	cJSON_Delete(old);
	vb_info("docker: removing container %s left by an earlier attempt", v->name);
	return docker_container_remove(v->d, v->name);
}

/* One entry of "verified": what was asked, what the daemon's inspect
 * data and the container's own view show, and whether they agree. */
static void verify_one(struct platform *p, const char *key, const char *asked,
		       const char *daemon, const char *inside, const char *how)
{
	struct docker_priv *v = p->priv;
	cJSON *e = cJSON_AddObjectToObject(v->verified, key);
	int ok = daemon && !strcmp(asked, daemon) && (!inside || !strcmp(asked, inside));

	cJSON_AddStringToObject(e, "requested", asked);
	if (daemon)
		cJSON_AddStringToObject(e, "inspect", daemon);
	if (inside)
		cJSON_AddStringToObject(e, "observed", inside);
	cJSON_AddStringToObject(e, "how", how);
	cJSON_AddBoolToObject(e, "ok", ok);
	if (!ok)
		vb_warn("platform %s: %s asked %s, daemon says %s, container "
			"shows %s", p->name, key, asked, daemon ? daemon : "nothing",
			inside ? inside : "nothing");
}

static int exec_in(struct platform *p, const char *cmd, double timeout,
		   struct exec_result *r);

/* Checks each setting against the container's inspect data and what
 * the container itself sees: its seccomp mode (/proc/self/status), its
 * cgroup's CPU quota and memory limit, the file system type under the work
 * directory (overlayfs for storage overlay). */
static void verify_settings(struct platform *p)
{
	static const char script[] =
		"echo \"seccomp=$(awk '/^Seccomp:/{print $2}' /proc/self/status)\"; "
		/* cgroup v2, else v1's files. */
		"c=/sys/fs/cgroup; echo \"cpu_max=$(cat $c/cpu.max 2>/dev/null || "
		"echo $(cat $c/cpu/cpu.cfs_quota_us) $(cat $c/cpu/cpu.cfs_period_us))\"; "
		"echo \"memory_max=$(cat $c/memory.max 2>/dev/null || "
		"cat $c/memory/memory.limit_in_bytes)\"; "
		"echo \"fs=$(stat -f -c %T " DOCKER_WORKDIR ")\"";
	struct docker_priv *v = p->priv;
	struct exec_result r = { 0 };
	cJSON *ins = NULL, *seen = cJSON_CreateObject();
	const cJSON *hc, *m, *opt;
	char asked[64], got[64], *in = NULL;
	const char *mnt = "overlay", *sc = "default", *fs;
	double quota = 0, period = 0;

	cJSON_Delete(v->verified);
	v->verified = cJSON_CreateObject();
	if (docker_container_inspect(v->d, p->instance_id, &ins) < 0)
		goto out;
	if (exec_in(p, script, 30, &r) == 0 && r.exit_status == 0) {
		char **lines = vb_split(r.out, '\n');

		for (char **l = lines; *l; l++) {
			char *eq = strchr(*l, '=');

			if (eq) {
				*eq = '\0';
				cJSON_AddStringToObject(seen, *l, eq + 1);
			}
		}
		vb_strv_free(lines);
	}
	hc = cJSON_GetObjectItemCaseSensitive(ins, "HostConfig");
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ins, "Mounts"))
		if (jstr(m, "Destination") && !strcmp(jstr(m, "Destination"),
						     DOCKER_WORKDIR) &&
		    jstr(m, "Type") && !strcmp(jstr(m, "Type"), "volume"))
			mnt = "volume";
	fs = jstr(seen, "fs");
	verify_one(p, "storage", v->storage, mnt, fs ? (!strcmp(fs, "overlayfs") ?
		   "overlay" : "volume") : NULL,
		   "inspect Mounts; stat -f under " DOCKER_WORKDIR);
	cJSON_ArrayForEach(opt, cJSON_GetObjectItemCaseSensitive(hc, "SecurityOpt"))
		if (cJSON_IsString(opt) && !strcmp(opt->valuestring,
						   "seccomp=unconfined"))
			sc = "unconfined";
	in = jstr(seen, "seccomp") ? xstrdup(!strcmp(jstr(seen, "seccomp"), "0") ?
		"unconfined" : "default") : NULL;
	verify_one(p, "seccomp", v->seccomp, sc, in,
		   "inspect SecurityOpt; Seccomp in /proc/self/status");
	free(in);
	snprintf(asked, sizeof(asked), "%g", v->cpus);
	snprintf(got, sizeof(got), "%g", jnum(hc, "NanoCpus") / 1e9);
	in = NULL;
	if (jstr(seen, "cpu_max") && sscanf(jstr(seen, "cpu_max"), "%lf %lf",
					     &quota, &period) == 2 && period > 0)
		in = xasprintf("%g", quota / period);
	verify_one(p, "cpus", asked, got, in,
		   "inspect NanoCpus; the cgroup's cpu.max");
	free(in);
	snprintf(asked, sizeof(asked), "%d", v->memory_mib);
	snprintf(got, sizeof(got), "%.0f", jnum(hc, "Memory") / 1048576.0);
	in = jstr(seen, "memory_max") && *jstr(seen, "memory_max") >= '0' &&
	     *jstr(seen, "memory_max") <= '9' ?
	     xasprintf("%.0f", strtod(jstr(seen, "memory_max"), NULL) / 1048576.0) :
	     NULL;
	verify_one(p, "memory", asked, got, in,
		   "inspect Memory (MiB); the cgroup's memory.max");
	free(in);
	verify_one(p, "network", v->network, jstr(hc, "NetworkMode"), NULL,
		   "inspect NetworkMode");
out:
	exec_result_clear(&r);
	cJSON_Delete(seen);
	cJSON_Delete(ins);
}

static void docker_teardown(struct platform *p);

/* A fresh docker_priv for p (an earlier one torn down): the run's UUID,
 * the settings resolved and the container's name. */
static int docker_priv_new(struct platform *p)
{
	const struct platform_opts *o = p->opts;
	struct docker_priv *v;

	if (p->priv)
		docker_teardown(p);
	v = xcalloc(1, sizeof(*v));
	p->priv = v;
	if (o->run_uuid && *o->run_uuid)
		snprintf(v->uuid, sizeof(v->uuid), "%s", o->run_uuid);
	else
		vb_uuid(v->uuid);
	if (resolve_settings(v, p->name, o, p->settings) < 0) {
		p->unavailable_reason = xstrdup("bad docker settings");
		return -1;
	}
	v->name = object_name(v->uuid, p->name);
	if (p->instance > 1) {
		/* one container per instance (collect --instances) */
		char *n = xasprintf("%s-i%d", v->name, p->instance);

		free(v->name);
		v->name = n;
	}
	return 0;
}

/*
 * Connects to the daemon and checks that it can run the container (daemon,
 * image, network; a failure there sets p->unavailable_reason naming the
 * fix), then caches the image id, the daemon's info and version.
 */
static int docker_connect(struct platform *p, struct docker_priv *v)
{
	cJSON *img = NULL;
	char *reason = NULL;
	int ret = -1;

	v->d = docker_open(1);
	if (!v->d) {
		p->unavailable_reason = xasprintf("DOCKER_HOST=%s is not supported "
						  "(only unix:// sockets)",
						  getenv("DOCKER_HOST"));
		return vb_error("platform %s: %s", p->name, p->unavailable_reason);
	}
	if (check_ready(v->d, v->image, v->network, &img, &reason) < 0) {
		p->unavailable_reason = reason;
		ret = vb_error("platform %s: %s", p->name, reason);
		goto cleanup;
	}
	/* From here on, report errors as they happen. */
	docker_close(v->d);
	v->d = docker_open(0);
	if (!v->d)
		goto cleanup;
	v->image_id = xstrdup(jstr(img, "Id"));
	if (docker_info(v->d, &v->info) < 0 || docker_version(v->d, &v->version) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	cJSON_Delete(img);
	return ret;
}

/* A VM may have more vCPUs than the host has cores; a CFS quota cannot
 * exceed them, so this clamps v's, and warns with both numbers. */
static void clamp_vcpus(const struct platform *p, struct docker_priv *v)
{
	const cJSON *ncpu = cJSON_GetObjectItemCaseSensitive(v->info, "NCPU");

	if (cJSON_IsNumber(ncpu) && ncpu->valueint > 0 && v->vcpus > ncpu->valueint) {
		vb_warn("platform %s: %d vCPUs asked, the host has %d: limiting the container to %d",
			p->name, v->vcpus, ncpu->valueint, ncpu->valueint);
		v->vcpus = ncpu->valueint;
		v->cpus = v->vcpus;
	}
}

/* The container's volume (storage=volume), labelled with the run and its
 * owner so that cleanup finds it. */
static int create_volume(struct docker_priv *v)
{
	cJSON *labels = cJSON_CreateObject();
	char *owner = owner_self();
	int ret = -1;

	cJSON_AddStringToObject(labels, DOCKER_LABEL_RUN, v->uuid);
	cJSON_AddStringToObject(labels, DOCKER_LABEL_OWNER, owner);
	free(owner);
	if (docker_volume_create(v->d, v->name, labels) == 0) {
		v->volume_created = 1;
		ret = 0;
	}
	cJSON_Delete(labels);
	return ret;
}

/* Creates the container (p->instance_id gets its id) and starts it. */
static int create_container(struct platform *p, struct docker_priv *v)
{
	cJSON *cfg = container_config(p, v);
	char *id = NULL;
	int ret = -1;

	if (docker_container_create(v->d, v->name, cfg, &id) < 0)
		goto cleanup;
	free(p->instance_id);
	p->instance_id = id;
	if (docker_container_start(v->d, id) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	cJSON_Delete(cfg);
	return ret;
}

/* Where the benchmarks reach the host (p->host_addr): loopback on the
 * host's network, the network's gateway on a bridge, nowhere with none. */
static void find_host_addr(struct platform *p, struct docker_priv *v)
{
	cJSON *ins = NULL;

	free(p->host_addr);
	p->host_addr = NULL;
	if (!strcmp(v->network, "host")) {
		p->host_addr = xstrdup("127.0.0.1");
	} else if (strcmp(v->network, "none") != 0 &&
		   docker_container_inspect(v->d, p->instance_id, &ins) == 0) {
		const cJSON *nets = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(ins, "NetworkSettings"), "Networks");
		const char *gw = jstr(cJSON_GetObjectItemCaseSensitive(nets, v->network),
				      "Gateway");

		if (gw && *gw)
			p->host_addr = xstrdup(gw);
	}
	cJSON_Delete(ins);
}

static int docker_start(struct platform *p)
{
	struct docker_priv *v;
	int ret = -1;

	if (docker_priv_new(p) < 0)
		return -1;
	v = p->priv;
	if (docker_connect(p, v) < 0)
		goto cleanup;
	clamp_vcpus(p, v);
	if (remove_stale(v) < 0)
		goto cleanup;
	if (!strcmp(v->storage, "volume") && create_volume(v) < 0)
		goto cleanup;
	if (create_container(p, v) < 0)
		goto cleanup;
	free(p->workdir);
	p->workdir = xstrdup(DOCKER_WORKDIR);
	find_host_addr(p, v);
	p->started = 1;
	p->paused = 0;
	verify_settings(p);
	vb_debug("platform %s: container %s (%.12s) from %s, %d CPUs, %d MiB, network %s, storage %s",
		 p->name, v->name, p->instance_id, v->image, v->vcpus,
		 v->memory_mib, v->network, v->storage);
	ret = 0;
cleanup:
	if (ret < 0 && !p->unavailable_reason)
		p->unavailable_reason = xstrdup(v->d && *last_error(v->d) ?
						last_error(v->d) :
						"the container could not be started");
	return ret;
}

static int docker_exec_cmd(struct platform *p, const char *cmd, double timeout,
			   struct exec_result *r)
{
	struct docker_priv *v = p->priv;
	struct docker_exec_result dr;
	char tbuf[32];
	char *with_timeout[] = { "timeout", "-s", "KILL", tbuf, "sh", "-c",
				 (char *)cmd, NULL };
	char *plain[] = { "sh", "-c", (char *)cmd, NULL };
	int ret;

	exec_result_clear(r);
	if (!v || !p->instance_id || !p->started) {
		r->out = xstrdup("");
		r->err = xstrdup("docker container not started");
		return vb_error("platform %s: exec before start", p->name);
	}
	/* Whole seconds when possible: not every timeout(1) takes fractions. */
	if (timeout == (double)(long)timeout)
		snprintf(tbuf, sizeof(tbuf), "%ld", (long)timeout);
	else
		snprintf(tbuf, sizeof(tbuf), "%.3f", timeout);
	ret = docker_exec(v->d, p->instance_id, timeout > 0 ? with_timeout : plain,
			  p->workdir, timeout > 0 ? timeout + DOCKER_EXEC_GRACE : 0,
			  &collect_stop_requested, &dr);
	if (ret < 0) {
		/* Keep the reason with the sample: it is what failed. */
		r->out = xstrdup("");
		r->err = xstrdup(docker_last_error(v->d));
		return ret;
	}
	r->out = dr.out;
	r->err = dr.err;
	dr.out = dr.err = NULL;
	r->duration = dr.duration;
	r->exit_status = dr.exit_code;
	/* timeout(1) -s KILL kills its whole process group, itself
	 * included, so the exec ends with 128+9 right at the deadline. */
	r->timed_out = dr.timed_out ||
		       (timeout > 0 && dr.exit_code == 137 && dr.duration >= timeout - 0.05);
	if (dr.interrupted) {
		vb_debug("platform %s: command interrupted: %s", p->name, cmd);
		ret = -1;
	}
	docker_exec_result_clear(&dr);
	return ret;
}

static int exec_in(struct platform *p, const char *cmd, double timeout,
		   struct exec_result *r)
{
	return docker_exec_cmd(p, cmd, timeout, r);
}

static int docker_put_file(struct platform *p, const char *local,
			   const char *remote, int mode)
{
	struct docker_priv *v = p->priv;
	struct sb data = SB_INIT, tar = SB_INIT;
	char *name;
	int ret;

	if (!v || !p->instance_id)
		return vb_error("platform %s: put_file before start", p->name);
	if (sb_read_file(&data, local) < 0)
		return vb_error("cannot read %s: %s", local, strerror(errno));
	/* Extracted at "/", so that the daemon creates missing parent
	 * directories; relative paths are relative to the workdir. */
	if (remote[0] == '/')
		name = xstrdup(remote + 1);
	else
		name = xasprintf("%s/%s", DOCKER_WORKDIR + 1, remote);
	sb_init(&tar);
	ret = docker_tar_add_file(&tar, name, data.buf, data.len, mode);
	if (ret == 0) {
		docker_tar_finish(&tar);
		ret = docker_container_put_archive(v->d, p->instance_id, "/", tar.buf,
						   tar.len);
	}
	sb_release(&data);
	sb_release(&tar);
	free(name);
	return ret;
}

/* Docker answers a pause or unpause before it records the new state (that
 * waits for containerd's event, moby's containerPause/containerUnpause):
 * until then an exec is refused as "paused", or an unpause as "not
 * paused". Waits up to 2 s for State.Paused to be want. */
static void wait_paused(struct docker_priv *v, const char *id, int want)
{
	for (int i = 0; i < 100; i++) {
		cJSON *ins = NULL, *st;
		int paused;

		if (docker_container_inspect(v->d, id, &ins) < 0)
			return;
		st = cJSON_GetObjectItemCaseSensitive(ins, "State");
		paused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "Paused"));
		cJSON_Delete(ins);
		if (paused == want)
			return;
		usleep(20 * 1000);
	}
}

static int docker_pause(struct platform *p)
{
	struct docker_priv *v = p->priv;

	if (!v || !p->instance_id || p->paused)
		return 0;
	if (docker_container_pause(v->d, p->instance_id) < 0)
		return -1;
	p->paused = 1;
	wait_paused(v, p->instance_id, 1);
	return 0;
}

static int docker_resume(struct platform *p)
{
	struct docker_priv *v = p->priv;

	if (!v || !p->instance_id || !p->paused)
		return 0;
	if (docker_container_unpause(v->d, p->instance_id) < 0)
		return -1;
	p->paused = 0;
	wait_paused(v, p->instance_id, 0);
	return 0;
}

/* Versions of the tools inside the container, one exec for all. */
static cJSON *tool_versions(struct platform *p)
{
	static const char script[] =
		"v() { if command -v \"$1\" >/dev/null 2>&1; then "
		"\"$@\" 2>&1 | head -n 1; else echo missing; fi; }; "
		"echo \"sysbench=$(v sysbench --version)\"; "
		"echo \"fio=$(v fio --version)\"; "
		"echo \"iperf3=$(v iperf3 --version)\"; "
		"echo \"kernel=$(uname -r)\"; "
		"echo \"os=$(. /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\")\"";
	struct exec_result r = { 0 };
	cJSON *tools = NULL;
	char **lines;

	if (docker_exec_cmd(p, script, 30, &r) == 0 && r.exit_status == 0) {
		tools = cJSON_CreateObject();
		lines = vb_split(r.out, '\n');
		for (char **l = lines; *l; l++) {
			char *eq = strchr(*l, '=');

			if (eq) {
				*eq = '\0';
				cJSON_AddStringToObject(tools, *l, eq + 1);
			}
		}
		vb_strv_free(lines);
	}
	exec_result_clear(&r);
	return tools;
}

/* Host CPU name (containers run on the host's CPU). Owned or NULL. */
static char *host_cpu_model(void)
{
	struct sb sb = SB_INIT;
	char *line, *ret = NULL;

	if (sb_read_file(&sb, "/proc/cpuinfo") < 0)
		return NULL;
	line = strstr(sb.buf, "model name");
	if (line && (line = strchr(line, ':'))) {
		line += strspn(line + 1, " \t") + 1;
		ret = xstrndup(line, strcspn(line, "\n"));
	}
	sb_release(&sb);
	return ret;
}

static void copy_str(cJSON *obj, const char *key, const cJSON *from,
		     const char *from_key)
{
	const char *s = jstr(from, from_key);

	if (s)
		cJSON_AddStringToObject(obj, key, s);
}

static int docker_describe(struct platform *p, cJSON *obj)
{
	struct docker_priv *v = p->priv;
	char *model = host_cpu_model();
	const cJSON *ds, *e;

	cJSON_AddStringToObject(obj, "kind", "docker");
	cJSON_AddStringToObject(obj, "accelerator", "none");
	cJSON_AddItemToObject(obj, "settings", platform_settings_json(p->settings));
	cJSON_AddStringToObject(obj, "cpu_model", model ? model : "unknown");
	free(model);
	if (!v)
		return 0;
	cJSON_AddNumberToObject(obj, "vcpus", v->vcpus);
	if (v->vcpus != v->vcpus_requested)
		cJSON_AddNumberToObject(obj, "vcpus_requested", v->vcpus_requested);
	cJSON_AddStringToObject(obj, "cpu_limit", "cfs quota (NanoCpus)");
	cJSON_AddNumberToObject(obj, "cpus", v->cpus);
	cJSON_AddStringToObject(obj, "seccomp", v->seccomp);
	if (v->verified)
		cJSON_AddItemToObject(obj, "verified", cJSON_Duplicate(v->verified, 1));
	cJSON_AddNumberToObject(obj, "memory_mib", v->memory_mib);
	cJSON_AddStringToObject(obj, "network_mode", v->network);
	cJSON_AddStringToObject(obj, "storage", v->storage);
	cJSON_AddStringToObject(obj, "workdir", DOCKER_WORKDIR);
	cJSON_AddStringToObject(obj, "image", v->image);
	if (v->image_id) {
		cJSON_AddStringToObject(obj, "image_id", v->image_id);
		if (!strncmp(v->image_id, "sha256:", 7))
			cJSON_AddStringToObject(obj, "image_sha256", v->image_id + 7);
	}
	if (p->instance_id)
		cJSON_AddStringToObject(obj, "container_id", p->instance_id);
	cJSON_AddStringToObject(obj, "container_name", v->name);
	cJSON_AddStringToObject(obj, "socket", docker_socket_path(v->d));
	copy_str(obj, "storage_driver", v->info, "Driver");
	/* The file system under overlay2 and the volumes. */
	ds = cJSON_GetObjectItemCaseSensitive(v->info, "DriverStatus");
	cJSON_ArrayForEach(e, ds) {
		const cJSON *k = cJSON_GetArrayItem(e, 0), *val = cJSON_GetArrayItem(e, 1);

		if (cJSON_IsString(k) && cJSON_IsString(val) &&
		    !strcmp(k->valuestring, "Backing Filesystem"))
			cJSON_AddStringToObject(obj, "backing_filesystem", val->valuestring);
	}
	copy_str(obj, "cgroup_version", v->info, "CgroupVersion");
	copy_str(obj, "cgroup_driver", v->info, "CgroupDriver");
	copy_str(obj, "runtime", v->info, "DefaultRuntime");
	copy_str(obj, "runc_version",
		 cJSON_GetObjectItemCaseSensitive(v->info, "RuncCommit"), "ID");
	copy_str(obj, "containerd_version",
		 cJSON_GetObjectItemCaseSensitive(v->info, "ContainerdCommit"), "ID");
	copy_str(obj, "host_kernel", v->info, "KernelVersion");
	copy_str(obj, "daemon_version", v->version, "Version");
	copy_str(obj, "api_version", v->version, "ApiVersion");
	if (!strcmp(v->network, "bridge"))
		cJSON_AddStringToObject(obj, "network_note",
					"bridge: traffic crosses a veth pair and NAT");
	cJSON_AddBoolToObject(obj, "init", 1);
	if (!v->tools && p->started && !p->paused)
		v->tools = tool_versions(p);
	if (v->tools)
		cJSON_AddItemToObject(obj, "tools", cJSON_Duplicate(v->tools, 1));
	return 0;
}

static void docker_teardown(struct platform *p)
{
	struct docker_priv *v = p->priv;
	int left = 0;

	if (!v)
		return;
	if (!v->d)
		v->d = docker_open(0);
	if (v->d && p->instance_id) {
		/* Removing a paused container is refused on some daemons. */
		if (p->paused)
			docker_container_unpause(v->d, p->instance_id);
		if (docker_container_remove(v->d, p->instance_id) < 0)
			left = 1;
	}
	if (v->d && v->volume_created && docker_volume_remove(v->d, v->name) < 0)
		left = 1;
	if (left)
		vb_warn("platform %s: %s may be left behind; 'virtbench cleanup' removes it",
			p->name, v->name);
	free(p->instance_id);
	p->instance_id = NULL;
	p->started = 0;
	p->paused = 0;
	priv_free(v);
	p->priv = NULL;
}

static int docker_probe(const char *kind, const struct platform_opts *o,
			char **reason)
{
	struct docker_priv v;
	struct docker *d;
	int ok = 0;

	(void)kind;
	memset(&v, 0, sizeof(v));
	*reason = NULL;
	if (resolve_settings(&v, "docker", o, NULL) < 0) {
		*reason = xstrdup("bad docker storage setting (volume, overlay)");
		goto cleanup;
	}
	d = docker_open(1);
	if (!d) {
		*reason = xasprintf("DOCKER_HOST=%s is not supported (only unix:// sockets)",
				    getenv("DOCKER_HOST"));
		goto cleanup;
	}
	ok = check_ready(d, v.image, v.network, NULL, reason) == 0;
	docker_close(d);
cleanup:
	free(v.image);
	free(v.network);
	free(v.storage);
	free(v.seccomp);
	return ok;
}

/* Removes labelled containers, then volumes, whose collector is gone. */
static int docker_cleanup(const struct platform_opts *o, int *removed)
{
	struct docker *d = docker_open(1);
	char *label = NULL, **ids = NULL, **vols = NULL;
	cJSON *labels = NULL, *vlabels = NULL;
	int ret = 0, rc, i;

	if (!d || docker_ping(d) < 0) {
		/* No daemon, nothing of ours can be running in it. */
		vb_info("docker: %s; nothing to clean up there",
			d ? last_error(d) : "DOCKER_HOST not supported");
		docker_close(d);
		return 0;
	}
	docker_close(d);
	d = docker_open(0);
	label = o && o->run_uuid ? xasprintf(DOCKER_LABEL_RUN "=%s", o->run_uuid) :
		xstrdup(DOCKER_LABEL_RUN);
	if (docker_container_list(d, label, &ids, &labels) < 0) {
		ret = -1;
		goto cleanup;
	}
	for (i = 0; ids[i]; i++) {
		const char *owner = jstr(cJSON_GetArrayItem(labels, i), DOCKER_LABEL_OWNER);

		if (owner_alive(owner)) {
			vb_info("docker: keeping container %.12s: its collector %s (%s)",
				ids[i], owner_check(owner) == OWNER_ELSEWHERE ?
				"runs on another host" : "still runs", owner);
			continue;
		}
		vb_info("docker: removing container %.12s", ids[i]);
		if (docker_container_remove(d, ids[i]) < 0)
			ret = -1;
		else
			(*removed)++;
	}
	if (docker_volume_list(d, label, &vols, &vlabels) < 0) {
		ret = -1;
		goto cleanup;
	}
	for (i = 0; vols[i]; i++) {
		const char *owner = jstr(cJSON_GetArrayItem(vlabels, i), DOCKER_LABEL_OWNER);

		if (owner_alive(owner))
			continue;
		/* A resumed run reuses its killed attempt's volume, whose
		 * owner label names the dead collector: in use means kept. */
		docker_set_quiet(d, 1);
		rc = docker_volume_remove(d, vols[i]);
		docker_set_quiet(d, 0);
		if (rc == DOCKER_ECONFLICT) {
			vb_info("docker: keeping volume %s: in use", vols[i]);
		} else if (rc < 0) {
			ret = vb_error("%s", docker_last_error(d));
		} else {
			vb_info("docker: removed volume %s", vols[i]);
			(*removed)++;
		}
	}
cleanup:
	vb_strv_free(ids);
	vb_strv_free(vols);
	cJSON_Delete(labels);
	cJSON_Delete(vlabels);
	free(label);
	docker_close(d);
	return ret;
}

const struct platform_ops platform_docker_ops = {
	.kind = "docker",
	.start = docker_start,
	.exec = docker_exec_cmd,
	.put_file = docker_put_file,
	.pause = docker_pause,
	.resume = docker_resume,
	.describe = docker_describe,
	.teardown = docker_teardown,
	.probe = docker_probe,
	.cleanup = docker_cleanup,
};
