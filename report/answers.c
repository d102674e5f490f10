/*
 * report/answers.c - the written answers and validity checks of the report.
 *
 * Each answer has two halves. The measurement: the speedup against the
 * baseline with its 95 % Fieller interval and Holm-adjusted p, formatted
 * by the analyzer's own helpers so the numbers equal "analyze". The
 * mechanism: sentences chosen from the platform's recorded configuration
 * (accelerator, CPU model, disk cache and bus, Docker storage, network
 * mode, sizes). When a fact the mechanism depends on was not recorded, the
 * answer says which one is missing: a platform called "kvm" in an imported
 * CSV may have run under TCG, and the report must not pretend otherwise.
 * Likewise a guest of a remote libvirtd ran on another machine than the
 * baseline measured here: its answers and checks say so rather than
 * blame the whole gap on virtualization.
 *
 * All database text placed in the Markdown goes through tmpl_md_escape()
 * (names) or tmpl_md_code() (configuration values).
 */
#include "report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/template.h"

enum report_category report_category(const char *b)
{
	if (!strcmp(b, "cpu") || !strcmp(b, "mem") || !strcmp(b, "fork"))
		return REPORT_COMPUTE;
	if (!strncmp(b, "disk", 4))
		return REPORT_DISK;
	if (!strcmp(b, "uplink") || !strncmp(b, "net", 3))
		return REPORT_NETWORK;
	return REPORT_OTHER;
}

static void md_name(struct sb *out, const char *s)
{
	sb_adds(out, "**");
	tmpl_md_escape(out, s);
	sb_adds(out, "**");
}

/* Appends "key=`value`" style facts: `value` as code. */
static void md_val(struct sb *out, const char *v)
{
	tmpl_md_code(out, v);
}

/* Is this platform a virtual machine according to its recorded
 * accelerator? 1 yes, 0 no (native, container), -1 not recorded. The
 * accelerator's name is left in buf ("" when not recorded). */
static int is_guest(const struct report_platform *p, char *buf, size_t size)
{
	const char *acc = p ? report_fact(p, "accelerator", buf, size) : NULL;

	snprintf(buf, size, "%s", acc ? acc : "");
	if (!acc)
		return -1;
	return !strcmp(buf, "kvm") || !strcmp(buf, "tcg");
}

/* ---- machines ------------------------------------------------------------
 * Samples are stored under the host that collected them, but a guest of a
 * remote libvirtd (--connect qemu+ssh://root@hostB/system) or an ssh
 * platform ran on another machine. Comparing it with a baseline measured
 * here mixes the cost of virtualization with the difference between two
 * machines, and the expectations that hold for a guest of this host (no
 * faster than it, TCG slower than KVM) do not hold across machines. NULL
 * stands for the collecting host throughout. */

static int same_machine(const char *a, const char *b)
{
	return a ? b && !strcmp(a, b) : !b;
}

/* The machine the baseline of host ran on (NULL: the collecting host, or
 * a baseline without facts). */
static const char *baseline_machine(const struct report_facts *f,
				    const struct analyze_set *set,
				    const char *host, char *buf, size_t size)
{
	return report_remote_host(report_facts_platform(f, host, set->baseline),
				  buf, size);
}

/* A guest of a remote libvirtd whose baseline ran on another machine:
 * returns the machine it ran on (the text may be in buf) and sets *base to
 * the baseline's (in bbuf; NULL: the collecting host); NULL otherwise. An
 * ssh platform is another machine too, but it is compared as a machine,
 * not measured for a cost of virtualization, so it is not one. */
static const char *remote_guest(const struct report_facts *f,
				const struct analyze_set *set,
				const struct report_platform *p, char *buf,
				size_t size, char *bbuf, size_t bsize,
				const char **base)
{
	char kb[64];
	const char *kind = p ? report_fact(p, "kind", kb, sizeof(kb)) : NULL;
	const char *m;

	*base = NULL;
	if (!p || !strcmp(kind ? kind : p->kind, "ssh") ||
	    !strcmp(p->name, set->baseline))
		return NULL;
	m = report_remote_host(p, buf, size);
	if (!m)
		return NULL;
	*base = baseline_machine(f, set, p->host, bbuf, bsize);
	return same_machine(m, *base) ? NULL : m;
}

/* "**native** ran on this host (h1)" or "... ran on `hostC`". */
static void baseline_where(struct sb *out, const struct analyze_set *set,
			   const char *host, const char *base)
{
	md_name(out, set->baseline);
	if (base) {
		sb_adds(out, " ran on ");
		md_val(out, base);
	} else {
		sb_adds(out, " ran on this host (");
		tmpl_md_escape(out, host);
		sb_adds(out, ")");
	}
}

/* Appends s as one shell word, quoted only when it needs to be, so the
 * command in a code span can be pasted as it stands. */
static void shell_word(struct sb *out, const char *s)
{
	if (s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789@%+=:,./_-") == strlen(s)) {
		sb_adds(out, s);
		return;
	}
	sb_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(out, "'\\''");
		else
			sb_addc(out, *s);
	}
	sb_addc(out, '\'');
}

/* Appends what separates the two: collect machine m itself with the ssh
 * platform, logging in as the libvirt connection of p does, next to the
 * guest, and compare with that baseline. */
static void remote_fix(struct sb *out, const struct report_platform *p,
		       const char *m)
{
	char ub[512];
	const char *uri = report_fact(p, "connect_uri", ub, sizeof(ub));
	const char *a = uri ? strstr(uri, "://") : NULL;
	size_t n = a ? strcspn(a + 3, "/?") : 0;
	struct sb target = SB_INIT, cmd = SB_INIT;
	char *fallback = NULL;

	/* the URI's [USER@]HOST[:PORT] is what ssh:USER@HOST[:PORT] takes */
	sb_adds(&target, "ssh:");
	if (n) {
		if (!memchr(a + 3, '@', n))
			sb_adds(&target, "USER@");
		sb_addf(&target, "%.*s", (int)n, a + 3);
	} else {
		sb_addf(&target, "USER@%s", m);
		fallback = xasprintf("qemu+ssh://USER@%s/system", m);
	}
	sb_adds(out, " To separate them, measure ");
	md_val(out, m);
	sb_adds(out, " itself as the baseline with the ssh platform, in the same run as the guest: ");
	sb_adds(&cmd, "virtbench collect --platforms ");
	shell_word(&cmd, target.buf);
	sb_addc(&cmd, ',');
	sb_adds(&cmd, p->name);
	sb_adds(&cmd, " --connect ");
	shell_word(&cmd, uri ? uri : fallback);
	md_val(out, cmd.buf);
	if (uri && strstr(uri, "keyfile="))
		sb_adds(out, " (with `VIRTBENCH_SSH_IDENTITY` set to the URI's key file, which the ssh platform does not read from the URI)");
	sb_adds(out, ", then compare with it: ");
	sb_reset(&cmd);
	sb_adds(&cmd, "virtbench report --baseline ");
	shell_word(&cmd, target.buf);
	md_val(out, cmd.buf);
	sb_adds(out, " (or ");
	sb_reset(&cmd);
	sb_adds(&cmd, "virtbench analyze --baseline ");
	shell_word(&cmd, target.buf);
	md_val(out, cmd.buf);
	sb_adds(out, ").");
	sb_release(&target);
	sb_release(&cmd);
	free(fallback);
}

static int cache_reads_host(const char *cache)
{
	/* QEMU's cache modes: writeback, writethrough and unsafe all open the
	 * image without O_DIRECT, so guest reads can hit the host page
	 * cache; none and directsync use O_DIRECT on the host side. */
	return cache && (!strcmp(cache, "writeback") ||
			 !strcmp(cache, "writethrough") || !strcmp(cache, "unsafe"));
}

static void missing(struct sb *out, const struct report_platform *p,
		    const char *what, const char *why)
{
	/* "The accelerator of X was not recorded" - facts named as a list
	 * ("a and b") take the plural. */
	int plural = strstr(what, " and ") != NULL;

	sb_adds(out, " The ");
	sb_adds(out, what);
	sb_adds(out, " of ");
	md_name(out, p ? p->name : "this platform");
	sb_adds(out, plural ? " were not recorded" : " was not recorded");
	if (!p || !p->config)
		sb_adds(out, " (no platform configuration is stored for its runs, e.g. imported CSV data)");
	sb_adds(out, ", so ");
	sb_adds(out, why);
	sb_adds(out, " cannot be named from facts.");
}

/* A fact that differs between merged runs. */
static int conflict(struct sb *out, const struct report_platform *p,
		    const char *key)
{
	if (!p || !report_fact_conflicts(p, key))
		return 0;
	sb_adds(out, " Its ");
	md_val(out, key);
	sb_adds(out, " differed between the runs merged here, so the numbers mix configurations: report one run at a time with `--run`.");
	return 1;
}

static void gap_sentence(const struct analyze_set *set,
			 const struct analyze_group *g, struct sb *out)
{
	const struct analyze_vs *vs = &g->vs_baseline;
	char sp[128], p[32];

	md_name(out, g->platform);
	if (!vs->present || !analyze_have(vs->speedup)) {
		sb_adds(out, " cannot be compared with ");
		md_name(out, set->baseline);
		sb_addf(out, ": %s.", vs->reason ? vs->reason : "no baseline data");
		return;
	}
	analyze_fmt_speedup(vs, sp, sizeof(sp));
	sb_addf(out, " runs %s at **%s** the speed of ", g->benchmark, sp);
	md_name(out, set->baseline);
	if (vs->speedup >= 1.5)
		sb_addf(out, " (%.1f× faster", vs->speedup);
	else if (vs->speedup > 0 && vs->speedup <= 1 / 1.5)
		sb_addf(out, " (%.1f× slower", 1 / vs->speedup);
	else if (fabs(vs->speedup - 1) < 0.0005)
		sb_adds(out, " (±0.0%");
	else
		sb_addf(out, " (%+.1f%%", 100 * (vs->speedup - 1));
	sb_adds(out, "; 95% Fieller interval).");
	analyze_fmt_p(vs->p_holm, p, sizeof(p));
	if (!analyze_have(vs->p_holm))
		sb_addf(out, " Significance could not be tested (%s).",
			vs->welch.reason ? vs->welch.reason : "no p-value");
	else if (vs->significant)
		sb_addf(out, " The difference is significant (Welch, Holm-adjusted over %zu comparisons: %s).",
			set->n_comparisons, p);
	else
		sb_addf(out, " The difference is **not significant** (Welch, Holm-adjusted over %zu comparisons: %s): with these samples it cannot be told apart from %s.",
			set->n_comparisons, p, set->baseline);
}

static void sizes(struct sb *out, const struct report_platform *p,
		  const struct report_host *h)
{
	char b1[64], b2[64];
	const char *v = report_fact(p, "vcpus", b1, sizeof(b1));
	const char *m = report_fact(p, "memory_mib", b2, sizeof(b2));

	char b3[64];
	const char *kind = report_fact(p, "kind", b3, sizeof(b3));

	if (!v && !m)
		return;
	/* A container's sizes are cgroup limits on the host's own CPUs and
	 * memory, a guest's are its virtual hardware. */
	if (kind && (!strcmp(kind, "docker") || !strcmp(kind, "native")))
		sb_adds(out, !strcmp(kind, "docker") ? " Its cgroup limits were " : " It had ");
	else
		sb_adds(out, " It had ");
	if (v)
		sb_addf(out, "%s %s%s", v, kind && !strcmp(kind, "docker") ? "CPU" : "vCPU",
			strcmp(v, "1") ? "s" : "");
	if (v && m)
		sb_adds(out, " and ");
	if (m)
		sb_addf(out, "%s MiB of memory", m);
	if (h && h->cores > 0)
		sb_addf(out, " on a host with %d cores", h->cores);
	if (h && h->memory_bytes > 0)
		sb_addf(out, "%s%.1f GiB", h->cores > 0 ? " and " : " on a host with ",
			h->memory_bytes / 1073741824.0);
	sb_adds(out, ".");
}

/* The benchmark tool's version here and on the baseline, when both were
 * recorded and differ: a different build can explain a gap by itself. */
static void tool_difference(const struct report_facts *f,
			    const struct analyze_set *set,
			    const struct analyze_group *g,
			    const struct report_platform *p, struct sb *out)
{
	const struct report_platform *bp = report_facts_platform(f, g->host, set->baseline);
	const char *tool = !strcmp(g->benchmark, "uplink") ? "tools.iperf3" :
			   !strcmp(g->benchmark, "fork") ? NULL : "tools.sysbench";
	char a[256], b[256];
	const char *va, *vb;

	if (!tool || !p || !bp)
		return;
	va = report_fact(p, tool, a, sizeof(a));
	vb = report_fact(bp, tool, b, sizeof(b));
	if (!va || !vb || !strcmp(va, vb))
		return;
	sb_adds(out, " Note that the tool differs: ");
	md_val(out, va);
	sb_adds(out, " here, ");
	md_val(out, vb);
	sb_adds(out, " on ");
	tmpl_md_escape(out, set->baseline);
	sb_adds(out, ".");
}

static void compute_mechanism(const struct analyze_group *g,
			      const struct report_platform *p,
			      const struct report_host *h, struct sb *out)
{
	char b[256], c[256];
	const char *acc = p ? report_fact(p, "accelerator", b, sizeof(b)) : NULL;
	int mem = !strcmp(g->benchmark, "mem"), fork = !strcmp(g->benchmark, "fork");

	if (conflict(out, p, "accelerator"))
		return;
	if (!acc) {
		missing(out, p, "accelerator (KVM, TCG, or none for a container)",
			"the mechanism behind this gap");
		return;
	}
	if (!strcmp(acc, "tcg")) {
		sb_adds(out, " Mechanism: the accelerator is ");
		md_val(out, "tcg");
		sb_adds(out, " — QEMU's TCG translates every guest instruction into host code in software,");
		if (mem)
			sb_adds(out, " and every guest load and store also goes through QEMU's software MMU (a TLB lookup in code), so memory bandwidth collapses.");
		else if (fork)
			sb_adds(out, " and page-table updates, page faults and TLB flushes — what fork() is made of — are emulated too.");
		else
			sb_adds(out, " so CPU-bound code runs several times slower than on the host.");
	} else if (!strcmp(acc, "kvm")) {
		sb_adds(out, " Mechanism: the accelerator is ");
		md_val(out, "kvm");
		sb_adds(out, " — KVM runs guest code directly on the CPU with hardware virtualization (VT-x/AMD-V);");
		if (mem)
			sb_adds(out, " memory accesses are native but go through two-level page tables (EPT/NPT), which makes TLB misses dearer.");
		else if (fork)
			sb_adds(out, " fork() is page-table work, and under two-level paging (EPT/NPT) page faults and TLB flushes cost more than on the host.");
		else
			sb_adds(out, " only exits to the hypervisor cost extra, so CPU-bound work should be within a few percent of native.");
		const char *model = report_fact(p, "cpu_model", c, sizeof(c));

		if (!model) {
			sb_adds(out, " The guest CPU model was not recorded, so whether the guest saw the host's instruction-set extensions is unknown.");
		} else if (!strcmp(model, "host-passthrough") || !strcmp(model, "host-model")) {
			sb_adds(out, " The guest CPU model is ");
			md_val(out, model);
			sb_adds(out, ", so the guest has the host's instruction-set extensions.");
		} else {
			sb_adds(out, " The guest CPU model is ");
			md_val(out, model);
			sb_adds(out, ", which may hide instruction-set extensions of the host CPU from the guest.");
		}
	} else if (!strcmp(acc, "none")) {
		const char *kind = report_fact(p, "kind", c, sizeof(c));

		if (kind && !strcmp(kind, "docker"))
			sb_adds(out, " Mechanism: a container runs its processes directly on the host kernel — namespaces and cgroups, no instruction translation and no hypervisor — so CPU and memory work should match native;");
		else
			sb_adds(out, " Mechanism: no virtualization (accelerator `none`) — the code runs directly on the host's kernel and CPU;");
		if (g->vs_baseline.significant && fabs(g->vs_baseline.speedup - 1) > 0.02)
			sb_adds(out, " a significant gap here points to something outside the CPU path: cgroup CPU or memory limits, a different tool build (see the tools in the platform table), or frequency scaling between turns.");
		else
			sb_adds(out, " the measurement agrees.");
	} else {
		sb_adds(out, " The accelerator is ");
		md_val(out, acc);
		sb_adds(out, ", for which virtbench has no explanation.");
	}
	sizes(out, p, h);
}

static void disk_mechanism(const struct analyze_group *g,
			   const struct report_platform *p,
			   const struct report_host *h, struct sb *out)
{
	char b[256], c[256], d[256], e[256];
	int guest = is_guest(p, b, sizeof(b));

	(void)g;
	if (conflict(out, p, "accelerator") || conflict(out, p, "disk_cache") ||
	    conflict(out, p, "storage"))
		return;
	if (guest < 0) {
		missing(out, p, "accelerator and disk configuration (disk cache mode, bus, Docker storage)",
			"the mechanism behind this gap");
		return;
	}
	if (guest) {
		const char *cache = report_fact(p, "disk_cache", c, sizeof(c));
		const char *bus = report_fact(p, "disk_bus", d, sizeof(d));
		const char *fmt = report_fact(p, "disk_format", e, sizeof(e));

		sb_adds(out, " Mechanism: the benchmark reads with O_DIRECT inside the guest, which bypasses only the guest's page cache.");
		if (!cache) {
			missing(out, p, "disk cache mode (`cache=` of the guest's disk)",
				"whether the host's page cache served these reads");
		} else if (cache_reads_host(cache)) {
			sb_adds(out, " The guest disk uses cache=");
			md_val(out, cache);
			sb_adds(out, ": QEMU opens the image without O_DIRECT, so the guest's reads are served from the **host's page cache** when the data is there — a guest can then \"beat\" native O_DIRECT reads. That is a caching artefact, not a faster disk.");
			if (h && h->memory_bytes > 0)
				sb_addf(out, " The host has %.1f GiB of RAM to cache the test file in.",
					h->memory_bytes / 1073741824.0);
		} else {
			sb_adds(out, " The guest disk uses cache=");
			md_val(out, cache);
			sb_adds(out, ": QEMU opens the image with O_DIRECT too, so reads bypass the host page cache and reach the device; the gap is the cost of the virtual disk path");
			if (bus) {
				sb_adds(out, " (bus ");
				md_val(out, bus);
				if (fmt) {
					sb_adds(out, ", image format ");
					md_val(out, fmt);
				}
				sb_adds(out, ")");
			}
			sb_adds(out, ": a request leaves the guest through the virtual device, QEMU resubmits it on the host, and the completion is injected back as an interrupt.");
		}
		if (!strcmp(b, "tcg"))
			sb_adds(out, " Under TCG the guest's own I/O path (driver, system calls, interrupt handling) is emulated instruction by instruction as well, so each request costs much more CPU time; small random reads suffer most.");
		sizes(out, p, h);
		return;
	}
	/* Not a guest: a container (or the host itself under another name). */
	const char *kind = report_fact(p, "kind", c, sizeof(c));

	if (!kind || strcmp(kind, "docker") != 0) {
		sb_adds(out, " Mechanism: no virtualization and no container was recorded for this platform, so its disk path is the host's own.");
		return;
	}
	const char *storage = report_fact(p, "storage", d, sizeof(d));

	if (!storage) {
		missing(out, p, "container storage (a volume or the overlay layer)",
			"the disk path of the test file");
	} else if (!strcmp(storage, "overlay")) {
		const char *drv = report_fact(p, "storage_driver", e, sizeof(e));

		sb_adds(out, " Mechanism: the test file lives in the container's writable **overlay layer**");
		if (drv) {
			sb_adds(out, " (storage driver ");
			md_val(out, drv);
			sb_adds(out, ")");
		}
		sb_adds(out, ": every open and read goes through the overlay filesystem before it reaches the host filesystem underneath");
		drv = report_fact(p, "backing_filesystem", e, sizeof(e));
		if (drv) {
			sb_adds(out, " (");
			md_val(out, drv);
			sb_adds(out, ")");
		}
		sb_adds(out, ". A Docker volume (a host directory mounted into the container) avoids that layer.");
	} else if (!strcmp(storage, "volume")) {
		sb_adds(out, " Mechanism: the test file is on a Docker **volume**, a directory of the host's filesystem mounted into the container, so reads take the same path as native; a remaining gap is not explained by storage (check the noise warnings).");
	} else {
		sb_adds(out, " The container's storage is ");
		md_val(out, storage);
		sb_adds(out, ", for which virtbench has no explanation.");
	}
}

static void network_mechanism(const struct analyze_group *g,
			      const struct report_platform *p,
			      const struct report_host *h, struct sb *out)
{
	char b[256], c[256];
	const char *mode = p ? report_fact(p, "network_mode", b, sizeof(b)) : NULL;
	int guest = is_guest(p, c, sizeof(c));

	(void)g;
	if (conflict(out, p, "network_mode"))
		return;
	if (!mode) {
		missing(out, p, "network mode (user-mode, bridged, host, ...)",
			"the path the uplink traffic took");
		return;
	}
	sb_adds(out, " Mechanism: the network mode is ");
	md_val(out, mode);
	if (!strcmp(mode, "user")) {
		sb_adds(out, " — user-mode networking (slirp): QEMU terminates the guest's TCP connections in its own user-space network stack and re-sends the data through host sockets, copying every packet in the QEMU process; a tap device on a bridge with vhost-net avoids those copies.");
	} else if (!strcmp(mode, "host")) {
		sb_adds(out, " — the container shares the host's network stack (no veth pair, no NAT), so uplink throughput should match native.");
	} else if (!strcmp(mode, "bridge")) {
		if (guest == 1)
			sb_adds(out, " — a tap device on a host bridge: packets cross the virtual NIC and the bridge, cheaper than user-mode networking but not free.");
		else
			sb_adds(out, " — the container sits behind a veth pair on a bridge with NAT, which adds a hop and address translation to every packet.");
	} else if (!strncmp(mode, "libvirt:", 8)) {
		sb_adds(out, " — a libvirt virtual network: a tap device on a bridge, with NAT to the outside; packets cross the virtual NIC and the bridge.");
	} else if (!strcmp(mode, "none")) {
		sb_adds(out, " — no network at all, so an uplink result should not exist: check the samples.");
	} else if (!strcmp(mode, "ssh")) {
		sb_adds(out, " — another machine reached over SSH; the uplink crosses a real network whose capacity bounds the result.");
	} else {
		sb_adds(out, ", for which virtbench has no explanation.");
	}
	if (guest == 1 && !strcmp(c, "tcg"))
		sb_adds(out, " Under TCG the guest's own TCP/IP stack and NIC driver are emulated as well, which caps throughput further.");
	sizes(out, p, h);
}

void report_answer(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, const struct analyze_group *base,
		   struct sb *out)
{
	const struct report_platform *p = report_facts_platform(f, g->host, g->platform);
	const struct report_host *h = report_facts_host(f, g->host);
	enum report_category cat = report_category(g->benchmark);
	char mb[256], bb[256];
	const char *bm, *m = remote_guest(f, set, p, mb, sizeof(mb), bb, sizeof(bb), &bm);
	size_t mech_start;

	(void)base;
	gap_sentence(set, g, out);
	if (g->n == 0)
		return;
	if (m && g->vs_baseline.present && analyze_have(g->vs_baseline.speedup)) {
		sb_adds(out, " It ran on ");
		md_val(out, m);
		sb_adds(out, ", while ");
		baseline_where(out, set, g->host, bm);
		sb_adds(out, ": the speedup mixes the cost of virtualization with the difference between the two machines");
		sb_adds(out, g->vs_baseline.significant && cat != REPORT_OTHER ?
			", so the mechanism below explains only part of the gap" : "");
		sb_adds(out, " (the validity checks say how to measure ");
		md_val(out, m);
		sb_adds(out, " itself as the baseline).");
	}
	/* The host facts on record are the collecting host's, not those of
	 * the machine a remote guest ran on. */
	if (report_remote_host(p, mb, sizeof(mb)))
		h = NULL;
	tool_difference(f, set, g, p, out);
	mech_start = out->len;
	switch (cat) {
	case REPORT_COMPUTE:
		compute_mechanism(g, p, h, out);
		break;
	case REPORT_DISK:
		disk_mechanism(g, p, h, out);
		break;
	case REPORT_NETWORK:
		network_mechanism(g, p, h, out);
		break;
	case REPORT_OTHER:
		sb_adds(out, " virtbench knows no mechanism for this benchmark; the platform's recorded configuration is in the table above.");
		break;
	}
	/* Without a significant gap there is nothing to explain: keep the
	 * configuration sentence, but do not present it as the cause. */
	if (!g->vs_baseline.significant && out->len > mech_start &&
	    !strncmp(out->buf + mech_start, " Mechanism:", 11)) {
		static const char repl[] = " There is no significant gap to explain; for reference, the recorded configuration:";
		struct sb rest = SB_INIT;

		sb_adds(&rest, out->buf + mech_start + 11);
		out->len = mech_start;
		out->buf[out->len] = '\0';
		sb_adds(out, repl);
		sb_adds(out, rest.buf);
		sb_release(&rest);
	}
}

/* ---- validity checks --------------------------------------------------- */

static void check(cJSON *arr, const char *level, const char *platform,
		  struct sb *text)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "level", level);
	cJSON_AddStringToObject(o, "platform", platform);
	cJSON_AddStringToObject(o, "text", text->buf ? text->buf : "");
	cJSON_AddItemToArray(arr, o);
	sb_reset(text);
}

/* CIs of speedups do not overlap and a is above b. */
static int clearly_above(const struct analyze_vs *a, const struct analyze_vs *b)
{
	if (analyze_have(a->ci_lo) && analyze_have(b->ci_hi) && a->ci_bounded &&
	    b->ci_bounded)
		return a->ci_lo > b->ci_hi;
	return 0;
}

/* How far above the baseline the low end of a speedup interval must be
 * before a compute result on the same host is called implausible: turbo
 * and frequency scaling or scheduler luck between turns can hand a
 * platform a few percent; more than 5 % even at the interval's low end is
 * beyond them. */
#define IMPLAUSIBLE_SPEEDUP 1.05

/* Is p a guest or a container, i.e. run by the machine it sits on? Returns
 * its kind ("kvm", "qemu", "docker") or NULL (native, ssh, unknown). Whether
 * that machine is the baseline's, report_checks() asks same_machine().
 * *recorded is 0 when the kind is only what the platform was registered
 * as (imported data: its name), with no configuration behind it. */
static const char *same_host_kind(const struct report_platform *p,
				  const struct analyze_group *x,
				  char *buf, size_t size, int *recorded)
{
	const char *kind = p ? report_fact(p, "kind", buf, size) : NULL;

	*recorded = kind != NULL;
	if (!kind)
		kind = p ? p->kind : x->kind;
	if (!kind || (strcmp(kind, "kvm") && strcmp(kind, "qemu") &&
		      strcmp(kind, "docker")))
		return NULL;
	return kind;
}

/* A guest or container that computes or moves memory clearly faster than
 * the host it runs on: a measurement artefact, named with its likely
 * causes. base is the baseline group of the same benchmark (or NULL). */
static void implausible_compute(const struct report_facts *f,
				const struct analyze_set *set,
				const struct analyze_group *x,
				const struct analyze_group *base,
				const struct report_platform *p,
				const char *kind, int recorded, struct sb *t)
{
	const struct analyze_vs *vs = &x->vs_baseline;
	int container = !strcmp(kind, "docker");
	int mem = !strcmp(x->benchmark, "mem"), fork = !strcmp(x->benchmark, "fork");
	char sp[128], pb[32], ab[64];
	const char *acc = p ? report_fact(p, "accelerator", ab, sizeof(ab)) : NULL;

	md_name(t, x->platform);
	sb_adds(t, mem ? " moves more memory per second than " :
		   fork ? " creates processes faster than " :
		   " does more CPU work per second than ");
	tmpl_md_escape(t, set->baseline);
	sb_addf(t, " (%s, %s): more than %.0f %% faster even at the low end of the interval. That is implausible: it is a %s on the same host as ",
		analyze_fmt_speedup(vs, sp, sizeof(sp)),
		analyze_fmt_p(vs->p_holm, pb, sizeof(pb)),
		100 * (IMPLAUSIBLE_SPEEDUP - 1),
		container ? "container" : "guest");
	tmpl_md_escape(t, set->baseline);
	sb_addf(t, ", and a %s cannot get more %s than the host that runs it.",
		container ? "container" : "guest",
		mem ? "memory bandwidth" : fork ? "CPU or memory bandwidth" : "CPU");
	if (!recorded) {
		sb_adds(t, " Its kind ");
		md_val(t, kind);
		sb_adds(t, " is only what the platform was registered as");
		sb_adds(t, !p || !p->config ? " (no platform configuration is stored for its runs, e.g. imported CSV data, where the kind is the platform's name)." :
			   ": its recorded configuration does not name a kind.");
	}
	if (container) {
		sb_adds(t, " A container reads the host's own clock, so clock drift is ruled out; the likely causes are");
	} else if (acc && !strcmp(acc, "tcg")) {
		sb_adds(t, " Likely causes: the guest's clock running slow — its accelerator is ");
		md_val(t, "tcg");
		sb_adds(t, ", and under TCG guest time can fall behind the host's, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	} else if (acc && !strcmp(acc, "kvm")) {
		sb_adds(t, " Likely causes: the guest's clock running slow — a KVM guest without the `kvmclock` clocksource can lose time, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	} else {
		sb_adds(t, " Likely causes: the guest's clock running slow — under TCG, or under KVM without the `kvmclock` clocksource, guest time can fall behind the host's, so a timed run does more than its nominal seconds of work and its rate looks higher;");
	}
	sb_adds(t, " a working set that fits in a CPU cache here but not on ");
	tmpl_md_escape(t, set->baseline);
	sb_adds(t, container ? " (a different tool build or different parameters), or the host busy (background work, another platform left running) during the turns of " :
		   " (a different tool build or different parameters); or the host busy (background work, another platform left running) during the turns of ");
	tmpl_md_escape(t, set->baseline);
	sb_adds(t, " and idle during this platform's.");
	if (base && base->n && (base->drift.significant ||
				(analyze_have(base->cov) && base->cov > ANALYZE_HIGH_COV))) {
		sb_adds(t, " The last fits the data: ");
		tmpl_md_escape(t, set->baseline);
		sb_adds(t, "'s own samples are ");
		if (analyze_have(base->cov) && base->cov > ANALYZE_HIGH_COV)
			sb_addf(t, "noisy (CoV %.1f%%)%s", 100 * base->cov,
				base->drift.significant ? " and " : ".");
		if (base->drift.significant)
			sb_addf(t, "drifting (Spearman ρ=%.2f).", base->drift.rho);
	}
	tool_difference(f, set, x, p, t);
}

void report_checks(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, size_t n, cJSON *arr)
{
	struct sb t = SB_INIT;
	char buf[128], sp[128], pb[32], kb[64], mb[256], bb[256];
	enum report_category cat = n ? report_category(g[0].benchmark) : REPORT_OTHER;
	const struct analyze_group *base = NULL;
	const char *bm = n ? baseline_machine(f, set, g[0].host, bb, sizeof(bb)) : NULL;

	for (size_t i = 0; i < n; i++)
		if (g[i].is_baseline)
			base = &g[i];
	for (size_t i = 0; i < n; i++) {
		const struct analyze_group *x = &g[i];
		const struct analyze_vs *vs = &x->vs_baseline;
		const struct report_platform *p = report_facts_platform(f, x->host, x->platform);
		int guest = is_guest(p, buf, sizeof(buf));
		int faster = !x->is_baseline && vs->present && vs->significant &&
			     analyze_have(vs->speedup) && vs->speedup > 1;
		int recorded = 0;
		/* A platform on another machine than the baseline (a guest of a
		 * remote libvirtd, an ssh host) may be faster for real: the
		 * same-machine expectations below do not apply to it. */
		const char *m = report_remote_host(p, mb, sizeof(mb));
		int other = !same_machine(m, bm);
		const char *kind = other ? NULL :
				   same_host_kind(p, x, kb, sizeof(kb), &recorded);
		/* cpu, mem and fork are the compute category; the lower bound of
		 * the (direction-aware) Fieller interval, not the point */
		int implausible = cat == REPORT_COMPUTE && kind && !x->is_baseline &&
				  vs->present && vs->ci_bounded &&
				  analyze_have(vs->ci_lo) &&
				  vs->ci_lo > IMPLAUSIBLE_SPEEDUP;

		if (x->n == 0) {
			md_name(&t, x->platform);
			sb_addf(&t, ": every sample failed (%zu failed)", x->n_failed);
			sb_adds(&t, p && p->reason ? " — " : ".");
			if (p && p->reason) {
				tmpl_md_escape(&t, p->reason);
				sb_adds(&t, ".");
			}
			check(arr, "problem", x->platform, &t);
			continue;
		}
		if (faster && cat == REPORT_DISK && guest == 1 && other &&
		    !cache_reads_host(report_fact(p, "disk_cache", buf, sizeof(buf)))) {
			/* not "a cache": another machine's disk may be faster */
			const char *cache = report_fact(p, "disk_cache", buf, sizeof(buf));

			md_name(&t, x->platform);
			sb_addf(&t, " reads faster than %s with O_DIRECT (%s, %s), but it ran on ",
				set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
				analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
			if (m) {
				md_val(&t, m);
			} else {
				sb_adds(&t, "this host (");
				tmpl_md_escape(&t, x->host);
				sb_adds(&t, ")");
			}
			sb_adds(&t, ", another machine than ");
			tmpl_md_escape(&t, set->baseline);
			sb_adds(&t, "'s, whose disk may simply be faster.");
			if (cache) {
				sb_adds(&t, " Its disk uses cache=");
				md_val(&t, cache);
				sb_adds(&t, ", which bypasses the page cache of the host that runs it.");
			} else {
				sb_adds(&t, " Its disk cache mode was not recorded; a host-side cache (cache=writeback) would explain it too.");
			}
			check(arr, "warning", x->platform, &t);
		} else if (faster && cat == REPORT_DISK && guest == 1) {
			const char *cache = report_fact(p, "disk_cache", buf, sizeof(buf));

			md_name(&t, x->platform);
			sb_addf(&t, " reads faster than %s with O_DIRECT (%s, %s): a cache, not a faster disk.",
				set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
				analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
			if (cache_reads_host(cache)) {
				sb_adds(&t, " Its disk uses cache=");
				md_val(&t, cache);
				sb_adds(&t, ", so guest reads are served from the host's page cache — a caching artefact.");
			} else if (cache) {
				sb_adds(&t, " Its disk uses cache=");
				md_val(&t, cache);
				sb_adds(&t, ", which should bypass the host page cache: this result is implausible — check that the host's own device was measured the same way.");
			} else {
				sb_adds(&t, " The disk cache mode was not recorded; a host-side cache (cache=writeback) is the usual cause.");
			}
			check(arr, "problem", x->platform, &t);
		} else if (faster && cat == REPORT_DISK && guest == -1) {
			md_name(&t, x->platform);
			sb_addf(&t, " reads faster than %s with O_DIRECT (%s, %s). If it is a virtual machine this is a caching artefact (cache=writeback serves reads from the host's page cache); its configuration was not recorded, so virtbench cannot tell.",
				set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
				analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
			check(arr, "warning", x->platform, &t);
		} else if (faster && cat == REPORT_DISK && !other) {
			md_name(&t, x->platform);
			sb_addf(&t, " reads faster than %s with O_DIRECT (%s, %s), against the expected direction: a container uses the host's own disk path.",
				set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
				analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
			check(arr, "warning", x->platform, &t);
		} else if (implausible) {
			implausible_compute(f, set, x, base, p, kind, recorded, &t);
			check(arr, "problem", x->platform, &t);
		} else if (faster && cat == REPORT_COMPUTE && guest == 1 && !other) {
			md_name(&t, x->platform);
			sb_addf(&t, " is faster than %s (%s, %s), against the expected direction: virtualization only adds work. Suspect frequency scaling or noise between turns, or different tool versions.",
				set->baseline, analyze_fmt_speedup(vs, sp, sizeof(sp)),
				analyze_fmt_p(vs->p_holm, pb, sizeof(pb)));
			check(arr, "problem", x->platform, &t);
		}

		if (x->n < ANALYZE_FEW_SAMPLES) {
			md_name(&t, x->platform);
			sb_addf(&t, ": only %zu sample%s (fewer than %d), so the interval is wide and the tests weak.",
				x->n, x->n == 1 ? "" : "s", ANALYZE_FEW_SAMPLES);
			check(arr, "warning", x->platform, &t);
		}
		if (analyze_have(x->cov) && x->cov > ANALYZE_HIGH_COV) {
			md_name(&t, x->platform);
			sb_addf(&t, ": CoV %.*f%% is above %.0f%% — noisy samples.",
				100 * (x->cov - ANALYZE_HIGH_COV) < 0.05 ? 2 : 1,
				100 * x->cov, 100 * ANALYZE_HIGH_COV);
			check(arr, "warning", x->platform, &t);
		}
		if (x->drift.significant) {
			md_name(&t, x->platform);
			sb_addf(&t, ": the samples drift over the run (Spearman ρ=%.2f, %s) — the platform changed while it was measured (thermal, caches warming, background work).",
				x->drift.rho, analyze_fmt_p(x->drift.p, pb, sizeof(pb)));
			check(arr, "warning", x->platform, &t);
		}
		if (x->n_failed) {
			md_name(&t, x->platform);
			sb_addf(&t, ": %zu of %zu samples failed and are left out.",
				x->n_failed, x->n_failed + x->n);
			check(arr, "warning", x->platform, &t);
		}
		if (!x->is_baseline && vs->present && analyze_have(vs->speedup) &&
		    !vs->ci_bounded) {
			md_name(&t, x->platform);
			sb_addf(&t, ": the interval of the speedup is unbounded (the %s mean is too uncertain to divide by).",
				set->baseline);
			check(arr, "warning", x->platform, &t);
		}
	}

	/* TCG faster than KVM on the same host and benchmark. */
	if (cat != REPORT_COMPUTE && cat != REPORT_DISK && cat != REPORT_NETWORK)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		const struct report_platform *pi = report_facts_platform(f, g[i].host, g[i].platform);
		const char *ai = pi ? report_fact(pi, "accelerator", buf, sizeof(buf)) : NULL;

		if (!ai || strcmp(ai, "tcg") != 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct report_platform *pj =
				report_facts_platform(f, g[j].host, g[j].platform);
			char b2[64], bb2[256];
			const char *aj = pj ? report_fact(pj, "accelerator", b2, sizeof(b2)) : NULL;

			if (!aj || strcmp(aj, "kvm") != 0)
				continue;
			/* two machines: either may simply be the faster one */
			if (!same_machine(report_remote_host(pi, mb, sizeof(mb)),
					  report_remote_host(pj, bb2, sizeof(bb2))))
				continue;
			if (!clearly_above(&g[i].vs_baseline, &g[j].vs_baseline))
				continue;
			md_name(&t, g[i].platform);
			sb_adds(&t, " (TCG) is faster than ");
			md_name(&t, g[j].platform);
			sb_addf(&t, " (KVM) on %s, against the expected direction: software translation cannot beat hardware virtualization on the same host. ",
				g[i].benchmark);
			if (cat == REPORT_DISK)
				sb_adds(&t, "Compare their disk cache modes: a cached disk beats an uncached one whatever the accelerator.");
			else
				sb_adds(&t, "Check that the KVM guest really ran with hardware acceleration.");
			check(arr, "problem", g[i].platform, &t);
		}
	}
cleanup:
	sb_release(&t);
}

void report_platform_checks(const struct report_facts *f,
			    const struct analyze_set *set, const char *host,
			    cJSON *arr)
{
	struct sb t = SB_INIT;

	for (size_t i = 0; f && i < f->n_platforms; i++) {
		const struct report_platform *p = &f->platforms[i];
		char mb[256], bb[256], ub[512];
		const char *bm, *m, *uri;
		int compared = 0;

		if (strcmp(p->host, host) != 0)
			continue;
		m = remote_guest(f, set, p, mb, sizeof(mb), bb, sizeof(bb), &bm);
		if (!m)
			continue;
		/* Only where a speedup is printed: without one there is
		 * nothing the two machines could distort. */
		for (size_t j = 0; j < set->n_groups && !compared; j++) {
			const struct analyze_group *x = &set->groups[j];

			compared = !strcmp(x->host, host) && !strcmp(x->platform, p->name) &&
				   !x->is_baseline && x->n && x->vs_baseline.present &&
				   analyze_have(x->vs_baseline.speedup);
		}
		if (!compared)
			continue;
		md_name(&t, p->name);
		sb_adds(&t, " ran on ");
		md_val(&t, m);
		uri = report_fact(p, "connect_uri", ub, sizeof(ub));
		if (uri) {
			sb_adds(&t, " (libvirt ");
			md_val(&t, uri);
			sb_adds(&t, ")");
		}
		sb_adds(&t, ", while the baseline ");
		baseline_where(&t, set, host, bm);
		sb_adds(&t, ": its speedups mix the cost of virtualization with the difference between the two machines (CPU, memory, disk, load), so they do not measure virtualization alone, and its answers explain them only in part.");
		remote_fix(&t, p, m);
		check(arr, "warning", p->name, &t);
	}
	sb_release(&t);
}
