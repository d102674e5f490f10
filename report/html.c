/*
 * report/html.c - the report as one HTML page, rendered from the same
 * Markdown as report.md with cmark-gfm (GitHub's CommonMark with its
 * table extension), so the two cannot say different things.
 *
 * The page is self-contained apart from the figures beside it: the CSS is
 * inline, there is no script and nothing is fetched from the network. It
 * adds what the Markdown lacks: heading ids and a table of contents, the
 * SVG version of each figure where one was rendered (sharp at any width),
 * tables that scroll sideways inside their own box, and a layout that
 * reads at phone width. Raw HTML in the Markdown is never passed through
 * (cmark's safe default): database text reaches the page escaped twice
 * over - by the Markdown writer, then by cmark.
 */
#include "report/report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "common/util.h"

static const char page_css[] =
	":root{color-scheme:light;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;"
	"--bg2:#f6f8fa;--warn:#9a6700}"
	"*{box-sizing:border-box}"
	"body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.5 system-ui,"
	"-apple-system,'Segoe UI',sans-serif;color:var(--fg);overflow-wrap:break-word}"
	"h1{font-size:1.7rem;margin:.2em 0 .5em}"
	"h2{font-size:1.35rem;border-bottom:1px solid var(--line);padding-bottom:.2em;"
	"margin-top:1.8em}"
	"h3{font-size:1.1rem;margin-top:1.5em}"
	"code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--bg2);"
	"padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}"
	".table{overflow-x:auto;margin:1em 0}"
	"table{border-collapse:collapse;font-size:.9rem}"
	"th,td{border:1px solid var(--line);padding:.3em .6em;vertical-align:top}"
	"th{background:var(--bg2);text-align:left}"
	"td[align=right]{font-variant-numeric:tabular-nums;white-space:nowrap}"
	"img{max-width:100%;height:auto;background:#fff}"
	"p>img{width:49%;margin:.2em 0;vertical-align:top}"
	"p>img:only-child{width:100%;max-width:56rem}"
	"blockquote{margin:1em 0;padding:.2em 1em;border-left:4px solid var(--warn);"
	"background:#fff8c5}"
	/* the contents in a line or two, so the answers fill the first screen */
	"nav.toc{background:var(--bg2);border:1px solid var(--line);border-radius:6px;"
	"padding:.4em .8em;margin:.5em 0 1em;font-size:.9rem}"
	"nav.toc ul{display:inline;margin:0;padding:0}"
	"nav.toc li{display:inline}"
	"nav.toc li+li::before{content:' · ';color:var(--mute)}"
	"nav.toc li ul::before{content:' ('}nav.toc li ul::after{content:')'}"
	"nav.toc a{color:inherit}"
	"@media (max-width:40rem){body{padding:.6rem;font-size:15px}p>img{width:100%}}";

/* The plain text of a node (its text and code descendants). */
static void node_text(cmark_node *n, struct sb *out)
{
	for (cmark_node *c = cmark_node_first_child(n); c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);

		if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
			sb_adds(out, cmark_node_get_literal(c));
		else
			node_text(c, out);
	}
}

/* A heading's id: letters and digits lowercased, runs of anything else
 * one '-'; "-2", "-3" added when taken (ids holds those given). */
static char *heading_id(const char *text, char ***ids)
{
	struct sb s = SB_INIT;
	char *base, *id;
	size_t n = *ids ? vb_strv_len(*ids) : 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (isalnum(*p))
			sb_addc(&s, (char)tolower(*p));
		else if (s.len && s.buf[s.len - 1] != '-')
			sb_addc(&s, '-');
	}
	while (s.len && s.buf[s.len - 1] == '-')
		s.buf[--s.len] = '\0';
	if (!s.len)
		sb_adds(&s, "section");
	base = sb_detach(&s);
	id = xstrdup(base);
	for (int k = 2; *ids && vb_strv_contains(*ids, id); k++) {
		free(id);
		id = xasprintf("%s-%d", base, k);
	}
	free(base);
	*ids = xrealloc(*ids, (n + 2) * sizeof(**ids));
	(*ids)[n] = xstrdup(id);
	(*ids)[n + 1] = NULL;
	return id;
}

static void html_escape(struct sb *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_adds(out, "&amp;"); break;
		case '<': sb_adds(out, "&lt;"); break;
		case '>': sb_adds(out, "&gt;"); break;
		case '"': sb_adds(out, "&quot;"); break;
		default: sb_addc(out, *s);
		}
	}
}

/* A percent-encoded relative URL as a path below dir. */
static char *url_path(const char *dir, const char *url)
{
	struct sb s = SB_INIT;

	sb_addf(&s, "%s/", dir);
	for (const char *p = url; *p; p++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char hex[3] = { p[1], p[2], 0 };

			sb_addc(&s, (char)strtol(hex, NULL, 16));
			p += 2;
		} else {
			sb_addc(&s, *p);
		}
	}
	return sb_detach(&s);
}

/* Points each PNG figure at its SVG when that exists beside it in dir. */
static void prefer_svg(cmark_node *root, const char *dir)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		const char *url;
		size_t len;

		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_IMAGE)
			continue;
		url = cmark_node_get_url(n);
		len = url ? strlen(url) : 0;
		if (len > 4 && !strcmp(url + len - 4, ".png") && !strstr(url, "://")) {
			char *svg = xasprintf("%.*s.svg", (int)(len - 4), url);
			char *path = url_path(dir, svg);

			if (access(path, R_OK) == 0)
				cmark_node_set_url(n, svg);
			free(path);
			free(svg);
		}
	}
	cmark_iter_free(it);
}

/* Collects the h2/h3 headings in document order: their ids into *ids,
 * the table of contents into toc. */
static void contents(cmark_node *root, char ***ids, struct sb *toc)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	int open3 = 0, any = 0;

	sb_adds(toc, "<nav class=\"toc\"><strong>Contents:</strong>\n<ul>");
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		struct sb t = SB_INIT;
		int level;
		char *id;

		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(n);
		node_text(n, &t);
		id = heading_id(t.buf ? t.buf : "", ids);
		if (level == 2) {
			sb_adds(toc, open3 ? "</ul></li>\n" : any ? "</li>\n" : "");
			open3 = 0;
			sb_addf(toc, "<li><a href=\"#%s\">", id);
			html_escape(toc, t.buf ? t.buf : "");
			sb_adds(toc, "</a>");
			any = 1;
		} else if (level == 3 && any) {
			/* "cpu (events/s, higher is better)": "cpu" */
			char *label = xstrndup(t.buf ? t.buf : "",
					       t.buf ? strcspn(t.buf, "(") : 0);

			while (*label && label[strlen(label) - 1] == ' ')
				label[strlen(label) - 1] = '\0';
			sb_adds(toc, open3 ? "\n" : "<ul>");
			open3 = 1;
			sb_addf(toc, "<li><a href=\"#%s\">", id);
			html_escape(toc, *label ? label : t.buf ? t.buf : "");
			free(label);
			sb_adds(toc, "</a></li>");
		}
		free(id);
		sb_release(&t);
	}
	sb_adds(toc, open3 ? "</ul></li>" : any ? "</li>" : "");
	sb_adds(toc, "</ul></nav>\n");
	cmark_iter_free(it);
}

/* Copies body to out with ids on the headings (in the order contents()
 * gave them), the table of contents after the first h1, and every table
 * in a box that scrolls sideways. */
static void decorate(const char *body, char *const *ids, const char *toc,
		     struct sb *out)
{
	size_t k = 0;
	int toc_done = 0;

	for (const char *p = body; *p;) {
		if ((!strncmp(p, "<h1>", 4) || !strncmp(p, "<h2>", 4) ||
		     !strncmp(p, "<h3>", 4) || !strncmp(p, "<h4>", 4) ||
		     !strncmp(p, "<h5>", 4) || !strncmp(p, "<h6>", 4)) &&
		    ids && ids[k]) {
			if (!toc_done && p[2] != '1') {
				sb_adds(out, toc);
				toc_done = 1;
			}
			sb_addf(out, "<h%c id=\"%s\">", p[2], ids[k++]);
			p += 4;
		} else if (!strncmp(p, "<table>", 7)) {
			sb_adds(out, "<div class=\"table\"><table>");
			p += 7;
		} else if (!strncmp(p, "</table>", 8)) {
			sb_adds(out, "</table></div>");
			p += 8;
		} else {
			sb_addc(out, *p++);
		}
	}
	if (!toc_done)
		sb_adds(out, toc);
}

int report_html(const char *md, size_t len, const char *dir, struct sb *out)
{
	cmark_parser *parser;
	cmark_syntax_extension *table;
	cmark_node *root;
	char *body = NULL, **ids = NULL;
	struct sb toc = SB_INIT;

	cmark_gfm_core_extensions_ensure_registered();
	table = cmark_find_syntax_extension("table");
	if (!table)
		return vb_error("report: cmark-gfm has no table extension");
	parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
	cmark_parser_attach_syntax_extension(parser, table);
	cmark_parser_feed(parser, md, len);
	root = cmark_parser_finish(parser);
	prefer_svg(root, dir);
	/* Headings come in the same order from the tree and the renderer;
	 * cmark writes every heading as a bare "<hN>" without attributes. */
	contents(root, &ids, &toc);
	body = cmark_render_html(root, CMARK_OPT_DEFAULT,
				 cmark_parser_get_syntax_extensions(parser));
	sb_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>virtbench report</title>\n<style>");
	sb_adds(out, page_css);
	sb_adds(out, "</style>\n</head>\n<body>\n");
	decorate(body ? body : "", ids, toc.buf, out);
	sb_adds(out, "</body>\n</html>\n");
	free(body);
	vb_strv_free(ids);
	sb_release(&toc);
	cmark_node_free(root);
	cmark_parser_free(parser);
	return 0;
}
