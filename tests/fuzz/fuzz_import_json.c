/*
 * tests/fuzz/fuzz_import_json.c - libFuzzer target for "virtbench import
 * json" (db/import_json.c) against a real SQLite database.
 *
 * Beyond memory safety (ASan/UBSan) it checks the importer's contract on
 * every input: a refused file changes nothing (all or nothing), and an
 * accepted one leaves a database that "db check" finds healthy - import
 * and check agree on what is valid.
 */
#include "tests/fuzz/fuzz_import.h"

static int import_json(struct db *db, const char *path, void *arg)
{
	int added, skipped;
	long nsamples;

	(void)arg;
	return db_import_json(db, path, &added, &skipped, &nsamples);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_import_one("json", data, size, import_json, NULL);
}
