/*
 * platform/libvirt/libvirt_remote.h - what the kvm/qemu platform needs when libvirtd
 * runs on another machine (--connect qemu+ssh://user@host/system): the
 * guest's files travel as storage volumes through the libvirt API, and
 * the guest is reached over SSH through that machine.
 *
 * Files: a storage pool named "virtbench" on the remote host (an existing
 * one is used as it is; otherwise a transient dir pool at
 * LVR_POOL_PATH is built). Base image, kernel and initrd are uploaded
 * once, named by their content hash, and reused while a ".ok" marker
 * volume says the upload finished; per guest, an overlay volume with the
 * base as its backing store, the seed ISO and the serial console log, all
 * named "<domain>.*" and deleted at teardown. Two collectors uploading
 * the same image to one host at the same moment are not coordinated (the
 * later replaces the earlier's unfinished volume); benchmarks run side by
 * side on one host would disturb each other anyway.
 */
#ifndef VB_PLATFORM_LIBVIRT_LIBVIRT_REMOTE_H
#define VB_PLATFORM_LIBVIRT_LIBVIRT_REMOTE_H

#include <libvirt/libvirt.h>

#define LVR_POOL_NAME "virtbench"
#define LVR_POOL_PATH "/var/lib/libvirt/images/virtbench"

/* The parts of a libvirt URI that say how to reach its host over SSH. */
struct lvr_uri {
	int remote;        /* a host is named and the transport is not unix */
	int ssh;           /* transport ssh, libssh or libssh2 */
	char *user;        /* NULL: the local user name */
	char *host;
	int port;          /* SSH port of an ssh transport; 0 = 22 */
	char *keyfile;     /* ?keyfile= */
	char *known_hosts; /* ?known_hosts= */
	char *command;     /* ?command=: the ssh program (default "ssh") */
};

/* Parses uri; fails (reported) only on a malformed URI. */
int lvr_uri_parse(const char *uri, struct lvr_uri *u);
void lvr_uri_clear(struct lvr_uri *u);

/* A libssh ProxyCommand that reaches host:port through the libvirt host
 * (OpenSSH's "ssh -W", with strict host key checking and the URI's key
 * and known_hosts), every part shell-quoted. Owned. */
char *lvr_proxy_command(const struct lvr_uri *u, const char *host, int port);

/* The pool (owned, virStoragePoolFree) and its directory (*path, owned),
 * created when missing. NULL with *why (owned). */
virStoragePoolPtr lvr_pool(virConnectPtr conn, char **path, char **why);

/* Makes local file available in the pool as volume name: reuses a finished
 * upload, otherwise uploads it (progress on a terminal). *path (owned) is
 * its path on the remote host. 0, or negative with *why (owned). The
 * collector's stop request aborts an upload. */
int lvr_upload_cached(virStoragePoolPtr pool, const char *local,
		      const char *name, char **path, char **why);

/* Uploads local file as a new volume name, replacing one of that name. */
int lvr_upload(virStoragePoolPtr pool, const char *local, const char *name,
	       char **path, char **why);

/* Creates a qcow2 volume name of size bytes backed by the qcow2 (or raw)
 * file backing on the remote host. */
int lvr_overlay(virStoragePoolPtr pool, const char *name, const char *backing,
		const char *backing_fmt, unsigned long long size, char **path,
		char **why);

/* Deletes the volumes whose names start with prefix; returns how many. */
int lvr_delete_prefix(virStoragePoolPtr pool, const char *prefix);

#endif
