/*
 * platform/docker/docker_api.c - the Docker Engine API client (see docker_api.h).
 *
 * One libcurl easy handle per connection, reset before each request so the
 * kept-alive socket connection is reused. Requests are small JSON
 * exchanges, except three streams: exec output (a hijacked connection that
 * carries multiplexed frames until the process ends), image import (a tar
 * of several hundred MiB sent chunked from a pipe) and archive upload.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "platform/docker/docker_api.h"
#include "common/run.h"

/* Default time limit of a plain request: generous, because stopping or
 * removing a busy container can take a while on a loaded host. */
#define DOCKER_REQUEST_TIMEOUT 120L
/* Exec output beyond this per stream is dropped: a runaway command must
 * not exhaust the collector's memory. Real tool outputs are a few KiB. */
#define DOCKER_EXEC_OUT_MAX (16u << 20)
/* After a host-side exec deadline, how long to wait for the process to be
 * reported dead after killing it. */
#define DOCKER_EXEC_REAP_WAIT 5.0

struct docker {
	char *socket;
	CURL *curl;
	int quiet;
	char *last_error;
	char errbuf[CURL_ERROR_SIZE];
};

static int docker_fail(struct docker *d, const char *fmt, ...) VB_PRINTF(2, 3);

/* Records (and unless quiet prints) one error line; returns -1. */
static int docker_fail(struct docker *d, const char *fmt, ...)
{
	va_list ap;
	struct sb sb = SB_INIT;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(d->last_error);
	d->last_error = sb_detach(&sb);
	if (!d->quiet)
		vb_error("%s", d->last_error);
	return -1;
}

char *docker_host_to_socket(const char *host)
{
	if (!host || !*host)
		return xstrdup(DOCKER_DEFAULT_SOCKET);
	if (strncmp(host, "unix://", 7) == 0 && host[7])
		return xstrdup(host + 7);
	return NULL;
}

struct docker *docker_open(int quiet)
{
	static int curl_ready;
	const char *host = getenv("DOCKER_HOST");
	struct docker *d;
	char *sock = docker_host_to_socket(host);

	if (!sock) {
		if (!quiet)
			vb_error("docker: DOCKER_HOST=%s is not supported (only unix:// sockets)",
				 host);
		return NULL;
	}
	if (!curl_ready) {
		/* Not thread-safe, but virtbench's collector is one thread. */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	d = xcalloc(1, sizeof(*d));
	d->socket = sock;
	d->quiet = quiet;
	d->curl = curl_easy_init();
	if (!d->curl) {
		if (!quiet)
			vb_error("docker: cannot initialise libcurl");
		docker_close(d);
		return NULL;
	}
	return d;
}

void docker_close(struct docker *d)
{
	if (!d)
		return;
	if (d->curl)
		curl_easy_cleanup(d->curl);
	free(d->socket);
	free(d->last_error);
	free(d);
}

const char *docker_socket_path(const struct docker *d)
{
	return d->socket;
}

void docker_set_quiet(struct docker *d, int quiet)
{
	d->quiet = quiet;
}

const char *docker_last_error(const struct docker *d)
{
	return d && d->last_error ? d->last_error : "";
}

/* libcurl's message for a failed unix-socket connect names "localhost port
 * 80", which misleads; ask the socket directly for the real reason. */
static const char *socket_reason(const char *path, char *buf, size_t size)
{
	struct sockaddr_un sa;
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path))
		return "socket path too long";
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return strerror(errno);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return NULL;
	}
	e = errno;
	close(fd);
	snprintf(buf, size, "%s%s", strerror(e),
		 e == ENOENT || e == ECONNREFUSED ? " (is dockerd running?)" : "");
	return buf;
}

/* Describes a transport failure in one line naming the socket. */
static int transport_error(struct docker *d, CURLcode rc, const char *what)
{
	char buf[256];
	const char *why = NULL;

	if (rc == CURLE_OPERATION_TIMEDOUT)
		return docker_fail(d, "docker: daemon at %s did not answer in time: %s",
				   d->socket, d->errbuf[0] ? d->errbuf : curl_easy_strerror(rc));
	if (rc == CURLE_COULDNT_CONNECT)
		why = socket_reason(d->socket, buf, sizeof(buf));
	if (!why)
		why = d->errbuf[0] ? d->errbuf : curl_easy_strerror(rc);
	vb_debug("docker: %s failed: %s", what, curl_easy_strerror(rc));
	return docker_fail(d, "docker: cannot reach daemon at %s: %s", d->socket, why);
}

static size_t collect_body(char *data, size_t size, size_t n, void *arg)
{
	struct sb *sb = arg;

	if (sb)
		sb_add(sb, data, size * n);
	return size * n;
}

/* Common handle setup; the caller adds method and body. */
static void setup(struct docker *d, const char *path, struct curl_slist *hdrs)
{
	char *url = xasprintf("http://localhost/%s%s", DOCKER_API_VERSION, path);

	curl_easy_reset(d->curl);
	d->errbuf[0] = '\0';
	curl_easy_setopt(d->curl, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(d->curl, CURLOPT_USERAGENT, "virtbench/" VB_VERSION);
	if (hdrs)
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdrs);
	free(url); /* libcurl copies string options */
}

static int do_request(struct docker *d, const char *method, const char *path,
		      const void *body, size_t body_len, const char *ctype,
		      long timeout, long *status, struct sb *resp)
{
	struct curl_slist *hdrs = NULL;
	char *ct = NULL;
	CURLcode rc;

	/* "Expect: 100-continue" would cost a round trip per upload. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (body) {
		ct = xasprintf("Content-Type: %s", ctype);
		hdrs = curl_slist_append(hdrs, ct);
	}
	setup(d, path, hdrs);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, resp);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(body ? body_len : 0));
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(d->curl);
	curl_slist_free_all(hdrs);
	free(ct);
	if (rc != CURLE_OK)
		return transport_error(d, rc, path);
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

int docker_request(struct docker *d, const char *method, const char *path,
		   const char *body, long *status, struct sb *resp)
{
	return do_request(d, method, path, body, body ? strlen(body) : 0,
			  "application/json", DOCKER_REQUEST_TIMEOUT, status, resp);
}

/* The daemon's error text from a JSON {"message": ...} body, or the body. */
static char *api_message(const char *body)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	char *s;
	size_t n;

	if (cJSON_IsString(m))
		s = xstrdup(m->valuestring);
	else
		s = xstrdup(body ? body : "");
	cJSON_Delete(j);
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Reports a non-success HTTP answer; maps 404 and 409 to their codes.
 * A 404 is reported only if report_404. */
static int http_error(struct docker *d, long status, const char *body,
		      const char *what, int report_404)
{
	char *msg;

	if (status == 404 && !report_404)
		return DOCKER_ENOTFOUND;
	msg = api_message(body);
	docker_fail(d, "docker: %s: %s (HTTP %ld)", what, *msg ? msg : "no detail",
		    status);
	free(msg);
	if (status == 404)
		return DOCKER_ENOTFOUND;
	if (status == 409)
		return DOCKER_ECONFLICT;
	return -1;
}

/* A request whose success answer is JSON; *out (may be NULL) gets it. */
static int json_call(struct docker *d, const char *method, const char *path,
		     const char *body, const char *what, int report_404,
		     cJSON **out)
{
	struct sb resp = SB_INIT;
	long status = 0;
	int ret;

	if (out)
		*out = NULL;
	sb_init(&resp);
	ret = docker_request(d, method, path, body, &status, &resp);
	if (ret < 0)
		goto cleanup;
	if (status < 200 || status > 299) {
		ret = http_error(d, status, resp.buf, what, report_404);
		goto cleanup;
	}
	if (out) {
		*out = cJSON_Parse(resp.buf);
		if (!*out && resp.len)
			ret = docker_fail(d, "docker: %s: answer is not JSON", what);
		else if (!*out)
			*out = cJSON_CreateObject();
	}
cleanup:
	sb_release(&resp);
	return ret;
}

/* Escapes s for a URL query; owned. */
static char *esc(struct docker *d, const char *s)
{
	char *e = curl_easy_escape(d->curl, s, 0);
	char *r = xstrdup(e);

	curl_free(e);
	return r;
}

int docker_ping(struct docker *d)
{
	struct sb resp = SB_INIT;
	long status = 0;
	int ret;

	sb_init(&resp);
	ret = docker_request(d, "GET", "/_ping", NULL, &status, &resp);
	if (ret == 0 && (status != 200 || strncmp(resp.buf, "OK", 2) != 0))
		ret = docker_fail(d, "docker: daemon at %s answered ping with HTTP %ld: %.80s",
				  d->socket, status, resp.buf);
	sb_release(&resp);
	return ret;
}

int docker_version(struct docker *d, cJSON **out)
{
	return json_call(d, "GET", "/version", NULL, "version", 1, out);
}

int docker_info(struct docker *d, cJSON **out)
{
	return json_call(d, "GET", "/info", NULL, "info", 1, out);
}

/* GET PREFIX/NAME[SUFFIX] (NAME escaped) as JSON; errors name "inspect
 * KIND NAME". A missing object returns DOCKER_ENOTFOUND unreported. */
static int inspect_named(struct docker *d, const char *kind,
			 const char *prefix, const char *suffix,
			 const char *name, cJSON **out)
{
	char *e = esc(d, name);
	char *path = xasprintf("%s/%s%s", prefix, e, suffix);
	char *what = xasprintf("inspect %s %s", kind, name);
	int ret = json_call(d, "GET", path, NULL, what, 0, out);

	free(e);
	free(path);
	free(what);
	return ret;
}

int docker_image_inspect(struct docker *d, const char *name, cJSON **out)
{
	return inspect_named(d, "image", "/images", "/json", name, out);
}

/* DELETE PATH: success (200 or 204) or already gone (404, which is what
 * was asked for) return 0; anything else is reported as "cannot WHAT".
 * Takes ownership of path and what. */
static int delete_resource(struct docker *d, char *path, char *what)
{
	struct sb resp = SB_INIT;
	long status = 0;
	int ret;

	sb_init(&resp);
	ret = docker_request(d, "DELETE", path, NULL, &status, &resp);
	if (ret == 0 && status != 200 && status != 204 && status != 404)
		ret = http_error(d, status, resp.buf, what, 1);
	sb_release(&resp);
	free(path);
	free(what);
	return ret;
}

/* DELETE /images/NAME, forced or not; a missing image is fine. */
static int image_remove(struct docker *d, const char *name, int force)
{
	char *e = esc(d, name);
	char *path = xasprintf("/images/%s%s", e, force ? "?force=1" : "");

	free(e);
	return delete_resource(d, path, xasprintf("remove image %s", name));
}

int docker_image_remove(struct docker *d, const char *name)
{
	return image_remove(d, name, 1);
}

static int docker_image_remove_unforced(struct docker *d, const char *name)
{
	return image_remove(d, name, 0);
}

int docker_network_inspect(struct docker *d, const char *name, cJSON **out)
{
	return inspect_named(d, "network", "/networks", "", name, out);
}

/* ---- image import ---------------------------------------------------- */

struct import_src {
	int fd;
	size_t sent;
	double last_report;
	int progress;
};

static size_t import_read(char *buf, size_t size, size_t n, void *arg)
{
	struct import_src *src = arg;
	ssize_t got;

	do
		got = read(src->fd, buf, size * n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return CURL_READFUNC_ABORT;
	src->sent += (size_t)got;
	if (src->progress && vb_mono_time() - src->last_report > 1.0) {
		src->last_report = vb_mono_time();
		fprintf(stderr, "\rdocker: importing image: %zu MiB", src->sent >> 20);
	}
	return (size_t)got;
}

/* Splits "repo[:tag]" (a registry host:port may precede the repo) into
 * owned repo and tag ("latest" if absent). */
static void split_ref(const char *ref, char **repo, char **tag)
{
	const char *colon = strrchr(ref, ':');

	if (colon && !strchr(colon, '/')) {
		*repo = xstrndup(ref, (size_t)(colon - ref));
		*tag = xstrdup(colon + 1);
	} else {
		*repo = xstrdup(ref);
		*tag = xstrdup("latest");
	}
}

int docker_image_import_fd(struct docker *d, int fd, const char *ref,
			   char **image_id)
{
	struct import_src src = { fd, 0, 0, vb_progress_wanted() };
	struct curl_slist *hdrs = NULL;
	struct sb resp = SB_INIT;
	char *repo = NULL, *tag = NULL, *erepo = NULL, *etag = NULL;
	char *path = NULL, *id = NULL, *line, *save = NULL;
	long status = 0;
	CURLcode rc;
	int ret = 0;

	if (image_id)
		*image_id = NULL;
	sb_init(&resp);
	split_ref(ref, &repo, &tag);
	erepo = esc(d, repo);
	etag = esc(d, tag);
	path = xasprintf("/images/create?fromSrc=-&repo=%s&tag=%s", erepo, etag);
	hdrs = curl_slist_append(hdrs, "Expect:");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-tar");
	/* The size is unknown until tar ends: send chunked. */
	hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
	setup(d, path, hdrs);
	curl_easy_setopt(d->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(d->curl, CURLOPT_READFUNCTION, import_read);
	curl_easy_setopt(d->curl, CURLOPT_READDATA, &src);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &resp);
	rc = curl_easy_perform(d->curl);
	if (src.progress && src.sent)
		fprintf(stderr, "\rdocker: importing image: %zu MiB\n", src.sent >> 20);
	if (rc != CURLE_OK) {
		ret = transport_error(d, rc, "image import");
		goto cleanup;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		ret = http_error(d, status, resp.buf, "import image", 1);
		goto cleanup;
	}
	/* The answer is a stream of JSON messages; an error may come last
	 * even with HTTP 200, and the final status carries the image id. */
	for (line = strtok_r(resp.buf, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		cJSON *m = cJSON_Parse(line);
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "error");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");

		if (cJSON_IsString(err)) {
			ret = docker_fail(d, "docker: import image %s: %s", ref,
					  err->valuestring);
			cJSON_Delete(m);
			goto cleanup;
		}
		if (cJSON_IsString(st) && strncmp(st->valuestring, "sha256:", 7) == 0) {
			free(id);
			id = xstrdup(st->valuestring);
		}
		cJSON_Delete(m);
	}
	if (!id) {
		ret = docker_fail(d, "docker: import image %s: no image id in the answer", ref);
		goto cleanup;
	}
	if (image_id) {
		*image_id = id;
		id = NULL;
	}
cleanup:
	curl_slist_free_all(hdrs);
	sb_release(&resp);
	free(repo);
	free(tag);
	free(erepo);
	free(etag);
	free(path);
	free(id);
	return ret;
}

/* POST /images/ID/tag?repo=R&tag=T: points ref at an existing image. */
static int docker_image_tag(struct docker *d, const char *image, const char *ref)
{
	struct sb resp = SB_INIT;
	char *repo, *tag, *erepo, *etag, *path;
	long status = 0;
	int ret;

	split_ref(ref, &repo, &tag);
	erepo = esc(d, repo);
	etag = esc(d, tag);
	path = xasprintf("/images/%s/tag?repo=%s&tag=%s", image, erepo, etag);
	sb_init(&resp);
	ret = docker_request(d, "POST", path, NULL, &status, &resp);
	if (ret == 0 && status != 201 && status != 200)
		ret = http_error(d, status, resp.buf, "tag image", 1);
	sb_release(&resp);
	free(repo);
	free(tag);
	free(erepo);
	free(etag);
	free(path);
	return ret;
}

int docker_image_import_rootfs(const char *rootfs_dir, const char *tag)
{
	struct docker *d = NULL;
	struct stat st;
	const char *const tar_argv[] = { "tar", "-C", rootfs_dir, "--numeric-owner",
					 "-c", ".", NULL };
	struct run_cmd tar = RUN_CMD_INIT;
	struct run_result tr = { 0 };
	int ret = 0;
	char *id = NULL, *old_id = NULL;
	cJSON *old = NULL;

	if (!tag)
		tag = DOCKER_DEFAULT_IMAGE;
	if (stat(rootfs_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return vb_error("docker: root file system %s: %s", rootfs_dir,
				errno ? strerror(errno) : "not a directory");
	d = docker_open(0);
	if (!d)
		return -1;
	if (docker_ping(d) < 0) {
		ret = -1;
		goto cleanup;
	}
	/* The image the tag names now, to drop once the tag moves on:
	 * repeated imports would otherwise pile up untagged copies. */
	if (docker_image_inspect(d, tag, &old) == 0 &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(old, "Id")))
		old_id = xstrdup(cJSON_GetObjectItemCaseSensitive(old, "Id")->valuestring);
	/* Numeric owners: the image's /etc/passwd, not the host's, gives
	 * names meaning. No shell: the path is passed as is. */
	tar.argv = tar_argv;
	tar.out = RUN_OUT_PIPE;
	tar.err = RUN_OUT_INHERIT;
	if (run_start(&tar) < 0) {
		ret = vb_error("docker: cannot run tar: image not imported");
		goto cleanup;
	}
	vb_info("docker: importing %s as image %s", rootfs_dir, tag);
	ret = docker_image_import_fd(d, tar.out_pipe, tag, &id);
	close(tar.out_pipe);
	tar.out_pipe = -1;
	/* On failure tar may be blocked writing to the pipe: stop it. */
	if (ret < 0)
		run_stop(&tar, 1.0, &tr);
	else
		run_finish(&tar, &tr);
	if (ret == 0 && tr.exit_status != 0) {
		/* The daemon may have accepted a truncated archive: do not
		 * leave a broken image under the benchmark's tag. */
		ret = vb_error("docker: tar -C %s failed (status %d): image not imported",
			       rootfs_dir, tr.signal ? -1 : tr.exit_status);
		docker_image_remove(d, id);
		if (old_id)
			docker_image_tag(d, old_id, tag);
		goto cleanup;
	}
	if (ret == 0)
		vb_info("docker: image %s is %s", tag, id);
	if (ret == 0 && old_id && strcmp(old_id, id) != 0) {
		/* Quietly: containers still using the old image keep it. */
		d->quiet = 1;
		if (docker_image_remove_unforced(d, old_id) == 0)
			vb_debug("docker: removed the previous %s (%s)", tag, old_id);
	}
cleanup:
	cJSON_Delete(old);
	free(old_id);
	free(id);
	docker_close(d);
	return ret;
}

/* ---- containers ------------------------------------------------------ */

int docker_container_create(struct docker *d, const char *name,
			    const cJSON *config, char **id)
{
	char *body = cJSON_PrintUnformatted(config);
	char *e = esc(d, name);
	char *path = xasprintf("/containers/create?name=%s", e);
	char *what = xasprintf("create container %s", name);
	cJSON *resp = NULL;
	const cJSON *jid, *warnings, *w;
	int ret;

	*id = NULL;
	ret = json_call(d, "POST", path, body, what, 1, &resp);
	if (ret < 0)
		goto cleanup;
	jid = cJSON_GetObjectItemCaseSensitive(resp, "Id");
	if (!cJSON_IsString(jid)) {
		ret = docker_fail(d, "docker: %s: no Id in the answer", what);
		goto cleanup;
	}
	*id = xstrdup(jid->valuestring);
	/* e.g. "Your kernel does not support swap limit capabilities": the
	 * limits are not what was asked, which the user must know. */
	warnings = cJSON_GetObjectItemCaseSensitive(resp, "Warnings");
	cJSON_ArrayForEach(w, warnings)
		if (cJSON_IsString(w) && !d->quiet)
			vb_warn("docker: %s: %s", what, w->valuestring);
cleanup:
	cJSON_free(body);
	cJSON_Delete(resp);
	free(e);
	free(path);
	free(what);
	return ret;
}

/* POST /containers/ID/ACTION[QUERY] with no body; ok_status (or 0) is an
 * extra status meaning success (304 "already in that state"). */
static int container_action(struct docker *d, const char *id, const char *action,
			    const char *query, long ok_status)
{
	struct sb resp = SB_INIT;
	char *path = xasprintf("/containers/%s/%s%s", id, action, query ? query : "");
	char *what = xasprintf("%s container %.12s", action, id);
	long status = 0;
	int ret;

	sb_init(&resp);
	ret = docker_request(d, "POST", path, NULL, &status, &resp);
	if (ret == 0 && (status < 200 || status > 299) && status != ok_status)
		ret = http_error(d, status, resp.buf, what, 1);
	sb_release(&resp);
	free(path);
	free(what);
	return ret;
}

int docker_container_start(struct docker *d, const char *id)
{
	return container_action(d, id, "start", NULL, 304);
}

int docker_container_pause(struct docker *d, const char *id)
{
	return container_action(d, id, "pause", NULL, 0);
}

int docker_container_unpause(struct docker *d, const char *id)
{
	return container_action(d, id, "unpause", NULL, 0);
}

int docker_container_stop(struct docker *d, const char *id, int secs)
{
	char q[32];

	snprintf(q, sizeof(q), "?t=%d", secs);
	return container_action(d, id, "stop", q, 304);
}

int docker_container_inspect(struct docker *d, const char *id, cJSON **out)
{
	char *path = xasprintf("/containers/%s/json", id);
	char *what = xasprintf("inspect container %.12s", id);
	int ret = json_call(d, "GET", path, NULL, what, 0, out);

	free(path);
	free(what);
	return ret;
}

int docker_container_remove(struct docker *d, const char *id)
{
	return delete_resource(d, xasprintf("/containers/%s?force=1&v=1", id),
			       xasprintf("remove container %.12s", id));
}

int docker_container_put_archive(struct docker *d, const char *id,
				 const char *dir, const void *tar, size_t n)
{
	struct sb resp = SB_INIT;
	char *e = esc(d, dir);
	char *path = xasprintf("/containers/%s/archive?path=%s", id, e);
	char *what = xasprintf("upload to %s in container %.12s", dir, id);
	long status = 0;
	int ret;

	sb_init(&resp);
	ret = do_request(d, "PUT", path, tar, n, "application/x-tar",
			 DOCKER_REQUEST_TIMEOUT, &status, &resp);
	if (ret == 0 && status != 200)
		ret = http_error(d, status, resp.buf, what, 1);
	sb_release(&resp);
	free(e);
	free(path);
	free(what);
	return ret;
}

/* The URL-escaped filters={"label":[label]} query value; owned. */
static char *label_filter(struct docker *d, const char *label)
{
	cJSON *f = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(f, "label");
	char *s, *e;

	cJSON_AddItemToArray(arr, cJSON_CreateString(label));
	s = cJSON_PrintUnformatted(f);
	e = esc(d, s);
	cJSON_free(s);
	cJSON_Delete(f);
	return e;
}

/*
 * The string field KEY of each object in ARR (a listing's answer) into
 * *names, a NULL-terminated owned array, and when labels is not NULL each
 * one's Labels object (or {}) into *labels, an owned array in the same
 * order. Objects without KEY are passed over.
 */
static void list_names_labels(const cJSON *arr, const char *key,
			      char ***names, cJSON **labels)
{
	const cJSON *o;
	size_t n = 0;

	*names = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	if (labels)
		*labels = cJSON_CreateArray();
	cJSON_ArrayForEach(o, arr) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, key);
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "Labels");

		if (!cJSON_IsString(name))
			continue;
		(*names)[n++] = xstrdup(name->valuestring);
		if (labels)
			cJSON_AddItemToArray(*labels, cJSON_IsObject(l) ?
					     cJSON_Duplicate(l, 1) : cJSON_CreateObject());
	}
}

int docker_container_list(struct docker *d, const char *label, char ***ids,
			  cJSON **labels)
{
	char *filter = label_filter(d, label);
	char *path = xasprintf("/containers/json?all=1&filters=%s", filter);
	cJSON *resp = NULL;
	int ret;

	*ids = NULL;
	if (labels)
		*labels = NULL;
	ret = json_call(d, "GET", path, NULL, "list containers", 1, &resp);
	if (ret >= 0)
		list_names_labels(resp, "Id", ids, labels);
	cJSON_Delete(resp);
	free(filter);
	free(path);
	return ret;
}

/* ---- volumes --------------------------------------------------------- */

int docker_volume_create(struct docker *d, const char *name, const cJSON *labels)
{
	cJSON *req = cJSON_CreateObject();
	char *body, *what = xasprintf("create volume %s", name);
	int ret;

	cJSON_AddStringToObject(req, "Name", name);
	if (labels)
		cJSON_AddItemToObject(req, "Labels", cJSON_Duplicate(labels, 1));
	body = cJSON_PrintUnformatted(req);
	ret = json_call(d, "POST", "/volumes/create", body, what, 1, NULL);
	cJSON_free(body);
	cJSON_Delete(req);
	free(what);
	return ret;
}

int docker_volume_remove(struct docker *d, const char *name)
{
	char *e = esc(d, name);
	char *path = xasprintf("/volumes/%s", e);

	free(e);
	return delete_resource(d, path, xasprintf("remove volume %s", name));
}

int docker_volume_list(struct docker *d, const char *label, char ***names,
		       cJSON **labels)
{
	char *filter = label_filter(d, label);
	char *path = xasprintf("/volumes?filters=%s", filter);
	cJSON *resp = NULL;
	int ret;

	*names = NULL;
	if (labels)
		*labels = NULL;
	ret = json_call(d, "GET", path, NULL, "list volumes", 1, &resp);
	if (ret >= 0)
		list_names_labels(cJSON_GetObjectItemCaseSensitive(resp, "Volumes"),
				  "Name", names, labels);
	cJSON_Delete(resp);
	free(filter);
	free(path);
	return ret;
}

/* ---- exec ------------------------------------------------------------ */

void docker_demux_init(struct docker_demux *m, struct sb *out, struct sb *err)
{
	memset(m, 0, sizeof(*m));
	m->out = out;
	m->err = err;
}

int docker_demux_feed(struct docker_demux *m, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n) {
		if (m->remaining == 0 && m->hdr_len < 8) {
			size_t take = 8 - m->hdr_len < n ? 8 - m->hdr_len : n;

			memcpy(m->hdr + m->hdr_len, p, take);
			m->hdr_len += take;
			p += take;
			n -= take;
			if (m->hdr_len < 8)
				break;
			if (m->hdr[0] > 2 || m->hdr[1] || m->hdr[2] || m->hdr[3])
				return -1;
			m->stream = m->hdr[0];
			m->remaining = (size_t)m->hdr[4] << 24 | (size_t)m->hdr[5] << 16 |
				       (size_t)m->hdr[6] << 8 | m->hdr[7];
			m->hdr_len = 0;
			continue;
		}
		{
			size_t take = m->remaining < n ? m->remaining : n;
			/* stdin echoes (stream 0) never carry command output. */
			struct sb *dst = m->stream == 2 ? m->err : m->stream == 1 ? m->out : NULL;

			if (dst) {
				size_t room = !m->max ? take :
					dst->len < m->max ? m->max - dst->len : 0;
				size_t keep = take < room ? take : room;

				sb_add(dst, p, keep);
				m->dropped += take - keep;
			}
			m->remaining -= take;
			p += take;
			n -= take;
		}
	}
	return 0;
}

int docker_demux_complete(const struct docker_demux *m)
{
	return m->hdr_len == 0 && m->remaining == 0;
}

void docker_exec_result_clear(struct docker_exec_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
}

struct exec_stream {
	struct docker *d;
	struct docker_demux demux;
	struct sb errbody;  /* the body of a non-200 answer */
	int bad_frame;
	double deadline;    /* monotonic; 0 = none */
	volatile const sig_atomic_t *abort_flag;
	int timed_out, interrupted;
};

static size_t exec_write(char *data, size_t size, size_t n, void *arg)
{
	struct exec_stream *s = arg;
	long status = 0;

	curl_easy_getinfo(s->d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		sb_add(&s->errbody, data, size * n);
	} else if (docker_demux_feed(&s->demux, data, size * n) < 0) {
		s->bad_frame = 1;
		return 0; /* abort the transfer */
	}
	return size * n;
}

static int exec_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
			 curl_off_t un)
{
	struct exec_stream *s = arg;

	(void)dt, (void)dn, (void)ut, (void)un;
	if (s->abort_flag && *s->abort_flag) {
		s->interrupted = 1;
		return 1;
	}
	if (s->deadline > 0 && vb_mono_time() > s->deadline) {
		s->timed_out = 1;
		return 1;
	}
	return 0;
}

/* GET /exec/ID/json: running flag, exit code and host pid. */
static int exec_inspect(struct docker *d, const char *eid, int *running,
			int *exit_code, long *pid)
{
	char *path = xasprintf("/exec/%s/json", eid);
	cJSON *j = NULL;
	const cJSON *v;
	int ret = json_call(d, "GET", path, NULL, "inspect exec", 1, &j);

	if (ret == 0) {
		v = cJSON_GetObjectItemCaseSensitive(j, "Running");
		*running = cJSON_IsTrue(v);
		v = cJSON_GetObjectItemCaseSensitive(j, "ExitCode");
		*exit_code = cJSON_IsNumber(v) ? v->valueint : -1;
		v = cJSON_GetObjectItemCaseSensitive(j, "Pid");
		*pid = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
	}
	cJSON_Delete(j);
	free(path);
	return ret;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* POST /containers/ID/exec: creates the exec of argv (in workdir, if not
 * NULL) with stdout and stderr attached; *eid gets its id (owned). */
static int exec_create(struct docker *d, const char *id, char *const argv[],
		       const char *workdir, char **eid)
{
	cJSON *req = cJSON_CreateObject(), *cmd, *resp = NULL;
	const cJSON *jid;
	char *body, *path;
	int ret;

	cJSON_AddFalseToObject(req, "AttachStdin");
	cJSON_AddTrueToObject(req, "AttachStdout");
	cJSON_AddTrueToObject(req, "AttachStderr");
	cJSON_AddFalseToObject(req, "Tty");
	cmd = cJSON_AddArrayToObject(req, "Cmd");
	for (int i = 0; argv[i]; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	if (workdir)
		cJSON_AddStringToObject(req, "WorkingDir", workdir);
	body = cJSON_PrintUnformatted(req);
	path = xasprintf("/containers/%s/exec", id);
	ret = json_call(d, "POST", path, body, "create exec", 1, &resp);
	if (ret < 0)
		goto cleanup;
	jid = cJSON_GetObjectItemCaseSensitive(resp, "Id");
	if (!cJSON_IsString(jid)) {
		ret = docker_fail(d, "docker: create exec: no Id in the answer");
		goto cleanup;
	}
	*eid = xstrdup(jid->valuestring);
cleanup:
	cJSON_Delete(req);
	cJSON_Delete(resp);
	cJSON_free(body);
	free(path);
	return ret;
}

/*
 * POST /exec/EID/start attached: the answer is the process's output as a
 * raw stream of frames, demultiplexed into s->demux's buffers, and the
 * connection ends when the process does - or earlier, when timeout
 * seconds (if > 0) pass or the abort flag is raised (s->timed_out,
 * s->interrupted; not an error). *duration gets the wall seconds the stream took.
 */
static int exec_start_attached(struct docker *d, const char *id,
			       const char *eid, double timeout,
			       struct exec_stream *s, double *duration)
{
	struct curl_slist *hdrs;
	char *path = xasprintf("/exec/%s/start", eid);
	long status = 0;
	double t0;
	CURLcode rc;

	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	setup(d, path, hdrs);
	t0 = vb_mono_time();
	s->deadline = timeout > 0 ? t0 + timeout : 0;
	curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, "{\"Detach\":false,\"Tty\":false}");
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, exec_write);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFOFUNCTION, exec_progress);
	curl_easy_setopt(d->curl, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(d->curl, CURLOPT_NOPROGRESS, 0L);
	rc = curl_easy_perform(d->curl);
	*duration = vb_mono_time() - t0;
	curl_slist_free_all(hdrs);
	free(path);
	if (s->bad_frame)
		return docker_fail(d, "docker: exec in container %.12s: malformed output stream",
				   id);
	if (rc != CURLE_OK && !(rc == CURLE_ABORTED_BY_CALLBACK &&
				(s->timed_out || s->interrupted)))
		return transport_error(d, rc, "exec");
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status != 200)
		return http_error(d, status, s->errbody.buf, "start exec", 1);
	return 0;
}

/*
 * After a timeout or an interruption: abandoning the stream does not stop
 * the process, so it is killed by the pid the daemon reports, which is a
 * host pid; killing the group too catches timeout(1)'s child and its
 * descendants. Waits up to DOCKER_EXEC_REAP_WAIT seconds for the daemon
 * to see it end; its exit code then, or -1 if it still runs.
 */
static int exec_kill(struct docker *d, const char *eid)
{
	int running = 0, code = -1;
	long pid = 0;

	if (exec_inspect(d, eid, &running, &code, &pid) == 0 && running &&
	    pid > 1) {
		kill(-(pid_t)pid, SIGKILL);
		kill((pid_t)pid, SIGKILL);
	}
	for (int i = 0; running && i < DOCKER_EXEC_REAP_WAIT * 10; i++) {
		sleep_ms(100);
		if (exec_inspect(d, eid, &running, &code, &pid) < 0)
			break;
	}
	return running ? -1 : code;
}

/* After the stream ended: the exit code the daemon records into *code.
 * The stream can end a moment before the daemon records the exit (longer
 * on a loaded host), so this polls up to ~20 s. */
static int exec_wait_exit(struct docker *d, const char *id, const char *eid,
			  int *code)
{
	int ret = 0, running = 0;
	long pid = 0;

	for (int i = 0; i < 210; i++) {
		ret = exec_inspect(d, eid, &running, code, &pid);
		if (ret < 0 || !running)
			break;
		sleep_ms(i < 10 ? 10 : 100);
	}
	if (ret < 0)
		return ret;
	if (running)
		return docker_fail(d, "docker: exec in container %.12s: output ended but the process still runs",
				   id);
	return 0;
}

int docker_exec(struct docker *d, const char *id, char *const argv[],
		const char *workdir, double timeout,
		volatile const sig_atomic_t *abort_flag, struct docker_exec_result *r)
{
	struct exec_stream s;
	struct sb out = SB_INIT, err = SB_INIT;
	char *eid = NULL;
	int ret, code = -1;

	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	memset(&s, 0, sizeof(s));
	sb_init(&out);
	sb_init(&err);
	sb_init(&s.errbody);
	ret = exec_create(d, id, argv, workdir, &eid);
	if (ret < 0)
		goto cleanup;
	s.d = d;
	docker_demux_init(&s.demux, &out, &err);
	s.demux.max = DOCKER_EXEC_OUT_MAX;
	s.abort_flag = abort_flag;
	ret = exec_start_attached(d, id, eid, timeout, &s, &r->duration);
	if (ret < 0)
		goto cleanup;
	if (s.timed_out || s.interrupted) {
		r->timed_out = s.timed_out;
		r->interrupted = s.interrupted;
		r->exit_code = exec_kill(d, eid);
	} else {
		ret = exec_wait_exit(d, id, eid, &code);
		if (ret < 0)
			goto cleanup;
		r->exit_code = code;
	}
	if (s.demux.dropped)
		vb_warn("docker: exec in container %.12s: %zu bytes of output dropped",
			id, s.demux.dropped);
	r->out = sb_detach(&out);
	r->err = sb_detach(&err);
cleanup:
	sb_release(&out);
	sb_release(&err);
	sb_release(&s.errbody);
	free(eid);
	return ret;
}

/* ---- tar ------------------------------------------------------------- */

/* Writes value as a NUL-terminated octal number filling a field. */
static void tar_octal(char *field, size_t size, unsigned long long value)
{
	snprintf(field, size, "%0*llo", (int)size - 1, value);
}

int docker_tar_add_file(struct sb *tar, const char *name, const void *data,
			size_t n, int mode)
{
	char h[512];
	size_t len = strlen(name), i, pad;
	const char *base = name;
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	if (len == 0 || name[0] == '/')
		return vb_error("docker: tar entry name '%s' must be a relative path", name);
	if (len > 100) {
		/* ustar: prefix (155) + '/' + name (100) */
		const char *slash = NULL;

		for (i = 0; i < len; i++)
			if (name[i] == '/' && i <= 155 && len - i - 1 <= 100 &&
			    len - i - 1 > 0)
				slash = name + i;
		if (!slash)
			return vb_error("docker: tar entry name too long: %s", name);
		memcpy(h + 345, name, (size_t)(slash - name));
		base = slash + 1;
	}
	if ((unsigned long long)n > 077777777777ULL)
		return vb_error("docker: file too large for a tar entry: %s", name);
	memcpy(h, base, strlen(base));
	tar_octal(h + 100, 8, (unsigned)mode & 07777);
	tar_octal(h + 108, 8, 0);
	tar_octal(h + 116, 8, 0);
	tar_octal(h + 124, 12, n);
	tar_octal(h + 136, 12, (unsigned long long)time(NULL));
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	/* The checksum is computed with its own field as spaces. */
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	sb_add(tar, h, sizeof(h));
	sb_add(tar, data, n);
	pad = (512 - n % 512) % 512;
	sb_grow(tar, pad);
	memset(tar->buf + tar->len, 0, pad);
	tar->len += pad;
	tar->buf[tar->len] = '\0';
	return 0;
}

void docker_tar_finish(struct sb *tar)
{
	sb_grow(tar, 1024);
	memset(tar->buf + tar->len, 0, 1024);
	tar->len += 1024;
	tar->buf[tar->len] = '\0';
}
