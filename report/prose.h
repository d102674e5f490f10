/*
 * report/prose.h - Markdown phrases shared by the answers (answers.c) and
 * the validity checks (checks.c); internal to report/. Every function
 * appends to out.
 */
#ifndef VB_REPORT_PROSE_H
#define VB_REPORT_PROSE_H

#include "common/util.h"
#include "report/facts.h"

/* **name**, escaped. */
void report_md_name(struct sb *out, const char *s);
/* `value` as an inline code span, safe for any text. */
void report_md_code(struct sb *out, const char *v);

/* "**native** ran on this host (h1)" or "**native** ran on `hostC`" (base:
 * the baseline's machine from report_baseline_machine(), NULL = here). */
void report_baseline_where(struct sb *out, const char *baseline,
			   const char *host, const char *base);

/* What separates a remote guest p on machine m from the machines'
 * difference: the commands that measure m itself as the baseline with the
 * ssh platform, logging in as p's libvirt connection does. */
void report_remote_fix(struct sb *out, const struct report_platform *p,
		       const char *m);

/* " Note that the tool differs: ..." when the benchmark tool's version of
 * p and of the baseline were both recorded and differ; nothing otherwise. */
void report_tool_difference(const struct report_facts *f,
			    const char *baseline,
			    const struct analyze_group *g,
			    const struct report_platform *p, struct sb *out);

#endif
