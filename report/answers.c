/*
 * report/answers.c - the written answers of the report.
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
 * baseline measured here: its answers say so rather than blame the whole
 * gap on virtualization.
 *
 * All database text placed in the Markdown goes through tmpl_md_escape()
 * (names) or tmpl_md_code() (configuration values).
 */
#include "report/answers.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/prose.h"
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

/* Is there a gap to explain: faster or slower by the verdict? */
static int decided_gap(const struct analyze_vs *vs)
{
	struct report_verdict v;

	report_verdict(vs, &v);
	return v.word && (!strcmp(v.word, "faster") || !strcmp(v.word, "slower"));
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
	report_md_name(out, p ? p->name : "this platform");
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
	report_md_code(out, key);
	sb_adds(out, " differed between the runs merged here, so the numbers mix configurations: report one run at a time with `--run`.");
	return 1;
}

/* "**qemu** is slower than **native**." - the verdict only: its number
 * and interval are in the answers up front and in the table. */
static void gap_sentence(const struct analyze_set *set,
			 const struct analyze_group *g, struct sb *out)
{
	const struct analyze_vs *vs = &g->vs_baseline;
	struct report_verdict v;

	report_md_name(out, g->platform);
	report_verdict(vs, &v);
	if (!v.word) {
		sb_adds(out, " cannot be compared with ");
		report_md_name(out, set->baseline);
		sb_addf(out, ": %s.", vs->reason ? vs->reason : "no baseline data");
		return;
	}
	if (!strcmp(v.word, "inconclusive"))
		sb_adds(out, ": whether it is faster or slower than ");
	else
		sb_addf(out, " is %s%s ", v.word, !strcmp(v.word, "equivalent") ? " to" : " than");
	report_md_name(out, set->baseline);
	sb_adds(out, !strcmp(v.word, "inconclusive") ? " is not settled." : ".");
}

static void compute_mechanism(const struct analyze_group *g,
			      const struct report_platform *p, struct sb *out)
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
		report_md_code(out, "tcg");
		sb_adds(out, " — QEMU's TCG translates every guest instruction into host code in software,");
		if (mem)
			sb_adds(out, " and every guest load and store also goes through QEMU's software MMU (a TLB lookup in code), so memory bandwidth collapses.");
		else if (fork)
			sb_adds(out, " and page-table updates, page faults and TLB flushes — what fork() is made of — are emulated too.");
		else
			sb_adds(out, " so CPU-bound code runs several times slower than on the host.");
	} else if (!strcmp(acc, "kvm") && g->nested) {
		sb_adds(out, " Mechanism: the accelerator is ");
		report_md_code(out, "kvm");
		sb_adds(out, g->nested_emulated ?
			", but the CPU KVM runs on is itself emulated (TCG, on the host below): the guest's instructions run at the emulated CPU's speed, and every exit of the guest is handled by a KVM that is itself emulated, so the gap measures the nesting, not hardware virtualization." :
			", nested: the host is itself a virtual machine, so every exit of the guest goes to its hypervisor and on to the one below (nested virtualization), and the gap includes that cost on top of KVM's own.");
	} else if (!strcmp(acc, "kvm")) {
		sb_adds(out, " Mechanism: the accelerator is ");
		report_md_code(out, "kvm");
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
			report_md_code(out, model);
			sb_adds(out, ", so the guest has the host's instruction-set extensions.");
		} else {
			sb_adds(out, " The guest CPU model is ");
			report_md_code(out, model);
			sb_adds(out, ", which may hide instruction-set extensions of the host CPU from the guest.");
		}
	} else if (!strcmp(acc, "none")) {
		const char *kind = report_fact(p, "kind", c, sizeof(c));

		if (kind && !strcmp(kind, "docker"))
			sb_adds(out, " Mechanism: a container runs its processes directly on the host kernel — namespaces and cgroups, no instruction translation and no hypervisor — so CPU and memory work should match native;");
		else
			sb_adds(out, " Mechanism: no virtualization (accelerator `none`) — the code runs directly on the host's kernel and CPU;");
		if (decided_gap(&g->vs_baseline))
			sb_adds(out, " a significant gap here points to something outside the CPU path: cgroup CPU or memory limits, a different tool build (see the tools in the platform table), or frequency scaling between turns.");
		else
			sb_adds(out, " the measurement agrees.");
	} else {
		sb_adds(out, " The accelerator is ");
		report_md_code(out, acc);
		sb_adds(out, ", for which virtbench has no explanation.");
	}
}

static void disk_mechanism(const struct analyze_group *g,
			   const struct report_platform *p,
			   const struct report_host *h, struct sb *out)
{
	char b[256], c[256], d[256], e[256];
	int guest = report_is_guest(p, b, sizeof(b));

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
		} else if (report_cache_reads_host(cache)) {
			sb_adds(out, " The guest disk uses cache=");
			report_md_code(out, cache);
			sb_adds(out, ": QEMU opens the image without O_DIRECT, so the guest's reads are served from the **host's page cache** when the data is there — a guest can then \"beat\" native O_DIRECT reads. That is a caching artefact, not a faster disk.");
			if (h && h->memory_bytes > 0)
				sb_addf(out, " The host has %.1f GiB of RAM to cache the test file in.",
					h->memory_bytes / 1073741824.0);
		} else {
			sb_adds(out, " The guest disk uses cache=");
			report_md_code(out, cache);
			sb_adds(out, ": QEMU opens the image with O_DIRECT too, so reads bypass the host page cache and reach the device; the gap is the cost of the virtual disk path");
			if (bus) {
				sb_adds(out, " (bus ");
				report_md_code(out, bus);
				if (fmt) {
					sb_adds(out, ", image format ");
					report_md_code(out, fmt);
				}
				sb_adds(out, ")");
			}
			sb_adds(out, ": a request leaves the guest through the virtual device, QEMU resubmits it on the host, and the completion is injected back as an interrupt.");
		}
		if (!strcmp(b, "tcg"))
			sb_adds(out, " Under TCG the guest's own I/O path (driver, system calls, interrupt handling) is emulated instruction by instruction as well, so each request costs much more CPU time; small random reads suffer most.");
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
			report_md_code(out, drv);
			sb_adds(out, ")");
		}
		sb_adds(out, ": every open and read goes through the overlay filesystem before it reaches the host filesystem underneath");
		drv = report_fact(p, "backing_filesystem", e, sizeof(e));
		if (drv) {
			sb_adds(out, " (");
			report_md_code(out, drv);
			sb_adds(out, ")");
		}
		sb_adds(out, ". A Docker volume (a host directory mounted into the container) avoids that layer.");
	} else if (!strcmp(storage, "volume")) {
		sb_adds(out, " Mechanism: the test file is on a Docker **volume**, a directory of the host's filesystem mounted into the container, so reads take the same path as native; a remaining gap is not explained by storage (check the noise warnings).");
	} else {
		sb_adds(out, " The container's storage is ");
		report_md_code(out, storage);
		sb_adds(out, ", for which virtbench has no explanation.");
	}
}

static void network_mechanism(const struct analyze_group *g,
			      const struct report_platform *p, struct sb *out)
{
	char b[256], c[256];
	const char *mode = p ? report_fact(p, "network_mode", b, sizeof(b)) : NULL;
	int guest = report_is_guest(p, c, sizeof(c));

	(void)g;
	if (conflict(out, p, "network_mode"))
		return;
	if (!mode) {
		missing(out, p, "network mode (user-mode, bridged, host, ...)",
			"the path the uplink traffic took");
		return;
	}
	sb_adds(out, " Mechanism: the network mode is ");
	report_md_code(out, mode);
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
}

void report_answer(const struct report_facts *f, const struct analyze_set *set,
		   const struct analyze_group *g, const struct analyze_group *base,
		   struct sb *out)
{
	const struct report_platform *p = report_facts_platform(f, g->host, g->platform);
	const struct report_host *h = report_facts_host(f, g->host);
	enum report_category cat = report_category(g->benchmark);
	char mb[256], bb[256];
	const char *bm, *m = report_remote_guest(f, set->baseline, p, mb, sizeof(mb), bb, sizeof(bb), &bm);
	size_t mech_start;

	(void)base;
	gap_sentence(set, g, out);
	if (g->n == 0)
		return;
	if (m && g->vs_baseline.present && analyze_have(g->vs_baseline.speedup)) {
		sb_adds(out, " It ran on ");
		report_md_code(out, m);
		sb_adds(out, ", while ");
		report_baseline_where(out, set->baseline, g->host, bm);
		sb_adds(out, ": the speedup mixes the cost of virtualization with the difference between the two machines");
		sb_adds(out, decided_gap(&g->vs_baseline) && cat != REPORT_OTHER ?
			", so the mechanism below explains only part of the gap" : "");
		sb_adds(out, " (Warnings says how to measure ");
		report_md_code(out, m);
		sb_adds(out, " itself as the baseline).");
	}
	if (g->nested) {
		char *t = analyze_nested_text(g);

		/* it holds the host's DMI vendor, text from the database */
		t[0] = (char)toupper((unsigned char)t[0]);
		sb_adds(out, " **Nested:** ");
		tmpl_md_escape(out, t);
		sb_adds(out, ".");
		free(t);
	}
	/* The host facts on record are the collecting host's, not those of
	 * the machine a remote guest ran on. */
	if (report_remote_host(p, mb, sizeof(mb)))
		h = NULL;
	report_tool_difference(f, set->baseline, g, p, out);
	mech_start = out->len;
	switch (cat) {
	case REPORT_COMPUTE:
		compute_mechanism(g, p, out);
		break;
	case REPORT_DISK:
		disk_mechanism(g, p, h, out);
		break;
	case REPORT_NETWORK:
		network_mechanism(g, p, out);
		break;
	case REPORT_OTHER:
		sb_adds(out, " virtbench knows no mechanism for this benchmark; the platform's recorded configuration is in the table above.");
		break;
	}
	/* Without a decided gap there is nothing to explain: keep the
	 * configuration sentence, but do not present it as the cause. */
	if (!decided_gap(&g->vs_baseline) && out->len > mech_start &&
	    !strncmp(out->buf + mech_start, " Mechanism:", 11)) {
		static const char repl[] = " There is no decided gap to explain; for reference, the recorded configuration:";
		struct sb rest = SB_INIT;

		sb_adds(&rest, out->buf + mech_start + 11);
		out->len = mech_start;
		out->buf[out->len] = '\0';
		sb_adds(out, repl);
		sb_adds(out, rest.buf);
		sb_release(&rest);
	}
}
