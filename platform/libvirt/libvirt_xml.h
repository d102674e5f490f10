/*
 * platform/libvirt/libvirt_xml.h - domain XML for the kvm and qemu platforms,
 * generated from settings only (no I/O), so that it is deterministic,
 * tested against golden files, and stored in full with each run.
 */
#ifndef VB_PLATFORM_LIBVIRT_LIBVIRT_XML_H
#define VB_PLATFORM_LIBVIRT_LIBVIRT_XML_H

/* What the guest looks like. Strings are borrowed; NULL kernel means the
 * image boots itself (its own bootloader), otherwise direct kernel boot. */
struct lvxml_settings {
	const char *name;        /* virtbench-<uuid8>-<kind> */
	const char *run_uuid;    /* recorded in <description> */
	int kvm;                 /* 1: type='kvm'; 0: type='qemu' (TCG) */
	int vcpus;
	int memory_mib;
	const char *cpu_mode;    /* "host-passthrough", "host-model",
				  * "maximum", or a CPU model name such as
				  * "qemu64" */
	const char *disk;        /* qcow2 overlay, or a raw copy */
	const char *disk_cache;  /* none | writeback | writethrough | ... */
	const char *disk_bus;    /* virtio (NULL) | scsi (virtio-scsi) | sata */
	const char *disk_io;     /* threads | native | io_uring; NULL: QEMU's
				  * default (threads), no io attribute */
	const char *disk_format; /* qcow2 (NULL) | raw: the disk's format */
	const char *seed;        /* NoCloud ISO, attached read-only; NULL = none */
	const char *kernel, *initrd, *cmdline;
	const char *console_log; /* serial console written to this file */
	const char *network;     /* "user" or "libvirt:NAME" */
	int ssh_port;            /* user mode: 127.0.0.1:ssh_port -> guest 22 */
	long owner_pid;          /* > 0: recorded in <metadata> with dir, so
				  * "virtbench cleanup" spares a live run's
				  * guest and finds a dead one's files */
	const char *dir;         /* the guest's files (overlay, seed, keys) */
	const char *client;      /* the owner's host name, when libvirtd runs
				  * elsewhere (its pid means nothing there) */
	const char *owner;       /* the owner record (common/owner.h), which
				  * cleanup judges by; pid and client stay
				  * for older versions */
};

/* The namespace of virtbench's <metadata> element. */
#define LVXML_META_NS "https://virtbench.dev/xmlns/libvirt/owner/1"


/* Returns the domain XML (owned), or NULL with a message when a setting is
 * invalid (unknown network mode, cache mode, bus, I/O mode or format,
 * missing disk, port out of range). */
char *lvxml_domain(const struct lvxml_settings *s);

/* The guest's name for the disk on bus ("vda" for virtio, "sda" for
 * scsi and sata): the root= of the kernel command line. Static. */
const char *lvxml_disk_dev(const char *bus);

/* Appends s to sb with the five XML special characters escaped. */
struct sb;
void lvxml_escape(struct sb *sb, const char *s);

#endif
