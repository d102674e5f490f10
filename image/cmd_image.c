/*
 * image/cmd_image.c - "virtbench image": builds the offline guest image
 * (build), the container image from the same root filesystem (docker), and
 * shows where the cached image is (path). The logic is in image.c.
 */
#include "image/image.h"
#include "common/cmd.h"
#include "common/util.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("platform/docker/docker_api.h")
#include "platform/docker/docker_api.h"
#endif
#endif

/* The Docker engineer's importer; weak so that this file links (and says
 * so) in a build without the docker module. */
int docker_image_import_rootfs(const char *rootfs_dir, const char *ref)
	__attribute__((weak));
#ifndef VB_DOCKER_IMAGE
#define VB_DOCKER_IMAGE "virtbench-bench:bookworm"
#endif

const struct vb_optspec cmd_image_spec = {
	.synopsis = "virtbench image build [--force]\n"
		    "       virtbench image kvm-host [--force]\n"
		    "       virtbench image docker\n"
		    "       virtbench image path",
	.description =
	"  build    build the Debian bookworm guest image offline (debootstrap\n"
	"           from the host's apt mirror; sysbench, fio, iperf3,\n"
	"           openssh-server, cloud-init, a kernel) as a qcow2 disk plus\n"
	"           kernel and initrd for direct boot; cached under\n"
	"           $VIRTBENCH_CACHE or ~/.cache/virtbench, keyed by a hash of\n"
	"           the recipe. Needs root. Prints the image directory.\n"
	"  kvm-host build the KVM test host: the guest image plus QEMU, libvirt\n"
	"           and virtbench's libraries, booted under TCG with nested\n"
	"           AMD-V so that the kvm platform runs inside it (make\n"
	"           test-kvm). Needs root. Prints the image directory.\n"
	"  docker   import the same root filesystem as the container image\n"
	"           " VB_DOCKER_IMAGE " (never pulled)\n"
	"  path     print the cached image's disk path, exit 1 if not built\n",
};

struct build_opts {
	int force;
};

static const struct vb_option build_options[] = {
	OPT_FLAG("force", 'f', struct build_opts, force,
		 "rebuild the disk image even if it is cached"),
	OPT_END(),
};

static const struct vb_optspec build_spec = {
	.synopsis = "virtbench image build [--force]",
	.description =
	"Builds the Debian bookworm guest image offline as a qcow2 disk plus\n"
	"kernel and initrd, cached under $VIRTBENCH_CACHE or ~/.cache/virtbench.\n"
	"Needs root. Prints the image directory.\n",
	.options = build_options,
	.size = sizeof(struct build_opts),
};

static const struct vb_optspec kvm_host_spec = {
	.synopsis = "virtbench image kvm-host [--force]",
	.description =
	"Builds the KVM test host (make test-kvm): the guest image's tree plus\n"
	"QEMU, libvirt and virtbench's libraries, kvm_amd loaded at boot, and\n"
	"the guest image inside for nested guests; booted under TCG with CPU\n"
	"mode maximum, it runs the kvm platform for real. Builds the guest\n"
	"image first when needed. Needs root. Prints the image directory.\n",
	.options = build_options,
	.size = sizeof(struct build_opts),
};

static const struct vb_optspec docker_spec = {
	.synopsis = "virtbench image docker",
	.description = "Imports the guest's root filesystem as the container image\n"
		       VB_DOCKER_IMAGE " (never pulled).\n",
};

static const struct vb_optspec path_spec = {
	.synopsis = "virtbench image path",
	.description = "Prints the cached image's disk path, exit 1 if not built.\n",
};

/* Builds (or finds cached) an image with build() and prints its folder. */
static int print_built(int (*build)(int force, struct image_info *im), int force)
{
	struct image_info im = { 0 };

	if (build(force, &im) < 0)
		return 1;
	printf("%s\n", im.dir);
	image_info_clear(&im);
	return 0;
}

static int image_cmd_build(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	return print_built(image_build, ((struct build_opts *)opts)->force);
}

static int image_cmd_kvm_host(int argc, char **argv, void *opts,
			      struct vb_ctx *ctx)
{
	(void)argc;
	(void)argv;
	(void)ctx;
	return print_built(image_kvm_host_build, ((struct build_opts *)opts)->force);
}

static int image_cmd_docker(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	char *dir = NULL;
	int ret = 1;

	(void)argc;
	(void)argv;
	(void)opts;
	(void)ctx;
	if (!docker_image_import_rootfs) {
		vb_error("image docker: this build has no docker support");
		return 1;
	}
	if (image_rootfs_ensure(&dir) < 0)
		goto out;
	vb_info("image: importing %s as %s", dir, VB_DOCKER_IMAGE);
	if (docker_image_import_rootfs(dir, VB_DOCKER_IMAGE) < 0)
		goto out;
	printf("%s\n", VB_DOCKER_IMAGE);
	ret = 0;
out:
	free(dir);
	return ret;
}

static int image_cmd_path(int argc, char **argv, void *opts, struct vb_ctx *ctx)
{
	struct image_info im = { 0 };
	int r;

	(void)argc;
	(void)argv;
	(void)opts;
	(void)ctx;
	r = image_find(&im);
	if (r < 0)
		return 1;
	if (r > 0) {
		vb_error("image: not built yet (run 'virtbench image build')");
		return 1;
	}
	printf("%s\n", im.disk);
	image_info_clear(&im);
	return 0;
}

const struct vb_cmd cmd_image_subcmds[] = {
	{ "build", image_cmd_build, 0, "build the guest image", &build_spec, NULL },
	{ "kvm-host", image_cmd_kvm_host, 0, "build the KVM test host image",
	  &kvm_host_spec, NULL },
	{ "docker", image_cmd_docker, 0, "import it as the container image",
	  &docker_spec, NULL },
	{ "path", image_cmd_path, 0, "print the cached disk's path", &path_spec,
	  NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL },
};
