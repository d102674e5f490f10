/*
 * platform/libvirt/platform_libvirt.c - the kvm and qemu platforms: a libvirt guest
 * per platform, created from a base image and reached over SSH.
 *
 * start(): a linked-clone qcow2 overlay on the base image, a NoCloud seed
 * with a per-run client key and a guest host key generated here (so the
 * host key is verified strictly from the first connection), domain XML
 * from the settings (libvirt_xml.c), virDomainCreateXML (a transient
 * domain: nothing persistent to forget), then a watch loop until SSH works:
 * domain state, console progress, SSH attempts, a deadline. KVM is watched
 * closely because on some hosts the start "succeeds" and the guest then
 * hangs in the decompressor until QEMU pauses it with internal-error
 * minutes later: no kernel output within KVM_CONSOLE_DEADLINE seconds, or
 * any pause we did not ask for, ends the attempt with a clear reason.
 *
 * Files live in opts->state_dir/<domain name>/ (overlay, seed, client key,
 * console log, owner record); the domain's <metadata> names the owning
 * process (common/owner.h) and that directory, so "virtbench cleanup" removes what a
 * SIGKILLed run left (whatever --state-dir it used) and spares the guests
 * of live runs. Teardown is idempotent.
 *
 * Host facts this code relies on (libvirt 9.0, QEMU 7.2): QEMU runs as
 * libvirt-qemu, so every directory above the files needs o+x; libvirt's
 * passt backend is refused and <interface type='user'> has no port
 * forwards (see libvirt_xml.c); a /dev/kvm left 0600 by a missing udev
 * makes libvirt re-probe QEMU on every call (~35 s per start; doctor warns).
 */
#define _GNU_SOURCE
#include "platform/libvirt/platform_libvirt.h"
#include "platform/libvirt/cidata.h"
#include "image/image.h"
#include "platform/libvirt/libvirt_remote.h"
#include "platform/libvirt/libvirt_xml.h"
#include "platform/ssh/ssh.h"
#include "common/owner.h"
#include "common/run.h"
#include "common/util.h"

#include <arpa/inet.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <glob.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern volatile sig_atomic_t collect_stop_requested __attribute__((weak));

#define LV_DEFAULT_URI "qemu:///system"
#define LV_DEFAULT_NET "libvirt:default"
#define LV_BOOT_TIMEOUT 240.0   /* TCG + cloud-init first boot: ~30 s */
#define KVM_CONSOLE_DEADLINE 20.0 /* KVM prints the kernel banner in ~1 s */
#define TCG_CONSOLE_DEADLINE 90.0
#define LV_DISK_SIZE "8G"       /* sysbench fileio prepares 1 GiB */
#define LV_DISK_BYTES (8ULL << 30)
/* root= names the disk on its bus (lvxml_disk_dev). The image's fstab
 * names /dev/vda, so on another bus the guest ignores it (fstab=0, a
 * systemd option) and the initramfs mounts the root read-write.
 * loglevel=6 keeps the kernel's notices (its "Linux version" banner, which
 * the boot watch looks for) and drops its info lines, and systemd prints
 * unit status only when something fails or is slow: every byte on the
 * serial port is a VM exit, dear under nested KVM (the L2 guest of make
 * test-kvm reached SSH in 108 s instead of 131 s, one boot each). A unit given 90 s to
 * start fails for good on a slow emulated guest (ssh.service did, in a
 * nested boot at load 15): 900 s. The image's cloud-init needs only its
 * network stage (networking is networkd's, the seed a local disk), so its
 * local stage is masked. Together: SSH after 0.83x the time of a direct
 * boot with the plain command line (bench/provision.sh, BENCHMARKS.md).
 * Only our own images boot with this command line (--image boots from
 * its disk). */
#define LV_CMDLINE "console=ttyS0 loglevel=6 systemd.show_status=auto " \
	"systemd.default_timeout_start_sec=900 "\
	"systemd.mask=cloud-init-local.service root=/dev/"
#define LV_CMDLINE_NOT_VDA " rw fstab=0"
#define LV_GUEST_WORKDIR "/var/tmp/virtbench"

struct lv_priv {
	virConnectPtr conn;
	virDomainPtr dom;
	int kvm;
	char *uri, *domname, *dir, *overlay, *seed, *console, *client_key;
	char *pidfile, *xml, *host_pub, *base, *kernel, *initrd, *image_sha;
	char *owner;       /* our owner record (common/owner.h) */
	char *cpu_mode, *net, *guest_ip, *cmdline;
	/* The disk: cache mode, bus, I/O mode (NULL: QEMU's default,
	 * threads), format ("qcow2" overlay or "raw" copy); borrowed from
	 * the settings or options. disk is its path here. */
	const char *cache, *bus, *io, *format;
	char *disk;
	/* What the guest itself reports (its root disk's sysfs path and
	 * write cache, CPUs, memory, CPU model), and the comparison of the
	 * settings with what QEMU and the guest show (describe: verified). */
	cJSON *seen, *verified;
	int port, vcpus, memory_mib, own_image;
	char *own_run_dir; /* run dir we made (no opts->state_dir) */
	char *lost;        /* why the guest went away mid-run */
	struct vbssh *ssh;
	cJSON *tools;
	/* The accelerator as the guest itself sees it (lv_accel_from_guest),
	 * and the facts it was read from; NULL until measured. */
	char *accel_measured, *accel_evidence;
	/* Another image and CPU mode (platform_libvirt_start_guest). */
	const struct platform_libvirt_guest *guest;
	double t_start, boot_seconds;
	unsigned long libvirt_version, hv_version;
	/* libvirtd on another host: files are volumes of pool (its directory
	 * pool_path), the guest is reached through proxy, and hostssh runs
	 * the uplink server there (iperf). */
	struct lvr_uri ru;
	virStoragePoolPtr pool;
	char *pool_path, *proxy;
	struct vbssh_bg *iperf;
	struct { char *disk, *seed, *kernel, *initrd, *console; } rp;
	struct vbssh *hostssh;
	double last_sync;
};

/* 1 for the kvm kind, 0 for qemu (a study's platform may be named
 * anything; its kind is separate). */
static int lv_is_kvm(const struct platform *p)
{
	return p->kind ? !strcmp(p->kind, "kvm") :
	       !strncmp(p->name, "kvm", 3) && (p->name[3] == '\0' || p->name[3] == ':');
}

static int lv_stop(void)
{
	return &collect_stop_requested && collect_stop_requested;
}

/* libvirt prints every error to stderr by default; we report our own,
 * once, with context. */
static void lv_silent(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

/* The last libvirt error on one line (QEMU's stderr spans several). */
static const char *lv_err(void)
{
	static char buf[1024];
	const char *m = virGetLastErrorMessage();
	size_t n = 0;

	if (!m)
		return "unknown libvirt error";
	for (; *m && n < sizeof(buf) - 3; m++) {
		if (*m == '\n') {
			if (m[1]) {
				buf[n++] = ';';
				buf[n++] = ' ';
			}
		} else {
			buf[n++] = *m;
		}
	}
	buf[n] = '\0';
	return buf;
}

static int lv_local_uri(const char *uri);

static virConnectPtr lv_connect(const char *uri, char **why)
{
	virConnectPtr c;

	virSetErrorFunc(NULL, lv_silent);
	/* Seen with libvirt 9.0: a reply of a few KiB (domain capabilities)
	 * over the libssh transport waits for the next keepalive, and
	 * without an event loop forever. OpenSSH's transport has no such
	 * problem. */
	if (strstr(uri, "+libssh"))
		vb_warn("%s: the libssh transports can stall on large replies; "
			"prefer qemu+ssh:// (OpenSSH)", uri);
	c = virConnectOpen(uri);
	if (!c && why)
		*why = xasprintf("libvirtd not reachable at %s: %s (%s)", uri,
				 lv_err(), lv_local_uri(uri) ? "start it: "
				 "scripts/start-daemons.sh libvirt, or virtlogd -d "
				 "then libvirtd -d" : "check that 'ssh USER@HOST "
				 "virsh version' works: key login, the host key in "
				 "known_hosts, libvirtd running there");
	return c;
}

/* 1 when uri names libvirtd on this host (files can be shared by path). */
static int lv_local_uri(const char *uri)
{
	struct lvr_uri u;
	int local = lvr_uri_parse(uri, &u) == 0 && !u.remote;

	lvr_uri_clear(&u);
	return local;
}

/* QEMU runs as libvirt-qemu: every directory above the files it opens
 * must be searchable by others. Grants o+x (search only, never read) where
 * it is missing, and says so. */
static int lv_make_searchable(const char *file)
{
	char *d = xstrdup(file), *slash;
	int ret = 0;

	while ((slash = strrchr(d, '/')) && slash != d) {
		struct stat st;

		*slash = '\0';
		if (stat(d, &st) < 0)
			continue;
		if (!(st.st_mode & S_IXOTH)) {
			vb_warn("granting search permission (o+x) on %s so that "
				"QEMU (user libvirt-qemu) can reach %s", d, file);
			if (chmod(d, (st.st_mode & 07777) | S_IXOTH) < 0) {
				ret = vb_error("cannot chmod o+x %s: %s", d,
					       strerror(errno));
				break;
			}
		}
	}
	free(d);
	return ret;
}

static void lv_console_tail(const char *path, int lines, struct sb *out)
{
	struct sb sb = SB_INIT;
	const char *p;
	int n = 0;

	if (!path || sb_read_file(&sb, path) < 0 || sb.len == 0) {
		sb_adds(out, "(console log is empty)\n");
		goto done;
	}
	for (p = sb.buf + sb.len - 1; p > sb.buf; p--)
		if (*p == '\n' && ++n > lines)
			break;
	if (p != sb.buf)
		p++;
	/* Drop terminal control sequences systemd writes to the console. */
	for (; *p; p++) {
		if (*p == '\033') {
			while (p[1] && !((p[1] >= 'A' && p[1] <= 'Z') ||
					 (p[1] >= 'a' && p[1] <= 'z')))
				p++;
			if (p[1])
				p++;
		} else if (*p == '\n' || *p == '\t' ||
			   ((unsigned char)*p >= ' ' && *p != 127)) {
			sb_addc(out, *p);
		}
	}
	if (out->len && out->buf[out->len - 1] != '\n')
		sb_addc(out, '\n');
done:
	sb_release(&sb);
}

static off_t lv_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

static int lv_console_has(const char *path, const char *needle)
{
	struct sb sb = SB_INIT;
	int found = 0;

	if (sb_read_file(&sb, path) == 0 && sb.len)
		found = memmem(sb.buf, sb.len, needle, strlen(needle)) != NULL;
	sb_release(&sb);
	return found;
}

static const char *lv_state_name(int state, int reason)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED:
		switch (reason) {
		case VIR_DOMAIN_PAUSED_USER: return "paused (by request)";
		case VIR_DOMAIN_PAUSED_IOERROR: return "paused (disk I/O error)";
		case VIR_DOMAIN_PAUSED_CRASHED: return "paused (guest crashed)";
		default: return "paused (internal error)";
		}
	case VIR_DOMAIN_SHUTDOWN: return "shutting down";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "suspended by the guest";
	default: return "unknown";
	}
}

/* Describes why the guest is not running (owned), or NULL if it is. */
static char *lv_not_running(struct lv_priv *v)
{
	int state = 0, reason = 0;

	if (!v->dom)
		return xstrdup("guest does not exist");
	if (virDomainGetState(v->dom, &state, &reason, 0) < 0)
		return xasprintf("guest is gone (%s)", lv_err());
	if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED)
		return NULL;
	if (state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_USER)
		return NULL;
	return xasprintf("guest is %s", lv_state_name(state, reason));
}

static void lv_priv_free(struct lv_priv *v)
{
	if (!v)
		return;
	free(v->uri);
	free(v->domname);
	free(v->dir);
	free(v->overlay);
	free(v->disk);
	free(v->cmdline);
	cJSON_Delete(v->seen);
	cJSON_Delete(v->verified);
	free(v->seed);
	free(v->console);
	free(v->client_key);
	free(v->pidfile);
	free(v->owner);
	free(v->xml);
	free(v->host_pub);
	free(v->base);
	free(v->kernel);
	free(v->initrd);
	free(v->image_sha);
	free(v->cpu_mode);
	free(v->net);
	free(v->guest_ip);
	free(v->own_run_dir);
	free(v->lost);
	free(v->accel_measured);
	free(v->accel_evidence);
	free(v->pool_path);
	free(v->proxy);
	free(v->rp.disk);
	free(v->rp.seed);
	free(v->rp.kernel);
	free(v->rp.initrd);
	free(v->rp.console);
	lvr_uri_clear(&v->ru);
	cJSON_Delete(v->tools);
	free(v);
}

/* Destroys the domain (if any) and removes the guest's files: those in
 * dir here and, with pool, its volumes on a remote libvirt host. */
static void lv_remove(virConnectPtr conn, virStoragePoolPtr pool,
		      const char *domname, const char *dir)
{
	virDomainPtr d = conn ? virDomainLookupByName(conn, domname) : NULL;

	if (d) {
		virDomainDestroy(d);
		/* Only persistent domains (none of ours, unless defined by
		 * hand) need undefine; failure on a transient one is fine. */
		virDomainUndefine(d);
		virDomainFree(d);
	}
	if (pool) {
		char *prefix = xasprintf("%s.", domname);

		lvr_delete_prefix(pool, prefix);
		free(prefix);
	}
	if (dir) {
		static const char *const files[] = {
			"overlay.qcow2", "disk.raw", "seed.iso", "id_ed25519", "console.log",
			"owner.pid", "user-data", "meta-data", "domain.xml", NULL
		};
		for (size_t i = 0; files[i]; i++) {
			char *f = xasprintf("%s/%s", dir, files[i]);

			unlink(f);
			free(f);
		}
		if (rmdir(dir) < 0 && errno != ENOENT)
			vb_warn("cannot remove %s: %s", dir, strerror(errno));
	}
}

static void lv_teardown(struct platform *p)
{
	struct lv_priv *v = p->priv;

	if (!v)
		return;
	vbssh_close(v->ssh);
	v->ssh = NULL;
	if (v->dom) {
		virDomainDestroy(v->dom);
		vb_debug("%s: destroyed guest %s", p->name, v->domname);
		virDomainUndefine(v->dom);
		virDomainFree(v->dom);
		v->dom = NULL;
	}
	vbssh_bg_stop(v->iperf);
	v->iperf = NULL;
	vbssh_close(v->hostssh);
	v->hostssh = NULL;
	if (v->domname)
		lv_remove(v->conn, v->pool, v->domname, v->dir);
	if (v->pool) {
		virStoragePoolFree(v->pool);
		v->pool = NULL;
	}
	if (v->own_run_dir) {
		char *f = xasprintf("%s/collector.pid", v->own_run_dir);

		unlink(f);
		free(f);
		rmdir(v->own_run_dir);
	}
	if (v->conn) {
		virConnectClose(v->conn);
		v->conn = NULL;
	}
	p->started = 0;
	p->paused = 0;
	p->priv = NULL;
	lv_priv_free(v);
}

/* Marks the platform unavailable with reason (taking ownership) and
 * reports it. */
static int lv_unavailable(struct platform *p, char *reason)
{
	free(p->unavailable_reason);
	p->unavailable_reason = reason;
	return vb_error("%s: unavailable: %s", p->name, reason);
}

static int lv_guest_exec(struct platform *p, const char *cmd, double timeout,
			 struct exec_result *r);

/* The libvirt network's host address (its <ip address=...>), owned. */
static char *lv_network_host_addr(virConnectPtr conn, const char *name)
{
	virNetworkPtr n = virNetworkLookupByName(conn, name);
	char *xml = n && virNetworkIsActive(n) == 1 ? virNetworkGetXMLDesc(n, 0) :
		    NULL, *ip = NULL, *a;

	if (xml && (a = strstr(xml, "<ip address='"))) {
		a += strlen("<ip address='");
		ip = xstrndup(a, strcspn(a, "'"));
	}
	free(xml);
	if (n)
		virNetworkFree(n);
	return ip;
}

static char *lv_domain_ip(virDomainPtr dom)
{
	virDomainInterfacePtr *ifs = NULL;
	char *ip = NULL;
	int n = virDomainInterfaceAddresses(dom, &ifs,
			VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);

	for (int i = 0; i < n; i++) {
		for (unsigned j = 0; !ip && j < ifs[i]->naddrs; j++)
			if (ifs[i]->addrs[j].type == VIR_IP_ADDR_TYPE_IPV4)
				ip = xstrdup(ifs[i]->addrs[j].addr);
		virDomainInterfaceFree(ifs[i]);
	}
	free(ifs);
	return ip;
}

/* On a remote host the serial console is a file there: mirror what is
 * new into the local console log, at most once a second unless forced. */
static void lv_console_sync(struct lv_priv *v, int force)
{
	struct exec_result r = { 0 };
	char *q, *cmd;
	int fd;

	if (!v->hostssh || (!force && vb_mono_time() - v->last_sync < 1.0))
		return;
	v->last_sync = vb_mono_time();
	q = shell_quote(v->rp.console);
	cmd = xasprintf("tail -c +%lld %s 2>/dev/null",
			(long long)lv_file_size(v->console) + 1, q);
	if (vbssh_exec(v->hostssh, "console", cmd, 10, NULL, &r) == 0 && *r.out &&
	    (fd = open(v->console, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0) {
		if (vb_write_all(fd, r.out, strlen(r.out)) < 0)
			vb_debug("cannot append to %s", v->console);
		close(fd);
	}
	exec_result_clear(&r);
	free(cmd);
	free(q);
}

/* LV_BOOT_TIMEOUT, or $VIRTBENCH_BOOT_TIMEOUT seconds: a TCG guest on a
 * host shared by many boots several times slower. */
static double lv_boot_timeout(void)
{
	const char *e = getenv("VIRTBENCH_BOOT_TIMEOUT");
	double t;

	return e && vb_parse_double(e, &t) == 0 && t > 0 ? t : LV_BOOT_TIMEOUT;
}

/* How much slower than usual this host was declared to be (>= 1): the
 * "no kernel output yet" deadlines and the SSH attempts stretch with the
 * boot timeout, or a guest nested under TCG would be declared hung while
 * merely slow. */
static double lv_slowness(double timeout)
{
	return timeout > LV_BOOT_TIMEOUT ? timeout / LV_BOOT_TIMEOUT : 1.0;
}

/* Says once, as the guest's kernel logs it, that a vCPU of the booting
 * guest stopped making progress: under nested KVM a 2-vCPU guest can lose
 * a vCPU for good (make test-kvm saw CPU 0 stall from 44 s on, the guest
 * never reached SSH); one vCPU avoids it. Checked every 5 s. */
static void lv_note_stall(struct platform *p, double el, double *next)
{
	struct lv_priv *v = p->priv;

	if (*next < 0 || el < *next)
		return;
	*next = el + 5;
	if (!lv_console_has(v->console, "detected stalls on CPUs"))
		return;
	*next = -1;
	vb_warn("%s: the guest's kernel reports an RCU stall %.0f s after "
		"start: a vCPU stopped making progress%s", p->name, el,
		v->kvm && v->vcpus > 1 ? " (seen with nested KVM; "
		"--vcpus 1 avoids it)" : " (an overloaded host?)");
}

/* Waits until SSH works, watching the domain and its console. */
static int lv_wait_ssh(struct platform *p)
{
	struct lv_priv *v = p->priv;
	double timeout = p->opts->boot_timeout > 0 ? p->opts->boot_timeout :
			 lv_boot_timeout();
	double console_deadline = (v->kvm ? KVM_CONSOLE_DEADLINE :
				   TCG_CONSOLE_DEADLINE) * lv_slowness(timeout);
	double t0 = vb_mono_time(), last_try = 0, stall_check = 0;
	int show = vb_progress_wanted(), kernel_seen = 0, ret = -1;
	char *why = NULL, *gone = NULL;
	struct sb tail = SB_INIT;

	for (;;) {
		double now = vb_mono_time(), el = now - t0;
		struct vbssh_opts so = {
			.host = v->guest_ip ? v->guest_ip : "127.0.0.1",
			.port = v->guest_ip ? 22 : v->port,
			.user = "root", .identity = v->client_key,
			.host_key = v->host_pub,
			/* key exchange in a guest nested under TCG on a busy
			 * host takes longer than 5 s */
			.timeout = 5 * lv_slowness(timeout),
		};
		int r;

		if (lv_stop()) {
			vb_error("%s: interrupted while waiting for the guest", p->name);
			goto out;
		}
		lv_console_sync(v, 0);
		if ((gone = lv_not_running(v))) {
			if (show)
				fprintf(stderr, "\r\033[K");
			lv_console_sync(v, 1);
			lv_console_tail(v->console, 15, &tail);
			lv_unavailable(p, xasprintf("%s %.0f s after start%s",
				gone, el, v->kvm ? " (hardware virtualization "
				"does not work on this host: KVM guests fail "
				"here; the qemu platform uses TCG instead)" : ""));
			fprintf(stderr, "--- %s serial console (last lines) ---\n%s",
				p->name, tail.buf);
			goto out;
		}
		if (v->kernel && !kernel_seen) {
			kernel_seen = lv_console_has(v->console, "Linux version");
			if (!kernel_seen && el > console_deadline) {
				if (show)
					fprintf(stderr, "\r\033[K");
				lv_unavailable(p, xasprintf("domain is running but the "
					"guest made no progress: no kernel output on "
					"the serial console %.0f s after start%s",
					el, v->kvm ? " (KVM cannot run guests on this "
					"host, e.g. nested virtualization without the "
					"needed CPU features; use the qemu platform)" :
					""));
				goto out;
			}
		}
		if (!v->kernel || kernel_seen) {
			lv_note_stall(p, el, &stall_check);
			if (p->opts->network && !strncmp(p->opts->network, "libvirt:", 8)
			    && !v->guest_ip)
				v->guest_ip = lv_domain_ip(v->dom);
			if ((v->guest_ip || !strcmp(v->net, "user")) &&
			    now - last_try >= 1.0) {
				last_try = now;
				free(why);
				why = NULL;
				so.host = v->guest_ip ? v->guest_ip : "127.0.0.1";
				so.port = v->guest_ip ? 22 : v->port;
				if (v->ru.remote && !v->proxy)
					v->proxy = lvr_proxy_command(&v->ru, so.host,
								     so.port);
				so.proxy_command = v->proxy;
				r = vbssh_connect(&so, &v->ssh, &why);
				if (r == VBSSH_OK)
					break;
				if (r == VBSSH_HOSTKEY) {
					if (show)
						fprintf(stderr, "\r\033[K");
					lv_unavailable(p, xasprintf("connection refused: %s",
								    why));
					goto out;
				}
			}
		}
		if (el > timeout) {
			if (show)
				fprintf(stderr, "\r\033[K");
			lv_console_sync(v, 1);
			lv_console_tail(v->console, 20, &tail);
			lv_unavailable(p, xasprintf("guest not reachable over SSH "
				"after %.0f s (last attempt: %s; the boot timeout "
				"is VIRTBENCH_BOOT_TIMEOUT)", el,
				why ? why : "none yet"));
			fprintf(stderr, "--- %s serial console %s (last lines) ---\n%s",
				p->name, v->console, tail.buf);
			goto out;
		}
		if (show)
			fprintf(stderr, "\r\033[K%s: booting, waiting for SSH %3.0f s "
				"(console %ld bytes)", p->name, el,
				(long)lv_file_size(v->console));
		usleep(200 * 1000);
	}
	if (show)
		fprintf(stderr, "\r\033[K");
	v->boot_seconds = vb_mono_time() - v->t_start;
	vb_info("%s: guest %s up, SSH after %.1f s", p->name, v->domname,
		v->boot_seconds);
	ret = 0;
out:
	free(gone);
	free(why);
	sb_release(&tail);
	return ret;
}

/* ---- what the guest got: settings verified ------------------------------ */

/* Shell lines (KEY=VALUE, keys "seen_*") reporting what the guest sees of
 * its root disk, CPUs, memory and CPU model; run with the tool versions. */
#define LV_SEEN_SCRIPT \
	"d=$(awk '$2==\"/\"{print $1; exit}' /proc/self/mounts); b=${d#/dev/}; " \
	"echo \"seen_root=$d\"; " \
	"echo \"seen_sysfs=$(readlink -f /sys/class/block/$b 2>/dev/null)\"; " \
	"echo \"seen_write_cache=$(cat /sys/class/block/$b/queue/write_cache 2>/dev/null)\"; " \
	"echo \"seen_cpus=$(nproc)\"; " \
	"echo \"seen_mem_kib=$(awk '/^MemTotal:/{print $2}' /proc/meminfo)\"; " \
	"echo \"seen_cpu_model=$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo)\""

static const char *lv_jstr(const cJSON *o, const char *key)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(e) ? e->valuestring : NULL;
}

/* The bus of a block device from its sysfs path in the guest: virtio-blk
 * devices hang off a virtio device; virtio-scsi ones off a SCSI host
 * under a virtio device; SATA ones off an ata port. NULL: unknown. */
static const char *lv_bus_from_sysfs(const char *path)
{
	if (!path)
		return NULL;
	if (strstr(path, "/ata"))
		return "sata";
	if (strstr(path, "/virtio") && strstr(path, "/host"))
		return "scsi";
	if (strstr(path, "/virtio"))
		return "virtio";
	return NULL;
}

/* QEMU's own command line (local libvirtd only), NUL-separated args as
 * a list, or NULL. */
static char **lv_qemu_argv(const struct lv_priv *v)
{
	struct sb pid = SB_INIT, cmd = SB_INIT;
	char *pidf = xasprintf("/run/libvirt/qemu/%s.pid", v->domname), *path;
	char **argv = NULL;
	size_t n = 0;

	if (sb_read_file(&pid, pidf) == 0 && pid.len) {
		path = xasprintf("/proc/%ld/cmdline", strtol(pid.buf, NULL, 10));
		if (sb_read_file(&cmd, path) == 0 && cmd.len) {
			for (size_t i = 0; i < cmd.len; i += strlen(cmd.buf + i) + 1) {
				argv = xrealloc(argv, (n + 2) * sizeof(*argv));
				argv[n++] = xstrdup(cmd.buf + i);
			}
			argv[n] = NULL;
		}
		free(path);
	}
	sb_release(&pid);
	sb_release(&cmd);
	free(pidf);
	return argv;
}

/* The JSON argument after every "-opt" whose string field key equals
 * value (first match; owned), or NULL. */
static cJSON *lv_qemu_arg(char **argv, const char *opt, const char *key,
			  const char *value)
{
	for (size_t i = 0; argv && argv[i] && argv[i + 1]; i++) {
		cJSON *j, *f;

		if (strcmp(argv[i], opt) || argv[i + 1][0] != '{')
			continue;
		j = cJSON_Parse(argv[i + 1]);
		f = cJSON_GetObjectItemCaseSensitive(j, key);
		if (cJSON_IsString(f) && !strcmp(f->valuestring, value))
			return j;
		cJSON_Delete(j);
	}
	return NULL;
}

static int lv_json_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* What QEMU was told for the disk under test, from its command line:
 * cache mode (from the file node's cache flags and the device's
 * write-cache), aio, the format driver and the device model. */
static void lv_qemu_disk(const struct lv_priv *v, cJSON *q)
{
	char **argv = lv_qemu_argv(v);
	cJSON *file, *fmt = NULL, *dev = NULL, *c;
	const char *node, *aio, *wc;
	int direct, noflush, wc_on;

	file = lv_qemu_arg(argv, "-blockdev", "filename", v->disk);
	if (!file) {
		cJSON_AddStringToObject(q, "error", argv ? "disk not found in "
					"QEMU's command line" : "QEMU's command "
					"line is not readable here");
		goto out;
	}
	node = lv_jstr(file, "node-name");
	fmt = node ? lv_qemu_arg(argv, "-blockdev", "file", node) : NULL;
	node = fmt ? lv_jstr(fmt, "node-name") : NULL;
	dev = node ? lv_qemu_arg(argv, "-device", "drive", node) : NULL;
	c = cJSON_GetObjectItemCaseSensitive(file, "cache");
	direct = lv_json_true(c, "direct");
	noflush = lv_json_true(c, "no-flush");
	wc = dev ? lv_jstr(dev, "write-cache") : NULL;
	wc_on = !wc || strcmp(wc, "off");
	cJSON_AddStringToObject(q, "disk_cache", noflush ? "unsafe" : direct ?
				(wc_on ? "none" : "directsync") :
				(wc_on ? "writeback" : "writethrough"));
	aio = lv_jstr(file, "aio");
	cJSON_AddStringToObject(q, "disk_io", aio ? aio : "threads");
	if (fmt && lv_jstr(fmt, "driver"))
		cJSON_AddStringToObject(q, "disk_format", lv_jstr(fmt, "driver"));
	if (dev && lv_jstr(dev, "driver"))
		cJSON_AddStringToObject(q, "device", lv_jstr(dev, "driver"));
out:
	/* The CPU model QEMU was given ("host" for host-passthrough; libvirt
	 * expands host-model into a named model) and the NIC's backend. */
	for (size_t i = 0; argv && argv[i] && argv[i + 1]; i++) {
		if (!strcmp(argv[i], "-cpu")) {
			char *m = xstrndup(argv[i + 1], strcspn(argv[i + 1], ","));

			cJSON_AddStringToObject(q, "cpu", m);
			free(m);
		} else if (!strcmp(argv[i], "-netdev") && !lv_jstr(q, "netdev")) {
			cJSON_AddStringToObject(q, "netdev",
				!strncmp(argv[i + 1], "user,", 5) ? "user" :
				strstr(argv[i + 1], "\"tap\"") ||
				!strncmp(argv[i + 1], "tap,", 4) ? "tap" : "other");
		}
	}
	cJSON_Delete(file);
	cJSON_Delete(fmt);
	cJSON_Delete(dev);
	vb_strv_free(argv);
}

/* One entry of "verified": what was asked, what was observed and where,
 * and whether they agree. A mismatch is warned: the run goes on, and
 * the report reads the record. */
static void lv_verify_one(struct platform *p, const char *key,
			  const char *asked, const char *seen, const char *how)
{
	struct lv_priv *v = p->priv;
	cJSON *e = cJSON_AddObjectToObject(v->verified, key);
	int ok = asked && seen && !strcmp(asked, seen);

	cJSON_AddStringToObject(e, "requested", asked ? asked : "");
	if (seen)
		cJSON_AddStringToObject(e, "observed", seen);
	else
		cJSON_AddNullToObject(e, "observed");
	cJSON_AddStringToObject(e, "how", how);
	cJSON_AddBoolToObject(e, "ok", ok);
	if (!ok)
		vb_warn("%s: %s is %s, asked for %s (%s)", p->name, key,
			seen ? seen : "not observable", asked ? asked : "?", how);
}

/* Checks each disk, CPU and memory setting against QEMU's command line
 * (local libvirtd) and the guest's own view. */
static void lv_verify(struct platform *p)
{
	struct lv_priv *v = p->priv;
	cJSON *q = cJSON_CreateObject();
	const char *sysfs = lv_jstr(v->seen, "seen_sysfs");
	const char *wcache = lv_jstr(v->seen, "seen_write_cache");
	char num[32];
	long n = 0;

	cJSON_Delete(v->verified);
	v->verified = cJSON_CreateObject();
	if (!v->ru.remote)
		lv_qemu_disk(v, q);
	lv_verify_one(p, "disk_cache", v->cache, lv_jstr(q, "disk_cache"),
		      "QEMU's -blockdev cache flags and the device's write-cache");
	/* The guest sees a volatile write cache except in the write-through
	 * modes, where QEMU turns it off. */
	if (wcache) {
		int wt = !strcmp(v->cache, "writethrough") ||
			 !strcmp(v->cache, "directsync");

		lv_verify_one(p, "guest_write_cache", wt ? "write through" :
			      "write back", wcache,
			      "the guest's /sys/block/DEV/queue/write_cache");
	}
	lv_verify_one(p, "disk_io", v->io ? v->io : "threads",
		      lv_jstr(q, "disk_io"), "QEMU's -blockdev aio");
	lv_verify_one(p, "disk_format", v->format, lv_jstr(q, "disk_format"),
		      "QEMU's format node driver");
	lv_verify_one(p, "disk_bus", v->bus, lv_bus_from_sysfs(sysfs),
		      "the guest's sysfs path of its root disk");
	snprintf(num, sizeof(num), "%d", v->vcpus);
	lv_verify_one(p, "vcpus", num, lv_jstr(v->seen, "seen_cpus"),
		      "nproc in the guest");
	/* MemTotal is below the configured size by what the firmware and
	 * kernel keep: agree when within 15 %. */
	if (lv_jstr(v->seen, "seen_mem_kib"))
		vb_parse_long(lv_jstr(v->seen, "seen_mem_kib"), &n);
	{
		char mem[32], seen[32];

		snprintf(mem, sizeof(mem), "%d", v->memory_mib);
		snprintf(seen, sizeof(seen), "%d", n / 1024 <= v->memory_mib &&
			 n / 1024 >= v->memory_mib * 85 / 100 ? v->memory_mib :
			 (int)(n / 1024));
		lv_verify_one(p, "memory", mem, n ? seen : NULL,
			      "MemTotal in the guest, within 15 %");
	}
	if (lv_jstr(q, "cpu")) {
		const char *c = lv_jstr(q, "cpu");
		/* host-model is expanded by libvirt into the closest named
		 * model: anything but "host" is that. */
		const char *seen = !strcmp(c, "host") ? "host-passthrough" :
				   !strcmp(v->cpu_mode, "host-model") ? "host-model" :
				   /* libvirt's mode "maximum" is QEMU's "max" */
				   !strcmp(c, "max") && !strcmp(v->cpu_mode, "maximum") ?
				   "maximum" : c;

		lv_verify_one(p, "cpu_mode", v->cpu_mode, seen, "QEMU's -cpu");
	}
	if (lv_jstr(q, "netdev")) {
		const char *nd = lv_jstr(q, "netdev");

		lv_verify_one(p, "network", v->net, !strcmp(nd, "user") ? "user" :
			      !strcmp(nd, "tap") && !strncmp(v->net, "libvirt:", 8) ?
			      v->net : nd, "QEMU's -netdev (user: slirp; a libvirt "
			      "network: tap)");
	}
	if (cJSON_GetObjectItemCaseSensitive(q, "device"))
		cJSON_AddStringToObject(v->verified, "qemu_device",
					lv_jstr(q, "device"));
	if (lv_jstr(v->seen, "seen_cpu_model"))
		cJSON_AddStringToObject(v->verified, "guest_cpu_model",
					lv_jstr(v->seen, "seen_cpu_model"));
	if (sysfs)
		cJSON_AddStringToObject(v->verified, "guest_disk_sysfs", sysfs);
	if (lv_jstr(q, "error"))
		cJSON_AddStringToObject(v->verified, "qemu_note",
					lv_jstr(q, "error"));
	cJSON_Delete(q);
}

const char *platform_libvirt_accelerator(const char *flag, const char *detected,
					 const char *clocksources)
{
	/* Linux names the hypervisor whose CPUID signature (leaf
	 * 0x40000000) it found ("Hypervisor detected: KVM") and offers
	 * kvm-clock only under KVM; QEMU's TCG sets the CPUID hypervisor bit
	 * but gives no signature Linux knows. */
	if (!strcmp(detected, "KVM") || strstr(clocksources, "kvm-clock"))
		return "kvm";
	if (!strcmp(flag, "yes") && !*detected)
		return "tcg";
	if (!strcmp(flag, "no"))
		return "none";
	return "unknown";
}

/* Records the accelerator from what the guest's kernel reported (the
 * seen_hypervisor_* and seen_clocksources lines), never from the domain
 * XML. A result other than the domain type asked for is warned about:
 * the numbers would not be what the platform's name says. */
static void lv_accel_from_guest(struct platform *p)
{
	struct lv_priv *v = p->priv;
	const char *flag = lv_jstr(v->seen, "seen_hypervisor_flag");
	const char *det = lv_jstr(v->seen, "seen_hypervisor_detected");
	const char *cs = lv_jstr(v->seen, "seen_clocksources");
	const char *acc;

	flag = flag ? flag : "";
	det = det ? det : "";
	cs = cs ? cs : "";
	acc = platform_libvirt_accelerator(flag, det, cs);
	free(v->accel_measured);
	free(v->accel_evidence);
	v->accel_measured = xstrdup(acc);
	v->accel_evidence = xasprintf("in the guest: cpuid hypervisor bit %s; "
				      "kernel detected hypervisor: %s; "
				      "clocksources: %s", *flag ? flag : "unknown",
				      *det ? det : "none", *cs ? cs : "unknown");
	if (strcmp(acc, v->kvm ? "kvm" : "tcg"))
		vb_warn("%s: the guest reports accelerator %s, not %s (%s)",
			p->name, acc, v->kvm ? "kvm" : "tcg", v->accel_evidence);
	else
		vb_debug("%s: accelerator %s (%s)", p->name, acc, v->accel_evidence);
}

/* Prepares the guest's work directory and records the tool versions
 * inside it, in one exec: under TCG every round trip and process start
 * costs, and this is on the provisioning path. Lines are KEY=VALUE so a
 * missing tool leaves its value empty instead of shifting the others.
 * For foreign cloud images it first waits for cloud-init (which may still
 * be installing the tools). */
static int lv_prepare_guest(struct platform *p)
{
	struct lv_priv *v = p->priv;
	struct exec_result r = { 0 };
	struct sb cmd = SB_INIT;
	char **lines = NULL;
	int ret = -1;

	sb_adds(&cmd, "mkdir -p " LV_GUEST_WORKDIR " || exit 1; ");
	if (!v->own_image)
		sb_adds(&cmd, "command -v cloud-init >/dev/null && "
			"cloud-init status --wait >/dev/null; ");
	sb_adds(&cmd, "v() { \"$@\" 2>/dev/null | { read -r l; echo \"$l\"; }; }; "
		"echo \"sysbench=$(v sysbench --version)\"; "
		"echo \"iperf3=$(v iperf3 --version)\"; "
		"echo \"fio=$(v fio --version)\"; "
		"echo \"kernel=$(uname -r)\"; " LV_SEEN_SCRIPT "; "
		/* What the guest's own kernel found (lv_accel_from_guest). */
		"echo \"seen_hypervisor_flag=$(grep -qw hypervisor /proc/cpuinfo && "
		"echo yes || echo no)\"; "
		"echo \"seen_hypervisor_detected=$(dmesg 2>/dev/null | sed -n "
		"'s/.*Hypervisor detected: *//p' | head -n 1)\"; "
		"echo \"seen_clocksources=$(cat /sys/devices/system/clocksource/"
		"clocksource0/available_clocksource 2>/dev/null)\"");
	/* A guest that has just answered SSH on a loaded host may still be
	 * starting services: give the first command time. */
	if (lv_guest_exec(p, cmd.buf, v->own_image ? 300 : 900, &r) < 0)
		goto out;
	if (r.exit_status != 0) {
		vb_error("%s: cannot prepare %s in the guest: %s", p->name,
			 LV_GUEST_WORKDIR, r.timed_out ? "timed out" : *r.err ?
			 r.err : "exit status not 0");
		goto out;
	}
	v->tools = cJSON_CreateObject();
	v->seen = cJSON_CreateObject();
	lines = vb_split(r.out, '\n');
	for (size_t i = 0; lines[i]; i++) {
		char *eq = strchr(lines[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		cJSON_AddStringToObject(strncmp(lines[i], "seen_", 5) ? v->tools :
					v->seen, lines[i], eq + 1);
	}
	lv_accel_from_guest(p);
	ret = 0;
out:
	vb_strv_free(lines);
	exec_result_clear(&r);
	sb_release(&cmd);
	return ret;
}

/* "qcow2" or "raw", from the image's magic. */
static const char *lv_image_format(const char *path)
{
	char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, magic, 4) != 4)
			magic[0] = 0;
		close(fd);
	}
	return memcmp(magic, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

/* An SSH session to the remote libvirt host itself, with the URI's
 * user, key and known_hosts (strictly verified, like the guests): the
 * guest's console log is read and the uplink server run through it. The
 * guest is reached through the same host (lvr_proxy_command). */
static int lv_host_ssh(struct platform *p)
{
	struct lv_priv *v = p->priv;
	struct passwd *pw = getpwuid(getuid());
	struct vbssh_opts so = {
		.host = v->ru.host, .port = v->ru.port,
		.user = v->ru.user ? v->ru.user : pw ? pw->pw_name : "root",
		.identity = v->ru.keyfile, .known_hosts = v->ru.known_hosts,
		.timeout = 10,
	};
	char *why = NULL;
	int ret = 0;

	if (vbssh_connect(&so, &v->hostssh, &why) != VBSSH_OK)
		ret = lv_unavailable(p, xasprintf("libvirt host %s not reachable "
			"over SSH (needed to reach the guest and read its "
			"console): %s", v->ru.host, why));
	free(why);
	return ret;
}

/* Places the guest's files on the remote libvirt host as volumes: base,
 * kernel and initrd cached by content, the overlay on the base, the seed;
 * the console log is a file there too (written by virtlogd), mirrored
 * into the local console log while the guest boots. */
static int lv_remote_files(struct platform *p)
{
	struct lv_priv *v = p->priv;
	const char *fmt = lv_image_format(v->base);
	const char *local[2] = { v->kernel, v->initrd };
	char **remote[2] = { &v->rp.kernel, &v->rp.initrd };
	char *why = NULL, *name = NULL, *base = NULL;
	int ret = -1;

	if (lv_host_ssh(p) < 0)
		return -1;
	if (!(v->pool = lvr_pool(v->conn, &v->pool_path, &why)))
		return lv_unavailable(p, why);
	name = xasprintf("virtbench-base-%.16s.%s", v->image_sha, fmt);
	if (lvr_upload_cached(v->pool, v->base, name, &base, &why) < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		char sha[65];

		if (!local[i])
			continue;
		if (vb_sha256_file(local[i], sha) < 0) {
			why = xasprintf("cannot read %s: %s", local[i],
					strerror(errno));
			goto out;
		}
		free(name);
		name = xasprintf("virtbench-%s-%.16s", i ? "initrd" : "kernel", sha);
		if (lvr_upload_cached(v->pool, local[i], name, remote[i], &why) < 0)
			goto out;
	}
	free(name);
	name = xasprintf("%s.overlay.qcow2", v->domname);
	if (lvr_overlay(v->pool, name, base, fmt, LV_DISK_BYTES, &v->rp.disk,
			&why) < 0)
		goto out;
	free(name);
	name = xasprintf("%s.seed.iso", v->domname);
	if (lvr_upload(v->pool, v->seed, name, &v->rp.seed, &why) < 0)
		goto out;
	v->rp.console = xasprintf("%s/%s.console.log", v->pool_path, v->domname);
	ret = 0;
out:
	if (ret < 0)
		lv_unavailable(p, xasprintf("on the libvirt host %s: %s",
					    v->ru.host, why));
	free(why);
	free(name);
	free(base);
	return ret;
}

/* Starts "iperf3 -s" on the remote libvirt host where the guest's
 * address for the host leads: its loopback for user-mode networking
 * (10.0.2.2), the network's own address for a libvirt network. Tied to
 * an SSH channel: when the channel closes (teardown, or this process
 * killed) the server is stopped there. Failure only costs the uplink
 * benchmark: warned, not fatal. */
static void lv_remote_iperf(struct platform *p)
{
	struct lv_priv *v = p->priv;
	int user = !strcmp(v->net, "user");
	char *bind = shell_quote(user ? "127.0.0.1" : p->host_addr);
	char *cmd = xasprintf(
		"command -v iperf3 >/dev/null || { echo 'iperf3 is not installed "
		"on the libvirt host' >&2; exit 1; }; "
		/* A port free there is not ours to know from here. */
		"for i in 1 2 3 4 5; do "
		"p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) %% 40000 )); "
		"iperf3 -s -B %s -p $p </dev/null >/dev/null 2>&1 & s=$!; "
		"sleep 0.3; if kill -0 $s 2>/dev/null; then echo $p; "
		"cat >/dev/null; kill $s; exit 0; fi; done; "
		"echo 'iperf3 -s did not start' >&2; exit 1", bind);
	char *line = NULL, *why = NULL;
	long port;

	v->iperf = vbssh_bg_start(v->hostssh, cmd, 15, &line, &why);
	if (v->iperf && vb_parse_long(line, &port) == 0) {
		p->iperf_port = xasprintf("%ld", port);
		vb_info("%s: iperf3 server on %s's %s, port %ld", p->name,
			v->ru.host, user ? "loopback" : p->host_addr, port);
	} else {
		vb_warn("%s: no uplink server on the libvirt host: %s", p->name,
			why ? why : "iperf3 printed no port");
	}
	free(line);
	free(why);
	free(cmd);
	free(bind);
}

/* Settings the guest is started with, from the options: URI, vCPUs,
 * memory, network mode, CPU model. Negative when one is invalid. */
static int lv_settings(struct platform *p)
{
	const struct platform_opts *o = p->opts;
	struct lv_priv *v = p->priv;
	const char *e;

	v->kvm = lv_is_kvm(p);
	v->uri = xstrdup(o->connect_uri ? o->connect_uri : LV_DEFAULT_URI);
	if (lvr_uri_parse(v->uri, &v->ru) < 0)
		return -1;
	v->vcpus = o->vcpus > 0 ? o->vcpus : 2;
	v->memory_mib = o->memory_mib > 0 ? o->memory_mib : 2048;
	/* This instance's own settings (validated by platform_settings_set)
	 * win over the shared options. */
	if ((e = platform_setting(p, "vcpus")))
		v->vcpus = atoi(e);
	if ((e = platform_setting(p, "memory")))
		v->memory_mib = atoi(e);
	v->cache = platform_setting(p, "disk_cache");
	if (!v->cache)
		v->cache = o->disk_cache ? o->disk_cache : "none";
	v->bus = platform_setting(p, "disk_bus");
	if (!v->bus)
		v->bus = "virtio";
	v->io = platform_setting(p, "disk_io");
	v->format = platform_setting(p, "disk_format");
	if (!v->format)
		v->format = "qcow2";
	if (v->io && !strcmp(v->io, "native") && strcmp(v->cache, "none") &&
	    strcmp(v->cache, "directsync"))
		return vb_error("%s: disk_io native needs disk_cache none or "
				"directsync, not %s", p->name, v->cache);
	if (v->ru.remote && !strcmp(v->format, "raw"))
		return vb_error("%s: disk_format raw is not available with a "
				"remote libvirt host (its disk is a qcow2 volume "
				"on the base)", p->name);
	v->cmdline = xasprintf(LV_CMDLINE "%s%s", lvxml_disk_dev(v->bus),
			       strcmp(lvxml_disk_dev(v->bus), "vda") ?
			       LV_CMDLINE_NOT_VDA : "");
	/* --network is shared by all platforms: docker's modes (host, none,
	 * bridge) mean nothing here and leave the guest on its default, a
	 * libvirt network; "user" is loopback-only user-mode networking. */
	if ((e = platform_setting(p, "network")))
		v->net = xstrdup(e);
	else if (!o->network || !strcmp(o->network, "default") ||
	    !strcmp(o->network, "host") || !strcmp(o->network, "none") ||
	    !strcmp(o->network, "bridge"))
		v->net = xstrdup(LV_DEFAULT_NET);
	else
		v->net = xstrdup(o->network);
	if (strcmp(v->net, "user") && strncmp(v->net, "libvirt:", 8))
		return vb_error("%s: network mode '%s' unknown (user, libvirt:NAME)",
				p->name, v->net);
	/* TCG cannot pass the host CPU through; qemu64 is QEMU's own
	 * baseline model, named explicitly so the record says what ran. */
	v->cpu_mode = xstrdup(v->kvm ? "host-passthrough" : "qemu64");
	/* $VIRTBENCH_KVM_CPU picks another KVM CPU mode or model (e.g.
	 * host-model, qemu64) where host-passthrough cannot run. */
	if (v->kvm && getenv("VIRTBENCH_KVM_CPU") && *getenv("VIRTBENCH_KVM_CPU")) {
		free(v->cpu_mode);
		v->cpu_mode = xstrdup(getenv("VIRTBENCH_KVM_CPU"));
	}
	if ((e = platform_setting(p, "cpu_mode"))) {
		free(v->cpu_mode);
		v->cpu_mode = xstrdup(e);
	}
	if (v->guest && v->guest->cpu_mode) {
		free(v->cpu_mode);
		v->cpu_mode = xstrdup(v->guest->cpu_mode);
	}
	return 0;
}

/* The base image: --image, or the offline image virtbench built (with
 * its kernel and initrd). Negative, and unavailable when not built. */
static int lv_find_base(struct platform *p)
{
	const struct platform_opts *o = p->opts;
	struct lv_priv *v = p->priv;
	struct image_info im = { 0 };
	char sha[65];
	int r;

	if (v->guest && v->guest->image) {
		v->own_image = 1;
		v->base = xstrdup(v->guest->image->disk);
		v->kernel = xstrdup(v->guest->image->kernel);
		v->initrd = xstrdup(v->guest->image->initrd);
		v->image_sha = xstrdup(v->guest->image->disk_sha256);
		return 0;
	}
	if (o->image) {
		v->base = xstrdup(o->image);
		if (vb_sha256_file(v->base, sha) < 0)
			return vb_error("%s: cannot read image %s: %s", p->name,
					v->base, strerror(errno));
		v->image_sha = xstrdup(sha);
		return 0;
	}
	if ((r = image_find(&im)) < 0)
		return -1;
	if (r > 0) {
		image_info_clear(&im);
		return lv_unavailable(p, xstrdup("guest image not built: run "
			"'virtbench image build' (2-3 minutes, cached)"));
	}
	v->own_image = 1;
	v->base = xstrdup(im.disk);
	v->kernel = xstrdup(im.kernel);
	v->initrd = xstrdup(im.initrd);
	v->image_sha = xstrdup(im.disk_sha256);
	image_info_clear(&im);
	return 0;
}

/* "qemu:wb" -> virtbench-1234abcd-qemu-wb, a study's "qemu-wb" (kind
 * qemu) -> virtbench-1234abcd-qemu-qemu-wb: one guest per platform name,
 * and the name tells cleanup it is ours. Owned. */
static char *lv_domain_name(const struct platform *p, int kvm)
{
	const char *run = p->opts->run_uuid, *colon = strchr(p->name, ':');
	const char *tail = colon ? colon + 1 :
			   strcmp(p->name, kvm ? "kvm" : "qemu") ? p->name : NULL;
	char uuid8[9], buf[37];
	struct sb n = SB_INIT;

	if (run && strlen(run) >= 8)
		memcpy(uuid8, run, 8);
	else if (vb_uuid(buf) == 0)
		memcpy(uuid8, buf, 8);
	else
		memset(uuid8, '0', 8);
	uuid8[8] = '\0';
	sb_addf(&n, "virtbench-%s-%s", uuid8, kvm ? "kvm" : "qemu");
	if (tail && *tail) {
		sb_addc(&n, '-');
		for (; *tail; tail++)
			sb_addc(&n, strchr("abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
				*tail) ? *tail : '-');
	}
	/* one guest per instance (collect --instances) */
	if (p->instance > 1)
		sb_addf(&n, "-i%d", p->instance);
	return sb_detach(&n);
}

/* The guest's directory under the run's state directory (or a run
 * directory of our own), with the paths of its files and our pid. */
static int lv_make_dirs(struct platform *p)
{
	const struct platform_opts *o = p->opts;
	struct lv_priv *v = p->priv;
	char *state_dir;
	struct stat st;
	int ret = -1;

	if (o->state_dir) {
		state_dir = xstrdup(o->state_dir);
	} else {
		/* Standalone use (tests, bench): a run directory of our own,
		 * where "virtbench cleanup" looks too. */
		char *b = platform_state_base(NULL);

		state_dir = xasprintf("%s/virtbench-%s", b, o->run_uuid ?
				      o->run_uuid : v->domname + 10);
		v->own_run_dir = xstrdup(state_dir);
		free(b);
	}
	if (v->own_run_dir) {
		/* Like the collector's run directories: a live owner keeps
		 * "virtbench cleanup" away from it. */
		char *f = xasprintf("%s/collector.pid", v->own_run_dir);

		if (vb_mkdir_p(v->own_run_dir, 0711) == 0)
			owner_write_file(f, 0644);
		free(f);
	}
	v->dir = xasprintf("%s/%s", state_dir, v->domname);
	/* A resumed run reuses the name: remove what an earlier attempt of
	 * this run left. */
	lv_remove(v->conn, NULL, v->domname, v->dir);
	if (vb_mkdir_p(v->dir, 0711) < 0 || chmod(v->dir, 0711) < 0)
		goto out;
	/* The run's directory is ours (made 0700): let QEMU traverse it. */
	if (stat(state_dir, &st) == 0)
		chmod(state_dir, (st.st_mode & 07777) | S_IXOTH);
	v->overlay = xasprintf("%s/overlay.qcow2", v->dir);
	v->disk = !strcmp(v->format, "raw") ? xasprintf("%s/disk.raw", v->dir) :
		  xstrdup(v->overlay);
	v->seed = xasprintf("%s/seed.iso", v->dir);
	v->console = xasprintf("%s/console.log", v->dir);
	v->client_key = xasprintf("%s/id_ed25519", v->dir);
	v->pidfile = xasprintf("%s/owner.pid", v->dir);
	owner_write_file(v->pidfile, 0644);
	free(v->owner);
	v->owner = owner_self();
	if (!v->ru.remote &&
	    (lv_make_searchable(v->disk) < 0 || lv_make_searchable(v->base) < 0 ||
	     (v->kernel && lv_make_searchable(v->kernel) < 0)))
		goto out;
	ret = 0;
out:
	free(state_dir);
	return ret;
}

/* The guest's disk here: a qcow2 overlay on the base (milliseconds), or
 * with disk_format raw a full raw copy of it (sparse, seconds), then
 * grown to LV_DISK_SIZE. */
static int lv_make_disk(struct platform *p)
{
	struct lv_priv *v = p->priv;
	/* qemu-img reads the backing format from the base's magic. */
	char *overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F",
			    (char *)lv_image_format(v->base), "-b", v->base,
			    v->disk, LV_DISK_SIZE, NULL };
	char *copy[] = { "qemu-img", "convert", "-q", "-O", "raw", v->base,
			 v->disk, NULL };
	char *grow[] = { "qemu-img", "resize", "-q", "-f", "raw", v->disk,
			 LV_DISK_SIZE, NULL };
	int raw = !strcmp(v->format, "raw");

	if (image_run(raw ? copy : overlay, NULL, NULL) < 0 ||
	    (raw && image_run(grow, NULL, NULL) < 0))
		return vb_error("%s: cannot create the %s disk %s from %s", p->name,
				raw ? "raw" : "overlay", v->disk, v->base);
	chmod(v->disk, 0600);
	return 0;
}

/* The guest's files: keys, the seed, the disk (here or as volumes on a
 * remote libvirt host) and an empty console log. */
static int lv_make_files(struct platform *p)
{
	struct lv_priv *v = p->priv;
	char *cpriv = NULL, *cpub = NULL, *hpriv = NULL;
	int fd, ret = -1;

	/* Keys: the client's (file, 0600) and the guest's host key, which
	 * only travels in the seed (0600) and is verified on connect. */
	if (vbssh_keygen("virtbench-client", v->client_key, &cpriv, &cpub) < 0 ||
	    vbssh_keygen("virtbench-host", NULL, &hpriv, &v->host_pub) < 0)
		goto out;
	{
		struct cidata cd = {
			.instance_id = v->domname, .hostname = v->domname,
			.authorized_key = cpub, .host_key_priv = hpriv,
			.host_key_pub = v->host_pub,
			.install_packages = !v->own_image,
		};
		if (cidata_write_iso(&cd, v->dir, v->seed) < 0)
			goto out;
	}
	if (v->ru.remote) {
		if (lv_remote_files(p) < 0)
			goto out;
	} else if (lv_make_disk(p) < 0) {
		goto out;
	}
	fd = open(v->console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	ret = 0;
out:
	if (hpriv)
		explicit_bzero(hpriv, strlen(hpriv));
	if (cpriv)
		explicit_bzero(cpriv, strlen(cpriv));
	free(hpriv);
	free(cpriv);
	free(cpub);
	return ret;
}

/* The host's address as the guest sees it: the libvirt network's, or
 * 10.0.2.2, which slirp maps to the host's loopback. */
static int lv_host_addr(struct platform *p)
{
	struct lv_priv *v = p->priv;

	if (strncmp(v->net, "libvirt:", 8) != 0) {
		p->host_addr = xstrdup("10.0.2.2");
		return 0;
	}
	p->host_addr = lv_network_host_addr(v->conn, v->net + 8);
	if (!p->host_addr)
		return lv_unavailable(p, xasprintf("libvirt network '%s' not "
			"found, not active, or without an IPv4 address (start "
			"it: virsh net-start %s; or use --network user for "
			"user-mode networking on loopback)", v->net + 8,
			v->net + 8));
	return 0;
}

/* Builds the domain XML and creates the transient domain. The forward's
 * port is free here; on a remote host it may not be free there, which
 * QEMU reports at start: take another. */
static int lv_create_domain(struct platform *p)
{
	const struct platform_opts *o = p->opts;
	struct lv_priv *v = p->priv;
	char u[VIR_UUID_STRING_BUFLEN];

	for (int attempt = 1; ; attempt++) {
		/* Remote: the same guest, with the volumes' paths there. */
		int r = v->ru.remote;
		struct lvxml_settings s = {
			.name = v->domname, .run_uuid = o->run_uuid, .kvm = v->kvm,
			.vcpus = v->vcpus, .memory_mib = v->memory_mib,
			.cpu_mode = v->cpu_mode, .disk = r ? v->rp.disk : v->disk,
			.disk_cache = v->cache, .disk_bus = v->bus,
			.disk_io = v->io, .disk_format = v->format,
			.seed = r ? v->rp.seed : v->seed,
			.kernel = r ? v->rp.kernel : v->kernel,
			.initrd = r ? v->rp.initrd : v->initrd,
			.cmdline = v->kernel ? v->cmdline : NULL,
			.console_log = r ? v->rp.console : v->console,
			.network = v->net, .owner_pid = (long)getpid(),
			.dir = v->dir, .client = r ? vb_hostname() : NULL,
			.owner = v->owner,
		};
		const char *e;

		if (!strcmp(v->net, "user") &&
		    (v->port = vb_free_loopback_port()) < 0)
			return vb_error("%s: no free port on 127.0.0.1", p->name);
		s.ssh_port = v->port;
		free(v->xml);
		if (!(v->xml = lvxml_domain(&s)))
			return -1;
		if ((v->dom = virDomainCreateXML(v->conn, v->xml, 0)))
			break;
		e = lv_err();
		if (r && v->port > 0 && attempt < 4 && strstr(e, "hostfwd")) {
			vb_info("%s: port %d is taken on %s, trying another",
				p->name, v->port, v->ru.host);
			continue;
		}
		if (v->kvm)
			return lv_unavailable(p, xasprintf("guest failed to start: "
				"%s (hardware virtualization does not work on "
				"this host; the qemu platform uses TCG instead)", e));
		return lv_unavailable(p, xasprintf("guest failed to start: %s", e));
	}
	if (virDomainGetUUIDString(v->dom, u) == 0)
		p->instance_id = xstrdup(u);
	return 0;
}

static int lv_start_with(struct platform *p,
			 const struct platform_libvirt_guest *g);

static int lv_start(struct platform *p)
{
	return lv_start_with(p, NULL);
}

int platform_libvirt_start_guest(struct platform *p,
				 const struct platform_libvirt_guest *g)
{
	return lv_start_with(p, g);
}

static int lv_start_with(struct platform *p,
			 const struct platform_libvirt_guest *g)
{
	struct lv_priv *v = xcalloc(1, sizeof(*v));
	char *why = NULL;
	int ret = -1;

	p->priv = v;
	v->guest = g;
	v->t_start = vb_mono_time();
	v->boot_seconds = -1;
	if (lv_settings(p) < 0)
		goto out;
	if (v->kvm && !v->ru.remote && access("/dev/kvm", R_OK | W_OK) < 0) {
		lv_unavailable(p, xasprintf("/dev/kvm %s: enable VT-x/AMD-V "
			"in the firmware and load kvm_intel or kvm_amd (or use "
			"the qemu platform, TCG)", errno == ENOENT ? "does not exist" :
			"is not accessible"));
		goto out;
	}
	if (lv_find_base(p) < 0)
		goto out;
	if (!(v->conn = lv_connect(v->uri, &why))) {
		lv_unavailable(p, why);
		goto out;
	}
	virConnectGetLibVersion(v->conn, &v->libvirt_version);
	virConnectGetVersion(v->conn, &v->hv_version);
	v->domname = lv_domain_name(p, v->kvm);
	if (lv_make_dirs(p) < 0 || lv_make_files(p) < 0 || lv_host_addr(p) < 0)
		goto out;
	vb_info("%s: starting guest %s (%d vCPU, %d MiB, %s)", p->name,
		v->domname, v->vcpus, v->memory_mib, v->kvm ? "KVM" : "TCG");
	if (lv_create_domain(p) < 0 || lv_wait_ssh(p) < 0)
		goto out;
	if (v->ru.remote)
		lv_remote_iperf(p);
	p->started = 1;
	p->workdir = xstrdup(LV_GUEST_WORKDIR);
	if (lv_prepare_guest(p) < 0)
		goto out;
	lv_verify(p);
	ret = 0;
out:
	if (ret < 0)
		lv_teardown(p);
	return ret;
}

static int lv_guest_exec(struct platform *p, const char *cmd, double timeout,
			 struct exec_result *r)
{
	struct lv_priv *v = p->priv;
	char *gone;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!v || !v->ssh) {
		r->out = xstrdup("");
		r->err = xstrdup(v && v->lost ? v->lost : "guest is not running");
		r->exit_status = -1;
		return vb_error("%s: %s", p->name, r->err);
	}
	ret = vbssh_exec(v->ssh, p->name, cmd, timeout,
			 &collect_stop_requested ?
			 (const volatile int *)&collect_stop_requested : NULL, r);
	gone = NULL;
	/* A guest being destroyed still reports "running" for a moment
	 * after its connection breaks: look again for up to 3 s. */
	for (int i = 0; ret < 0 && i < 30 && !(gone = lv_not_running(v)) &&
			!collect_stop_requested; i++)
		usleep(100 * 1000);
	if (ret < 0 && gone) {
		/* Say why the connection broke: the usual cause is the guest
		 * destroyed or crashed under us. */
		free(v->lost);
		v->lost = xasprintf("%s (domain %s, lost during the run)", gone,
				    v->domname);
		vb_error("%s: %s", p->name, v->lost);
		free(r->err);
		r->err = xstrdup(v->lost);
		free(gone);
		vbssh_close(v->ssh);
		v->ssh = NULL;
	}
	return ret;
}

static int lv_exec(struct platform *p, const char *cmd, double timeout,
		   struct exec_result *r)
{
	return lv_guest_exec(p, cmd, timeout, r);
}

static int lv_put_file(struct platform *p, const char *local,
		       const char *remote, int mode)
{
	struct lv_priv *v = p->priv;

	if (!v || !v->ssh)
		return vb_error("%s: guest is not running", p->name);
	return vbssh_put(v->ssh, p->name, local, remote, mode);
}

static int lv_pause(struct platform *p)
{
	struct lv_priv *v = p->priv;

	if (!v || !v->dom || p->paused)
		return 0;
	if (virDomainSuspend(v->dom) < 0)
		return vb_error("%s: cannot pause %s: %s", p->name, v->domname,
				lv_err());
	p->paused = 1;
	return 0;
}

static int lv_resume(struct platform *p)
{
	struct lv_priv *v = p->priv;

	if (!v || !v->dom || !p->paused)
		return 0;
	if (virDomainResume(v->dom) < 0)
		return vb_error("%s: cannot resume %s: %s", p->name, v->domname,
				lv_err());
	p->paused = 0;
	return 0;
}

/* Whether the libvirt host (here) is itself a virtual machine: the CPUID
 * hypervisor bit and the DMI system vendor. A kvm guest on such a host
 * runs nested, and under an emulated (TCG) host its numbers are TCG's,
 * not KVM's: recorded so the report never presents them as KVM's speed. */
/* The hypervisor this machine itself runs under, from its CPUID
 * signature (leaf 0x40000000, what Linux's "Hypervisor detected" reads):
 * "KVM", "Hyper-V", "VMware", "Xen", "TCG" (QEMU's own, when it gives
 * one), the raw signature for others, "" for none. QEMU's TCG sets the
 * hypervisor bit but usually gives no signature: an emulated CPU. */
static void lv_host_hypervisor(char *buf, size_t size)
{
	static const struct { const char *sig, *name; } known[] = {
		{ "KVMKVMKVM", "KVM" }, { "Microsoft Hv", "Hyper-V" },
		{ "VMwareVMware", "VMware" }, { "XenVMMXenVMM", "Xen" },
		{ "TCGTCGTCGTCG", "TCG" },
	};
	char sig[13] = "";

	buf[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
	{
		/* __cpuid, not __get_cpuid: the hypervisor leaves lie above
		 * the basic maximum __get_cpuid checks against */
		unsigned a, b, c, d;

		__cpuid(0x40000000u, a, b, c, d);
		(void)a;
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
	}
#endif
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(sig, known[i].sig)) {
			snprintf(buf, size, "%s", known[i].name);
			return;
		}
	for (size_t i = 0; sig[i]; i++)
		if (sig[i] < 0x21 || sig[i] > 0x7e)
			return;
	snprintf(buf, size, "%s", sig);
}

static void lv_describe_host(cJSON *obj)
{
	struct sb cpu = SB_INIT, dmi = SB_INIT;
	char hv[16];
	int guest = 0;

	if (sb_read_file(&cpu, "/proc/cpuinfo") == 0 && cpu.len) {
		const char *f = strstr(cpu.buf, "\nflags");
		const char *end = f ? strchr(f + 1, '\n') : NULL;
		const char *h = f ? memmem(f, end ? (size_t)(end - f) :
					   strlen(f), " hypervisor", 11) : NULL;

		guest = h && (h[11] == ' ' || h[11] == '\n');
	}
	cJSON_AddBoolToObject(obj, "libvirt_host_is_guest", guest);
	if (guest) {
		lv_host_hypervisor(hv, sizeof(hv));
		cJSON_AddStringToObject(obj, "libvirt_host_hypervisor", hv);
	}
	if (sb_read_file(&dmi, "/sys/class/dmi/id/sys_vendor") == 0 && dmi.len) {
		dmi.buf[strcspn(dmi.buf, "\n")] = '\0';
		cJSON_AddStringToObject(obj, "libvirt_host_dmi_vendor", dmi.buf);
	}
	sb_release(&cpu);
	sb_release(&dmi);
}

static int lv_describe(struct platform *p, cJSON *obj)
{
	struct lv_priv *v = p->priv;
	const struct platform_opts *o = p->opts;
	int kvm = lv_is_kvm(p);

	cJSON_AddStringToObject(obj, "kind", kvm ? "kvm" : "qemu");
	/* As measured inside the guest once it ran; until then (a start
	 * that failed) what the domain type asked for. */
	cJSON_AddStringToObject(obj, "accelerator", v && v->accel_measured ?
				v->accel_measured : kvm ? "kvm" : "tcg");
	cJSON_AddStringToObject(obj, "accelerator_source", v && v->accel_measured ?
				"measured in the guest" : "domain type");
	cJSON_AddStringToObject(obj, "domain_type", kvm ? "kvm" : "qemu");
	if (v && v->accel_evidence)
		cJSON_AddStringToObject(obj, "accelerator_evidence",
					v->accel_evidence);
	cJSON_AddItemToObject(obj, "settings", platform_settings_json(p->settings));
	if (!v || !v->cache) {
		/* Not started: the options, as start() would read them. */
		cJSON_AddNumberToObject(obj, "vcpus", o->vcpus > 0 ? o->vcpus : 2);
		cJSON_AddNumberToObject(obj, "memory_mib",
					o->memory_mib > 0 ? o->memory_mib : 2048);
		cJSON_AddStringToObject(obj, "cpu_model", kvm ? "host-passthrough" :
					"qemu64");
		cJSON_AddStringToObject(obj, "disk_bus", "virtio");
		cJSON_AddStringToObject(obj, "disk_cache", o->disk_cache ?
					o->disk_cache : "none");
		cJSON_AddStringToObject(obj, "disk_format", "qcow2 overlay");
	} else {
		cJSON_AddNumberToObject(obj, "vcpus", v->vcpus);
		cJSON_AddNumberToObject(obj, "memory_mib", v->memory_mib);
		cJSON_AddStringToObject(obj, "cpu_model", v->cpu_mode);
		cJSON_AddStringToObject(obj, "disk_bus", v->bus);
		cJSON_AddStringToObject(obj, "disk_cache", v->cache);
		cJSON_AddStringToObject(obj, "disk_io", v->io ? v->io : "threads");
		cJSON_AddStringToObject(obj, "disk_format", !strcmp(v->format, "raw") ?
					"raw copy" : "qcow2 overlay");
	}
	cJSON_AddStringToObject(obj, "connect_uri",
				o->connect_uri ? o->connect_uri : LV_DEFAULT_URI);
	if (!v)
		return 0;
	if (v->ru.remote) {
		cJSON_AddStringToObject(obj, "libvirt_host", v->ru.host);
		if (v->pool_path)
			cJSON_AddStringToObject(obj, "storage_pool", v->pool_path);
		cJSON_AddStringToObject(obj, "uplink_server", p->iperf_port ?
			"iperf3 on the libvirt host" : "none");
	}
	cJSON_AddStringToObject(obj, "network_mode", v->net);
	cJSON_AddStringToObject(obj, "image", v->base);
	cJSON_AddStringToObject(obj, "image_sha256", v->image_sha);
	if (v->kernel) {
		cJSON_AddStringToObject(obj, "boot", "direct kernel");
		cJSON_AddStringToObject(obj, "kernel_cmdline", v->cmdline);
	} else {
		cJSON_AddStringToObject(obj, "boot", "disk");
	}
	if (!v->ru.remote)
		lv_describe_host(obj);
	if (v->domname)
		cJSON_AddStringToObject(obj, "domain_name", v->domname);
	if (v->xml)
		cJSON_AddStringToObject(obj, "domain_xml", v->xml);
	if (v->libvirt_version) {
		char *s = xasprintf("%lu.%lu.%lu", v->libvirt_version / 1000000,
				    v->libvirt_version / 1000 % 1000,
				    v->libvirt_version % 1000);
		cJSON_AddStringToObject(obj, "libvirt_version", s);
		free(s);
	}
	if (v->hv_version) {
		char *s = xasprintf("%lu.%lu.%lu", v->hv_version / 1000000,
				    v->hv_version / 1000 % 1000,
				    v->hv_version % 1000);
		cJSON_AddStringToObject(obj, "qemu_version", s);
		free(s);
	}
	cJSON_AddStringToObject(obj, "ssh_client", vbssh_version());
	if (v->boot_seconds >= 0)
		cJSON_AddNumberToObject(obj, "boot_to_ssh_seconds", v->boot_seconds);
	if (v->tools)
		cJSON_AddItemReferenceToObject(obj, "tools", v->tools);
	if (v->verified)
		cJSON_AddItemReferenceToObject(obj, "verified", v->verified);
	return 0;
}

double platform_libvirt_boot_seconds(const struct platform *p)
{
	const struct lv_priv *v = p ? p->priv : NULL;

	return v ? v->boot_seconds : -1;
}

void platform_libvirt_set_idle_timeout(struct platform *p, double seconds)
{
	struct lv_priv *v = p ? p->priv : NULL;

	if (v)
		vbssh_set_idle_timeout(v->ssh, seconds);
}

void platform_libvirt_console_tail(const struct platform *p, int lines,
				   struct sb *out)
{
	const struct lv_priv *v = p ? p->priv : NULL;

	if (v && v->console)
		lv_console_tail(v->console, lines, out);
}

static int lv_have_program(const char *name)
{
	const char *path = getenv("PATH");
	char **dirs = vb_split(path ? path : "/usr/bin:/bin", ':');
	int found = 0;

	for (size_t i = 0; dirs[i] && !found; i++) {
		char *f = xasprintf("%s/%s", dirs[i], name);

		found = access(f, X_OK) == 0;
		free(f);
	}
	vb_strv_free(dirs);
	return found;
}

/* Boots the image's kernel under KVM directly (no libvirt) for a few
 * seconds with the CPU mode collect would use: a kernel banner on the
 * serial port proves guests run; QEMU failing at once (an MSR it cannot
 * set) or silence proves they do not. 1 runs, 0 not (why owned), -1 not
 * checked (why owned). */
static int lv_kvm_runs(const char *kernel, char **why)
{
	char tmpl[] = "/tmp/virtbench-kvmprobe.XXXXXX";
	char *serial = NULL, *serarg = NULL;
	const char *env = getenv("VIRTBENCH_KVM_CPU");
	const char *cpu = !env || !*env || !strcmp(env, "host-passthrough") ||
			  !strcmp(env, "host-model") ? "host" : env;
	const char *const argv[] = { "qemu-system-x86_64", "-accel", "kvm", "-cpu",
				     cpu, "-machine", "pc", "-m", "256",
				     "-nodefaults", "-display", "none", "-no-reboot",
				     "-kernel", kernel, "-append",
				     "console=ttyS0 panic=-1", "-serial", NULL, NULL };
	const char *args[VB_ARRAY_SIZE(argv)];
	struct run_cmd q = RUN_CMD_INIT;
	struct run_result r = { 0 };
	int ret = -1;
	double t0, limit = 8 * lv_slowness(lv_boot_timeout());

	if (!mkdtemp(tmpl)) {
		*why = xasprintf("cannot make a temporary directory: %s",
				 strerror(errno));
		return -1;
	}
	serial = xasprintf("%s/serial", tmpl);
	serarg = xasprintf("file:%s", serial);
	memcpy(args, argv, sizeof(args));
	args[VB_ARRAY_SIZE(args) - 2] = serarg;
	q.argv = args;
	q.err = RUN_OUT_CAPTURE;
	q.max_output = 4096;
	if (run_start(&q) < 0) {
		*why = xstrdup("cannot run qemu-system-x86_64");
		goto out;
	}
	t0 = vb_mono_time();
	for (;;) {
		if (run_ended(&q)) {
			run_finish(&q, &r);
			for (char *c = r.err; c && *c; c++)
				if (*c == '\n')
					*c = ' ';
			*why = xasprintf("a KVM guest (-cpu %s) fails at once: %s",
					 cpu, r.err_len ? r.err : "qemu exited");
			ret = 0;
			break;
		}
		if (lv_console_has(serial, "Linux version")) {
			ret = 1;
			break;
		}
		if (vb_mono_time() - t0 > limit) {
			*why = xasprintf("a KVM guest (-cpu %s) starts but makes no "
					 "progress: no kernel output in %.0f s (typical "
					 "of nested virtualization without the CPU "
					 "features KVM needs)", cpu, limit);
			ret = 0;
			break;
		}
		usleep(100 * 1000);
	}
	if (q.st)
		run_stop(&q, 0, NULL);
out:
	run_result_clear(&r);
	unlink(serial);
	rmdir(tmpl);
	free(serial);
	free(serarg);
	return ret;
}

int platform_libvirt_probe_kind(const char *kind, const struct platform_opts *o,
				char **reason)
{
	const char *uri = o && o->connect_uri ? o->connect_uri : LV_DEFAULT_URI;
	struct image_info im = { 0 };
	virConnectPtr c = NULL;
	struct sb why = SB_INIT;
	int kvm = !strcmp(kind, "kvm"), have_image = 0, local = lv_local_uri(uri);
	int ok = 1;
	char *e = NULL;
	struct stat st;

	*reason = NULL;
	if (kvm && local && access("/dev/kvm", R_OK | W_OK) < 0)
		sb_addf(&why, "/dev/kvm %s (enable VT-x/AMD-V in the firmware, "
			"load kvm_intel/kvm_amd, or use the qemu platform); ",
			errno == ENOENT ? "does not exist" : "is not accessible");
	if (!(c = lv_connect(uri, &e))) {
		sb_addf(&why, "%s; ", e);
	} else if (!local) {
		/* The remote host's libvirt says what it can run. */
		char *caps = virConnectGetDomainCapabilities(c, NULL, "x86_64",
				NULL, kvm ? "kvm" : "qemu", 0);

		if (!caps)
			sb_addf(&why, "the libvirt host cannot run %s guests: %s; ",
				kvm ? "KVM" : "QEMU", lv_err());
		free(caps);
	} else {
		if (!lv_have_program("qemu-system-x86_64"))
			sb_adds(&why, "qemu-system-x86_64 not installed (apt-get "
				"install qemu-system-x86); ");
		/* Without udev, /dev/kvm stays 0600 root: libvirt then finds
		 * KVM "gone" since its cached probe and re-probes QEMU on
		 * every call, ~35 s per guest start. */
		if (stat("/dev/kvm", &st) == 0 && !(st.st_mode & 0060) &&
		    !(st.st_mode & 0006))
			vb_warn("/dev/kvm is mode %o owned by root: libvirt re-probes "
				"QEMU on every call (guest starts take ~35 s longer); "
				"fix: chgrp kvm /dev/kvm && chmod 0660 /dev/kvm",
				(unsigned)(st.st_mode & 0777));
	}
	if (local && !lv_have_program("qemu-img"))
		sb_adds(&why, "qemu-img not installed (apt-get install qemu-utils); ");
	if (!lv_have_program("genisoimage"))
		sb_adds(&why, "genisoimage not installed (apt-get install "
			"genisoimage); ");
	if (!(o && o->image)) {
		int r = image_find(&im);

		if (r > 0)
			sb_adds(&why, "guest image not built (run 'virtbench image "
				"build', 2-3 minutes); ");
		have_image = r == 0;
	}
	if (kvm && local && !why.len) {
		char *kw = NULL;

		if (!have_image)
			vb_debug("kvm: no image kernel to test KVM with");
		else if (lv_kvm_runs(im.kernel, &kw) == 0)
			sb_addf(&why, "%s; the qemu platform (TCG) works instead; ", kw);
		free(kw);
	}
	if (why.len) {
		why.buf[why.len - 2] = '\0'; /* drop the last "; " */
		*reason = sb_detach(&why);
		ok = 0;
	} else if (!local) {
		char *h = c ? virConnectGetHostname(c) : NULL;

		/* Only a guest start proves a remote KVM works (see NOTES). */
		*reason = xasprintf("on %s: libvirt there offers %s guests%s",
				    h ? h : uri, kvm ? "KVM" : "QEMU", kvm ?
				    " (whether they run shows within seconds of "
				    "their start)" : "");
		free(h);
	}
	if (c)
		virConnectClose(c);
	image_info_clear(&im);
	free(e);
	sb_release(&why);
	return ok;
}

/* 1 if an owner record names a live process other than us (a run in
 * progress, whose guest must not be removed) or another host's. */
static int lv_owner_keeps(const char *rec)
{
	return owner_alive(rec) && !owner_is_self(rec);
}

/* The same for a guest directory's owner.pid. */
static int lv_owner_alive(const char *dir)
{
	char *f = xasprintf("%s/owner.pid", dir), *rec = owner_read_file(f);
	int alive = lv_owner_keeps(rec);

	free(f);
	free(rec);
	return alive;
}

/* The value of attribute name="..." in the metadata element m, owned or
 * NULL. Values were escaped on the way in; paths with & < > ' " come back
 * escaped and are simply not found. */
static char *lv_meta_attr(const char *m, const char *name)
{
	char *key = xasprintf(" %s=\"", name);
	const char *a = strstr(m, key);
	char *val = a ? xstrndup(a + strlen(key), strcspn(a + strlen(key), "\"")) :
		    NULL;

	free(key);
	return val;
}

/* The owner recorded in a domain's metadata, with *dir and *client
 * (owned, may be NULL): the owner record (owned); for domains of older
 * versions, which have only a pid, that pid as a bare record; NULL when
 * it has none. */
static char *lv_domain_owner(virDomainPtr d, char **dir, char **client)
{
	char *m = virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT,
				       LVXML_META_NS, 0);
	char *rec;

	*dir = *client = NULL;
	if (!m)
		return NULL;
	rec = lv_meta_attr(m, "owner");
	if (!rec)
		rec = lv_meta_attr(m, "pid");
	*dir = lv_meta_attr(m, "dir");
	*client = lv_meta_attr(m, "client");
	free(m);
	return rec;
}

/* virtbench-XXXXXXXX-kvm or -qemu, optionally followed by -LABEL. */
static int lv_is_ours(const char *name)
{
	const char *k = name + 19;

	if (strncmp(name, "virtbench-", 10) || strlen(name) < 22 || name[18] != '-')
		return 0;
	return (!strncmp(k, "kvm", 3) && (k[3] == '\0' || k[3] == '-')) ||
	       (!strncmp(k, "qemu", 4) && (k[4] == '\0' || k[4] == '-'));
}

/* The guest directory of domain name under the state base: guests live
 * in the run's directory, base/virtbench-UUID/NAME. Owned, or NULL. */
static char *lv_find_dir(const char *base, const char *name)
{
	char *pat = xasprintf("%s/virtbench-%.8s*/%s", base, name + 10, name);
	char *dir = NULL;
	glob_t g;

	if (glob(pat, GLOB_ONLYDIR, NULL, &g) == 0) {
		if (g.gl_pathc > 0)
			dir = xstrdup(g.gl_pathv[0]);
		globfree(&g);
	}
	free(pat);
	return dir;
}

static int lv_cleanup(const struct platform_opts *o, int *removed)
{
	const char *uri = o && o->connect_uri ? o->connect_uri : LV_DEFAULT_URI;
	char *base = platform_state_base(o ? o->state_dir : NULL), *why = NULL;
	virConnectPtr c = lv_connect(uri, &why);
	virStoragePoolPtr pool = NULL;
	virDomainPtr *doms = NULL;
	int n;
	glob_t g;

	/* A remote host's guest files are volumes of our pool there. */
	if (c && !lv_local_uri(uri))
		pool = virStoragePoolLookupByName(c, LVR_POOL_NAME);
	if (c) {
		n = virConnectListAllDomains(c, &doms, 0);
		for (int i = 0; i < n; i++) {
			const char *name = virDomainGetName(doms[i]);
			char *dir = NULL, *client = NULL, *owner;
			int alive;

			if (!name || !lv_is_ours(name)) {
				virDomainFree(doms[i]);
				continue;
			}
			/* The owner in the domain's metadata decides; guests
			 * without it fall back to the state directory. */
			owner = lv_domain_owner(doms[i], &dir, &client);
			if (owner_check(owner) == OWNER_ELSEWHERE ||
			    (client && strcmp(client, vb_hostname()))) {
				/* Another machine's run: its pid is not ours
				 * to judge. */
				struct owner ow;

				vb_info("cleanup: leaving %s (started from %s)", name,
					client ? client : owner_parse(owner, &ow) == 0 ?
					ow.host : "another host");
				alive = 1;
			} else if (owner) {
				alive = lv_owner_keeps(owner);
			} else {
				free(dir);
				dir = lv_find_dir(base, name);
				alive = dir && lv_owner_alive(dir);
			}
			if (!alive) {
				vb_info("cleanup: removing guest %s", name);
				lv_remove(c, pool, name, dir);
				(*removed)++;
			}
			free(dir);
			free(client);
			free(owner);
			virDomainFree(doms[i]);
		}
		free(doms);
	} else {
		vb_warn("cleanup: %s", why);
	}
	/* Files of guests whose domain is already gone (the run directory
	 * itself is the native platform's to remove). */
	{
		char *pat = xasprintf("%s/virtbench-*/virtbench-*", base);

		if (glob(pat, GLOB_ONLYDIR, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++) {
				const char *name = strrchr(g.gl_pathv[i], '/') + 1;

				if (!lv_is_ours(name) || lv_owner_alive(g.gl_pathv[i]))
					continue;
				vb_info("cleanup: removing %s", g.gl_pathv[i]);
				lv_remove(c, pool, name, g.gl_pathv[i]);
				(*removed)++;
			}
			globfree(&g);
		}
		free(pat);
	}
	if (pool)
		virStoragePoolFree(pool);
	if (c)
		virConnectClose(c);
	free(base);
	free(why);
	return 0;
}

const struct platform_ops platform_libvirt_ops = {
	.kind = "libvirt",
	.start = lv_start,
	.exec = lv_exec,
	.put_file = lv_put_file,
	.pause = lv_pause,
	.resume = lv_resume,
	.describe = lv_describe,
	.teardown = lv_teardown,
	.probe = platform_libvirt_probe_kind,
	.cleanup = lv_cleanup,
};
