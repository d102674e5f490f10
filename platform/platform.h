/*
 * platform/platform.h - the platform interface: one way of isolating a
 * workload (the host itself, a Docker container, a KVM or TCG guest, an SSH
 * host) behind the same operations, so the scheduler and the suites never
 * know which one they are driving.
 *
 * Life cycle: platform_new() -> start() -> { exec(), put_file(), pause(),
 * resume() }* -> teardown() -> platform_free(). teardown() must be safe to
 * call at any point after platform_new(), more than once, and from the
 * collector's interrupt path (SIGINT/SIGTERM): whatever start() created
 * (guest, container, overlay, seed, keys) is removed.
 *
 * Configuration keys every implementation records with describe(), which
 * the report reads (see docs/ARCHITECTURE.md, "platform configuration"):
 *   kind          "native" | "docker" | "kvm" | "qemu" | "ssh"
 *   accelerator   "none" (native, docker), "kvm", "tcg"
 *   vcpus, memory_mib
 *   cpu_model     e.g. "host-passthrough", "qemu64", or the host CPU name
 *   disk_bus, disk_cache, disk_io, disk_format      (guests)
 *   storage       "volume" | "overlay"      (docker: where the disk test runs)
 *   seccomp, cpus (docker)
 *   settings      this instance's own settings, as given ({} when none)
 *   verified      per setting: {requested, observed, how, ok} - what the
 *                 platform itself showed after start
 *   network_mode  "host" | "none" | "bridge" | "user" | "libvirt:NAME" | "ssh"
 *   image, image_sha256
 *   tools         { "sysbench": ..., "iperf3": ..., "fio": ..., "kernel": ... }
 *   plus anything implementation-specific (domain_xml, storage_driver,
 *   cgroup_version, runtime, daemon_version, connect_uri, ...).
 */
#ifndef VB_PLATFORM_PLATFORM_H
#define VB_PLATFORM_PLATFORM_H

#include <signal.h>
#include <cjson/cJSON.h>

#include "common/safe.h"

/* Set by the collector's SIGINT/SIGTERM handler. Long operations (exec,
 * waiting for a guest to boot) poll it and return early with an error. */
extern volatile sig_atomic_t collect_stop_requested;

/* Settings shared by every platform, from the command line: the defaults
 * that a platform instance's own settings (struct platform_settings)
 * override. Strings are borrowed: they outlive the platform. */
struct platform_opts {
	const char *run_uuid;     /* labels/names every resource with it */
	int vcpus;                /* 0 = default (2) */
	int memory_mib;           /* 0 = default (2048) */
	const char *image;        /* guest base image / docker image */
	const char *connect_uri;  /* libvirt URI, default qemu:///system */
	const char *disk_cache;   /* none | writeback | writethrough | ... */
	const char *network;      /* platform-specific network mode */
	const char *docker_storage; /* volume | overlay */
	/* Docker's network mode (host, none, bridge, NAME); when set it wins
	 * over network, so that one run can put guests on user-mode
	 * networking and containers on the host's network. */
	const char *docker_network;
	const char *ssh_target;   /* user@host[:port] for the ssh platform */
	const char *state_dir;    /* per-run scratch dir on the host (0700) */
	double boot_timeout;      /* seconds to wait for a guest; 0 = default */
};

/* Settings of one platform instance ("disk_cache = writeback" for the
 * platform qemu-wb), from a study's [platform NAME] section or from
 * "--set NAME.KEY=VALUE". They override the shared platform_opts for
 * that platform alone (except the network: --network on the command
 * line applies on top of a study, see platform_setting()). Every entry
 * was validated for the kind by platform_settings_set(). */
struct platform_settings {
	char *kind;      /* "qemu", "docker", ...: KIND of the registry (owned) */
	/* The target of a study's "kind = ssh:USER@HOST[:PORT]" (owned), so
	 * an ssh platform may have any name; NULL: the name is the target. */
	char *address;
	size_t n;
	char **keys;     /* owned, in the order given; a key set twice keeps */
	char **values;   /* its first place and its last value */
};

/* Validates KEY = VALUE for s->kind and stores it (copies). where names
 * the place for the one-line error ("studies/x.study:12", "--set
 * qemu:wb.disk_cache"); refused: an unknown key, a key that does not
 * apply to the kind, a value outside the key's domain. Returns 0 or
 * negative (reported as "WHERE: reason"). */
int platform_settings_set(struct platform_settings *s, const char *key,
			  const char *value, const char *where);
/* Checks settings that only make sense together (disk_io=native needs a
 * cache mode that opens the image with O_DIRECT); where as above. */
int platform_settings_check(const struct platform_settings *s,
			    const char *where);
/* The value of key, or NULL when not set. s may be NULL. */
const char *platform_settings_get(const struct platform_settings *s,
				  const char *key);
/* The settings as a JSON object {key: value} (numbers stay strings, as
 * given), for the run's params and the platform's configuration. */
cJSON *platform_settings_json(const struct platform_settings *s);
/* Refills s from platform_settings_json()'s output for kind (validated
 * again: a stored run made by another version may not pass). */
int platform_settings_from_json(struct platform_settings *s, const char *kind,
				const cJSON *obj, const char *where);
void platform_settings_clear(struct platform_settings *s);
/* The keys that apply to kind, NULL-terminated (static); for help texts
 * and errors. Empty for kinds without settings (native, ssh). */
const char *const *platform_settings_keys(const char *kind);

struct exec_result {
	int exit_status;  /* exit code; 128+N if killed by signal N; -1 unknown */
	int timed_out;    /* 1 if the timeout killed it */
	int stalled;      /* 1 if it was killed for printing nothing too long
			   * (vbssh_set_idle_timeout(); timed_out is set too) */
	char *out;        /* stdout, NUL-terminated, owned; never NULL after exec */
	char *err;        /* stderr, likewise */
	double duration;  /* wall seconds */
};
void exec_result_clear(struct exec_result *r);

struct platform;

struct platform_ops {
	const char *kind;
	/* Provisions and boots; on failure sets p->unavailable_reason (when the
	 * platform cannot run here at all) and returns negative. */
	int (*start)(struct platform *p);
	/* Runs a shell command line inside the platform (sh -c CMD); the
	 * command is already quoted by the caller. Returns 0 when the command
	 * ran (whatever its exit status, see r), negative when it could not
	 * be run (transport failure; reported). */
	int (*exec)(struct platform *p, const char *cmd, double timeout,
		    struct exec_result *r);
	/* Copies a local file to path inside the platform with mode. */
	int (*put_file)(struct platform *p, const char *local, const char *remote,
			int mode);
	int (*pause)(struct platform *p);   /* may be NULL: nothing to pause */
	int (*resume)(struct platform *p);
	/* Adds the configuration keys listed above to obj. */
	int (*describe)(struct platform *p, cJSON *obj);
	void (*teardown)(struct platform *p);
	/* For "virtbench doctor": can this kind ("kvm", "qemu", ...: one
	 * implementation may serve several) run here? Returns 1 yes (*reason,
	 * owned, may hold a note), 0 no with *reason (owned) saying why and
	 * what fixes it. May be NULL. */
	int (*probe)(const char *kind, const struct platform_opts *o,
		     char **reason);
	/* For "virtbench cleanup": removes resources left by interrupted runs
	 * (everything labelled/named virtbench-*), adds their count to
	 * *removed. May be NULL. */
	int (*cleanup)(const struct platform_opts *o, int *removed);
};

struct platform {
	const struct platform_ops *ops;
	char *name;          /* as given on the command line: "qemu", "ssh:b" */
	const struct platform_opts *opts;
	char *instance_id;   /* container id, domain UUID, ... (owned) */
	/* Address of the host's loopback as seen from inside: "127.0.0.1" for
	 * native and host-network containers, "10.0.2.2" for user-mode guests. */
	char *host_addr;
	/* Port of an iperf3 server the platform runs itself (on a remote
	 * libvirt host's loopback); NULL = the collector's. */
	char *iperf_port;
	char *workdir;       /* scratch directory inside the platform */
	char *unavailable_reason; /* why start() failed, for doctor/report */
	int started, paused;
	/* Which of the run's instances of this platform it is (collect
	 * --instances K: 1..K, 0 = the only one); set before start(). Names
	 * of the resources start() creates carry it when > 1, so the K
	 * guests or containers of one platform do not collide. */
	int instance;
	void *priv;          /* implementation state */
	/* The registry's kind ("kvm"), which a study's platform names
	 * separately from its name ("kvm-wb"); borrowed, static. */
	const char *kind;
	/* This instance's own settings (borrowed, outlive the platform);
	 * never NULL after platform_new(): empty when none were given. */
	const struct platform_settings *settings;
};

/* A setting of this platform instance, or NULL when not set. */
const char *platform_setting(const struct platform *p, const char *key);

/* The registry: one row per platform kind, in the order doctor lists
 * them. Adding a platform = one folder under platform/ + one row in
 * platform.c (see docs/ARCHITECTURE.md). */
struct platform_kind {
	const char *name;              /* "kvm": the KIND of KIND[:LABEL] */
	const struct platform_ops *ops;
	const char *syntax;            /* how a name of this kind is written */
	/* Removes its leftovers after every other kind's cleanup: native's
	 * run directories are how the libvirt cleanup finds a dead run's
	 * remote volumes. */
	int cleanup_last;
};
/* Terminated by a row with name NULL. */
extern const struct platform_kind platform_kinds[];

/* The row for a platform name (its KIND before any ':'); NULL with
 * *reason (static text) when the kind is unknown. */
const struct platform_kind *platform_kind_find(const char *name,
					       const char **reason);

/* 0 if every ':'-separated part of the platform name (the kind or a
 * study's name, a label, ssh's USER@HOST and PORT) follows the name rule
 * (common/safe.h): platform names become directory, container and domain
 * names. Else reports "WHAT 'NAME': reason" and returns -1. what names
 * where it came from ("--platforms", "platform of the run"). Whether the
 * kind is known is checked apart (platform_kind_find). */
int platform_name_check(const char *what, const char *name);

/* Creates a platform by name ("native", "docker", "kvm", "qemu",
 * "ssh:USER@HOST[:PORT]"); NULL with a message for an unknown kind. */
struct platform *platform_new(const char *name, const struct platform_opts *o);
/* The same with the kind given apart from the name (kind NULL: the name's
 * KIND) and this instance's settings (NULL: none; borrowed, validated
 * for that kind). */
struct platform *platform_new_with(const char *name, const char *kind,
				   const struct platform_opts *o,
				   const struct platform_settings *s);
/* Tears down (if started) and frees; accepts NULL. */
void platform_free(struct platform *p);

/* Implementations, one per folder under platform/. */
extern const struct platform_ops platform_native_ops;
extern const struct platform_ops platform_docker_ops;
extern const struct platform_ops platform_libvirt_ops;
extern const struct platform_ops platform_ssh_ops;

/* Where run directories (virtbench-UUID) go: dir if set, else
 * $VIRTBENCH_STATE_DIR, else /var/tmp (a disk, not a tmpfs: the disk
 * benchmarks need O_DIRECT). Owned. */
char *platform_state_base(const char *dir);

/* shell_quote() is in common/safe.h (included here). */

#endif
