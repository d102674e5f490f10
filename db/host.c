/*
 * db/host.c - what virtbench records about the machine it runs on: CPU
 * model, cores, memory, kernel, OS release, hardware virtualization flags
 * and whether /dev/kvm is present. Read from /proc, uname(2) and
 * /etc/os-release; anything unreadable stays NULL rather than guessed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "common/util.h"
#include "db/db_int.h"

/* Returns the value of the first "key<spaces>: value" line of a /proc-style
 * text, owned, or NULL. */
static char *proc_field(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen))
			continue;
		const char *q = p + klen;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != ':')
			continue;
		q++;
		while (*q == ' ')
			q++;
		return xstrndup(q, strcspn(q, "\n"));
	}
	return NULL;
}

/* PRETTY_NAME from os-release, without its quotes. */
static char *os_release(void)
{
	struct sb sb = SB_INIT;
	char *res = NULL;

	if (sb_read_file(&sb, "/etc/os-release") == 0) {
		for (char *line = sb.buf; line && *line;) {
			char *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			if (!strncmp(line, "PRETTY_NAME=", 12)) {
				char *v = line + 12;
				size_t n = strlen(v);

				if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
					res = xstrndup(v + 1, n - 2);
				else
					res = xstrdup(v);
				break;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	sb_release(&sb);
	return res;
}

static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = flags; p && (p = strstr(p, flag)); p += n)
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

void db_host_probe(struct db_host *h, const char *name_override)
{
	struct sb sb = SB_INIT;
	struct utsname u;
	cJSON *meta = cJSON_CreateObject();
	char *flags = NULL, *mem;
	long ncpu;

	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name_override && *name_override ? name_override : vb_hostname());
	if (sb_read_file(&sb, "/proc/cpuinfo") == 0) {
		h->cpu_model = proc_field(sb.buf, "model name");
		flags = proc_field(sb.buf, "flags");
	}
	if (!h->cpu_model)
		h->cpu_model = xstrdup("unknown");
	h->virt_flags = xstrdup(has_flag(flags, "vmx") ? "vmx" :
				has_flag(flags, "svm") ? "svm" : "");
	free(flags);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	h->cores = ncpu > 0 ? (int)ncpu : 0;
	sb_reset(&sb);
	if (sb_read_file(&sb, "/proc/meminfo") == 0 &&
	    (mem = proc_field(sb.buf, "MemTotal"))) {
		h->memory_bytes = strtoll(mem, NULL, 10) * 1024;
		free(mem);
	}
	if (uname(&u) == 0) {
		h->kernel = xstrdup(u.release);
		cJSON_AddStringToObject(meta, "arch", u.machine);
		cJSON_AddStringToObject(meta, "kernel_version", u.version);
	}
	h->os = os_release();
	h->has_kvm = access("/dev/kvm", F_OK) == 0;
	sb_reset(&sb);
	/* machine-id is private: machine-id(5) asks applications for an ID
	 * keyed by it, never the ID or a plain hash of it (which anyone can
	 * compute from the ID, and match across applications). */
	if (sb_read_file(&sb, "/etc/machine-id") == 0 && sb.len >= 32) {
		char hex[65];

		vb_hmac_sha256_hex(sb.buf, strcspn(sb.buf, "\n"),
				   DB_FINGERPRINT_APP, strlen(DB_FINGERPRINT_APP), hex);
		h->fingerprint = xstrdup(hex);
	}
	explicit_bzero(sb.buf, sb.len);
	sb_release(&sb);
	h->meta = cJSON_PrintUnformatted(meta);
	cJSON_Delete(meta);
}

void db_host_clear(struct db_host *h)
{
	if (!h)
		return;
	free(h->name);
	free(h->fingerprint);
	free(h->cpu_model);
	free(h->kernel);
	free(h->os);
	free(h->virt_flags);
	free(h->meta);
	free(h->captured_at);
	memset(h, 0, sizeof(*h));
}
