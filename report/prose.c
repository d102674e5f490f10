/*
 * report/prose.c - Markdown phrases that the answers (answers.c) and the
 * validity checks (checks.c) both write: names, configuration values,
 * where the baseline ran, the commands that measure a remote machine as
 * its own baseline, a tool version that differs from the baseline's.
 * All database text goes through tmpl_md_escape() or tmpl_md_code().
 */
#include "report/prose.h"

#include <stdlib.h>
#include <string.h>

#include "report/template.h"

void report_md_name(struct sb *out, const char *s)
{
	sb_adds(out, "**");
	tmpl_md_escape(out, s);
	sb_adds(out, "**");
}

void report_md_code(struct sb *out, const char *v)
{
	tmpl_md_code(out, v);
}

/* "**native** ran on this host (h1)" or "... ran on `hostC`". */
void report_baseline_where(struct sb *out, const char *baseline,
			   const char *host, const char *base)
{
	report_md_name(out, baseline);
	if (base) {
		sb_adds(out, " ran on ");
		report_md_code(out, base);
	} else {
		sb_adds(out, " ran on this host (");
		tmpl_md_escape(out, host);
		sb_adds(out, ")");
	}
}

/* Appends s as one shell word, quoted only when it needs to be, so the
 * command in a code span can be pasted as it stands. */
static void shell_word(struct sb *out, const char *s)
{
	if (s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789@%+=:,./_-") == strlen(s)) {
		sb_adds(out, s);
		return;
	}
	sb_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(out, "'\\''");
		else
			sb_addc(out, *s);
	}
	sb_addc(out, '\'');
}

/* Appends what separates the two: collect machine m itself with the ssh
 * platform, logging in as the libvirt connection of p does, next to the
 * guest, and compare with that baseline. */
void report_remote_fix(struct sb *out, const struct report_platform *p,
		       const char *m)
{
	char ub[512];
	const char *uri = report_fact(p, "connect_uri", ub, sizeof(ub));
	const char *a = uri ? strstr(uri, "://") : NULL;
	size_t n = a ? strcspn(a + 3, "/?") : 0;
	struct sb target = SB_INIT, cmd = SB_INIT;
	char *fallback = NULL;

	/* the URI's [USER@]HOST[:PORT] is what ssh:USER@HOST[:PORT] takes */
	sb_adds(&target, "ssh:");
	if (n) {
		if (!memchr(a + 3, '@', n))
			sb_adds(&target, "USER@");
		sb_addf(&target, "%.*s", (int)n, a + 3);
	} else {
		sb_addf(&target, "USER@%s", m);
		fallback = xasprintf("qemu+ssh://USER@%s/system", m);
	}
	sb_adds(out, " To separate them, measure ");
	report_md_code(out, m);
	sb_adds(out, " itself as the baseline with the ssh platform, in the same run as the guest: ");
	sb_adds(&cmd, "virtbench collect --platforms ");
	shell_word(&cmd, target.buf);
	sb_addc(&cmd, ',');
	sb_adds(&cmd, p->name);
	sb_adds(&cmd, " --connect ");
	shell_word(&cmd, uri ? uri : fallback);
	report_md_code(out, cmd.buf);
	if (uri && strstr(uri, "keyfile="))
		sb_adds(out, " (with `VIRTBENCH_SSH_IDENTITY` set to the URI's key file, which the ssh platform does not read from the URI)");
	sb_adds(out, ", then compare with it: ");
	sb_reset(&cmd);
	sb_adds(&cmd, "virtbench report --baseline ");
	shell_word(&cmd, target.buf);
	report_md_code(out, cmd.buf);
	sb_adds(out, " (or ");
	sb_reset(&cmd);
	sb_adds(&cmd, "virtbench analyze --baseline ");
	shell_word(&cmd, target.buf);
	report_md_code(out, cmd.buf);
	sb_adds(out, ").");
	sb_release(&target);
	sb_release(&cmd);
	free(fallback);
}

/* The benchmark tool's version here and on the baseline, when both were
 * recorded and differ: a different build can explain a gap by itself. */
void report_tool_difference(const struct report_facts *f,
			    const char *baseline,
			    const struct analyze_group *g,
			    const struct report_platform *p, struct sb *out)
{
	const struct report_platform *bp = report_facts_platform(f, g->host, baseline);
	const char *tool = !strcmp(g->benchmark, "uplink") ? "tools.iperf3" :
			   !strcmp(g->benchmark, "fork") ? NULL : "tools.sysbench";
	char a[256], b[256];
	const char *va, *vb;

	if (!tool || !p || !bp)
		return;
	va = report_fact(p, tool, a, sizeof(a));
	vb = report_fact(bp, tool, b, sizeof(b));
	if (!va || !vb || !strcmp(va, vb))
		return;
	sb_adds(out, " Note that the tool differs: ");
	report_md_code(out, va);
	sb_adds(out, " here, ");
	report_md_code(out, vb);
	sb_adds(out, " on ");
	tmpl_md_escape(out, baseline);
	sb_adds(out, ".");
}

