/*
 * analyze/nested.c - guests that ran nested. A kvm guest on a host that
 * is itself a virtual machine runs under nested virtualization: every
 * exit of the inner guest is handled by a hypervisor that itself runs
 * under another one, so its numbers are those of the nesting, not KVM's
 * on hardware (make test-kvm runs exactly that: KVM inside a TCG guest).
 * A qemu (TCG) guest on a host that is a hardware-assisted VM loses
 * little, but on an emulated host (no hypervisor signature, or QEMU's
 * TCG one) it is TCG inside TCG. The facts come from the collector's own
 * host, recorded by the libvirt platform when it is local.
 */
#include "analyze/nested.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db.h"

/* 1 when cfg says the libvirt host was a guest, with hv/vendor set (NULL
 * when not recorded); 0 when it was not or nothing says. */
static int host_guest(const cJSON *cfg, const char **hv, const char **vendor)
{
	*hv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg,
						"libvirt_host_hypervisor"));
	*vendor = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg,
						"libvirt_host_dmi_vendor"));
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg,
						"libvirt_host_is_guest"));
}

/* An emulated host: the hypervisor bit without a signature of a
 * hardware-assisted hypervisor. Unknown (not recorded) is not emulated. */
static int emulated(const char *hv)
{
	return hv && (!*hv || !strcmp(hv, "TCG"));
}

int analyze_nested_mark(struct db *db, struct analyze_set *s, int64_t run_id)
{
	for (size_t i = 0; i < s->n_groups; i++) {
		struct analyze_group *g = &s->groups[i];
		const char *hv, *vendor;
		char *json = NULL;
		cJSON *cfg;
		int kvm = !strcmp(g->kind, "kvm");

		if (!kvm && strcmp(g->kind, "qemu"))
			continue;
		if (db_platform_last_config(db, g->platform_id, run_id, &json) < 0)
			return -1;
		cfg = json ? cJSON_Parse(json) : NULL;
		free(json);
		if (cfg && host_guest(cfg, &hv, &vendor) &&
		    (kvm || emulated(hv))) {
			g->nested = 1;
			g->nested_emulated = emulated(hv);
			g->nested_hypervisor = hv ? xstrdup(hv) : NULL;
			g->nested_vendor = vendor ? xstrdup(vendor) : NULL;
			g->warnings |= ANALYZE_WARN_NESTED;
		}
		cJSON_Delete(cfg);
		if (g->nested) {
			char *t = analyze_nested_text(g);
			char *w = g->warnings_text ?
				  xasprintf("%s; nested: %s", g->warnings_text, t) :
				  xasprintf("nested: %s", t);

			free(g->warnings_text);
			g->warnings_text = w;
			free(t);
		}
	}
	return 0;
}

char *analyze_nested_text(const struct analyze_group *g)
{
	struct sb sb = SB_INIT;
	int kvm = !strcmp(g->kind, "kvm");

	if (!g->nested)
		return NULL;
	sb_addf(&sb, "the %s guest ran inside a host that is itself a "
		"virtual machine", kvm ? "KVM" : "TCG");
	if (g->nested_vendor || g->nested_hypervisor) {
		sb_adds(&sb, " (");
		if (g->nested_vendor)
			sb_addf(&sb, "DMI vendor %s", g->nested_vendor);
		if (g->nested_hypervisor)
			sb_addf(&sb, "%shypervisor %s", g->nested_vendor ? ", " : "",
				*g->nested_hypervisor ? g->nested_hypervisor :
				"none: an emulated CPU");
		sb_adds(&sb, ")");
	}
	if (kvm)
		sb_adds(&sb, g->nested_emulated ?
			", so KVM ran on an emulated CPU: these numbers prove the "
			"code path, they are not KVM's speed" :
			", so every exit of the guest goes through two "
			"hypervisors: these numbers are nested virtualization's, "
			"not KVM's speed on hardware");
	else
		sb_adds(&sb, ", so TCG ran inside TCG: these numbers are not "
			"this machine's TCG speed");
	return sb_detach(&sb);
}
