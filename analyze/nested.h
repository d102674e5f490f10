/*
 * analyze/nested.h - private to analyze/: which guest groups ran nested,
 * inside a host that is itself a virtual machine (from the platform's
 * recorded configuration: libvirt_host_is_guest, _hypervisor,
 * _dmi_vendor), so that nested numbers are never read as KVM's speed.
 */
#ifndef VB_ANALYZE_NESTED_H
#define VB_ANALYZE_NESTED_H

#include <stdint.h>

#include "analyze/analyze.h"

struct db;

/* Sets g->nested (and its warning) for every kvm group whose libvirt
 * host was a guest, and every qemu group whose host was an emulated one
 * (TCG inside TCG). Configurations are read from run_id when > 0.
 * Returns 0 or negative after a database error. */
int analyze_nested_mark(struct db *db, struct analyze_set *s, int64_t run_id);

#endif
