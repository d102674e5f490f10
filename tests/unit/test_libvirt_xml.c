/*
 * tests/unit/test_libvirt_xml.c - the kvm/qemu domain XML
 * (platform/libvirt/libvirt_xml.c) against golden files in tests/golden/, and the
 * settings it must refuse. Set VB_UPDATE_GOLDEN=1 to rewrite the golden
 * files after an intended change (then review the diff).
 *
 * Guards against: the NIC landing in the disk's PCI slot (addr=0x1e), the
 * port forward binding beyond loopback, host-passthrough on TCG, silent
 * acceptance of an unknown cache mode, and paths breaking the XML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "platform/libvirt/libvirt_xml.h"
#include "platform/libvirt/platform_libvirt.h"
#include "common/util.h"

static struct lvxml_settings base(int kvm)
{
	struct lvxml_settings s = {
		.name = kvm ? "virtbench-0123abcd-kvm" : "virtbench-0123abcd-qemu",
		.run_uuid = "0123abcd-1111-4222-8333-444455556666",
		.kvm = kvm, .vcpus = 2, .memory_mib = 2048,
		.cpu_mode = kvm ? "host-passthrough" : "qemu64",
		.disk = "/var/tmp/vb/overlay.qcow2", .disk_cache = "none",
		.seed = "/var/tmp/vb/seed.iso",
		.kernel = "/cache/vmlinuz", .initrd = "/cache/initrd.img",
		.cmdline = "console=ttyS0 root=/dev/vda",
		.console_log = "/var/tmp/vb/console.log",
		.network = "user", .ssh_port = 40022,
		.owner_pid = 4242, .dir = "/var/tmp/vb", .owner = "h1:4242:987",
	};
	return s;
}

static void golden(const char *name, const char *got)
{
	char *path = xasprintf("tests/golden/%s", name);
	struct sb want = SB_INIT;

	if (getenv("VB_UPDATE_GOLDEN")) {
		assert_int_equal(vb_write_file_atomic(path, got, strlen(got), 0644), 0);
	} else {
		assert_int_equal(sb_read_file(&want, path), 0);
		if (strcmp(want.buf, got) != 0) {
			fprintf(stderr, "%s differs; got:\n%s", path, got);
			fail();
		}
	}
	sb_release(&want);
	free(path);
}

static void test_golden_kvm(void **state)
{
	struct lvxml_settings s = base(1);
	char *x = lvxml_domain(&s);

	(void)state;
	assert_non_null(x);
	golden("libvirt-kvm.xml", x);
	assert_non_null(strstr(x, "<domain type='kvm'"));
	assert_non_null(strstr(x, "<cpu mode='host-passthrough'"));
	free(x);
}

static void test_golden_qemu(void **state)
{
	struct lvxml_settings s = base(0);
	char *x = lvxml_domain(&s);

	(void)state;
	assert_non_null(x);
	golden("libvirt-qemu.xml", x);
	assert_non_null(strstr(x, "<domain type='qemu'"));
	assert_null(strstr(x, "host-passthrough"));
	assert_non_null(strstr(x, "hostfwd=tcp:127.0.0.1:40022-:22"));
	assert_non_null(strstr(x, "addr=0x1e"));
	assert_non_null(strstr(x, "pid='4242' dir='/var/tmp/vb'"));
	free(x);
}

static void test_cache_and_network_modes(void **state)
{
	struct lvxml_settings s = base(0);
	char *x;

	(void)state;
	s.disk_cache = "writeback";
	x = lvxml_domain(&s);
	assert_non_null(strstr(x, "cache='writeback'"));
	free(x);

	s.disk_cache = "fast";
	assert_null(lvxml_domain(&s));
	s.disk_cache = "none";

	s.network = "libvirt:bench";
	x = lvxml_domain(&s);
	assert_non_null(strstr(x, "<source network='bench'/>"));
	/* No user-mode NIC and no qemu namespace with a libvirt network. */
	assert_null(strstr(x, "qemu:commandline"));
	free(x);

	s.network = "libvirt:";
	assert_null(lvxml_domain(&s));
	s.network = "bridge";
	assert_null(lvxml_domain(&s));
	s.network = "user";
	s.ssh_port = 0;
	assert_null(lvxml_domain(&s));
}

static void test_escaping_and_disk_boot(void **state)
{
	struct lvxml_settings s = base(0);
	char *x;

	(void)state;
	s.disk = "/tmp/a'b&<c>/overlay.qcow2";
	s.kernel = NULL;
	x = lvxml_domain(&s);
	assert_non_null(x);
	assert_non_null(strstr(x, "/tmp/a&apos;b&amp;&lt;c&gt;/overlay.qcow2"));
	/* No kernel: the image's own bootloader. */
	assert_non_null(strstr(x, "<boot dev='hd'/>"));
	assert_null(strstr(x, "<kernel>"));
	free(x);
}

/* The disk settings a study varies: virtio-scsi with its controller and
 * the root on sda, a raw copy with native I/O; SATA with its controller. */
static void test_golden_disk_variants(void **state)
{
	struct lvxml_settings s = base(0);
	char *x;

	(void)state;
	s.disk = "/var/tmp/vb/disk.raw";
	s.disk_cache = "directsync";
	s.disk_bus = "scsi";
	s.disk_io = "native";
	s.disk_format = "raw";
	s.cmdline = "console=ttyS0 root=/dev/sda rw fstab=0";
	x = lvxml_domain(&s);
	assert_non_null(x);
	golden("libvirt-qemu-scsi-raw.xml", x);
	assert_non_null(strstr(x, "<driver name='qemu' type='raw' cache='directsync' io='native'/>"));
	assert_non_null(strstr(x, "<target dev='sda' bus='scsi'/>"));
	assert_non_null(strstr(x, "<controller type='scsi' index='0' model='virtio-scsi'/>"));
	free(x);

	s = base(1);
	s.disk_cache = "unsafe";
	s.disk_bus = "sata";
	s.disk_io = "io_uring";
	s.cpu_mode = "host-model";
	x = lvxml_domain(&s);
	assert_non_null(x);
	golden("libvirt-kvm-sata.xml", x);
	assert_non_null(strstr(x, "<target dev='sda' bus='sata'/>"));
	assert_non_null(strstr(x, "<controller type='sata' index='0'/>"));
	assert_non_null(strstr(x, "cache='unsafe' io='io_uring'"));
	assert_non_null(strstr(x, "<cpu mode='host-model' check='none'/>"));
	assert_null(strstr(x, "virtio-scsi"));
	free(x);

	/* The default (no bus, I/O mode or format given) is the golden
	 * virtio qcow2 guest: no io attribute, no extra controller. */
	s = base(0);
	x = lvxml_domain(&s);
	assert_null(strstr(x, " io='"));
	assert_null(strstr(x, "controller type='scsi'"));
	free(x);
	assert_string_equal(lvxml_disk_dev("virtio"), "vda");
	assert_string_equal(lvxml_disk_dev(NULL), "vda");
	assert_string_equal(lvxml_disk_dev("scsi"), "sda");

	s.disk_bus = "ide";
	assert_null(lvxml_domain(&s));
	s.disk_bus = NULL;
	s.disk_io = "aio";
	assert_null(lvxml_domain(&s));
	s.disk_io = NULL;
	s.disk_format = "vmdk";
	assert_null(lvxml_domain(&s));
}

/* The kvm-host test host is a TCG guest that must see AMD-V: libvirt's
 * mode='maximum' (QEMU's -cpu max), not a custom model named "maximum". */
static void test_cpu_mode_maximum(void **state)
{
	struct lvxml_settings s = base(0);
	char *x;

	(void)state;
	s.cpu_mode = "maximum";
	x = lvxml_domain(&s);
	assert_non_null(x);
	assert_non_null(strstr(x, "<cpu mode='maximum' check='none'/>"));
	assert_null(strstr(x, "<model"));
	free(x);
}

/* The accelerator as the guest's kernel reports it (platform_libvirt.c),
 * with the facts seen in real guests: KVM (L2 under nested KVM), TCG, a
 * machine that is no guest, and another hypervisor. */
static void test_accelerator_from_guest(void **state)
{
	(void)state;
	assert_string_equal(platform_libvirt_accelerator("yes", "KVM",
		"kvm-clock tsc acpi_pm "), "kvm");
	/* dmesg rotated away: kvm-clock alone still says KVM */
	assert_string_equal(platform_libvirt_accelerator("yes", "",
		"kvm-clock tsc acpi_pm "), "kvm");
	assert_string_equal(platform_libvirt_accelerator("yes", "",
		"tsc acpi_pm "), "tcg");
	assert_string_equal(platform_libvirt_accelerator("no", "", "tsc hpet "),
			    "none");
	assert_string_equal(platform_libvirt_accelerator("yes", "Microsoft Hyper-V",
		"hyperv_clocksource_tsc_page acpi_pm "), "unknown");
	assert_string_equal(platform_libvirt_accelerator("", "", ""), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_kvm),
		cmocka_unit_test(test_golden_qemu),
		cmocka_unit_test(test_cache_and_network_modes),
		cmocka_unit_test(test_escaping_and_disk_boot),
		cmocka_unit_test(test_golden_disk_variants),
		cmocka_unit_test(test_cpu_mode_maximum),
		cmocka_unit_test(test_accelerator_from_guest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
