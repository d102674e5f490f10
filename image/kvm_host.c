/*
 * image/kvm_host.c - the "kvm-host" image: a guest that is itself a KVM
 * host, so that the kvm platform can run for real on machines whose own
 * KVM cannot run Linux guests (tests/kvm/). Booted under TCG with the
 * "max" CPU model, it sees AMD-V (TCG emulates SVM, not VT-x), loads
 * kvm_amd at boot, and runs libvirtd and virtlogd under systemd; virtbench
 * itself is copied in at test time (the binary changes far more often than
 * this image, whose cache then stays valid).
 *
 * Built from the guest image's cached root filesystem (a copy, so the two
 * share everything but what is added here): QEMU, libvirt, the libraries
 * virtbench links against, and the guest image itself under
 * /var/cache/virtbench, so the nested guests (L2) start from a disk
 * already inside this one instead of a 600 MB upload at every test. The
 * recipe hash includes the guest recipe's, so a new guest image makes a
 * new kvm-host image.
 *
 * Workload: once per recipe, about a minute on top of the guest image
 * (apt-get of ~190 packages from the host's mirror, mkfs, qemu-img); the
 * tree is built inside the image's temporary directory and removed once
 * the disk exists (~1.1 GB qcow2).
 */
#define _GNU_SOURCE
#include "image/image.h"
#include "image/image_int.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KVM_HOST_RECIPE_VERSION "1"
#define KVM_HOST_NAME "kvm-host"

static const char *const kvm_host_packages[] = {
	"libvirt-daemon-system", "libvirt-clients", "qemu-system-x86",
	"qemu-utils", "genisoimage", "sqlite3",
	/* what the virtbench binary links against (ldd, direct only) */
	"libsqlite3-0", "libcjson1", "libgsl27", "libssh-4", "libcurl4",
	"libvirt0", "libcmark-gfm0.29.0.gfm.6",
	"libcmark-gfm-extensions0.29.0.gfm.6", NULL
};

/* Why each file exists:
 *  - kvm_amd at boot: TCG's "max" CPU offers SVM (it emulates no VMX);
 *    kvm and irqbypass come with it as dependencies;
 *  - virtbench's cache is /var/cache/virtbench (VIRTBENCH_CACHE), where
 *    QEMU (libvirt-qemu) can reach the L2 image without o+x on /root;
 *  - resolv.conf emptied again after apt-get needed the host's. */
static const struct image_file kvm_host_files[] = {
	{ "etc/modules-load.d/virtbench-kvm.conf", 0644, "kvm_amd\n" },
	{ "etc/environment", 0644, "VIRTBENCH_CACHE=/var/cache/virtbench\n" },
	{ "etc/resolv.conf", 0644, "" },
};
#define KVM_HOST_CACHE "var/cache/virtbench"

/* Boot work the test host does not need, each costly under TCG: its
 * identity and keys come from cloud-init's first stage (cloud-init.service,
 * which runs cc_ssh); the config and final stages are more Python; there
 * are no guests to suspend at shutdown; no ext4 snapshots to check. */
static const char *const kvm_host_masked[] = {
	"cloud-config.service", "cloud-final.service", "libvirt-guests.service",
	"e2scrub_reap.service",
};

const char *image_kvm_host_recipe_hash(void)
{
	static char hex[65];
	struct sb sb = SB_INIT;

	if (hex[0])
		return hex;
	sb_addf(&sb, "v=%s\nguest=%s\n", KVM_HOST_RECIPE_VERSION,
		image_recipe_hash());
	for (size_t i = 0; kvm_host_packages[i]; i++)
		sb_addf(&sb, "pkg=%s\n", kvm_host_packages[i]);
	for (size_t i = 0; i < VB_ARRAY_SIZE(kvm_host_files); i++)
		sb_addf(&sb, "file=%s:%o:%s\n", kvm_host_files[i].path,
			kvm_host_files[i].mode, kvm_host_files[i].text);
	sb_adds(&sb, "no-default-network\nenable=libvirtd,virtlogd\n");
	for (size_t i = 0; i < VB_ARRAY_SIZE(kvm_host_masked); i++)
		sb_addf(&sb, "mask=%s\n", kvm_host_masked[i]);
	vb_sha256_hex(sb.buf, sb.len, hex);
	sb_release(&sb);
	hex[16] = '\0';
	return hex;
}

static int kvm_host_rootfs(const char *tmp, const char *log, char **rootfs)
{
	struct image_info l2 = { 0 };
	char *guest = NULL, *root = xasprintf("%s/rootfs", tmp), *p = NULL;
	char *l2dir = NULL, *base = NULL;
	int ret = -1;
	double t0;

	*rootfs = NULL;
	/* The L2 disk first: it is also what the copied tree comes from. */
	if (image_build(0, &l2) < 0 || image_rootfs_ensure(&guest) < 0)
		goto out;
	vb_info("image: [1/5] copying the guest tree %s", guest);
	{
		char *argv[] = { "cp", "-a", "--one-file-system", guest, root, NULL };

		if (image_run(argv, log, NULL) < 0)
			goto out;
	}
	/* apt-get needs the host's resolver once; emptied again below. */
	p = xasprintf("%s/etc/resolv.conf", root);
	unlink(p);
	if (image_copy("/etc/resolv.conf", p, 0644) < 0)
		goto out;
	vb_info("image: [2/5] apt-get install libvirt, QEMU and virtbench's "
		"libraries (about a minute; log %s)", log);
	t0 = vb_mono_time();
	if (image_chroot_install(root, log, kvm_host_packages,
				 "image: [2/5] apt-get") < 0)
		goto out;
	vb_info("image: packages installed in %.0f s", vb_mono_time() - t0);
	if (image_write_files(root, kvm_host_files,
			      VB_ARRAY_SIZE(kvm_host_files)) < 0)
		goto out;
	/* Never libvirt's NAT network, not even inside the test host. */
	free(p);
	p = xasprintf("%s/etc/libvirt/qemu/networks/autostart/default.xml", root);
	if (unlink(p) < 0 && errno != ENOENT) {
		vb_error("cannot remove %s: %s", p, strerror(errno));
		goto out;
	}
	{
		char *enable[] = { "chroot", root, "systemctl", "enable",
				   "virtlogd.service", "libvirtd.service", NULL };

		char *mask[] = { "chroot", root, "systemctl", "mask",
				 (char *)kvm_host_masked[0], (char *)kvm_host_masked[1],
				 (char *)kvm_host_masked[2], (char *)kvm_host_masked[3],
				 NULL };

		if (image_run(enable, log, NULL) < 0 || image_run(mask, log, NULL) < 0)
			goto out;
	}
	/* The L2 image, where "virtbench image path" finds it inside. */
	l2dir = xstrdup(l2.dir);
	base = xasprintf("%s/%s/images", root, KVM_HOST_CACHE);
	if (vb_mkdir_p(base, 0755) < 0)
		goto out;
	{
		char *argv[] = { "cp", "-a", l2dir, base, NULL };

		if (image_run(argv, log, NULL) < 0)
			goto out;
	}
	*rootfs = root;
	root = NULL;
	ret = 0;
out:
	image_info_clear(&l2);
	free(guest);
	free(root);
	free(p);
	free(l2dir);
	free(base);
	return ret;
}

static const struct image_kind kvm_host_kind = {
	.name = KVM_HOST_NAME, .hash = image_kvm_host_recipe_hash,
	.rootfs = kvm_host_rootfs, .disk_size = "6G",
};

int image_kvm_host_find(struct image_info *im)
{
	return image_find_kind(&kvm_host_kind, im);
}

int image_kvm_host_build(int force, struct image_info *im)
{
	return image_build_kind(&kvm_host_kind, force, im);
}
