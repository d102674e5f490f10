/*
 * platform/libvirt/libvirt_remote.c - storage volumes and the SSH jump for a
 * libvirtd on another machine (see libvirt_remote.h).
 *
 * Uploads go through virStorageVolUpload streams, so nothing but the
 * libvirt connection is needed to place files on the remote host; the
 * ".ok" marker volume is created only after a stream finished, so an
 * interrupted upload is never mistaken for a cached image.
 */
#define _GNU_SOURCE
#include "platform/libvirt/libvirt_remote.h"
#include "platform/libvirt/libvirt_xml.h"
#include "platform/platform.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libvirt/virterror.h>

extern volatile sig_atomic_t collect_stop_requested __attribute__((weak));

static const char *lvr_err(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

static int lvr_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX-decodes n bytes of s. Owned. */
static char *lvr_unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    lvr_hex(s[i + 1]) >= 0 && lvr_hex(s[i + 2]) >= 0) {
			*o++ = (char)(lvr_hex(s[i + 1]) * 16 + lvr_hex(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

void lvr_uri_clear(struct lvr_uri *u)
{
	free(u->user);
	free(u->host);
	free(u->keyfile);
	free(u->known_hosts);
	free(u->command);
	memset(u, 0, sizeof(*u));
}

int lvr_uri_parse(const char *uri, struct lvr_uri *u)
{
	const char *sep = strstr(uri, "://"), *auth, *end, *at, *hp, *q;
	const char *plus = strchr(uri, '+');
	char *transport = NULL;

	memset(u, 0, sizeof(*u));
	if (!sep)
		return vb_error("--connect '%s': not a libvirt URI "
				"(DRIVER[+TRANSPORT]://[USER@]HOST[:PORT]/PATH)", uri);
	if (plus && plus < sep)
		transport = xstrndup(plus + 1, (size_t)(sep - plus - 1));
	auth = sep + 3;
	end = auth + strcspn(auth, "/?");
	at = memchr(auth, '@', (size_t)(end - auth));
	hp = at ? at + 1 : auth;
	if (at)
		u->user = lvr_unescape(auth, (size_t)(at - auth));
	if (*hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(end - hp));

		if (!rb) {
			free(transport);
			lvr_uri_clear(u);
			return vb_error("--connect '%s': unbalanced [ in the host", uri);
		}
		u->host = xstrndup(hp + 1, (size_t)(rb - hp - 1));
		hp = rb + 1;
	} else {
		const char *colon = memchr(hp, ':', (size_t)(end - hp));
		const char *hend = colon ? colon : end;

		u->host = xstrndup(hp, (size_t)(hend - hp));
		hp = hend;
	}
	if (*hp == ':' && hp + 1 < end) {
		char *ps = xstrndup(hp + 1, (size_t)(end - hp - 1));
		long port;

		if (vb_parse_long(ps, &port) < 0 || port <= 0 || port > 65535) {
			free(ps);
			free(transport);
			lvr_uri_clear(u);
			return vb_error("--connect '%s': port is not a number in "
					"1..65535", uri);
		}
		u->port = (int)port;
		free(ps);
	}
	u->ssh = transport && (!strcmp(transport, "ssh") ||
			       !strcmp(transport, "libssh") ||
			       !strcmp(transport, "libssh2"));
	u->remote = *u->host && !(transport && !strcmp(transport, "unix"));
	if (!u->ssh)
		u->port = 0; /* a TLS or TCP port, not SSH's */
	if ((q = strchr(end, '?'))) {
		for (q++; *q; ) {
			size_t n = strcspn(q, "&");
			const char *eq = memchr(q, '=', n);

			if (eq) {
				size_t k = (size_t)(eq - q);
				char **dst = k == 7 && !strncmp(q, "keyfile", 7) ?
					&u->keyfile : k == 11 &&
					!strncmp(q, "known_hosts", 11) ?
					&u->known_hosts : k == 7 &&
					!strncmp(q, "command", 7) ?
					&u->command : NULL;

				if (dst) {
					free(*dst);
					*dst = lvr_unescape(eq + 1, n - k - 1);
				}
			}
			q += n + (q[n] == '&');
		}
	}
	free(transport);
	return 0;
}

/* Appends s shell-quoted, with % doubled (libssh expands %h, %p, ...). */
static void lvr_add_quoted(struct sb *sb, const char *s)
{
	char *q = shell_quote(s);

	for (const char *c = q; *c; c++) {
		if (*c == '%')
			sb_addc(sb, '%');
		sb_addc(sb, *c);
	}
	free(q);
}

/* Appends " -o KEY=VALUE" for a file name value. OpenSSH splits an -o
 * value on whitespace (UserKnownHostsFile takes several files), strips
 * quotes and backslashes, and expands %-tokens in file names: the value is
 * double-quoted for that parser, with % doubled for it. */
static void lvr_add_file_opt(struct sb *sb, const char *key, const char *value)
{
	struct sb o = SB_INIT;

	sb_addf(&o, "%s=\"", key);
	for (const char *c = value; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_addc(&o, '\\');
		else if (*c == '%')
			sb_addc(&o, '%');
		sb_addc(&o, *c);
	}
	sb_addc(&o, '"');
	sb_adds(sb, " -o ");
	lvr_add_quoted(sb, o.buf);
	sb_release(&o);
}

char *lvr_proxy_command(const struct lvr_uri *u, const char *host, int port)
{
	struct sb sb = SB_INIT;
	char *w = xasprintf("%s:%d", host, port);

	/* The ssh program libvirt's own connection uses (?command=). */
	sb_adds(&sb, "exec ");
	lvr_add_quoted(&sb, u->command ? u->command : "ssh");
	sb_adds(&sb, " -q -o BatchMode=yes -o StrictHostKeyChecking=yes "
		"-o ConnectTimeout=10");
	if (u->known_hosts)
		lvr_add_file_opt(&sb, "UserKnownHostsFile", u->known_hosts);
	/* Not -i: ssh stats that name before expanding its %-tokens. */
	if (u->keyfile) {
		sb_adds(&sb, " -o IdentitiesOnly=yes");
		lvr_add_file_opt(&sb, "IdentityFile", u->keyfile);
	}
	if (u->port)
		sb_addf(&sb, " -p %d", u->port);
	if (u->user) {
		sb_adds(&sb, " -l ");
		lvr_add_quoted(&sb, u->user);
	}
	sb_adds(&sb, " -W ");
	lvr_add_quoted(&sb, w);
	sb_adds(&sb, " -- ");
	lvr_add_quoted(&sb, u->host);
	free(w);
	return sb_detach(&sb);
}

virStoragePoolPtr lvr_pool(virConnectPtr conn, char **path, char **why)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, LVR_POOL_NAME);
	char *xml = NULL, *a;

	*path = NULL;
	if (!pool) {
		struct sb sb = SB_INIT;

		sb_adds(&sb, "<pool type='dir'><name>" LVR_POOL_NAME "</name>"
			"<target><path>" LVR_POOL_PATH "</path>"
			"<permissions><mode>0711</mode></permissions>"
			"</target></pool>");
		pool = virStoragePoolCreateXML(conn, sb.buf,
					       VIR_STORAGE_POOL_CREATE_WITH_BUILD);
		sb_release(&sb);
		/* Another run may have created it meanwhile. */
		if (!pool)
			pool = virStoragePoolLookupByName(conn, LVR_POOL_NAME);
		if (!pool) {
			*why = xasprintf("cannot create storage pool '%s' at %s on "
					 "the libvirt host: %s", LVR_POOL_NAME,
					 LVR_POOL_PATH, lvr_err());
			return NULL;
		}
	}
	if (virStoragePoolIsActive(pool) == 0 && virStoragePoolCreate(pool, 0) < 0) {
		*why = xasprintf("storage pool '%s' exists but cannot be started: "
				 "%s", LVR_POOL_NAME, lvr_err());
		goto fail;
	}
	xml = virStoragePoolGetXMLDesc(pool, 0);
	if (xml && (a = strstr(xml, "<target>")) && (a = strstr(a, "<path>"))) {
		a += strlen("<path>");
		*path = xstrndup(a, strcspn(a, "<"));
	}
	free(xml);
	if (!*path) {
		*why = xstrdup("storage pool '" LVR_POOL_NAME "' has no target "
			       "directory (use a dir pool)");
		goto fail;
	}
	virStoragePoolRefresh(pool, 0);
	return pool;
fail:
	virStoragePoolFree(pool);
	return NULL;
}

static char *lvr_vol_xml(const char *name, unsigned long long size,
			 const char *fmt, const char *backing,
			 const char *backing_fmt)
{
	struct sb sb = SB_INIT;

	sb_adds(&sb, "<volume><name>");
	lvxml_escape(&sb, name);
	sb_addf(&sb, "</name><capacity unit='bytes'>%llu</capacity>", size);
	if (!backing)
		sb_adds(&sb, "<allocation unit='bytes'>0</allocation>");
	sb_addf(&sb, "<target><format type='%s'/><permissions><mode>0600</mode>"
		"</permissions></target>", fmt);
	if (backing) {
		sb_adds(&sb, "<backingStore><path>");
		lvxml_escape(&sb, backing);
		sb_addf(&sb, "</path><format type='%s'/></backingStore>",
			backing_fmt);
	}
	sb_adds(&sb, "</volume>");
	return sb_detach(&sb);
}

static void lvr_delete(virStoragePoolPtr pool, const char *name)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);

	if (v) {
		virStorageVolDelete(v, 0);
		virStorageVolFree(v);
	}
}

struct lvr_send {
	int fd;
	unsigned long long done, total;
	double last;
	const char *name;
	int show;
};

static int lvr_source(virStreamPtr st, char *data, size_t n, void *opaque)
{
	struct lvr_send *s = opaque;
	ssize_t r;

	(void)st;
	if (&collect_stop_requested && collect_stop_requested)
		return -1;
	do
		r = read(s->fd, data, n);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		s->done += (unsigned long long)r;
		if (s->show && vb_mono_time() - s->last > 0.5) {
			s->last = vb_mono_time();
			fprintf(stderr, "\r\033[Kuploading %s: %llu of %llu MiB",
				s->name, s->done >> 20, s->total >> 20);
		}
	}
	return (int)r;
}

int lvr_upload(virStoragePoolPtr pool, const char *local, const char *name,
	       char **path, char **why)
{
	virConnectPtr conn = virStoragePoolGetConnect(pool);
	struct lvr_send s = { .fd = -1, .name = name,
			      .show = vb_progress_wanted() };
	virStorageVolPtr vol = NULL;
	virStreamPtr st = NULL;
	char *xml = NULL;
	struct stat sbuf;
	int ret = -1;

	*path = NULL;
	if ((s.fd = open(local, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(s.fd, &sbuf) < 0) {
		*why = xasprintf("cannot read %s: %s", local, strerror(errno));
		goto out;
	}
	s.total = (unsigned long long)sbuf.st_size;
	lvr_delete(pool, name);
	xml = lvr_vol_xml(name, s.total, "raw", NULL, NULL);
	if (!(vol = virStorageVolCreateXML(pool, xml, 0))) {
		*why = xasprintf("cannot create volume %s: %s", name, lvr_err());
		goto out;
	}
	if (!(st = virStreamNew(conn, 0)) ||
	    virStorageVolUpload(vol, st, 0, s.total, 0) < 0) {
		*why = xasprintf("cannot upload %s to volume %s: %s", local, name,
				 lvr_err());
		goto out;
	}
	if (virStreamSendAll(st, lvr_source, &s) < 0) {
		*why = xasprintf("upload of %s to volume %s failed: %s", local,
				 name, &collect_stop_requested &&
				 collect_stop_requested ? "interrupted" : lvr_err());
		virStreamAbort(st);
		goto out;
	}
	if (virStreamFinish(st) < 0) {
		*why = xasprintf("upload of %s to volume %s did not finish: %s",
				 local, name, lvr_err());
		goto out;
	}
	*path = virStorageVolGetPath(vol);
	ret = *path ? 0 : -1;
	if (ret < 0)
		*why = xasprintf("volume %s has no path: %s", name, lvr_err());
out:
	if (s.show && s.total)
		fprintf(stderr, "\r\033[K");
	if (ret < 0 && vol)
		virStorageVolDelete(vol, 0);
	if (st)
		virStreamFree(st);
	if (vol)
		virStorageVolFree(vol);
	if (s.fd >= 0)
		close(s.fd);
	free(xml);
	return ret;
}

int lvr_upload_cached(virStoragePoolPtr pool, const char *local,
		      const char *name, char **path, char **why)
{
	char *mark = xasprintf("%s.ok", name), *xml = NULL;
	virStorageVolPtr v = virStorageVolLookupByName(pool, mark), m = NULL;
	int ret = -1;

	*path = NULL;
	if (v) {
		virStorageVolFree(v);
		if ((v = virStorageVolLookupByName(pool, name))) {
			*path = virStorageVolGetPath(v);
			virStorageVolFree(v);
			if (*path) {
				vb_debug("volume %s already uploaded", name);
				ret = 0;
				goto out;
			}
		}
		lvr_delete(pool, mark);
	}
	vb_info("uploading %s to the libvirt host as volume %s", local, name);
	if (lvr_upload(pool, local, name, path, why) < 0)
		goto out;
	xml = lvr_vol_xml(mark, 0, "raw", NULL, NULL);
	if (!(m = virStorageVolCreateXML(pool, xml, 0))) {
		*why = xasprintf("cannot mark volume %s complete: %s", name,
				 lvr_err());
		free(*path);
		*path = NULL;
		goto out;
	}
	virStorageVolFree(m);
	ret = 0;
out:
	free(xml);
	free(mark);
	return ret;
}

int lvr_overlay(virStoragePoolPtr pool, const char *name, const char *backing,
		const char *backing_fmt, unsigned long long size, char **path,
		char **why)
{
	char *xml = lvr_vol_xml(name, size, "qcow2", backing, backing_fmt);
	virStorageVolPtr v;

	*path = NULL;
	lvr_delete(pool, name);
	v = virStorageVolCreateXML(pool, xml, 0);
	free(xml);
	if (!v) {
		*why = xasprintf("cannot create overlay volume %s on %s: %s", name,
				 backing, lvr_err());
		return -1;
	}
	*path = virStorageVolGetPath(v);
	virStorageVolFree(v);
	if (!*path) {
		*why = xasprintf("volume %s has no path: %s", name, lvr_err());
		return -1;
	}
	return 0;
}

int lvr_delete_prefix(virStoragePoolPtr pool, const char *prefix)
{
	virStorageVolPtr *vols = NULL;
	int n, removed = 0;

	virStoragePoolRefresh(pool, 0);
	n = virStoragePoolListAllVolumes(pool, &vols, 0);
	for (int i = 0; i < n; i++) {
		const char *name = virStorageVolGetName(vols[i]);

		if (name && !strncmp(name, prefix, strlen(prefix)) &&
		    virStorageVolDelete(vols[i], 0) == 0)
			removed++;
		virStorageVolFree(vols[i]);
	}
	free(vols);
	return removed;
}
