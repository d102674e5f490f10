/*
 * image/image.h - the offline guest image: a Debian bookworm root
 * filesystem made with debootstrap from the host's apt mirror, turned into a
 * qcow2 disk (mkfs.ext4 -d, no loop mounts) plus the kernel and initrd for
 * direct kernel boot, and reused as the Docker image's root filesystem.
 *
 * Everything is cached under $VIRTBENCH_CACHE (default ~/.cache/virtbench)
 * in directories keyed by a content hash of the recipe (suite, packages,
 * configuration files written into the guest), so changing the recipe
 * builds a new image and an unchanged recipe is never rebuilt. A build holds
 * an exclusive lock, so concurrent builders wait instead of racing.
 */
#ifndef VB_IMAGE_IMAGE_H
#define VB_IMAGE_IMAGE_H

#include <stddef.h>

/* A built guest image. Strings are owned; free with image_info_clear(). */
struct image_info {
	char *dir;        /* the image's cache directory */
	char *disk;       /* qcow2 base disk (read-only backing file) */
	char *kernel;     /* vmlinuz for direct kernel boot */
	char *initrd;     /* its initramfs (virtio_blk is a module) */
	char *disk_sha256;/* SHA-256 of the qcow2 file, from the manifest */
	char *kernel_version;
	char *recipe_hash;
};
void image_info_clear(struct image_info *im);

/* The cache root: $VIRTBENCH_CACHE, else $HOME/.cache/virtbench. Owned. */
char *image_cache_dir(void);

/* A file the recipe writes into the guest: path relative to its root. */
struct image_file {
	const char *path;
	int mode;
	const char *text;
};

/* Every input that changes the image's content (strings are static). */
struct image_recipe {
	const char *version, *suite;
	const char *include;          /* debootstrap --include list */
	const char *extra;            /* packages added in the chroot */
	const struct image_file *files;
	size_t n_files;
	const char *const *masked;    /* systemd units masked; NULL-ended */
};

/* The recipe image_build() builds. */
const struct image_recipe *image_default_recipe(void);

/* Content hash of a recipe, 16 hex digits + NUL into out: equal recipes
 * (by content, not by address) hash equal, any change gives a new hash. */
void image_recipe_digest(const struct image_recipe *r, char out[17]);

/* image_recipe_digest() of the default recipe (stable across runs and
 * hosts): the cache directories are named by it. Static. */
const char *image_recipe_hash(void);

/* Finds the default image built by image_build() without building it:
 * 0 and *im filled when present, 1 when not built yet (no message),
 * negative on error (reported). */
int image_find(struct image_info *im);

/* Builds the default image unless it is cached (force = rebuild); fills
 * *im. Shows progress on stderr. Requires root (debootstrap, chroot). */
int image_build(int force, struct image_info *im);

/* Makes sure the guest root filesystem exists in the cache (building it if
 * needed) and returns its directory in *dir (owned). Used by
 * "virtbench image docker" to import the same tree as a container image. */
int image_rootfs_ensure(char **dir);

/* The kvm-host image (image/kvm_host.c): a guest that is a KVM host
 * itself (QEMU, libvirt, kvm_amd loaded at boot, the guest image inside
 * under /var/cache/virtbench), for running the kvm platform nested under
 * TCG. As image_find()/image_build(); builds the guest image first. */
const char *image_kvm_host_recipe_hash(void);
int image_kvm_host_find(struct image_info *im);
int image_kvm_host_build(int force, struct image_info *im);

/* Runs argv (no shell, common/run.c) and waits. Its stdout and stderr are
 * appended to log (when log is NULL, only their tail is kept, to show on
 * failure); when label is not NULL and progress is wanted, the child's
 * last output line is shown after the label. Returns 0 when it exited
 * with status 0, negative otherwise (reported, with the tail of the
 * output). */
int image_run(char *const argv[], const char *log, const char *label);

#endif
