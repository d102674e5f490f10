/*
 * tests/fuzz/fuzz_parser.c - libFuzzer target for one parser of
 * collect/parsers.c, chosen at compile time with -DPARSER='"name"'
 * (tests/fuzz/run.sh builds one binary per parser).
 *
 * Beyond memory safety (ASan/UBSan), it checks the parser's contract on
 * every input: success means a finite positive value and no reason;
 * refusal means a reason that is one non-empty line.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/parsers.h"

#ifndef PARSER
#error "build with -DPARSER='\"sysbench-cpu\"' (see tests/fuzz/run.sh)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reason = NULL;
	double v = 0;

	if (parser_run(PARSER, (const char *)data, size, &v, &reason) == 0) {
		if (reason || !isfinite(v) || !(v > 0))
			abort();
	} else {
		if (!reason || !*reason || strchr(reason, '\n'))
			abort();
	}
	free(reason);
	/* identification must never crash either */
	(void)parser_identify((const char *)data, size);
	return 0;
}
