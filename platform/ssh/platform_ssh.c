/*
 * platform/ssh/platform_ssh.c - the ssh platform: an existing machine (a cloud
 * instance, a second host) reached over SSH, with the same runner as the
 * libvirt guests (ssh.c). Named "ssh:USER@HOST[:PORT]".
 *
 * Trust: the host must already be in known_hosts ($VIRTBENCH_KNOWN_HOSTS,
 * else ~/.ssh/known_hosts); an unknown or changed key is refused, never
 * learned. Authentication: $VIRTBENCH_SSH_IDENTITY, else the agent and the
 * user's default keys. The benchmarks run in a private mktemp directory on
 * the host, removed at teardown; nothing else is changed there.
 */
#define _GNU_SOURCE
#include "platform/platform.h"
#include "platform/ssh/ssh.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

extern volatile sig_atomic_t collect_stop_requested __attribute__((weak));

struct sshp_priv {
	char *user, *host;
	int port;
	struct vbssh *ssh;
	cJSON *facts;
};

/* Parses "ssh:USER@HOST[:PORT]" (the "ssh:" prefix optional) into v;
 * IPv6 literals go in brackets: ssh:root@[::1]:2222. */
static int sshp_parse(const char *name, struct sshp_priv *v)
{
	const char *t = !strncmp(name, "ssh:", 4) ? name + 4 : name;
	const char *at = strchr(t, '@'), *h, *colon;
	long port = 22;

	if (!at || at == t || !at[1])
		return vb_error("platform %s: expected ssh:USER@HOST[:PORT]", name);
	v->user = xstrndup(t, (size_t)(at - t));
	h = at + 1;
	if (*h == '[') {
		const char *end = strchr(h, ']');

		if (!end)
			return vb_error("platform %s: unterminated [address]", name);
		v->host = xstrndup(h + 1, (size_t)(end - h - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(h, ':');
		v->host = xstrndup(h, colon ? (size_t)(colon - h) : strlen(h));
	}
	if (colon && (vb_parse_long(colon + 1, &port) < 0 || port < 1 ||
		      port > 65535))
		return vb_error("platform %s: bad port '%s'", name, colon + 1);
	if (!*v->host)
		return vb_error("platform %s: empty host", name);
	v->port = (int)port;
	return 0;
}

static void sshp_free(struct sshp_priv *v)
{
	if (!v)
		return;
	vbssh_close(v->ssh);
	free(v->user);
	free(v->host);
	cJSON_Delete(v->facts);
	free(v);
}

static int sshp_exec(struct platform *p, const char *cmd, double timeout,
		     struct exec_result *r)
{
	struct sshp_priv *v = p->priv;

	if (!v || !v->ssh) {
		memset(r, 0, sizeof(*r));
		r->out = xstrdup("");
		r->err = xstrdup("");
		r->exit_status = -1;
		return vb_error("%s: not connected", p->name);
	}
	return vbssh_exec(v->ssh, p->name, cmd, timeout,
			  &collect_stop_requested ?
			  (const volatile int *)&collect_stop_requested : NULL, r);
}

static void sshp_teardown(struct platform *p)
{
	struct sshp_priv *v = p->priv;

	if (!v)
		return;
	if (v->ssh && p->workdir) {
		/* Only the directory mktemp made for us. */
		struct exec_result r = { 0 };
		char *q = shell_quote(p->workdir);
		char *cmd = xasprintf("rm -rf -- %s", q);

		sshp_exec(p, cmd, 60, &r);
		exec_result_clear(&r);
		free(cmd);
		free(q);
	}
	p->priv = NULL;
	p->started = 0;
	sshp_free(v);
}

/* Facts about the remote host for describe(), from one command. */
static void sshp_collect_facts(struct platform *p)
{
	struct sshp_priv *v = p->priv;
	struct exec_result r = { 0 };
	static const char *const keys[] = {
		"vcpus", "memory_kib", "cpu_model", "virtualization", "kernel",
		"sysbench", "iperf3", "fio", NULL
	};
	char **lines;

	v->facts = cJSON_CreateObject();
	if (sshp_exec(p, "nproc; awk '/^MemTotal/ {print $2}' /proc/meminfo; "
		      "sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1; "
		      "(systemd-detect-virt 2>/dev/null || echo unknown) | head -n1; "
		      "uname -r; (sysbench --version 2>/dev/null || echo) | head -n1; "
		      "(iperf3 --version 2>/dev/null || echo) | head -n1; "
		      "(fio --version 2>/dev/null || echo) | head -n1", 30, &r) < 0)
		goto out;
	lines = vb_split(r.out, '\n');
	for (size_t i = 0; keys[i] && lines[i]; i++)
		cJSON_AddStringToObject(v->facts, keys[i], lines[i]);
	vb_strv_free(lines);
out:
	exec_result_clear(&r);
}

static int sshp_start(struct platform *p)
{
	struct sshp_priv *v = xcalloc(1, sizeof(*v));
	const char *kh = getenv("VIRTBENCH_KNOWN_HOSTS");
	const char *id = getenv("VIRTBENCH_SSH_IDENTITY");
	struct exec_result r = { 0 };
	char *why = NULL;
	int rc, ret = -1;

	p->priv = v;
	/* A study's platform may be named apart from its target. */
	if (sshp_parse(p->settings && p->settings->address ?
		       p->settings->address : p->name, v) < 0)
		goto out;
	{
		struct vbssh_opts so = {
			.host = v->host, .port = v->port, .user = v->user,
			.identity = id && *id ? id : NULL,
			.known_hosts = kh && *kh ? kh : NULL,
			.timeout = p->opts->boot_timeout > 0 ?
				   p->opts->boot_timeout : 15,
		};
		rc = vbssh_connect(&so, &v->ssh, &why);
	}
	if (rc != VBSSH_OK) {
		free(p->unavailable_reason);
		p->unavailable_reason = xasprintf("%s%s", rc == VBSSH_HOSTKEY ?
						  "connection refused: " : "", why);
		vb_error("%s: unavailable: %s", p->name, p->unavailable_reason);
		goto out;
	}
	if (sshp_exec(p, "mktemp -d /var/tmp/virtbench.XXXXXX", 30, &r) < 0)
		goto out;
	if (r.exit_status != 0 || !*r.out) {
		vb_error("%s: cannot make a work directory: %s", p->name, r.err);
		goto out;
	}
	r.out[strcspn(r.out, "\n")] = '\0';
	p->workdir = xstrdup(r.out);
	/* The collector's iperf3 server listens on the host's loopback, so
	 * the uplink test reaches it only from this host itself. */
	p->host_addr = xstrdup("127.0.0.1");
	p->instance_id = xasprintf("%s@%s:%d", v->user, v->host, v->port);
	sshp_collect_facts(p);
	p->started = 1;
	ret = 0;
out:
	exec_result_clear(&r);
	free(why);
	if (ret < 0)
		sshp_teardown(p);
	return ret;
}

static int sshp_put_file(struct platform *p, const char *local,
			 const char *remote, int mode)
{
	struct sshp_priv *v = p->priv;

	if (!v || !v->ssh)
		return vb_error("%s: not connected", p->name);
	return vbssh_put(v->ssh, p->name, local, remote, mode);
}

static int sshp_describe(struct platform *p, cJSON *obj)
{
	struct sshp_priv *v = p->priv;
	cJSON *f = v ? v->facts : NULL, *tools;
	const char *virt;
	double vcpus = 0, kib = 0;

	cJSON_AddStringToObject(obj, "kind", "ssh");
	cJSON_AddStringToObject(obj, "network_mode", "ssh");
	cJSON_AddStringToObject(obj, "ssh_client", vbssh_version());
	if (!f)
		return 0;
	cJSON_AddStringToObject(obj, "target", p->instance_id);
	virt = cJSON_GetStringValue(cJSON_GetObjectItem(f, "virtualization"));
	/* systemd-detect-virt: "none" on bare metal, else the hypervisor. */
	cJSON_AddStringToObject(obj, "accelerator", virt && !strcmp(virt, "none") ?
				"none" : virt ? virt : "unknown");
	vb_parse_double(cJSON_GetStringValue(cJSON_GetObjectItem(f, "vcpus")) ?
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "vcpus")) : "",
			&vcpus);
	vb_parse_double(cJSON_GetStringValue(cJSON_GetObjectItem(f, "memory_kib")) ?
			cJSON_GetStringValue(cJSON_GetObjectItem(f, "memory_kib")) : "",
			&kib);
	if (vcpus > 0)
		cJSON_AddNumberToObject(obj, "vcpus", vcpus);
	if (kib > 0)
		cJSON_AddNumberToObject(obj, "memory_mib", (double)((long)(kib / 1024)));
	cJSON_AddStringToObject(obj, "cpu_model",
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "cpu_model")) ?: "");
	tools = cJSON_CreateObject();
	cJSON_AddStringToObject(tools, "kernel",
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "kernel")) ?: "");
	cJSON_AddStringToObject(tools, "sysbench",
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "sysbench")) ?: "");
	cJSON_AddStringToObject(tools, "iperf3",
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "iperf3")) ?: "");
	cJSON_AddStringToObject(tools, "fio",
		cJSON_GetStringValue(cJSON_GetObjectItem(f, "fio")) ?: "");
	cJSON_AddItemToObject(obj, "tools", tools);
	return 0;
}

static int sshp_probe(const char *kind, const struct platform_opts *o,
		      char **reason)
{
	struct platform p = { .ops = &platform_ssh_ops, .opts = o };
	int ok;

	(void)kind;
	*reason = NULL;
	if (!o || !o->ssh_target) {
		*reason = xstrdup("no host given: name one as ssh:USER@HOST[:PORT]; "
				  "its key must already be in ~/.ssh/known_hosts "
				  "(or $VIRTBENCH_KNOWN_HOSTS)");
		return 0;
	}
	p.name = xasprintf("ssh:%s", o->ssh_target);
	ok = sshp_start(&p) == 0;
	if (!ok)
		*reason = p.unavailable_reason ? p.unavailable_reason :
			  xstrdup("cannot start a session (see the error above)");
	else
		free(p.unavailable_reason);
	sshp_teardown(&p);
	free(p.name);
	free(p.workdir);
	free(p.host_addr);
	free(p.instance_id);
	return ok;
}

const struct platform_ops platform_ssh_ops = {
	.kind = "ssh",
	.start = sshp_start,
	.exec = sshp_exec,
	.put_file = sshp_put_file,
	.pause = NULL,
	.resume = NULL,
	.describe = sshp_describe,
	.teardown = sshp_teardown,
	.probe = sshp_probe,
	.cleanup = NULL,
};
