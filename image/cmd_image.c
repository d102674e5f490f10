/*
 * image/cmd_image.c - "virtbench image": builds the offline guest image
 * (build), the container image from the same root filesystem (docker), and
 * shows where the cached image is (path). The logic is in image.c.
 */
#include "image/image.h"
#include "common/cmd.h"
#include "common/util.h"

#include <getopt.h>
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

const char cmd_image_usage[] =
	"usage: virtbench image build [--force]\n"
	"       virtbench image kvm-host [--force]\n"
	"       virtbench image docker\n"
	"       virtbench image path\n"
	"\n"
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
	"  path     print the cached image's disk path, exit 1 if not built\n"
	"\n"
	"  --force  rebuild the disk image even if it is cached\n";

static int image_cmd_build(int argc, char **argv, struct vb_ctx *ctx,
			   int (*build)(int, struct image_info *))
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct image_info im = { 0 };
	int force = 0, c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f", longopts, NULL)) != -1) {
		if (c == 'f')
			force = 1;
		else
			return cmd_usage_error(ctx, "image", "unknown option");
	}
	if (optind != argc)
		return cmd_usage_error(ctx, "image", "unexpected argument '%s'",
				       argv[optind]);
	if (build(force, &im) < 0)
		return 1;
	printf("%s\n", im.dir);
	image_info_clear(&im);
	return 0;
}

static int image_cmd_docker(int argc, char **argv, struct vb_ctx *ctx)
{
	char *dir = NULL;
	int ret = 1;

	if (argc != 1)
		return cmd_usage_error(ctx, "image", "unexpected argument '%s'",
				       argv[1]);
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

static int image_cmd_path(int argc, char **argv, struct vb_ctx *ctx)
{
	struct image_info im = { 0 };
	int r;

	if (argc != 1)
		return cmd_usage_error(ctx, "image", "unexpected argument '%s'",
				       argv[1]);
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

int cmd_image(int argc, char **argv, struct vb_ctx *ctx)
{
	if (argc < 2)
		return cmd_usage_error(ctx, "image", "missing subcommand");
	if (!strcmp(argv[1], "build"))
		return image_cmd_build(argc - 1, argv + 1, ctx, image_build);
	if (!strcmp(argv[1], "kvm-host"))
		return image_cmd_build(argc - 1, argv + 1, ctx,
				       image_kvm_host_build);
	if (!strcmp(argv[1], "docker"))
		return image_cmd_docker(argc - 1, argv + 1, ctx);
	if (!strcmp(argv[1], "path"))
		return image_cmd_path(argc - 1, argv + 1, ctx);
	return cmd_usage_error(ctx, "image", "unknown subcommand '%s'", argv[1]);
}
