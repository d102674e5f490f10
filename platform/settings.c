/*
 * platform/settings.c - per-platform settings: which keys each kind
 * takes, what values they accept, and the small store that carries them
 * from a study file or "--set" to the platform (see platform.h).
 *
 * The table below is the one place that says what a setting means for
 * validation; each implementation applies it (libvirt_xml.c and
 * platform_libvirt.c for guests, platform_docker.c for containers),
 * records it with describe() and checks inside the platform that it took
 * effect. Values are kept as the strings given, so a study's text, the
 * run's params and the platform's configuration all show the same words.
 */
#include "platform/platform.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

enum { SET_GUEST = 1, SET_CONTAINER = 2 };

enum set_type { SET_WORDS, SET_INT, SET_DECIMAL, SET_CPU, SET_NET_GUEST,
		SET_NET_CONTAINER };

struct setting_def {
	const char *key;
	unsigned kinds;
	enum set_type type;
	const char *const *words;  /* SET_WORDS: the accepted values */
	double lo, hi;             /* SET_INT, SET_DECIMAL: bounds */
	const char *what;          /* for messages */
};

static const char *const cache_modes[] = { "none", "writeback", "writethrough",
					   "directsync", "unsafe", NULL };
static const char *const disk_buses[] = { "virtio", "scsi", "sata", NULL };
static const char *const disk_ios[] = { "threads", "native", "io_uring", NULL };
static const char *const disk_formats[] = { "qcow2", "raw", NULL };
static const char *const storages[] = { "volume", "overlay", NULL };
static const char *const seccomps[] = { "default", "unconfined", NULL };

static const struct setting_def defs[] = {
	{ "disk_cache", SET_GUEST, SET_WORDS, cache_modes, 0, 0,
	  "the guest disk's cache mode" },
	{ "disk_bus", SET_GUEST, SET_WORDS, disk_buses, 0, 0,
	  "the guest disk's bus" },
	{ "disk_io", SET_GUEST, SET_WORDS, disk_ios, 0, 0,
	  "QEMU's I/O backend for the guest disk" },
	{ "disk_format", SET_GUEST, SET_WORDS, disk_formats, 0, 0,
	  "the guest disk: a qcow2 overlay on the base, or a raw copy" },
	{ "vcpus", SET_GUEST, SET_INT, NULL, 1, 1024, "virtual CPUs" },
	{ "memory", SET_GUEST | SET_CONTAINER, SET_INT, NULL, 64, 16 << 20,
	  "memory in MiB" },
	{ "cpu_mode", SET_GUEST, SET_CPU, NULL, 0, 0,
	  "host-passthrough, host-model or a CPU model name" },
	{ "network", SET_GUEST, SET_NET_GUEST, NULL, 0, 0,
	  "user or libvirt:NAME" },
	{ "network", SET_CONTAINER, SET_NET_CONTAINER, NULL, 0, 0,
	  "host, none, bridge or a docker network NAME" },
	{ "storage", SET_CONTAINER, SET_WORDS, storages, 0, 0,
	  "where the container's disk tests run" },
	{ "seccomp", SET_CONTAINER, SET_WORDS, seccomps, 0, 0,
	  "the container's seccomp profile" },
	{ "cpus", SET_CONTAINER, SET_DECIMAL, NULL, 0.01, 1024,
	  "CPUs of CFS quota (may be fractional)" },
};

static const char *const guest_keys[] = { "disk_cache", "disk_bus", "disk_io",
	"disk_format", "vcpus", "memory", "cpu_mode", "network", NULL };
static const char *const container_keys[] = { "storage", "network", "seccomp",
	"cpus", "memory", NULL };
static const char *const no_keys[] = { NULL };

static unsigned kind_class(const char *kind)
{
	if (!kind)
		return 0;
	if (!strcmp(kind, "kvm") || !strcmp(kind, "qemu"))
		return SET_GUEST;
	if (!strcmp(kind, "docker"))
		return SET_CONTAINER;
	return 0;
}

const char *const *platform_settings_keys(const char *kind)
{
	unsigned c = kind_class(kind);

	return c == SET_GUEST ? guest_keys : c == SET_CONTAINER ?
	       container_keys : no_keys;
}

static char *join_words(const char *const *w)
{
	struct sb sb = SB_INIT;

	sb_init(&sb);
	for (size_t i = 0; w[i]; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", w[i]);
	return sb_detach(&sb);
}

/* A name made of [A-Za-z0-9_.-], starting with a letter or digit: a
 * libvirt CPU model or a docker network name. */
static int plain_name(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

	return *s && strchr(ok, *s) && *s != '.' && *s != '-' && *s != '_' &&
	       strspn(s, ok) == strlen(s) && strlen(s) <= 64;
}

/* 0 when value is in def's domain; else negative after the error. */
static int check_value(const struct setting_def *d, const char *kind,
		       const char *value, const char *where)
{
	char *list;
	double x;
	long n;

	switch (d->type) {
	case SET_WORDS:
		for (size_t i = 0; d->words[i]; i++)
			if (!strcmp(value, d->words[i]))
				return 0;
		list = join_words(d->words);
		vb_error("%s: %s '%s' is not one of %s", where, d->key, value, list);
		free(list);
		return -1;
	case SET_INT:
		if (vb_parse_long(value, &n) < 0 || n < d->lo || n > d->hi)
			return vb_error("%s: %s '%s' is not a whole number from "
					"%.0f to %.0f (%s)", where, d->key, value,
					d->lo, d->hi, d->what);
		return 0;
	case SET_DECIMAL:
		if (vb_parse_double(value, &x) < 0 || !(x >= d->lo && x <= d->hi))
			return vb_error("%s: %s '%s' is not a number from %g to "
					"%g (%s)", where, d->key, value, d->lo,
					d->hi, d->what);
		return 0;
	case SET_CPU:
		if (!plain_name(value))
			return vb_error("%s: cpu_mode '%s' is not a CPU mode or "
					"model name (%s)", where, value, d->what);
		/* TCG has no host CPU to pass through. */
		if (!strcmp(kind, "qemu") && !strcmp(value, "host-passthrough"))
			return vb_error("%s: cpu_mode host-passthrough needs KVM; "
					"the qemu kind is TCG (use host-model or a "
					"model such as qemu64, max)", where);
		return 0;
	case SET_NET_GUEST:
		if (!strcmp(value, "user") ||
		    (!strncmp(value, "libvirt:", 8) && plain_name(value + 8)))
			return 0;
		return vb_error("%s: network '%s' is not a guest network mode "
				"(%s)", where, value, d->what);
	case SET_NET_CONTAINER:
		if (plain_name(value) && strcmp(value, "user"))
			return 0;
		return vb_error("%s: network '%s' is not a container network "
				"mode (%s)", where, value, d->what);
	}
	return vb_error("%s: %s: unchecked setting", where, d->key);
}

int platform_settings_set(struct platform_settings *s, const char *key,
			  const char *value, const char *where)
{
	unsigned c = kind_class(s->kind);
	const struct setting_def *d = NULL;
	int known = 0;

	for (size_t i = 0; i < VB_ARRAY_SIZE(defs); i++) {
		if (strcmp(defs[i].key, key))
			continue;
		known = 1;
		if (defs[i].kinds & c)
			d = &defs[i];
	}
	if (!known) {
		char *g = join_words(guest_keys), *k = join_words(container_keys);

		vb_error("%s: setting '%s' unknown (guests: %s; containers: %s)",
			 where, key, g, k);
		free(g);
		free(k);
		return -1;
	}
	if (!d) {
		const char *const *keys = platform_settings_keys(s->kind);
		char *list = join_words(keys);

		vb_error("%s: setting '%s' does not apply to kind %s (%s%s)", where,
			 key, s->kind ? s->kind : "?", *keys ? "it takes " :
			 "it takes no settings", list);
		free(list);
		return -1;
	}
	if (!value || !*value)
		return vb_error("%s: setting '%s' has no value", where, key);
	if (check_value(d, s->kind, value, where) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->keys[i], key)) {
			free(s->values[i]);
			s->values[i] = xstrdup(value);
			return 0;
		}
	}
	s->keys = xrealloc(s->keys, (s->n + 1) * sizeof(*s->keys));
	s->values = xrealloc(s->values, (s->n + 1) * sizeof(*s->values));
	s->keys[s->n] = xstrdup(key);
	s->values[s->n] = xstrdup(value);
	s->n++;
	return 0;
}

int platform_settings_check(const struct platform_settings *s,
			    const char *where)
{
	const char *io = platform_settings_get(s, "disk_io");
	const char *cache = platform_settings_get(s, "disk_cache");

	/* QEMU refuses aio=native unless the image is opened O_DIRECT. */
	if (io && !strcmp(io, "native") && cache && strcmp(cache, "none") &&
	    strcmp(cache, "directsync"))
		return vb_error("%s: disk_io native needs disk_cache none or "
				"directsync (QEMU opens the image with O_DIRECT "
				"for it), not %s", where, cache);
	return 0;
}

const char *platform_settings_get(const struct platform_settings *s,
				  const char *key)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return s->values[i];
	return NULL;
}

cJSON *platform_settings_json(const struct platform_settings *s)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; s && i < s->n; i++)
		cJSON_AddStringToObject(o, s->keys[i], s->values[i]);
	return o;
}

int platform_settings_from_json(struct platform_settings *s, const char *kind,
				const cJSON *obj, const char *where)
{
	const cJSON *e;

	platform_settings_clear(s);
	s->kind = xstrdup(kind);
	if (obj && !cJSON_IsObject(obj))
		return vb_error("%s: settings are not an object", where);
	cJSON_ArrayForEach(e, obj) {
		if (!cJSON_IsString(e))
			return vb_error("%s: setting '%s' is not a string", where,
					e->string);
		if (platform_settings_set(s, e->string, e->valuestring, where) < 0)
			return -1;
	}
	return platform_settings_check(s, where);
}

void platform_settings_clear(struct platform_settings *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->keys[i]);
		free(s->values[i]);
	}
	free(s->keys);
	free(s->values);
	free(s->kind);
	free(s->address);
	memset(s, 0, sizeof(*s));
}
