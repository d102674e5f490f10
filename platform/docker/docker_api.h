/*
 * platform/docker/docker_api.h - a small client for the Docker Engine API, spoken
 * over the daemon's UNIX socket with libcurl and cJSON, the way Docker's own
 * SDKs do (never by scraping the docker command's output).
 *
 * It covers what the docker platform needs and no more: ping, version and
 * info, image inspect and import (a tar stream, so a debootstrap root file
 * system becomes an image without a registry), the container life cycle,
 * exec with the multiplexed output stream taken apart, archive upload (to
 * copy the fork benchmark in), volumes, and listing by label for cleanup.
 *
 * Errors: every function that talks to the daemon returns 0 on success and
 * a negative value on failure, after describing the failure once, in one
 * line that names the socket or the object ("docker: cannot reach daemon at
 * /var/run/docker.sock: ..."). A connection opened "quiet" keeps the line in
 * docker_last_error() instead of printing it (for doctor's probes).
 *
 * The API version is pinned to 1.41 (Docker Engine 20.10), which every
 * daemon since 20.10 still serves.
 */
#ifndef VB_PLATFORM_DOCKER_DOCKER_API_H
#define VB_PLATFORM_DOCKER_DOCKER_API_H

#include <signal.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "common/util.h"

/* The benchmark image virtbench builds ("virtbench image docker") and the
 * docker platform runs by default. */
#define DOCKER_DEFAULT_IMAGE "virtbench-bench:bookworm"
/* The name image/cmd_image.c looks for. */
#define VB_DOCKER_IMAGE DOCKER_DEFAULT_IMAGE
#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_API_VERSION "v1.41"

struct platform_opts;
/* The image the docker platform runs for these options (borrowed):
 * $VIRTBENCH_DOCKER_IMAGE, else o->image when it names a Docker image
 * rather than the VMs' disk file, else DOCKER_DEFAULT_IMAGE. Defined in
 * platform_docker.c; referencing it also links the platform in. */
const char *platform_docker_image(const struct platform_opts *o);
/* The body of POST /containers/create the docker platform p would send
 * for run uuid, from its options and settings, without a daemon (owned;
 * NULL after an error). For tests and for reading what a setting does. */
struct platform;
cJSON *platform_docker_create_body(struct platform *p, const char *uuid);

/* Return value for "the object does not exist" (HTTP 404), distinct from
 * other failures so callers can treat a missing image or an already removed
 * container specially. Not reported unless the caller chooses to. */
#define DOCKER_ENOTFOUND (-2)
/* HTTP 409: a name already in use, a container already paused, ... */
#define DOCKER_ECONFLICT (-3)

struct docker;

/*
 * Opens a connection description for the daemon named by $DOCKER_HOST
 * (only unix:// is supported) or the default socket. Nothing is sent yet.
 * Returns NULL with a message if DOCKER_HOST names an unsupported scheme.
 * quiet = 1 keeps error lines in docker_last_error() instead of printing.
 */
struct docker *docker_open(int quiet);
/* Frees the connection; accepts NULL. */
void docker_close(struct docker *d);
/* The socket path in use (borrowed). */
const char *docker_socket_path(const struct docker *d);
/* Switches printing of error lines off (1) or on (0), e.g. around a
 * request whose failure the caller handles itself. */
void docker_set_quiet(struct docker *d, int quiet);
/* The last error line (borrowed, "" if none). */
const char *docker_last_error(const struct docker *d);
/* Resolves the socket path from a DOCKER_HOST value (NULL or "" = the
 * default); returns an owned path, or NULL if the scheme is not unix://. */
char *docker_host_to_socket(const char *docker_host);

/*
 * One request. method "GET"/"POST"/"PUT"/"DELETE"; path starts with '/'
 * and is appended to the version prefix; body (may be NULL) is sent as
 * JSON. The response body is appended to resp (may be NULL), and the HTTP
 * status stored in *status. Returns 0 when an HTTP answer arrived
 * (whatever its status), negative when the daemon could not be reached
 * (reported). Lower level than the helpers below; exposed for tests.
 */
int docker_request(struct docker *d, const char *method, const char *path,
		   const char *body, long *status, struct sb *resp);

/* GET /_ping: 0 if the daemon answers "OK", else negative (reported). */
int docker_ping(struct docker *d);
/* GET /version and /info: *out is an owned cJSON object. */
int docker_version(struct docker *d, cJSON **out);
int docker_info(struct docker *d, cJSON **out);

/* GET /images/NAME/json. DOCKER_ENOTFOUND (not reported) if the image does
 * not exist; *out is owned. */
int docker_image_inspect(struct docker *d, const char *name, cJSON **out);
/* POST /images/create?fromSrc=-: imports the tar stream read from fd (up to
 * its end) as image "repo:tag". *image_id (may be NULL) gets the new id,
 * owned. */
int docker_image_import_fd(struct docker *d, int fd, const char *ref,
			   char **image_id);
/*
 * Streams a tar of the directory rootfs_dir (tar -C DIR -c ., run without a
 * shell) into the daemon as image tag (NULL = DOCKER_DEFAULT_IMAGE), so a
 * debootstrap root file system becomes the benchmark image with no
 * registry. Opens its own connection to $DOCKER_HOST. Reports its errors.
 */
int docker_image_import_rootfs(const char *rootfs_dir, const char *tag);

/* DELETE /images/NAME?force=1; a missing image is fine (0). */
int docker_image_remove(struct docker *d, const char *name);

/* GET /networks/NAME: DOCKER_ENOTFOUND (not reported) if missing. */
int docker_network_inspect(struct docker *d, const char *name, cJSON **out);

/*
 * POST /containers/create?name=NAME with the JSON config (borrowed).
 * *id gets the container id (owned). DOCKER_ECONFLICT (reported) if the
 * name is taken.
 */
int docker_container_create(struct docker *d, const char *name,
			    const cJSON *config, char **id);
int docker_container_start(struct docker *d, const char *id);
/* GET /containers/ID/json; *out owned; DOCKER_ENOTFOUND not reported. */
int docker_container_inspect(struct docker *d, const char *id, cJSON **out);
int docker_container_pause(struct docker *d, const char *id);
int docker_container_unpause(struct docker *d, const char *id);
/* POST /containers/ID/stop?t=SECS; an already stopped container is fine. */
int docker_container_stop(struct docker *d, const char *id, int secs);
/* DELETE /containers/ID?force=1&v=1; a missing container is fine (0). */
int docker_container_remove(struct docker *d, const char *id);
/* PUT /containers/ID/archive?path=DIR: extracts the tar (borrowed) in
 * DIR inside the container. */
int docker_container_put_archive(struct docker *d, const char *id,
				 const char *dir, const void *tar, size_t n);
/*
 * GET /containers/json?all=1&filters={"label":[label]}: the ids of matching
 * containers as a NULL-terminated owned array (vb_strv_free), and, if
 * labels is not NULL, their Labels objects as an owned cJSON array in the
 * same order.
 */
int docker_container_list(struct docker *d, const char *label, char ***ids,
			  cJSON **labels);

/* POST /volumes/create with labels (borrowed object, may be NULL); an
 * existing volume of that name is reused, as the daemon does. */
int docker_volume_create(struct docker *d, const char *name,
			 const cJSON *labels);
/* DELETE /volumes/NAME; a missing volume is fine (0). */
int docker_volume_remove(struct docker *d, const char *name);
/* GET /volumes?filters=...: names of volumes with the label (owned strv)
 * and, if labels is not NULL, their Labels objects (owned cJSON array). */
int docker_volume_list(struct docker *d, const char *label, char ***names,
		       cJSON **labels);

/* The outcome of docker_exec(). */
struct docker_exec_result {
	int exit_code;   /* exec inspect's ExitCode; -1 if unknown */
	int timed_out;   /* 1 if the host-side deadline expired */
	int interrupted; /* 1 if abort_flag stopped the wait */
	char *out;       /* demultiplexed stdout, owned, never NULL on 0 */
	char *err;       /* demultiplexed stderr, likewise */
	double duration; /* wall seconds from exec start to end of stream */
};
void docker_exec_result_clear(struct docker_exec_result *r);

/*
 * Runs argv (NULL-terminated) in the running container id, without a TTY,
 * in workdir (may be NULL), and collects its output and exit status.
 * timeout > 0 is a host-side deadline in seconds: when it expires the
 * transfer is abandoned, the process is killed (by its pid from exec
 * inspect, which works whenever the daemon is on this host) and
 * r->timed_out set. Callers that want an in-container guarantee as well
 * wrap argv in timeout(1), as the platform does. abort_flag (may be NULL)
 * is polled; when it becomes non-zero the wait ends with r->interrupted.
 * Returns 0 when the command ran (see r), negative when it could not be run.
 */
int docker_exec(struct docker *d, const char *id, char *const argv[],
		const char *workdir, double timeout,
		volatile const sig_atomic_t *abort_flag, struct docker_exec_result *r);

/*
 * The stream demultiplexer for exec/attach without a TTY: each frame is an
 * 8-byte header {stream, 0, 0, 0, size as 32-bit big-endian} followed by
 * size bytes for stdin(0)/stdout(1)/stderr(2). Feed it the bytes as they
 * arrive, in chunks of any size; frames are appended to out and err.
 */
struct docker_demux {
	unsigned char hdr[8];
	size_t hdr_len;
	size_t remaining;  /* payload bytes left in the current frame */
	int stream;
	struct sb *out, *err;
	size_t max;        /* per-stream cap in bytes (0 = none); set after init */
	size_t dropped;    /* bytes dropped by the cap */
};
void docker_demux_init(struct docker_demux *m, struct sb *out, struct sb *err);
/* Returns 0, or negative (not reported) on a malformed header. */
int docker_demux_feed(struct docker_demux *m, const void *data, size_t n);
/* 1 if the stream ended between frames (no partial frame pending). */
int docker_demux_complete(const struct docker_demux *m);

/*
 * An in-memory ustar archive builder for archive uploads. Names are
 * relative paths (no leading '/'), at most 255 bytes split at a '/'.
 * Returns negative (reported) for a name that cannot be stored.
 */
int docker_tar_add_file(struct sb *tar, const char *name, const void *data,
			size_t n, int mode);
/* Appends the two zero blocks that end an archive. */
void docker_tar_finish(struct sb *tar);

#endif
