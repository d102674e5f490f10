/*
 * platform/libvirt/cidata.h - the cloud-init NoCloud seed ("cidata" ISO) that gives a
 * guest its identity, the client's public key, and its own SSH host key,
 * so the host key is known before the guest boots.
 */
#ifndef VB_PLATFORM_LIBVIRT_CIDATA_H
#define VB_PLATFORM_LIBVIRT_CIDATA_H

/* Seed contents. Strings are borrowed. */
struct cidata {
	const char *instance_id;
	const char *hostname;
	const char *authorized_key;  /* "ssh-ed25519 BASE64 comment" */
	const char *host_key_priv;   /* OpenSSH PEM of the guest's host key */
	const char *host_key_pub;    /* its public line */
	int install_packages;        /* 1: user-data installs sysbench, fio,
				      * iperf3 (cloud images with internet) */
};

/* The user-data and meta-data texts (owned). */
char *cidata_user_data(const struct cidata *c);
char *cidata_meta_data(const struct cidata *c);

/* Writes user-data and meta-data (0600: they hold a private key) into dir
 * and builds iso (0600) with genisoimage, run with argv, no shell. The two
 * text files are removed afterwards. Reported. */
int cidata_write_iso(const struct cidata *c, const char *dir, const char *iso);

#endif
