/*
 * tests/fuzz/fuzz_suite.c - libFuzzer target for the suite parser
 * (collect/suite.c): any text, as a .suite file or as the suite text a
 * resumed run brings back from the database, is parsed or refused.
 *
 * Beyond memory safety (ASan/UBSan) it checks the contract: success gives
 * a suite with at least one benchmark, each with a command, a known parser
 * and a timeout positive at every duration; a refusal leaves no suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "collect/parsers.h"
#include "collect/suite.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite *s = NULL;
	char *text;
	static int quiet;
	int saved;

	if (memchr(data, '\0', size))
		return 0; /* suites are text; a NUL cannot reach the parser */
	if (!quiet) {
		/* Refusals print one line each; millions of them help no one
		 * (FUZZ_VERBOSE=1 shows them, e.g. when replaying a crash). */
		vb_verbosity = 0;
		quiet = getenv("FUZZ_VERBOSE") ? -1 : open("/dev/null", O_WRONLY);
		if (quiet == 0)
			abort();
	}
	fflush(stderr);
	saved = quiet > 0 ? dup(2) : -1;
	if (saved >= 0)
		dup2(quiet, 2);
	text = xstrndup((const char *)data, size);
	if (suite_parse(text, "fuzz.suite", &s) == 0) {
		if (!s || !s->n_bench)
			abort();
		for (size_t i = 0; i < s->n_bench; i++) {
			const struct suite_bench *b = &s->bench[i];
			double t;

			if (!b->command || !parser_find(b->parser) ||
			    suite_seconds(b->timeout, 1, &t) < 0 || !(t > 0))
				abort();
		}
		suite_free(s);
	} else if (s) {
		abort();
	}
	free(text);
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	return 0;
}
