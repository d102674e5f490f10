/*
 * image/image.c - builds the offline Debian bookworm guest image (see
 * image.h): debootstrap from the host's own apt mirror, cloud-init added in
 * a chroot, the guest configured for benchmarking (no DNS, no background
 * timers, DHCP on the first NIC), then mkfs.ext4 -d + qemu-img convert and
 * the kernel/initrd copied out for direct kernel boot.
 *
 * Workload: run once per recipe (2-3 minutes, ~600 MB rootfs + ~500 MB
 * qcow2), then only image_find() on every collect. Builds go to a ".tmp"
 * directory renamed into place at the end, under an flock, so an
 * interrupted build never leaves a half image that looks complete.
 */
#define _GNU_SOURCE
#include "image/image.h"
#include "image/image_int.h"
#include "common/run.h"
#include "common/util.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the recipe: every input that changes the image's content ---- */

#define IMAGE_RECIPE_VERSION "1"
#define IMAGE_SUITE "bookworm"
#define IMAGE_NAME "debian-bookworm"
static const char image_include[] =
	"systemd-sysv,udev,dbus,openssh-server,sysbench,fio,iperf3,"
	"linux-image-cloud-amd64,initramfs-tools,iproute2,kmod,e2fsprogs,"
	"procps";
static const char image_extra[] = "cloud-init";

/* Files written into the guest. Why each exists:
 *  - resolv.conf is emptied: debootstrap copies the host's resolver, a
 *    private address the guest's DNS would be forwarded to;
 *  - DHCP without DNS/NTP/IPv6 so nothing in the guest reaches out;
 *  - cloud-init only ever reads the NoCloud seed (never the metadata
 *    address), leaves networking to networkd and has no locales package;
 *  - fstab's x-systemd.growfs grows / to the resized overlay at boot. */
static const struct image_file image_files[] = {
	{ "etc/resolv.conf", 0644, "" },
	{ "etc/hostname", 0644, "virtbench\n" },
	{ "etc/hosts", 0644, "127.0.0.1 localhost\n127.0.1.1 virtbench\n" },
	{ "etc/fstab", 0644, "/dev/vda / ext4 defaults,x-systemd.growfs 0 1\n" },
	{ "etc/systemd/network/10-virtbench.network", 0644,
	  "[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n"
	  "LinkLocalAddressing=no\nIPv6AcceptRA=no\n\n"
	  "[DHCPv4]\nUseDNS=no\nUseNTP=no\n" },
	{ "etc/cloud/cloud.cfg.d/99-virtbench.cfg", 0644,
	  "datasource_list: [ NoCloud, None ]\n"
	  "network: {config: disabled}\n"
	  "locale: false\n" },
	{ "etc/ssh/sshd_config.d/virtbench.conf", 0644,
	  "PasswordAuthentication no\nUseDNS no\n" },
	{ "etc/machine-id", 0444, "" },
};

static const char *const image_masked[] = {
	"apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer",
	"e2scrub_all.timer", "fstrim.timer", NULL
};

static const struct image_recipe image_default = {
	.version = IMAGE_RECIPE_VERSION,
	.suite = IMAGE_SUITE,
	.include = image_include,
	.extra = image_extra,
	.files = image_files,
	.n_files = VB_ARRAY_SIZE(image_files),
	.masked = image_masked,
};

const struct image_recipe *image_default_recipe(void)
{
	return &image_default;
}

void image_recipe_digest(const struct image_recipe *r, char out[17])
{
	struct sb sb = SB_INIT;
	char hex[65];

	/* The text hashed must stay byte for byte what it has always been
	 * for an unchanged recipe: it names the cached image's directory. */
	sb_addf(&sb, "v=%s\nsuite=%s\ninclude=%s\nextra=%s\n",
		r->version, r->suite, r->include, r->extra);
	for (size_t i = 0; i < r->n_files; i++)
		sb_addf(&sb, "file=%s:%o:%s\n", r->files[i].path,
			r->files[i].mode, r->files[i].text);
	for (size_t i = 0; r->masked && r->masked[i]; i++)
		sb_addf(&sb, "mask=%s\n", r->masked[i]);
	vb_sha256_hex(sb.buf, sb.len, hex);
	sb_release(&sb);
	/* 16 hex digits name the directory; collisions are not a concern. */
	memcpy(out, hex, 16);
	out[16] = '\0';
}

const char *image_recipe_hash(void)
{
	static char hex[17];

	if (!hex[0])
		image_recipe_digest(&image_default, hex);
	return hex;
}

char *image_cache_dir(void)
{
	const char *env = getenv("VIRTBENCH_CACHE");
	const char *home = getenv("HOME");

	if (env && *env)
		return xstrdup(env);
	return xasprintf("%s/.cache/virtbench", home && *home ? home : "/tmp");
}

void image_info_clear(struct image_info *im)
{
	if (!im)
		return;
	free(im->dir);
	free(im->disk);
	free(im->kernel);
	free(im->initrd);
	free(im->disk_sha256);
	free(im->kernel_version);
	free(im->recipe_hash);
	memset(im, 0, sizeof(*im));
}

/* ---- running tools ---- */

/* Prints the last 15 lines of text (a tool's output) to stderr, under a
 * heading naming where it came from. */
static void image_show_tail(const char *what, const char *text, size_t len)
{
	const char *p;
	int lines = 0;

	if (!text || len == 0)
		return;
	for (p = text + len - 1; p > text; p--)
		if (*p == '\n' && ++lines > 15)
			break;
	fprintf(stderr, "--- last lines of %s ---\n%s", what,
		p == text ? p : p + 1);
	if (text[len - 1] != '\n')
		fputc('\n', stderr);
}

/* The progress line: the tool's latest output line, at most 5 a second. */
struct image_progress {
	const char *label;
	char line[160];
	size_t linelen;
	double last_show, t0;
};

static void image_on_output(void *arg, int stream, const char *buf, size_t n)
{
	struct image_progress *pr = arg;

	(void)stream;
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n' || c == '\r') {
			double now = vb_mono_time();

			pr->line[pr->linelen] = '\0';
			if (pr->linelen && now - pr->last_show > 0.2) {
				fprintf(stderr, "\r\033[K%s %3.0fs  %.70s",
					pr->label, now - pr->t0, pr->line);
				pr->last_show = now;
			}
			pr->linelen = 0;
		} else if (pr->linelen < sizeof(pr->line) - 1 &&
			   (unsigned char)c >= ' ') {
			pr->line[pr->linelen++] = c;
		}
	}
}

int image_run(char *const argv[], const char *log, const char *label)
{
	struct image_progress pr = { .label = label, .t0 = vb_mono_time() };
	struct run_cmd c = RUN_CMD_INIT;
	struct run_result r = { 0 };
	int logfd = -1, ret = -1;

	if (log) {
		logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (logfd < 0)
			return vb_error("cannot open log %s: %s", log, strerror(errno));
		dprintf(logfd, "$");
		for (size_t i = 0; argv[i]; i++)
			dprintf(logfd, " %s", argv[i]);
		dprintf(logfd, "\n");
	}
	c.argv = (const char *const *)argv;
	c.out = RUN_OUT_CAPTURE;
	c.err = RUN_OUT_TO_OUT;
	/* The whole output is in the log; keep enough to show its tail
	 * when there is no log. */
	c.max_output = 64 << 10;
	c.tee_fd = logfd;
	if (label && vb_progress_wanted()) {
		c.on_output = image_on_output;
		c.arg = &pr;
	}
	if (run_command(&c, &r) < 0)
		goto out;
	if (c.on_output)
		fprintf(stderr, "\r\033[K");
	if (r.exit_status == 0) {
		ret = 0;
	} else {
		struct sb sb = SB_INIT;

		if (r.signal)
			vb_error("%s killed by signal %d", argv[0], r.signal);
		else
			vb_error("%s failed with exit status %d", argv[0],
				 r.exit_status);
		if (log && sb_read_file(&sb, log) == 0)
			image_show_tail(log, sb.buf, sb.len);
		else if (!log)
			image_show_tail(argv[0], r.out, r.out_len);
		sb_release(&sb);
	}
out:
	run_result_clear(&r);
	if (logfd >= 0)
		close(logfd);
	return ret;
}

/* ---- helpers ---- */

int image_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return vb_error("cannot open lock %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		vb_info("image: another build holds %s, waiting for it", path);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			return vb_error("cannot lock %s: %s", path, strerror(errno));
		}
	}
	return fd;
}

int image_rm_rf(const char *path)
{
	char *argv[] = { "rm", "-rf", "--one-file-system", (char *)path, NULL };
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	return image_run(argv, NULL, NULL);
}

int image_copy(const char *from, const char *to, int mode)
{
	struct sb sb = SB_INIT;
	int ret;

	if (sb_read_file(&sb, from) < 0) {
		ret = vb_error("cannot read %s: %s", from, strerror(errno));
		goto out;
	}
	ret = vb_write_file_atomic(to, sb.buf, sb.len, mode);
out:
	sb_release(&sb);
	return ret;
}

static int image_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The Debian mirror the host's apt uses (deb822 .sources or sources.list),
 * so builds work where only that mirror is reachable. $VIRTBENCH_MIRROR
 * overrides. Owned. */
static char *image_mirror(void)
{
	const char *env = getenv("VIRTBENCH_MIRROR");
	char *found = NULL;
	glob_t g;

	if (env && *env)
		return xstrdup(env);
	if (glob("/etc/apt/sources.list.d/*.sources", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !found; i++) {
			struct sb sb = SB_INIT;
			char **lines;

			if (sb_read_file(&sb, g.gl_pathv[i]) < 0) {
				sb_release(&sb);
				continue;
			}
			lines = vb_split(sb.buf, '\n');
			for (size_t j = 0; lines[j] && !found; j++) {
				const char *l = lines[j];

				if (strncmp(l, "URIs:", 5) != 0)
					continue;
				l += 5;
				l += strspn(l, " \t");
				if (strstr(l, "security"))
					continue;
				found = xstrndup(l, strcspn(l, " \t"));
			}
			vb_strv_free(lines);
			sb_release(&sb);
		}
		globfree(&g);
	}
	if (!found) {
		struct sb sb = SB_INIT;

		if (sb_read_file(&sb, "/etc/apt/sources.list") == 0) {
			char **lines = vb_split(sb.buf, '\n');

			for (size_t j = 0; lines[j] && !found; j++) {
				const char *l = lines[j];

				if (strncmp(l, "deb ", 4) != 0)
					continue;
				l += 4;
				l += strspn(l, " \t");
				if (*l == '[')
					l = strchr(l, ']') ? strchr(l, ']') + 1 : l;
				l += strspn(l, " \t");
				if (strstr(l, "security") || strncmp(l, "http", 4))
					continue;
				found = xstrndup(l, strcspn(l, " \t"));
			}
			vb_strv_free(lines);
		}
		sb_release(&sb);
	}
	return found ? found : xstrdup("http://deb.debian.org/debian");
}

/* ---- the root filesystem ---- */

int image_chroot_install(const char *root, const char *log,
			 const char *const packages[], const char *label)
{
	char *p = NULL, *proc = xasprintf("%s/proc", root);
	const char *argv[64] = { "chroot", root, "env",
				 "DEBIAN_FRONTEND=noninteractive", "apt-get",
				 "install", "-y", "-q", "--no-install-recommends" };
	char *clean[] = { "chroot", (char *)root, "apt-get", "clean", NULL };
	size_t n = 9;
	int ret = -1, mounted = 0;

	for (size_t i = 0; packages[i]; i++) {
		if (n >= VB_ARRAY_SIZE(argv) - 1) {
			vb_error("image: too many packages for one apt-get");
			goto out;
		}
		argv[n++] = packages[i];
	}
	argv[n] = NULL;
	/* Keep package scripts from starting services in the chroot. */
	p = xasprintf("%s/usr/sbin/policy-rc.d", root);
	if (vb_write_file_atomic(p, "#!/bin/sh\nexit 101\n", 19, 0755) < 0)
		goto out;
	if (mount("proc", proc, "proc", 0, NULL) < 0) {
		vb_error("cannot mount proc in %s: %s", root, strerror(errno));
		goto out;
	}
	mounted = 1;
	if (image_run((char *const *)argv, log, label) < 0 ||
	    image_run(clean, log, NULL) < 0)
		goto out;
	ret = 0;
out:
	if (mounted)
		umount2(proc, MNT_DETACH);
	if (p)
		unlink(p);
	free(proc);
	free(p);
	return ret;
}

int image_write_files(const char *root, const struct image_file *files,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct image_file *f = &files[i];
		char *path = xasprintf("%s/%s", root, f->path);
		char *dir = xstrdup(path);
		int r;

		*strrchr(dir, '/') = '\0';
		r = vb_mkdir_p(dir, 0755);
		/* resolv.conf may be a dangling symlink in some trees. */
		unlink(path);
		if (r == 0)
			r = vb_write_file_atomic(path, f->text, strlen(f->text),
						 f->mode);
		free(dir);
		free(path);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int image_configure_rootfs(const char *root, const char *log)
{
	static const char *const extra[] = { image_extra, NULL };

	if (image_chroot_install(root, log, extra,
				 "image: [2/5] installing cloud-init") < 0 ||
	    image_write_files(root, image_files, VB_ARRAY_SIZE(image_files)) < 0)
		return -1;
	{
		char *enable[] = { "chroot", (char *)root, "systemctl", "enable",
				   "systemd-networkd", NULL };
		char *mask[16] = { "chroot", (char *)root, "systemctl", "mask" };
		size_t n = 4;

		for (size_t i = 0; image_masked[i] && n < 15; i++)
			mask[n++] = (char *)image_masked[i];
		mask[n] = NULL;
		if (image_run(enable, log, NULL) < 0 || image_run(mask, log, NULL) < 0)
			return -1;
	}
	/* Host keys made by openssh-server's postinst would be shared by
	 * every guest; each guest gets its own from its seed instead. */
	{
		glob_t g;
		char *pat = xasprintf("%s/etc/ssh/ssh_host_*", root);

		if (glob(pat, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				unlink(g.gl_pathv[i]);
			globfree(&g);
		}
		free(pat);
	}
	return 0;
}

/* A finished build TMP becomes DIR: an older DIR is removed first. */
static int image_replace(const char *tmp, const char *dir)
{
	if (image_rm_rf(dir) < 0)
		return -1;
	if (rename(tmp, dir) < 0)
		return vb_error("cannot rename %s to %s: %s", tmp, dir,
				strerror(errno));
	return 0;
}

int image_rootfs_ensure(char **dir)
{
	char *cache = image_cache_dir(), *base = NULL, *final = NULL;
	char *tmp = NULL, *lockp = NULL, *marker = NULL, *log = NULL;
	char *mirror = NULL, *inc = NULL, *tmpproc = NULL;
	int lockfd = -1, ret = -1;
	double t0;

	*dir = NULL;
	base = xasprintf("%s/rootfs", cache);
	final = xasprintf("%s/%s-%s", base, IMAGE_NAME, image_recipe_hash());
	marker = xasprintf("%s/.virtbench-complete", final);
	if (image_exists(marker))
		goto done;
	if (geteuid() != 0) {
		vb_error("image: building the guest root filesystem needs root "
			 "(debootstrap, chroot): run 'sudo virtbench image build'");
		goto out;
	}
	if (vb_mkdir_p(base, 0755) < 0)
		goto out;
	chmod(cache, 0755);
	lockp = xasprintf("%s.lock", final);
	if ((lockfd = image_lock(lockp)) < 0)
		goto out;
	if (image_exists(marker))
		goto done; /* built by whoever held the lock */

	tmp = xasprintf("%s.tmp", final);
	/* A previous interrupted build may have left proc mounted. */
	tmpproc = xasprintf("%s/proc", tmp);
	umount2(tmpproc, MNT_DETACH);
	if (image_rm_rf(tmp) < 0)
		goto out;
	if (vb_mkdir_p(tmp, 0755) < 0)
		goto out;
	log = xasprintf("%s.log", final);
	unlink(log);
	mirror = image_mirror();
	inc = xasprintf("--include=%s", image_include);
	vb_info("image: [1/5] debootstrap %s from %s (about 70 s; log %s)",
		IMAGE_SUITE, mirror, log);
	t0 = vb_mono_time();
	{
		char *argv[] = { "debootstrap", "--variant=minbase", inc,
				 IMAGE_SUITE, tmp, mirror, NULL };

		if (image_run(argv, log, "image: [1/5] debootstrap") < 0)
			goto out;
	}
	vb_info("image: debootstrap done in %.0f s", vb_mono_time() - t0);
	vb_info("image: [2/5] adding cloud-init and configuring the guest");
	t0 = vb_mono_time();
	if (image_configure_rootfs(tmp, log) < 0)
		goto out;
	vb_info("image: guest configured in %.0f s", vb_mono_time() - t0);
	{
		char *m = xasprintf("%s/.virtbench-complete", tmp);
		const char *h = image_recipe_hash();
		int r = vb_write_file_atomic(m, h, strlen(h), 0644);

		free(m);
		if (r < 0)
			goto out;
	}
	if (image_replace(tmp, final) < 0)
		goto out;
done:
	*dir = final;
	final = NULL;
	ret = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	free(cache);
	free(base);
	free(final);
	free(tmp);
	free(tmpproc);
	free(lockp);
	free(marker);
	free(log);
	free(mirror);
	free(inc);
	return ret;
}

/* ---- the disk image ---- */

char *image_dir_path(const struct image_kind *r)
{
	char *cache = image_cache_dir();
	char *d = xasprintf("%s/images/%s-%s", cache, r->name, r->hash());

	free(cache);
	return d;
}

static int image_load_manifest(const struct image_kind *rc, const char *dir,
			       struct image_info *im)
{
	char *path = xasprintf("%s/image.json", dir);
	struct sb sb = SB_INIT;
	cJSON *j = NULL;
	int ret = 1;

	if (sb_read_file(&sb, path) < 0) {
		if (errno != ENOENT)
			ret = vb_error("cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	j = cJSON_Parse(sb.buf);
	if (!j || !cJSON_IsString(cJSON_GetObjectItem(j, "disk_sha256"))) {
		ret = vb_error("%s: not an image manifest (rebuild with "
			       "'virtbench image build --force')", path);
		goto out;
	}
	image_info_clear(im);
	im->dir = xstrdup(dir);
	im->disk = xasprintf("%s/disk.qcow2", dir);
	im->kernel = xasprintf("%s/vmlinuz", dir);
	im->initrd = xasprintf("%s/initrd.img", dir);
	im->disk_sha256 = xstrdup(cJSON_GetObjectItem(j, "disk_sha256")->valuestring);
	im->kernel_version = xstrdup(cJSON_GetStringValue(
		cJSON_GetObjectItem(j, "kernel_version")));
	im->recipe_hash = xstrdup(rc->hash());
	ret = 0;
out:
	cJSON_Delete(j);
	sb_release(&sb);
	free(path);
	return ret;
}

int image_find_kind(const struct image_kind *r, struct image_info *im)
{
	char *dir = image_dir_path(r);
	int ret = image_load_manifest(r, dir, im);

	free(dir);
	return ret;
}

int image_find(struct image_info *im)
{
	return image_find_kind(&image_guest_kind, im);
}

/* The newest kernel in ROOT/boot and its initrd; version into *ver. */
static int image_find_kernel(const char *root, char **kernel, char **initrd,
			     char **ver)
{
	char *pat = xasprintf("%s/boot/vmlinuz-*", root);
	glob_t g;
	int ret = -1;

	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		vb_error("image: no kernel in %s/boot", root);
		free(pat);
		return -1;
	}
	/* glob sorts; the last is the newest version. */
	*kernel = xstrdup(g.gl_pathv[g.gl_pathc - 1]);
	*ver = xstrdup(strrchr(*kernel, '/') + strlen("/vmlinuz-"));
	*initrd = xasprintf("%s/boot/initrd.img-%s", root, *ver);
	if (!image_exists(*initrd))
		vb_error("image: kernel %s has no initrd %s", *kernel, *initrd);
	else
		ret = 0;
	globfree(&g);
	free(pat);
	return ret;
}

/* Creates the folder that holds DIR (the cache's images/). */
static int image_mkdir_parent(const char *dir)
{
	char *p = xstrdup(dir);
	int ret;

	*strrchr(p, '/') = '\0';
	ret = vb_mkdir_p(p, 0755);
	free(p);
	return ret;
}

/* Steps 3 and 4: the tree ROOTFS as an ext4 file system in a sparse file
 * (no loop mount), converted to TMP/disk.qcow2 (0644); the raw file is
 * removed. The tools' output goes to LOG. */
static int image_make_disk(const struct image_kind *rc, const char *rootfs,
			   const char *tmp, const char *log)
{
	char *raw = xasprintf("%s/disk.raw", tmp);
	char *qcow = xasprintf("%s/disk.qcow2", tmp);
	char *mkfs[] = { "mkfs.ext4", "-q", "-F", "-L", "vbroot", "-d",
			 (char *)rootfs, raw, (char *)rc->disk_size, NULL };
	char *convert[] = { "qemu-img", "convert", "-f", "raw", "-O", "qcow2",
			    raw, qcow, NULL };
	double t0;
	int ret = -1;

	vb_info("image: [3/5] mkfs.ext4 -d (%s sparse, no loop mount)",
		rc->disk_size);
	t0 = vb_mono_time();
	if (image_run(mkfs, log, "image: [3/5] mkfs.ext4") < 0)
		goto out;
	vb_info("image: [4/5] qemu-img convert to qcow2 (mkfs took %.0f s)",
		vb_mono_time() - t0);
	if (image_run(convert, log, "image: [4/5] qemu-img") < 0)
		goto out;
	unlink(raw);
	chmod(qcow, 0644);
	ret = 0;
out:
	free(raw);
	free(qcow);
	return ret;
}

/* The newest kernel of ROOTFS and its initrd, copied to TMP/vmlinuz and
 * TMP/initrd.img; *kver gets the kernel's version (owned, also on
 * failure once found). */
static int image_copy_boot(const char *rootfs, const char *tmp, char **kver)
{
	char *kernel = NULL, *initrd = NULL, *p = NULL;
	int ret = -1;

	if (image_find_kernel(rootfs, &kernel, &initrd, kver) < 0)
		goto out;
	p = xasprintf("%s/vmlinuz", tmp);
	/* Debian installs the kernel 0600; QEMU runs as libvirt-qemu. */
	if (image_copy(kernel, p, 0644) < 0)
		goto out;
	free(p);
	p = xasprintf("%s/initrd.img", tmp);
	if (image_copy(initrd, p, 0644) < 0)
		goto out;
	ret = 0;
out:
	free(kernel);
	free(initrd);
	free(p);
	return ret;
}

/* TMP/image.json: the recipe's name and hash, the SHA-256 of
 * TMP/disk.qcow2, the kernel version, the cached tree it was made from
 * (ROOTFS; NULL when the tree was built in TMP) and the time. */
static int image_write_manifest(const struct image_kind *rc, const char *tmp,
				const char *rootfs, const char *kver)
{
	char *qcow = xasprintf("%s/disk.qcow2", tmp), *path = NULL;
	char *mtext = NULL, sha[65], now[32];
	cJSON *man = NULL;
	int ret = -1;

	if (vb_sha256_file(qcow, sha) < 0) {
		vb_error("cannot hash %s: %s", qcow, strerror(errno));
		goto out;
	}
	man = cJSON_CreateObject();
	cJSON_AddStringToObject(man, "name", rc->name);
	cJSON_AddStringToObject(man, "recipe_hash", rc->hash());
	cJSON_AddStringToObject(man, "disk_sha256", sha);
	cJSON_AddStringToObject(man, "kernel_version", kver);
	if (rootfs)
		cJSON_AddStringToObject(man, "rootfs", rootfs);
	cJSON_AddStringToObject(man, "built_at", vb_now_iso(now, sizeof(now)));
	mtext = cJSON_Print(man);
	path = xasprintf("%s/image.json", tmp);
	if (vb_write_file_atomic(path, mtext, strlen(mtext), 0644) < 0)
		goto out;
	ret = 0;
out:
	cJSON_Delete(man);
	free(mtext);
	free(qcow);
	free(path);
	return ret;
}

/*
 * Builds rc's image in DIR.tmp - the recipe's tree, the disk, kernel,
 * initrd and manifest - then moves it to DIR, replacing an older one. The
 * caller holds the build lock; DIR.log gets the tools' output. On failure
 * DIR.tmp is removed and DIR is as it was, or gone.
 */
static int image_assemble(const struct image_kind *rc, const char *dir)
{
	char *tmp = xasprintf("%s.tmp", dir), *log = NULL;
	char *rootfs = NULL, *kver = NULL;
	int ret = -1, rootfs_tmp;

	if (image_rm_rf(tmp) < 0 || vb_mkdir_p(tmp, 0755) < 0)
		goto out;
	log = xasprintf("%s.log", dir);
	unlink(log);
	/* A recipe may build its tree inside tmp (used once, removed with
	 * it) or return a cached one. */
	if (rc->rootfs(tmp, log, &rootfs) < 0)
		goto out;
	rootfs_tmp = !strncmp(rootfs, tmp, strlen(tmp));
	if (image_make_disk(rc, rootfs, tmp, log) < 0)
		goto out;
	vb_info("image: [5/5] kernel, initrd and manifest");
	if (image_copy_boot(rootfs, tmp, &kver) < 0)
		goto out;
	if (rootfs_tmp && image_rm_rf(rootfs) < 0)
		goto out;
	if (image_write_manifest(rc, tmp, rootfs_tmp ? NULL : rootfs, kver) < 0)
		goto out;
	if (image_replace(tmp, dir) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		image_rm_rf(tmp);
	free(tmp);
	free(log);
	free(rootfs);
	free(kver);
	return ret;
}

int image_build_kind(const struct image_kind *rc, int force,
		       struct image_info *im)
{
	char *dir = image_dir_path(rc), *lockp = NULL;
	int lockfd = -1, ret = -1;
	double tstart = vb_mono_time();

	memset(im, 0, sizeof(*im));
	if (!force && image_load_manifest(rc, dir, im) == 0) {
		vb_info("image: cached at %s", dir);
		ret = 0;
		goto out;
	}
	if (geteuid() != 0) {
		vb_error("image: building the %s image needs root (debootstrap, "
			 "chroot): run it with sudo", rc->name);
		goto out;
	}
	if (image_mkdir_parent(dir) < 0)
		goto out;
	lockp = xasprintf("%s.lock", dir);
	if ((lockfd = image_lock(lockp)) < 0)
		goto out;
	/* Built by another process while this one waited for the lock. */
	if (!force && image_load_manifest(rc, dir, im) == 0) {
		ret = 0;
		goto out;
	}
	if (image_assemble(rc, dir) < 0)
		goto out;
	if (image_load_manifest(rc, dir, im) != 0)
		goto out;
	vb_info("image: built %s in %.0f s", dir, vb_mono_time() - tstart);
	ret = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	free(dir);
	free(lockp);
	return ret;
}

/* The guest recipe's tree is cached (the Docker image is made from it). */
static int image_guest_rootfs(const char *tmp, const char *log, char **rootfs)
{
	(void)tmp;
	(void)log;
	return image_rootfs_ensure(rootfs);
}

const struct image_kind image_guest_kind = {
	.name = IMAGE_NAME, .hash = image_recipe_hash,
	.rootfs = image_guest_rootfs, .disk_size = "4G",
};

int image_build(int force, struct image_info *im)
{
	return image_build_kind(&image_guest_kind, force, im);
}
