/*
 * common/fs.c - file-tree helpers shared by the platforms and the
 * collector (declared in util.h): copy a file, remove a tree.
 */
#define _GNU_SOURCE /* nftw */
#include "common/util.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		vb_warn("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int vb_rm_rf(const char *path)
{
	struct stat st;

	if (!path || lstat(path, &st) < 0)
		return 0;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -1 : 0;
}

int vb_copy_file(const char *from, const char *to, int mode)
{
	struct sb sb = SB_INIT;
	int ret;

	if (sb_read_file(&sb, from) < 0)
		return vb_error("cannot read %s: %s", from, strerror(errno));
	ret = vb_write_file_atomic(to, sb.buf, sb.len, mode);
	sb_release(&sb);
	return ret;
}
