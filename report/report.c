/*
 * report/report.c - writes the report: the figures through plot/, the
 * model (model.c) rendered with templates/report.md.tmpl, OUT/report.md
 * replaced atomically.
 */
#include "report/report.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "db/db.h"
#include "plot/plot.h"
#include "report/template.h"

/* Finds templates/report.md.tmpl: the option, $VIRTBENCH_TEMPLATES, then
 * templates/ beside the running binary or one level up (build-san/). */
static char *find_template(const struct report_opts *o)
{
	const char *env = getenv("VIRTBENCH_TEMPLATES");
	char exe[PATH_MAX];
	ssize_t n;
	char *cand[4] = { NULL };
	char *found = NULL;
	struct sb tried = SB_INIT;

	if (o->templates_dir)
		cand[0] = xasprintf("%s/report.md.tmpl", o->templates_dir);
	else if (env && *env)
		cand[0] = xasprintf("%s/report.md.tmpl", env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			cand[1] = xasprintf("%s/templates/report.md.tmpl", exe);
			cand[2] = xasprintf("%s/../templates/report.md.tmpl", exe);
			cand[3] = xasprintf("%s/../share/virtbench/templates/report.md.tmpl", exe);
		}
	}
	for (int i = 0; i < 4 && !found; i++) {
		if (!cand[i])
			continue;
		if (access(cand[i], R_OK) == 0)
			found = xstrdup(cand[i]);
		else
			sb_addf(&tried, "%s%s", tried.len ? ", " : "", cand[i]);
		if (i == 0 && !found)
			break; /* an explicit directory must hold the template */
	}
	if (!found)
		vb_error("report template not found (tried %s); give --templates DIR or set VIRTBENCH_TEMPLATES",
			 tried.buf ? tried.buf : "nothing");
	for (int i = 0; i < 4; i++)
		free(cand[i]);
	sb_release(&tried);
	return found;
}

int report_outputs_parse(const char *list, unsigned *outputs)
{
	char **w = vb_split(list, ',');
	int ret = 0;

	*outputs = 0;
	for (size_t i = 0; w[i] && !ret; i++) {
		if (!strcmp(w[i], "md"))
			*outputs |= REPORT_OUT_MD;
		else if (!strcmp(w[i], "html"))
			*outputs |= REPORT_OUT_HTML;
		else
			ret = vb_error("unknown report output '%s' (md, html)", w[i]);
	}
	if (!ret && !*outputs)
		ret = vb_error("no report output given (md, html)");
	vb_strv_free(w);
	return ret;
}

int report_write(struct db *db, const struct report_opts *o,
		 struct report_timing *t)
{
	struct report_timing tm = { 0 };
	struct analyze_set *set = NULL;
	struct report_facts facts = { 0 };
	struct plot_result *figs = NULL;
	struct tmpl *tp = NULL;
	cJSON *model = NULL;
	struct sb md = SB_INIT, html = SB_INIT;
	char *tpath = NULL, *out_md = NULL, *out_html = NULL;
	const char *out_dir = o->out_dir ? o->out_dir : REPORT_DEFAULT_OUT;
	unsigned outputs = o->outputs ? o->outputs : REPORT_OUT_MD | REPORT_OUT_HTML;
	int ret = -1, prc;
	double t0 = vb_mono_time(), t1;

	tpath = find_template(o);
	if (!tpath || tmpl_load(tpath, &tp) < 0)
		goto cleanup;
	if (analyze_load(db, &o->analyze, &set) < 0)
		goto cleanup;
	tm.analyze = vb_mono_time() - t0;
	if (!set->n_groups) {
		vb_error("report: no samples to report in %s", o->db_path ? o->db_path : db_path(db));
		goto cleanup;
	}
	if (report_facts_load(db, &o->analyze, &facts) < 0)
		goto cleanup;

	{
		struct plot_opts po = { .out_dir = out_dir, .formats = o->formats,
					.render = o->render };

		prc = plot_write(set, &po, &figs);
		if (prc < 0 && prc != PLOT_ERR_NO_GNUPLOT && !figs)
			goto cleanup;
		if (figs) {
			tm.plot_write = figs->write_seconds;
			tm.render = figs->render_seconds;
			tm.gnuplot_cpu = figs->gnuplot_cpu_seconds;
			tm.figures = figs->n;
		}
	}

	t1 = vb_mono_time();
	model = report_model(&facts, set, figs, o);
	cJSON_AddBoolToObject(model, "render_requested", o->render);
	{
		char *mech = report_mechanisms_md(set);

		if (mech)
			cJSON_AddStringToObject(model, "mechanisms", mech);
		free(mech);
	}
	if (tmpl_render(tp, model, &md) < 0)
		goto cleanup;
	/* Both documents are rendered before either is written. */
	if ((outputs & REPORT_OUT_HTML) && report_html(md.buf, md.len, out_dir, &html) < 0)
		goto cleanup;
	out_md = xasprintf("%s/report.md", out_dir);
	out_html = xasprintf("%s/report.html", out_dir);
	if ((outputs & REPORT_OUT_MD) &&
	    vb_write_file_atomic(out_md, md.buf, md.len, 0644) < 0)
		goto cleanup;
	if ((outputs & REPORT_OUT_HTML) &&
	    vb_write_file_atomic(out_html, html.buf, html.len, 0644) < 0)
		goto cleanup;
	tm.report = vb_mono_time() - t1 + (t1 - t0 - tm.analyze - tm.plot_write - tm.render);
	ret = prc < 0 ? prc : 0;
cleanup:
	if (t)
		*t = tm;
	free(out_md);
	free(out_html);
	free(tpath);
	sb_release(&md);
	sb_release(&html);
	cJSON_Delete(model);
	tmpl_free(tp);
	plot_result_free(figs);
	report_facts_clear(&facts);
	analyze_set_free(set);
	return ret;
}
