/*
 * common/safe.c - the name rule, the path rule, confined recursive removal
 * and private directories (see safe.h). Small on purpose: every name and
 * every removal in virtbench goes through these few functions, so the
 * rules are decided once.
 */
#define _GNU_SOURCE /* nftw's FTW_ACTIONRETVAL-free use, realpath */
#include "common/safe.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define VB_PATH_MAX 1024

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' ||
	       c == '@' || c == '-';
}

int vb_name_valid(const char *s)
{
	size_t n;

	if (!s || !*s)
		return 0;
	n = strlen(s);
	if (n > VB_NAME_MAX)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9') || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int vb_compound_name_valid(const char *s)
{
	int ok = s && *s;

	while (ok) {
		size_t n = strcspn(s, ":");
		char *part = xstrndup(s, n);

		ok = vb_name_valid(part);
		free(part);
		if (!s[n])
			break;
		s += n + 1;
	}
	return ok;
}

const char *vb_name_rule(void)
{
	return "1 to 64 of A-Z a-z 0-9 . _ + @ -, starting with a letter, a "
	       "digit or _";
}

char *vb_printable(const char *s)
{
	struct sb sb = SB_INIT;

	sb_init(&sb);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			sb_addf(&sb, "\\x%02x", c);
		else
			sb_addc(&sb, (char)c);
	}
	return sb_detach(&sb);
}

int vb_name_check(const char *what, const char *s)
{
	char *p;

	if (vb_name_valid(s))
		return 0;
	p = vb_printable(s ? s : "");
	vb_error("%s '%s': not a valid name (%s)", what, p, vb_name_rule());
	free(p);
	return -1;
}

int vb_path_check(const char *what, const char *s)
{
	char *p;
	const char *why = NULL;

	if (!s || !*s)
		why = "empty path";
	else if (strlen(s) > VB_PATH_MAX)
		why = "path longer than 1024 bytes";
	else
		for (const char *q = s; *q && !why; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				why = "control character in path";
	if (!why)
		return 0;
	p = vb_printable(s ? s : "");
	vb_error("%s '%s': %s", what, p, why);
	free(p);
	return -1;
}

/* realpath of path's parent, then path's last component, unresolved.
 * Owned, or NULL (errno set). */
static char *resolve_parent(const char *path)
{
	char *copy = xstrdup(path), *slash, *dir, *res = NULL;
	const char *last;
	char buf[PATH_MAX];
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		dir = ".";
		last = copy;
	} else if (slash == copy) {
		dir = "/";
		last = slash + 1;
	} else {
		*slash = '\0';
		dir = copy;
		last = slash + 1;
	}
	if (!strcmp(last, ".") || !strcmp(last, "..") || !*last) {
		/* "x/.." names the parent's parent: resolve it whole. */
		if (realpath(path, buf))
			res = xstrdup(buf);
	} else if (realpath(dir, buf)) {
		res = !strcmp(buf, "/") ? xasprintf("/%s", last) :
					  xasprintf("%s/%s", buf, last);
	}
	free(copy);
	return res;
}

static dev_t rm_dev;

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)ftw;
	/* FTW_MOUNT keeps nftw on one file system, but it still reports the
	 * mount point itself; leave it (its rmdir would fail anyway). */
	if (flag != FTW_SL && flag != FTW_SLN && flag != FTW_NS &&
	    st->st_dev != rm_dev)
		return 0;
	if (remove(path) < 0 && errno != ENOENT)
		vb_warn("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int vb_rm_rf_inside(const char *path, const char *root)
{
	char rbuf[PATH_MAX], *p = NULL;
	struct stat st, rst;
	size_t rn;
	int ret = -1;

	if (!path || !root)
		return vb_error("internal: removal without a path or a root");
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (lstat(root, &rst) < 0)
		return vb_error("cannot remove %s: its run directory %s: %s", path,
				root, strerror(errno));
	if (!S_ISDIR(rst.st_mode) || rst.st_uid != geteuid())
		return vb_error("refusing to remove %s: %s is not a directory of "
				"this user (a symlink or someone else's)", path,
				root);
	if (!realpath(root, rbuf))
		return vb_error("cannot resolve %s: %s", root, strerror(errno));
	p = resolve_parent(path);
	rn = strlen(rbuf);
	if (!p || !(strcmp(p, rbuf) == 0 ||
		    (strncmp(p, rbuf, rn) == 0 && (p[rn] == '/' || rn == 1)))) {
		vb_error("refusing to remove %s: it is not inside %s", path, root);
		goto out;
	}
	rm_dev = rst.st_dev;
	ret = nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 &&
	      errno != ENOENT ? -1 : 0;
	if (ret < 0)
		vb_error("cannot remove %s: %s", path, strerror(errno));
out:
	free(p);
	return ret;
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

void vb_csv_text(FILE *f, const char *s)
{
	int formula = *s && strchr("=+-@\t\r", *s);

	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int vb_mkdir_private(const char *path)
{
	char *parent = xstrdup(path), *slash;
	struct stat st;
	int ret = 0;

	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		ret = vb_mkdir_p(parent, 0755);
	}
	free(parent);
	if (ret < 0)
		return -1;
	if (mkdir(path, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return vb_error("cannot create %s: %s", path, strerror(errno));
	if (lstat(path, &st) < 0)
		return vb_error("cannot read %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return vb_error("%s exists and is not a private directory of this "
				"user (a symlink, someone else's, or writable by "
				"others): refusing to use it", path);
	return 0;
}
