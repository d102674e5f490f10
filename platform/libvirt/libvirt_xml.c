/*
 * platform/libvirt/libvirt_xml.c - builds the domain XML of a virtbench guest (see
 * libvirt_xml.h). Choices that matter for the measurements are explicit
 * here rather than left to libvirt's defaults, so the stored XML says what
 * ran: CPU mode, disk bus and cache, no memory balloon, no USB.
 *
 * User-mode networking goes through <qemu:commandline> because libvirt 9.0
 * refuses the passt backend and its <interface type='user'> has no port
 * forwards; the NIC gets PCI slot 0x1e so it cannot clash with the slots
 * libvirt assigns to the disks.
 */
#include "platform/libvirt/libvirt_xml.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lvxml_escape(struct sb *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '&': sb_adds(sb, "&amp;"); break;
		case '\'': sb_adds(sb, "&apos;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		default: sb_addc(sb, *s);
		}
	}
}

/* Appends fmt with every %s argument escaped: only %s and %d are used. */
static void lvxml_addf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			lvxml_escape(sb, va_arg(ap, const char *));
			p++;
		} else if (p[0] == '%' && p[1] == 'd') {
			sb_addf(sb, "%d", va_arg(ap, int));
			p++;
		} else {
			sb_addc(sb, *p);
		}
	}
	va_end(ap);
}

static const char *const lvxml_cache_modes[] = {
	"none", "writeback", "writethrough", "directsync", "unsafe", "default",
	NULL
};

static const char *const lvxml_buses[] = { "virtio", "scsi", "sata", NULL };
static const char *const lvxml_ios[] = { "threads", "native", "io_uring", NULL };
static const char *const lvxml_formats[] = { "qcow2", "raw", NULL };

static int lvxml_one_of(const char *v, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(v, list[i]))
			return 1;
	return 0;
}

const char *lvxml_disk_dev(const char *bus)
{
	return bus && strcmp(bus, "virtio") ? "sda" : "vda";
}

/* The disk under test, on its bus; virtio-scsi and SATA get their
 * controller explicitly, so the XML says what the guest sees. */
static void lvxml_disk(struct sb *sb, const struct lvxml_settings *s,
		       const char *cache, const char *bus, const char *fmt)
{
	lvxml_addf(sb, "    <disk type='file' device='disk'>\n"
		   "      <driver name='qemu' type='%s' cache='%s'", fmt, cache);
	if (s->disk_io)
		lvxml_addf(sb, " io='%s'", s->disk_io);
	lvxml_addf(sb, "/>\n"
		   "      <source file='%s'/>\n"
		   "      <target dev='%s' bus='%s'/>\n"
		   "    </disk>\n", s->disk, lvxml_disk_dev(bus), bus);
	if (!strcmp(bus, "scsi"))
		sb_adds(sb, "    <controller type='scsi' index='0' model='virtio-scsi'/>\n");
	else if (!strcmp(bus, "sata"))
		sb_adds(sb, "    <controller type='sata' index='0'/>\n");
}

char *lvxml_domain(const struct lvxml_settings *s)
{
	struct sb sb = SB_INIT;
	const char *cache = s->disk_cache ? s->disk_cache : "none";
	const char *bus = s->disk_bus ? s->disk_bus : "virtio";
	const char *fmt = s->disk_format ? s->disk_format : "qcow2";
	const char *net = s->network ? s->network : "user";
	int user_net = !strcmp(net, "user");

	if (!lvxml_one_of(cache, lvxml_cache_modes)) {
		vb_error("disk cache mode '%s' unknown (none, writeback, "
			 "writethrough, directsync, unsafe, default)", cache);
		return NULL;
	}
	if (!lvxml_one_of(bus, lvxml_buses) || !lvxml_one_of(fmt, lvxml_formats) ||
	    (s->disk_io && !lvxml_one_of(s->disk_io, lvxml_ios))) {
		vb_error("disk bus '%s', format '%s' or I/O mode '%s' unknown "
			 "(virtio, scsi, sata; qcow2, raw; threads, native, "
			 "io_uring)", bus, fmt, s->disk_io ? s->disk_io : "");
		return NULL;
	}
	if (!user_net && (strncmp(net, "libvirt:", 8) != 0 || !net[8])) {
		vb_error("network mode '%s' unknown (user, libvirt:NAME)", net);
		return NULL;
	}
	if (user_net && (s->ssh_port <= 0 || s->ssh_port > 65535)) {
		vb_error("ssh port %d out of range for user-mode networking",
			 s->ssh_port);
		return NULL;
	}
	if (!s->name || !s->disk || !s->console_log) {
		vb_error("domain XML needs a name, a disk and a console log");
		return NULL;
	}

	lvxml_addf(&sb, "<domain type='%s'", s->kvm ? "kvm" : "qemu");
	if (user_net)
		sb_adds(&sb, " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'");
	sb_adds(&sb, ">\n");
	lvxml_addf(&sb, "  <name>%s</name>\n", s->name);
	if (s->run_uuid)
		lvxml_addf(&sb, "  <description>virtbench run %s</description>\n",
			   s->run_uuid);
	if (s->owner_pid > 0) {
		char pid[32];

		snprintf(pid, sizeof(pid), "%ld", s->owner_pid);
		lvxml_addf(&sb, "  <metadata>\n    <vb:owner xmlns:vb='%s' pid='%s'",
			   LVXML_META_NS, pid);
		if (s->dir)
			lvxml_addf(&sb, " dir='%s'", s->dir);
		if (s->client)
			lvxml_addf(&sb, " client='%s'", s->client);
		if (s->owner)
			lvxml_addf(&sb, " owner='%s'", s->owner);
		sb_adds(&sb, "/>\n  </metadata>\n");
	}
	lvxml_addf(&sb, "  <memory unit='MiB'>%d</memory>\n", s->memory_mib);
	lvxml_addf(&sb, "  <vcpu placement='static'>%d</vcpu>\n", s->vcpus);
	sb_adds(&sb, "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
	if (s->kernel) {
		lvxml_addf(&sb, "    <kernel>%s</kernel>\n", s->kernel);
		if (s->initrd)
			lvxml_addf(&sb, "    <initrd>%s</initrd>\n", s->initrd);
		if (s->cmdline)
			lvxml_addf(&sb, "    <cmdline>%s</cmdline>\n", s->cmdline);
	} else {
		sb_adds(&sb, "    <boot dev='hd'/>\n");
	}
	sb_adds(&sb, "  </os>\n  <features>\n    <acpi/>\n    <apic/>\n  </features>\n");
	/* "maximum" (libvirt >= 7.1: QEMU's -cpu max) is what a TCG guest
	 * needs to see AMD-V, for the nested KVM test host. */
	if (!s->cpu_mode || !strcmp(s->cpu_mode, "host-passthrough") ||
	    !strcmp(s->cpu_mode, "host-model") || !strcmp(s->cpu_mode, "maximum"))
		lvxml_addf(&sb, "  <cpu mode='%s' check='none'/>\n",
			   s->cpu_mode ? s->cpu_mode : "host-passthrough");
	else
		lvxml_addf(&sb, "  <cpu mode='custom' match='exact' check='none'>\n"
			   "    <model fallback='forbid'>%s</model>\n  </cpu>\n",
			   s->cpu_mode);
	sb_adds(&sb, "  <clock offset='utc'/>\n"
		"  <on_poweroff>destroy</on_poweroff>\n"
		"  <on_reboot>destroy</on_reboot>\n"
		"  <on_crash>destroy</on_crash>\n"
		"  <devices>\n");
	lvxml_disk(&sb, s, cache, bus, fmt);
	if (s->seed)
		lvxml_addf(&sb, "    <disk type='file' device='disk'>\n"
			   "      <driver name='qemu' type='raw'/>\n"
			   "      <source file='%s'/>\n"
			   "      <target dev='vdb' bus='virtio'/>\n"
			   "      <readonly/>\n"
			   "    </disk>\n", s->seed);
	sb_adds(&sb, "    <controller type='usb' model='none'/>\n");
	if (!user_net)
		lvxml_addf(&sb, "    <interface type='network'>\n"
			   "      <source network='%s'/>\n"
			   "      <model type='virtio'/>\n"
			   "    </interface>\n", net + 8);
	lvxml_addf(&sb, "    <serial type='file'>\n"
		   "      <source path='%s'/>\n"
		   "      <target port='0'/>\n"
		   "    </serial>\n", s->console_log);
	sb_adds(&sb, "    <memballoon model='none'/>\n  </devices>\n");
	if (user_net) {
		lvxml_addf(&sb, "  <qemu:commandline>\n"
			   "    <qemu:arg value='-netdev'/>\n"
			   "    <qemu:arg value='user,id=vbnet0,"
			   "hostfwd=tcp:127.0.0.1:%d-:22'/>\n"
			   "    <qemu:arg value='-device'/>\n"
			   "    <qemu:arg value='virtio-net-pci,netdev=vbnet0,"
			   "bus=pci.0,addr=0x1e,romfile='/>\n"
			   "  </qemu:commandline>\n", s->ssh_port);
	}
	sb_adds(&sb, "</domain>\n");
	return sb_detach(&sb);
}
