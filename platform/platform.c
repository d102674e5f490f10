/*
 * platform/platform.c - what every platform shares: the registry that maps a
 * platform name to its implementation, the stop flag, result clean-up and
 * shell quoting.
 *
 * A platform name is KIND or KIND:LABEL ("native", "docker", "kvm",
 * "qemu", "qemu:wb", "ssh:user@host:22"). KIND selects the implementation;
 * the whole name is what the database and the report show, so two
 * configurations of one kind can be measured side by side.
 */
#include "platform/platform.h"

#include <stdlib.h>
#include <string.h>

#include "common/safe.h"
#include "common/util.h"

volatile sig_atomic_t collect_stop_requested;

char *platform_state_base(const char *dir)
{
	const char *e;

	if (dir && *dir)
		return xstrdup(dir);
	e = getenv("VIRTBENCH_STATE_DIR");
	if (e && *e)
		return xstrdup(e);
	/* Not $TMPDIR: it is often a tmpfs, where O_DIRECT (the disk
	 * benchmarks) fails and a 1 GiB test file lives in memory. */
	return xstrdup("/var/tmp");
}

const struct platform_kind platform_kinds[] = {
	{ "native", &platform_native_ops, "native[:LABEL]", 1 },
	{ "docker", &platform_docker_ops, "docker[:LABEL]", 0 },
	{ "kvm",    &platform_libvirt_ops, "kvm[:LABEL]", 0 },
	{ "qemu",   &platform_libvirt_ops, "qemu[:LABEL]", 0 },
	{ "ssh",    &platform_ssh_ops, "ssh:USER@HOST[:PORT]", 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct platform_kind *platform_kind_find(const char *name,
					       const char **reason)
{
	size_t len = strcspn(name, ":");

	for (const struct platform_kind *k = platform_kinds; k->name; k++)
		if (strlen(k->name) == len && !strncmp(k->name, name, len))
			return k;
	if (reason)
		*reason = "unknown platform kind (native, docker, kvm, qemu, "
			"ssh:USER@HOST[:PORT])";
	return NULL;
}

int platform_name_check(const char *what, const char *name)
{
	char *shown;

	if (!name || !*name)
		return vb_error("%s: empty platform name", what);
	if (vb_compound_name_valid(name))
		return 0;
	shown = vb_printable(name);
	vb_error("%s '%s': each ':'-separated part of a platform name must be "
		 "%s", what, shown, vb_name_rule());
	free(shown);
	return -1;
}

struct platform *platform_new(const char *name, const struct platform_opts *o)
{
	return platform_new_with(name, NULL, o, NULL);
}

struct platform *platform_new_with(const char *name, const char *kind,
				   const struct platform_opts *o,
				   const struct platform_settings *s)
{
	static const struct platform_settings none;
	const struct platform_kind *k;
	const char *reason = NULL;
	struct platform *p;

	if (!name || !*name) {
		vb_error("empty platform name");
		return NULL;
	}
	k = platform_kind_find(kind ? kind : name, &reason);
	if (!k || (kind && strchr(kind, ':'))) {
		vb_error("platform %s: %s", name, reason ? reason :
			 "a kind has no label");
		return NULL;
	}
	if (platform_name_check("platform", name) < 0)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ops = k->ops;
	p->kind = k->name;
	p->name = xstrdup(name);
	p->opts = o;
	p->settings = s ? s : &none;
	return p;
}

const char *platform_setting(const struct platform *p, const char *key)
{
	return p ? platform_settings_get(p->settings, key) : NULL;
}

void platform_free(struct platform *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->teardown)
		p->ops->teardown(p);
	free(p->name);
	free(p->instance_id);
	free(p->host_addr);
	free(p->iperf_port);
	free(p->workdir);
	free(p->unavailable_reason);
	free(p);
}

void exec_result_clear(struct exec_result *r)
{
	if (!r)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->exit_status = -1;
	r->timed_out = 0;
	r->stalled = 0;
	r->duration = 0;
}

