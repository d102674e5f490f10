/*
 * tests/fuzz/fuzz_import_csv.c - libFuzzer target for "virtbench import
 * csv" (db/import_csv.c: fields as pointer and length into the file,
 * quoting, interned names, repetition checks) against a real SQLite
 * database.
 *
 * Beyond memory safety (ASan/UBSan) it checks the importer's contract on
 * every input: a refused file changes nothing (all or nothing), and an
 * accepted one leaves a database that "db check" finds healthy - import
 * and check agree on what is valid. The first byte, when it is a digit,
 * picks options (bits: --platform, --benchmark, --unit with --direction,
 * --host) and is not part of the file, so absent columns are exercised.
 */
#include "tests/fuzz/fuzz_import.h"

static int import_csv(struct db *db, const char *path, void *arg)
{
	char **uuids = NULL;
	long nsamples;
	int ret = db_import_csv(db, path, arg, &uuids, &nsamples);

	vb_strv_free(uuids);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db_csv_defaults d = { 0 };

	if (size && data[0] >= '0' && data[0] <= '9') {
		int bits = data[0] - '0';

		d.platform = bits & 1 ? "kvm" : NULL;
		d.benchmark = bits & 2 ? "b" : NULL;
		d.unit = bits & 4 ? "s" : NULL;
		d.direction = bits & 4 ? "lower" : NULL;
		d.host = bits & 8 ? "h" : NULL;
		data++;
		size--;
	}
	return fuzz_import_one("csv", data, size, import_csv, &d);
}
