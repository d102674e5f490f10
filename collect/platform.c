/*
 * collect/platform.c - what every platform shares: the factory that maps a
 * platform name to its implementation, the stop flag, result clean-up and
 * shell quoting.
 *
 * A platform name is KIND or KIND:LABEL ("native", "docker", "kvm",
 * "qemu", "qemu:wb", "ssh:user@host:22"). KIND selects the implementation;
 * the whole name is what the database and the report show, so two
 * configurations of one kind can be measured side by side. Docker, libvirt
 * and SSH are weak symbols: a build without one still links, and the
 * platform is reported as not built in rather than failing to link.
 */
#include "collect/platform.h"
#include "collect/collect.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

volatile sig_atomic_t collect_stop_requested;

static const char *const kinds[] = { "native", "docker", "kvm", "qemu", "ssh",
				     NULL };

const char *const *collect_platform_kinds(void)
{
	return kinds;
}

/* The kind part of a name: "qemu" for "qemu:wb". Owned. */
static char *kind_of(const char *name)
{
	return xstrndup(name, strcspn(name, ":"));
}

const struct platform_ops *collect_platform_ops(const char *name,
						 const char **reason)
{
	char *kind = kind_of(name);
	const struct platform_ops *ops = NULL;
	int known = 1;

	if (!strcmp(kind, "native"))
		ops = &platform_native_ops;
	else if (!strcmp(kind, "docker"))
		ops = &platform_docker_ops;
	else if (!strcmp(kind, "kvm") || !strcmp(kind, "qemu"))
		ops = &platform_libvirt_ops;
	else if (!strcmp(kind, "ssh"))
		ops = &platform_ssh_ops;
	else
		known = 0;
	free(kind);
	/* A weak symbol that no object defines has address NULL. */
	if (!ops && reason)
		*reason = known ? "not built into this virtbench" :
			"unknown platform kind (native, docker, kvm, qemu, "
			"ssh:USER@HOST[:PORT])";
	return ops;
}

struct platform *platform_new(const char *name, const struct platform_opts *o)
{
	const struct platform_ops *ops;
	const char *reason = NULL;
	struct platform *p;

	if (!name || !*name) {
		vb_error("empty platform name");
		return NULL;
	}
	ops = collect_platform_ops(name, &reason);
	if (!ops) {
		vb_error("platform %s: %s", name, reason);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->ops = ops;
	p->name = xstrdup(name);
	p->opts = o;
	return p;
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
	r->duration = 0;
}

char *shell_quote(const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	struct sb sb = SB_INIT;

	if (!s)
		s = "";
	/* Words made only of characters no shell treats specially stay as
	 * they are, so logged command lines remain readable. */
	if (*s && strspn(s, safe) == strlen(s))
		return xstrdup(s);
	sb_addc(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(&sb, "'\\''");
		else
			sb_addc(&sb, *s);
	}
	sb_addc(&sb, '\'');
	return sb_detach(&sb);
}
