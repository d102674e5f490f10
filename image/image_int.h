/*
 * image/image_int.h - what the image recipes share inside image/: the
 * kind of image the disk builder works from, and the helpers that
 * fill a root filesystem (apt-get in a chroot, files written in).
 * Not used outside image/.
 */
#ifndef VB_IMAGE_IMAGE_INT_H
#define VB_IMAGE_IMAGE_INT_H

#include "image/image.h"

#include <stddef.h>

/* One kind of disk image (the benchmark guest, the KVM test host), as the
 * disk builder sees it; what goes into the tree is the kind's own
 * business (struct image_recipe for the guest). Its cache directory is
 * CACHE/images/NAME-HASH (image.json, disk.qcow2, vmlinuz, initrd.img). */
struct image_kind {
	const char *name;
	const char *(*hash)(void);   /* hex content hash of every input */
	/* Provides the root filesystem to turn into the disk: builds it in
	 * a directory under tmp (removed once the disk is made) or returns
	 * a cached one. *rootfs owned. Reported. */
	int (*rootfs)(const char *tmp, const char *log, char **rootfs);
	const char *disk_size;       /* mkfs.ext4 size, sparse ("4G") */
};

extern const struct image_kind image_guest_kind;

/* The kind's cache directory (owned). */
char *image_dir_path(const struct image_kind *r);
/* As image_find() / image_build() for the kind r. */
int image_find_kind(const struct image_kind *r, struct image_info *im);
int image_build_kind(const struct image_kind *r, int force,
		       struct image_info *im);

/* apt-get install --no-install-recommends packages (NULL-terminated) in
 * the chroot root, with proc mounted and services kept from starting,
 * then apt-get clean. label: progress text. Reported. */
int image_chroot_install(const char *root, const char *log,
			 const char *const packages[], const char *label);
/* Writes the n files into root (directories made, existing files and
 * symlinks replaced). Reported. */
int image_write_files(const char *root, const struct image_file *files,
		      size_t n);

/* An exclusive flock on path, waiting (and saying so) when held: the fd,
 * or negative (reported). */
int image_lock(const char *path);
/* rm -rf --one-file-system path; 0 when it does not exist. */
int image_rm_rf(const char *path);
/* Copies a file (read whole, written atomically with mode). */
int image_copy(const char *from, const char *to, int mode);

#endif
