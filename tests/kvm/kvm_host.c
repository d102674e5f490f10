/*
 * tests/kvm/kvm_host.c - boots the kvm-host image (image/kvm_host.c) as a
 * TCG guest whose CPU shows AMD-V, copies virtbench into it, runs a
 * script there and tears it down: the outer half of "make test-kvm"
 * (tests/kvm/run.sh). The guest is started by the qemu platform's own
 * code (overlay, cloud-init seed with a per-run key and a host key
 * generated here and verified strictly, user-mode networking forwarded on
 * 127.0.0.1 only), so the test host is provisioned exactly like any
 * benchmark guest, only bigger and with CPU mode "maximum".
 *
 * usage: virtbench-kvm-host STATE_DIR SCRIPT OUT
 *   (named virtbench-*: "virtbench cleanup" run by anyone meanwhile
 *   spares the guests of a live virtbench process, and only those)
 *   copies $VIRTBENCH to /opt/virtbench/virtbench, $FORKBENCH to
 *   /opt/virtbench/build/forkbench, the files of $SUITES (default
 *   suites/) to /opt/virtbench/suites/ and SCRIPT to
 *   /opt/virtbench/inside.sh, runs "sh /opt/virtbench/inside.sh" there,
 *   writes its stdout to OUT, its stderr to OUT.err and the test host's
 *   own recorded configuration to OUT.l1.json. KVM_PLATFORMS,
 *   KVM_DURATION, KVM_REPS, KVM_VCPUS and VIRTBENCH_BOOT_TIMEOUT are passed on to
 *   the script. Exit status: the script's,
 *   or 1 when the test host could not be started or reached.
 *   $KVM_HOST_MEMORY (MiB, default 4096), $KVM_HOST_BOOT_TIMEOUT
 *   (seconds to SSH, default 1500), $KVM_HOST_TIMEOUT (seconds the script
 *   may take, default 1500), $KVM_HOST_IDLE (seconds the script may print
 *   nothing, default 300: inside.sh prints a line every 30 s, so silence
 *   means the test host hung), $KVM_HOST_ATTEMPTS (default 2: a test
 *   host that hung, timed out or never answered, or whose script exited
 *   75 - a nested guest never reached SSH - is torn down, its console
 *   shown, and a fresh one booted). With $KVM_HOST_HOLD set, the test host
 *   stays up after the script until SIGINT or SIGTERM (to look around
 *   in it with the client key in STATE_DIR).
 */
#define _GNU_SOURCE
#include "image/image.h"
#include "platform/platform.h"
#include "platform/libvirt/platform_libvirt.h"
#include "common/util.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTE "/opt/virtbench"

static void on_signal(int sig)
{
	(void)sig;
	collect_stop_requested = 1;
}

static long env_long(const char *name, long def)
{
	const char *e = getenv(name);
	long v;

	return e && *e && vb_parse_long(e, &v) == 0 && v > 0 ? v : def;
}

static int put(struct platform *p, const char *local, const char *remote,
	       int mode)
{
	if (access(local, R_OK) < 0)
		return vb_error("kvm-host: cannot read %s", local);
	return p->ops->put_file(p, local, remote, mode);
}

/* The binary copied in must find every library it links against in the
 * test host: a library added to the build but not to the image's package
 * list (image/kvm_host.c) would otherwise fail inside, far from its cause. */
static int check_libraries(struct platform *p)
{
	struct exec_result r = { 0 };
	int ret = 0;

	if (p->ops->exec(p, "ldd " REMOTE "/virtbench | grep 'not found' || true",
			 60, &r) < 0)
		return -1;
	if (r.exit_status != 0 || (r.out && *r.out)) {
		char *nl = r.out ? strchr(r.out, '\n') : NULL;

		if (nl)
			*nl = '\0';
		ret = vb_error("kvm-host: virtbench in the test host misses a "
			       "library (%s): add its package to "
			       "kvm_host_packages in image/kvm_host.c",
			       r.out && *r.out ? r.out : "ldd failed");
	}
	exec_result_clear(&r);
	return ret;
}

static int put_suites(struct platform *p, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return vb_error("kvm-host: cannot open %s", dir);
	while (ret == 0 && (e = readdir(d))) {
		char *l, *r;

		if (e->d_name[0] == '.')
			continue;
		l = xasprintf("%s/%s", dir, e->d_name);
		r = xasprintf(REMOTE "/suites/%s", e->d_name);
		ret = put(p, l, r, 0644);
		free(l);
		free(r);
	}
	closedir(d);
	return ret;
}

static int write_out(const char *path, const char *text)
{
	return vb_write_file_atomic(path, text, strlen(text), 0644);
}

struct job {
	const char *bin, *fork, *suites, *script, *out, *state;
	const struct image_info *im;
};

/* The script's settings travel on its command line, quoted. */
static char *script_command(void)
{
	static const char *const pass[] = { "KVM_PLATFORMS", "KVM_DURATION",
		"KVM_REPS", "KVM_VCPUS", "VIRTBENCH_BOOT_TIMEOUT", NULL };
	struct sb cmd = SB_INIT;

	sb_adds(&cmd, "cd " REMOTE " && env");
	for (size_t i = 0; pass[i]; i++) {
		const char *e = getenv(pass[i]);
		char *q;

		if (!e)
			continue;
		q = shell_quote(e);
		sb_addf(&cmd, " %s=%s", pass[i], q);
		free(q);
	}
	sb_adds(&cmd, " sh inside.sh");
	return sb_detach(&cmd);
}

static void write_l1(struct platform *p, const char *out)
{
	cJSON *c = cJSON_CreateObject();
	char *t, *l1 = xasprintf("%s.l1.json", out);

	p->ops->describe(p, c);
	t = cJSON_Print(c);
	write_out(l1, t);
	free(t);
	free(l1);
	cJSON_Delete(c);
}

static void show_console(struct platform *p)
{
	struct sb tail = SB_INIT;

	platform_libvirt_console_tail(p, 25, &tail);
	fprintf(stderr, "--- the test host's serial console (last lines) ---\n%s"
		"---\n", tail.buf ? tail.buf : "");
	sb_release(&tail);
}

/* One test host: boot, copy in, run the script, tear down. Returns the
 * exit status for main(); *again is set when a fresh test host may do
 * better (it never answered, hung or ran out of time). */
static int attempt(const struct job *j, int *again)
{
	struct platform_opts o = { .network = "user", .vcpus = 2 };
	struct platform_libvirt_guest g = { .cpu_mode = "maximum", .image = j->im };
	struct exec_result r = { 0 };
	struct platform *p = NULL;
	char uuid[37], *cmd = NULL, *errf = NULL;
	double t0, idle = (double)env_long("KVM_HOST_IDLE", 300);
	int ret = 1, rr;

	*again = 0;
	vb_uuid(uuid);
	o.run_uuid = uuid;
	o.state_dir = j->state;
	o.memory_mib = (int)env_long("KVM_HOST_MEMORY", 4096);
	/* Its boot under TCG on a busy 2-core machine: minutes. */
	o.boot_timeout = (double)env_long("KVM_HOST_BOOT_TIMEOUT", 1500);
	if (!(p = platform_new("qemu:kvm-host", &o)))
		goto out;
	t0 = vb_mono_time();
	if (platform_libvirt_start_guest(p, &g) < 0) {
		*again = !collect_stop_requested;
		goto out;
	}
	vb_info("kvm-host: test host up in %.0f s (SSH after %.0f s)",
		vb_mono_time() - t0, platform_libvirt_boot_seconds(p));
	write_l1(p, j->out);
	if (p->ops->exec(p, "mkdir -p " REMOTE "/build " REMOTE "/suites", 30,
			 &r) < 0 || r.exit_status != 0)
		goto out;
	exec_result_clear(&r);
	if (put(p, j->bin, REMOTE "/virtbench", 0755) < 0 ||
	    put(p, j->fork, REMOTE "/build/forkbench", 0755) < 0 ||
	    put(p, j->script, REMOTE "/inside.sh", 0644) < 0 ||
	    put_suites(p, j->suites) < 0 || check_libraries(p) < 0)
		goto out;
	vb_info("kvm-host: virtbench copied in; running %s there", j->script);
	t0 = vb_mono_time();
	cmd = script_command();
	platform_libvirt_set_idle_timeout(p, idle);
	rr = p->ops->exec(p, cmd, (double)env_long("KVM_HOST_TIMEOUT", 1500), &r);
	if (rr == 0) {
		char why[64] = "";

		if (r.stalled)
			snprintf(why, sizeof(why), " (stalled: nothing printed "
				 "for %.0f s)", idle);
		else if (r.timed_out)
			snprintf(why, sizeof(why), " (timed out)");
		vb_info("kvm-host: the script ran %.0f s, exit status %d%s",
			vb_mono_time() - t0, r.exit_status, why);
		errf = xasprintf("%s.err", j->out);
		if (write_out(j->out, r.out) < 0 || write_out(errf, r.err) < 0)
			goto out;
	}
	/* A test host that hung, broke or ran out of time, or whose script
	 * says a nested guest never reached SSH (75, EX_TEMPFAIL). */
	if ((rr < 0 || r.timed_out || r.exit_status == 75) &&
	    !collect_stop_requested) {
		if (rr < 0 || r.timed_out)
			show_console(p);
		*again = 1;
	}
	if (rr < 0)
		goto out;
	ret = r.exit_status == 0 ? 0 : r.exit_status > 0 && r.exit_status < 126 ?
	      r.exit_status : 1;
	if (getenv("KVM_HOST_HOLD")) {
		vb_info("kvm-host: holding the test host (%s) until SIGINT/SIGTERM",
			p->instance_id ? p->instance_id : "?");
		while (!collect_stop_requested)
			pause();
	}
out:
	t0 = vb_mono_time();
	platform_free(p);
	vb_info("kvm-host: test host torn down in %.1f s", vb_mono_time() - t0);
	exec_result_clear(&r);
	free(cmd);
	free(errf);
	return ret;
}

int main(int argc, char **argv)
{
	struct job j = { .bin = getenv("VIRTBENCH"), .fork = getenv("FORKBENCH"),
			 .suites = getenv("SUITES") ? getenv("SUITES") : "suites" };
	struct image_info im = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	long attempts = env_long("KVM_HOST_ATTEMPTS", 2);
	int ret = 1, again = 1;

	if (argc != 4 || !j.bin || !j.fork) {
		fprintf(stderr, "usage: VIRTBENCH=BIN FORKBENCH=BIN virtbench-kvm-host "
			"STATE_DIR SCRIPT OUT\n");
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	vb_verbosity = 1;
	if (image_kvm_host_find(&im) != 0) {
		vb_error("kvm-host: image not built (virtbench image kvm-host)");
		return 1;
	}
	j.im = &im;
	j.state = argv[1];
	j.script = argv[2];
	j.out = argv[3];
	if (vb_mkdir_p(j.state, 0700) < 0) {
		image_info_clear(&im);
		return 1;
	}
	for (long n = 1; again && n <= attempts && !collect_stop_requested; n++) {
		if (n > 1)
			vb_info("kvm-host: attempt %ld of %ld with a fresh test host",
				n, attempts);
		ret = attempt(&j, &again);
	}
	image_info_clear(&im);
	return ret;
}
