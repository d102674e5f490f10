/*
 * bench/provision.c - virtbench's provisioning cost against a bare QEMU
 * boot of the same guest (see BENCHMARKS.md, "provisioning").
 *
 * Each round times, in random order, both ways of getting a TCG guest to
 * its first successful SSH command:
 *   virtbench: platform start() of the qemu platform (overlay, keys, seed,
 *              domain XML, libvirt virDomainCreateXML, watch + SSH wait,
 *              guest preparation) and one exec of "true";
 *   direct:    the same overlay + keys + seed steps, then
 *              qemu-system-x86_64 run directly (no libvirt) with the same
 *              kernel, initrd, command line, vCPUs, memory, CPU model,
 *              disks, cache mode and port forward, polled with the same
 *              SSH client until "true" runs.
 * The image, the seed contents and the guest are the same, so the ratio
 * is virtbench's and libvirt's overhead, not the guest's boot.
 *
 * usage: virtbench-provision [ROUNDS [URI]]   (default 3; prints one line per
 * measurement and a summary with medians and the ratio)
 */
#define _GNU_SOURCE
#include "platform/libvirt/cidata.h"
#include "image/image.h"
#include "platform/platform.h"
#include "platform/libvirt/platform_libvirt.h"
#include "platform/ssh/ssh.h"
#include "common/run.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Seconds from start() to the SSH connection (boot_seconds), for the
 * report's split of virtbench's time. */
static double last_ssh;

static double run_virtbench(const char *state, const char *uri)
{
	struct platform_opts o = { .state_dir = state, .network = "user",
				   .connect_uri = uri };
	struct platform *p;
	struct exec_result r = { 0 };
	char uuid[37];
	double t0, t = -1;

	vb_uuid(uuid);
	o.run_uuid = uuid;
	p = platform_new("qemu", &o);
	if (!p)
		return -1;
	t0 = vb_mono_time();
	last_ssh = -1;
	if (p->ops->start(p) == 0 && p->ops->exec(p, "true", 30, &r) == 0 &&
	    r.exit_status == 0) {
		t = vb_mono_time() - t0;
		last_ssh = platform_libvirt_boot_seconds(p);
	}
	exec_result_clear(&r);
	platform_free(p);
	return t;
}

static double run_direct(const char *state, const struct image_info *im)
{
	char *dir = xasprintf("%s/direct", state), *ov = NULL, *seed = NULL;
	char *key = NULL, *console = NULL, *cpriv = NULL, *cpub = NULL;
	char *hpriv = NULL, *hpub = NULL, *fwd = NULL, *serial = NULL;
	char *drive0 = NULL, *drive1 = NULL;
	struct vbssh *s = NULL;
	double t0 = vb_mono_time(), t = -1;
	int port = vb_free_loopback_port();
	struct run_cmd qemu = RUN_CMD_INIT;
	const char *qemu_argv[32] = { NULL };

	vb_mkdir_p(dir, 0700);
	ov = xasprintf("%s/overlay.qcow2", dir);
	seed = xasprintf("%s/seed.iso", dir);
	key = xasprintf("%s/id_ed25519", dir);
	console = xasprintf("%s/console.log", dir);
	{
		char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F",
				 "qcow2", "-b", im->disk, ov, "8G", NULL };
		if (image_run(argv, NULL, NULL) < 0)
			goto out;
	}
	if (vbssh_keygen("bench-client", key, &cpriv, &cpub) < 0 ||
	    vbssh_keygen("bench-host", NULL, &hpriv, &hpub) < 0)
		goto out;
	{
		struct cidata cd = { .instance_id = "vb-direct", .hostname = "vb-direct",
				     .authorized_key = cpub, .host_key_priv = hpriv,
				     .host_key_pub = hpub };
		if (cidata_write_iso(&cd, dir, seed) < 0)
			goto out;
	}
	fwd = xasprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:22", port);
	serial = xasprintf("file:%s", console);
	drive0 = xasprintf("file=%s,if=virtio,format=qcow2,cache=none", ov);
	drive1 = xasprintf("file=%s,if=virtio,format=raw,readonly=on", seed);
	{
		const char *const argv[] = { "qemu-system-x86_64", "-machine",
			"pc,accel=tcg", "-cpu", "qemu64", "-smp", "2", "-m", "2048",
			"-nodefaults", "-display", "none", "-kernel", im->kernel,
			"-initrd", im->initrd, "-append", "console=ttyS0 root=/dev/vda",
			"-drive", drive0, "-drive", drive1, "-netdev", fwd,
			"-device", "virtio-net-pci,netdev=n0,addr=0x1e,romfile=",
			"-serial", serial, NULL };

		/* qemu_argv outlives the block, as run.h asks. */
		memcpy(qemu_argv, argv, sizeof(argv));
	}
	qemu.argv = qemu_argv;
	qemu.out = qemu.err = RUN_OUT_INHERIT;
	if (run_start(&qemu) < 0)
		goto out;
	/* The same wait as the platform: an attempt a second, 5 s each. */
	while (vb_mono_time() - t0 < 300) {
		struct vbssh_opts so = { .host = "127.0.0.1", .port = port,
					 .user = "root", .identity = key,
					 .host_key = hpub, .timeout = 5 };
		char *why = NULL;
		double a = vb_mono_time();
		int r = vbssh_connect(&so, &s, &why);

		if (r == VBSSH_OK) {
			struct exec_result er = { 0 };

			if (vbssh_exec(s, "direct", "true", 30, NULL, &er) == 0 &&
			    er.exit_status == 0)
				t = vb_mono_time() - t0;
			exec_result_clear(&er);
			free(why);
			break;
		}
		if (r == VBSSH_HOSTKEY) {
			vb_error("direct: %s", why ? why : "host key refused");
			break;
		}
		if (run_ended(&qemu)) {
			vb_error("direct: qemu-system-x86_64 exited early");
			break;
		}
		free(why);
		if (vb_mono_time() - a < 1.0)
			usleep((useconds_t)((1.0 - (vb_mono_time() - a)) * 1e6));
	}
out:
	vbssh_close(s);
	if (qemu.st)
		run_stop(&qemu, 0, NULL);
	unlink(ov);
	unlink(seed);
	unlink(key);
	unlink(console);
	rmdir(dir);
	free(dir); free(ov); free(seed); free(key); free(console);
	free(cpriv); free(cpub); free(hpriv); free(hpub); free(fwd);
	free(serial); free(drive0); free(drive1);
	return t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3, nv = 0, nd = 0;
	/* With a URI: the reference is virtbench on qemu:///system, and the
	 * measured side the same through the remote URI. */
	const char *uri = argc > 2 ? argv[2] : NULL;
	const char *ref = uri ? "local" : "direct";
	double *v = xcalloc((size_t)rounds, sizeof(double));
	double *d = xcalloc((size_t)rounds, sizeof(double));
	double *vs = xcalloc((size_t)rounds, sizeof(double));
	struct image_info im = { 0 };
	/* Not named virtbench-*: that is what "virtbench cleanup" removes. */
	char state[] = "/var/tmp/vbprovision.XXXXXX";

	if (image_find(&im) != 0) {
		vb_error("provision: guest image not built (virtbench image build)");
		return 1;
	}
	if (!mkdtemp(state))
		return vb_error("provision: mkdtemp failed") ? 1 : 1;
	chmod(state, 0711);
	srand((unsigned)getpid());
	for (int i = 0; i < rounds; i++) {
		int first_direct = rand() % 2;

		for (int k = 0; k < 2; k++) {
			int direct = (k == 0) == first_direct;
			double t = !direct ? run_virtbench(state, uri) : uri ?
				   run_virtbench(state, NULL) : run_direct(state, &im);

			if (direct)
				printf("round %d %-9s %.2f s\n", i + 1, ref, t);
			else
				printf("round %d virtbench %.2f s (SSH connected "
				       "after %.2f s; the rest is guest preparation "
				       "and tool versions)\n", i + 1, t, last_ssh);
			fflush(stdout);
			if (t > 0) {
				if (direct)
					d[nd++] = t;
				else {
					vs[nv] = last_ssh;
					v[nv++] = t;
				}
			}
		}
	}
	rmdir(state);
	if (nv == 0 || nd == 0)
		return vb_error("provision: no successful measurement") ? 1 : 1;
	qsort(v, (size_t)nv, sizeof(double), cmp);
	qsort(d, (size_t)nd, sizeof(double), cmp);
	qsort(vs, (size_t)nv, sizeof(double), cmp);
	printf("median virtbench%s %.2f s (n=%d), %s %.2f s (n=%d), ratio %.3f\n",
	       uri ? " remote" : "", v[nv / 2], nv, ref, d[nd / 2], nd,
	       v[nv / 2] / d[nd / 2]);
	if (!uri)
		printf("median virtbench to SSH connected %.2f s, ratio to direct "
		       "%.3f\n", vs[nv / 2], vs[nv / 2] / d[nd / 2]);
	free(vs);
	image_info_clear(&im);
	free(v);
	free(d);
	return 0;
}
