/*
 * tests/unit/test_template.c - the report's template engine
 * (report/template.c): variables and escaping, conditionals, loops,
 * standalone-line trimming, and the errors a template author sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/template.h"

/* Renders text with data given as JSON; returns the output (owned) or NULL
 * when parsing or rendering failed. */
static char *render(const char *text, const char *json)
{
	struct tmpl *t = NULL;
	cJSON *data = cJSON_Parse(json ? json : "{}");
	struct sb out = SB_INIT;
	char *ret = NULL;

	assert_non_null(data);
	if (tmpl_parse("test.tmpl", text, &t) < 0)
		goto cleanup;
	if (tmpl_render(t, data, &out) < 0)
		goto cleanup;
	ret = sb_detach(&out);
cleanup:
	sb_release(&out);
	tmpl_free(t);
	cJSON_Delete(data);
	return ret;
}

static void expect(const char *text, const char *json, const char *want)
{
	char *got = render(text, json);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_variables(void **state)
{
	(void)state;
	expect("plain text\n", NULL, "plain text\n");
	expect("a {{ x }} b", "{\"x\":\"1.5\"}", "a 1.5 b");
	expect("{{h.name}}/{{ h.cores }}", "{\"h\":{\"name\":\"box\",\"cores\":2}}",
	       "box/2");
	expect("{{ xs.1 }}", "{\"xs\":[\"a\",\"b\"]}", "b");
	expect("{{ f }} {{ t }} [{{ z }}]", "{\"f\":false,\"t\":true,\"z\":null}",
	       "false true []");
	expect("{{ d }}", "{\"d\":0.25}", "0.25");
	/* A lone brace is text, not a tag. */
	expect("{ x } {x}", NULL, "{ x } {x}");
}

static void test_escaping(void **state)
{
	(void)state;
	/* Database text must not change the Markdown structure. */
	expect("| {{ s }} |", "{\"s\":\"a|b *c* _d_ <e> [f](g)\"}",
	       "| a\\|b \\*c\\* \\_d\\_ \\<e\\> \\[f\\](g) |");
	expect("{{ s }}", "{\"s\":\"two\\nlines\"}", "two lines");
	/* An entity in a name stays text. */
	expect("{{ s }}", "{\"s\":\"a&lt;b\"}", "a\\&lt;b");
	expect("{{ s | raw }}", "{\"s\":\"**bold**\"}", "**bold**");
	expect("{{ s | code }}", "{\"s\":\"a*b\"}", "`a*b`");
	expect("{{ s | code }}", "{\"s\":\"x`y\"}", "`` x`y ``");
	expect("{{ s | url }}", "{\"s\":\"figures/a b(1).png\"}",
	       "figures/a%20b%281%29.png");
}

static void test_conditionals(void **state)
{
	const char *t = "{% if a %}A{% elif b %}B{% else %}C{% end %}";

	(void)state;
	expect(t, "{\"a\":1}", "A");
	expect(t, "{\"a\":0,\"b\":\"x\"}", "B");
	expect(t, "{\"b\":\"\"}", "C");
	expect(t, "{\"a\":[],\"b\":{}}", "C");
	expect("{% if not a %}no{% end %}", NULL, "no");
	expect("{% if k == \"kvm\" %}hw{% end %}", "{\"k\":\"kvm\"}", "hw");
	expect("{% if k != \"kvm\" %}sw{% end %}", "{\"k\":\"tcg\"}", "sw");
	expect("{% if k != \"kvm\" %}sw{% end %}", NULL, "sw");
	expect("{% if n == 5 %}five{% end %}", "{\"n\":5}", "five");
	expect("{% if a and b %}1{% end %}", "{\"a\":1,\"b\":0}", "");
	expect("{% if a and b or c %}1{% end %}", "{\"a\":1,\"b\":0,\"c\":1}", "1");
	expect("{% if a %}{% if b %}ab{% else %}a{% end %}{% end %}",
	       "{\"a\":1}", "a");
}

static void test_loops(void **state)
{
	(void)state;
	expect("{% for p in ps %}{{ p.name }}{% if not loop.last %}, {% end %}{% end %}",
	       "{\"ps\":[{\"name\":\"native\"},{\"name\":\"kvm\"},{\"name\":\"qemu\"}]}",
	       "native, kvm, qemu");
	expect("{% for x in xs %}{{ loop.index }}/{{ loop.length }} {% end %}",
	       "{\"xs\":[\"a\",\"b\"]}", "1/2 2/2 ");
	expect("{% for x in xs %}{{ x }}{% else %}none{% end %}", "{\"xs\":[]}",
	       "none");
	expect("{% for x in xs %}{{ x }}{% else %}none{% end %}", "{\"xs\":null}",
	       "none");
	/* Inner loop variables shadow outer ones and the root. */
	expect("{% for x in a %}{% for x in b %}{{ x }}{% end %}{{ x }}{% end %}{{ x }}",
	       "{\"x\":\"R\",\"a\":[\"1\"],\"b\":[\"2\",\"3\"]}", "231R");
}

static void test_standalone_lines(void **state)
{
	(void)state;
	/* Tags alone on their lines vanish with the line; a table stays a
	 * table. */
	expect("| a |\n"
	       "{% for r in rows %}\n"
	       "  {% if r.show %}\n"
	       "| {{ r.v }} |\n"
	       "  {% end %}\n"
	       "{% end %}\n"
	       "end\n",
	       "{\"rows\":[{\"v\":\"1\",\"show\":1},{\"v\":\"2\"},{\"v\":\"3\",\"show\":1}]}",
	       "| a |\n| 1 |\n| 3 |\nend\n");
	expect("{# comment #}\nx\n", NULL, "x\n");
	/* Inline tags keep their surroundings. */
	expect("a {% if t %}b{% end %} c\n", "{\"t\":1}", "a b c\n");
	/* A variable alone on a line is content, not a block tag. */
	expect("{{ v }}\n", "{\"v\":\"x\"}", "x\n");
}

static void test_errors(void **state)
{
	char *got;

	(void)state;
	/* Each of these must be refused, not rendered as something. */
	assert_null(render("{{ missing }}", NULL));
	assert_null(render("{% for x in missing %}{% end %}", NULL));
	assert_null(render("{{ obj }}", "{\"obj\":{\"a\":1}}"));
	assert_null(render("{% if a %}no end", NULL));
	assert_null(render("{% end %}", NULL));
	assert_null(render("{% while a %}", NULL));
	assert_null(render("{{ a | shout }}", "{\"a\":\"x\"}"));
	assert_null(render("{{ unterminated", NULL));
	assert_null(render("{% if a == %}x{% end %}", NULL));
	assert_null(render("{% for in xs %}{% end %}", NULL));
	assert_null(render("{% if a %}{% else %}{% else %}{% end %}", NULL));
	/* A missing value in a condition is simply false. */
	got = render("{% if missing.deep %}x{% else %}y{% end %}", NULL);
	assert_non_null(got);
	assert_string_equal(got, "y");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_errors),
	};

	vb_verbosity = 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
