/*
 * collect/parsers.c - the parsers behind suites and "virtbench parse".
 *
 * Every parser works on a private NUL-terminated copy of the output, so
 * callers (and the fuzzers) may pass any bytes. The checks run in this
 * order, and the first failing one is the reason given:
 *   1. empty output, or bytes that are not text;
 *   2. a "FATAL:" line (sysbench, and tools wrapped by shell scripts);
 *   3. output of a different tool (parser_identify());
 *   4. the tool's own error report (iperf3 "error", fio job error);
 *   5. truncation: the end-of-report marker the tool always prints last
 *      is missing (sysbench's "Threads fairness" section, a complete JSON
 *      document, forkbench's final newline-terminated line);
 *   6. the value itself: present, a finite number, greater than zero.
 *
 * Tool output facts relied on (sysbench 1.0.x, iperf3 3.x, fio 3.x):
 *  - sysbench prints "FATAL: ..." and exits 1 when a run cannot proceed
 *    (e.g. fileio without prepare), yet still prints the option header;
 *  - sysbench cpu: "events per second:  N" under "CPU speed:";
 *  - sysbench memory: "X MiB transferred (N MiB/sec)";
 *  - sysbench fileio: "read, MiB/s: R" and "written, MiB/s: W" under
 *    "Throughput:" - the value is R + W (the read rate for the rd modes);
 *  - iperf3 -J: a JSON document; on failure it still prints one, with an
 *    "error" member and usually exit status 0 or 1;
 *  - fio --output-format=json may print notes before the document.
 */
#include "collect/parsers.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "common/util.h"

#define MIB 1048576.0

static int refuse(char **reason, const char *fmt, ...) VB_PRINTF(2, 3);

static int refuse(char **reason, const char *fmt, ...)
{
	struct sb sb = SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* A reason is one line: quoted tool text (an iperf3 error string, a
	 * fio job name) may hold control characters. */
	for (char *c = sb.buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	*reason = sb_detach(&sb);
	return -1;
}

/* Returns the line that starts (after blanks) with prefix, or NULL. The
 * pointer is to the first character after the prefix. */
static const char *find_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, prefix, n))
			return q + n;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Copies the line starting at p (without its newline) for messages. */
static char *line_copy(const char *p)
{
	size_t n = strcspn(p, "\r\n");

	if (n > 200)
		n = 200;
	return xstrndup(p, n);
}

/* Parses a decimal number at p (after blanks) that must be followed by
 * one of the characters in stop (or end of string). */
static int number_at(const char *p, const char *stop, double *out)
{
	char *end;
	double v;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!isdigit((unsigned char)*p) && *p != '-' && *p != '+' && *p != '.')
		return -1;
	errno = 0;
	v = strtod(p, &end);
	if (end == p || errno == ERANGE || !isfinite(v))
		return -1;
	if (*end && !strchr(stop, *end))
		return -1;
	/* strtod() also reads hex and "inf"; a tool never prints those. */
	for (const char *c = p; c < end; c++)
		if (!isdigit((unsigned char)*c) && !strchr("+-.eE", *c))
			return -1;
	*out = v;
	return 0;
}

/* ---- identification ---------------------------------------------------- */

static const char *json_start(const char *text)
{
	/* The document starts at the first line beginning with '{': fio may
	 * print notes before it. */
	const char *p = text;

	while (p && *p) {
		if (*p == '{')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static const char *identify(const char *text)
{
	const char *j = json_start(text);

	if (j) {
		if (strstr(j, "\"fio version\""))
			return "fio-json";
		if (strstr(j, "\"intervals\"") || strstr(j, "\"iperf"))
			return "iperf3-json";
	}
	if (find_line(text, "forkbench "))
		return "forkbench";
	if (strstr(text, "sysbench ") || find_line(text, "Threads fairness:")) {
		if (find_line(text, "Prime numbers limit:") ||
		    find_line(text, "CPU speed:"))
			return "sysbench-cpu";
		if (find_line(text, "Running memory speed test") ||
		    strstr(text, "MiB transferred"))
			return "sysbench-memory";
		if (find_line(text, "File operations:") ||
		    strstr(text, "total file size"))
			return "sysbench-fileio";
	}
	return NULL;
}

const char *parser_identify(const char *text, size_t len)
{
	const char *r;
	char *copy;

	if (memchr(text, '\0', len))
		return NULL;
	copy = xstrndup(text, len);
	r = identify(copy);
	free(copy);
	return r;
}

/* Checks 1-3 of the file comment. */
static int common_checks(const char *text, const char *self, char **reason)
{
	const char *p, *who;
	char *line;

	if (!*text)
		return refuse(reason, "empty output");
	p = find_line(text, "FATAL:");
	if (p) {
		line = line_copy(p);
		refuse(reason, "tool reported FATAL:%s", line);
		free(line);
		return -1;
	}
	who = identify(text);
	/* fio-json and fio-iops read the same document. */
	if (who && !strcmp(who, "fio-json") && !strncmp(self, "fio-", 4))
		who = self;
	if (who && strcmp(who, self))
		return refuse(reason, "this is %s output, not %s", who, self);
	if (!who && !strncmp(self, "sysbench-", 9) && strstr(text, "sysbench "))
		return refuse(reason, "truncated sysbench output (no test "
			      "section after the header)");
	if (!who)
		return refuse(reason, "not %s output (no known marker found)",
			      self);
	return 0;
}

static int positive(double v, const char *what, char **reason)
{
	if (!(v > 0))
		return refuse(reason, "%s is %g, expected a positive value",
			      what, v);
	return 0;
}

/* ---- sysbench ------------------------------------------------------------ */

/* sysbench prints "Threads fairness:" and its two lines last; their
 * absence means the run was cut short (killed, timed out, truncated). */
static int sysbench_complete(const char *text, char **reason)
{
	const char *last = find_line(text, "execution time (avg/stddev):");

	/* The last line must be whole: a number cut short still parses. */
	if (!find_line(text, "Threads fairness:") || !last || !strchr(last, '\n'))
		return refuse(reason, "truncated sysbench output (no "
			      "\"Threads fairness\" summary at the end)");
	return 0;
}

static int parse_sysbench_cpu(const char *text, size_t len, double *value,
			      char **reason)
{
	const char *p;

	(void)len;
	if (common_checks(text, "sysbench-cpu", reason) < 0 ||
	    sysbench_complete(text, reason) < 0)
		return -1;
	p = find_line(text, "events per second:");
	if (!p)
		return refuse(reason, "no \"events per second:\" line");
	if (number_at(p, "\r\n", value) < 0)
		return refuse(reason, "\"events per second:\" is not a number");
	return positive(*value, "events per second", reason);
}

static int parse_sysbench_memory(const char *text, size_t len, double *value,
				 char **reason)
{
	const char *p, *q;

	(void)len;
	if (common_checks(text, "sysbench-memory", reason) < 0 ||
	    sysbench_complete(text, reason) < 0)
		return -1;
	/* "33599.19 MiB transferred (16787.28 MiB/sec)" */
	p = strstr(text, " MiB transferred (");
	if (!p)
		return refuse(reason, "no \"MiB transferred (N MiB/sec)\" line");
	p += strlen(" MiB transferred (");
	q = strstr(p, " MiB/sec)");
	if (!q || memchr(p, '\n', (size_t)(q - p)) || number_at(p, " ", value) < 0)
		return refuse(reason, "transfer rate is not \"N MiB/sec\"");
	return positive(*value, "transfer rate", reason);
}

static int parse_sysbench_fileio(const char *text, size_t len, double *value,
				 char **reason)
{
	const char *r, *w;
	double rv, wv;

	(void)len;
	if (common_checks(text, "sysbench-fileio", reason) < 0 ||
	    sysbench_complete(text, reason) < 0)
		return -1;
	r = find_line(text, "read, MiB/s:");
	w = find_line(text, "written, MiB/s:");
	if (!r || !w)
		return refuse(reason, "no \"read, MiB/s\" and \"written, MiB/s\" "
			      "throughput lines");
	if (number_at(r, "\r\n", &rv) < 0 || number_at(w, "\r\n", &wv) < 0)
		return refuse(reason, "throughput is not a number");
	if (rv < 0 || wv < 0)
		return refuse(reason, "negative throughput");
	*value = rv + wv;
	return positive(*value, "read + written throughput", reason);
}

/* ---- JSON tools ---------------------------------------------------------- */

/* Does the text end inside the document (an open string, object or
 * array)? That is a document cut short rather than a malformed one. */
static int json_unclosed(const char *p)
{
	int depth = 0, in_str = 0;

	for (; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = 0;
		} else if (*p == '"') {
			in_str = 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return 0;
		}
	}
	return 1;
}

static cJSON *parse_json(const char *text, const char *self, char **reason)
{
	const char *start = json_start(text), *end = NULL;
	cJSON *doc;

	if (!start) {
		refuse(reason, "no JSON document in the %s output", self);
		return NULL;
	}
	/* Whatever follows the document (a tool's last words on stderr,
	 * appended by the collector) is not part of it. */
	doc = cJSON_ParseWithOpts(start, &end, 0);
	if (!doc) {
		const char *at = cJSON_GetErrorPtr();
		long off = at && at >= start ? (long)(at - start) : -1;

		if (json_unclosed(start))
			refuse(reason, "truncated JSON (the document ends early)");
		else
			refuse(reason, "invalid JSON at offset %ld", off);
		return NULL;
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		refuse(reason, "JSON is not an object");
		return NULL;
	}
	return doc;
}

static double json_num(const cJSON *o, const char *key, int *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
		*ok = 0;
		return 0;
	}
	return v->valuedouble;
}

static int parse_iperf3_json(const char *text, size_t len, double *value,
			     char **reason)
{
	const cJSON *err, *end, *sent;
	cJSON *doc;
	int ok = 1, ret = -1;

	(void)len;
	if (common_checks(text, "iperf3-json", reason) < 0)
		return -1;
	doc = parse_json(text, "iperf3", reason);
	if (!doc)
		return -1;
	err = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (err) {
		refuse(reason, "iperf3 error: %s", cJSON_IsString(err) ?
		       err->valuestring : "(not a string)");
		goto out;
	}
	end = cJSON_GetObjectItemCaseSensitive(doc, "end");
	if (!cJSON_IsObject(end)) {
		refuse(reason, "iperf3 output has no \"end\" summary");
		goto out;
	}
	sent = cJSON_GetObjectItemCaseSensitive(end, "sum_sent");
	if (!cJSON_IsObject(sent)) {
		refuse(reason, "iperf3 output has no end.sum_sent (a UDP or "
		       "reverse test is not supported)");
		goto out;
	}
	*value = json_num(sent, "bits_per_second", &ok) / 1e6;
	if (!ok) {
		refuse(reason, "end.sum_sent.bits_per_second is not a number");
		goto out;
	}
	ret = positive(*value, "sender throughput", reason);
out:
	cJSON_Delete(doc);
	return ret;
}

/* Bytes per second of one direction of a fio job: bw_bytes (fio >= 3.0),
 * else bw in KiB/s. */
static double fio_dir_bw(const cJSON *job, const char *dir, int *ok)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(job, dir);
	int k = 1;
	double v;

	if (!d)
		return 0;
	if (!cJSON_IsObject(d)) {
		*ok = 0;
		return 0;
	}
	v = json_num(d, "bw_bytes", &k);
	if (k)
		return v;
	k = 1;
	v = json_num(d, "bw", &k);
	if (!k)
		*ok = 0;
	return v * 1024.0;
}

/* Operations per second of one direction of a fio job ("iops"; fio 3.x
 * prints it for every direction, 0 for one the job did not do). */
static double fio_dir_iops(const cJSON *job, const char *dir, int *ok)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(job, dir);
	int k = 1;
	double v;

	if (!d)
		return 0;
	if (!cJSON_IsObject(d)) {
		*ok = 0;
		return 0;
	}
	v = json_num(d, "iops", &k);
	if (!k)
		*ok = 0;
	return v;
}

/* Sums one figure over fio's jobs: bandwidth in bytes per second
 * (iops = 0) or I/O operations per second (iops = 1), reads and writes
 * together. A job with an error, or without the figure, refuses the
 * whole output. */
static int fio_sum(const char *text, const char *self, int iops,
		   double *value, char **reason)
{
	const cJSON *jobs, *job;
	cJSON *doc;
	double total = 0;
	int ret = -1;

	if (common_checks(text, self, reason) < 0)
		return -1;
	doc = parse_json(text, "fio", reason);
	if (!doc)
		return -1;
	jobs = cJSON_GetObjectItemCaseSensitive(doc, "jobs");
	if (!cJSON_IsArray(jobs) || !cJSON_GetArraySize(jobs)) {
		refuse(reason, "fio output has no jobs");
		goto out;
	}
	cJSON_ArrayForEach(job, jobs) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(job, "jobname");
		const char *jn = cJSON_IsString(name) ? name->valuestring : "?";
		int ok = 1;
		double e = json_num(job, "error", &ok);

		if (!ok) {
			refuse(reason, "fio job %s has no error status", jn);
			goto out;
		}
		if (e != 0) {
			refuse(reason, "fio job %s failed with error %g", jn, e);
			goto out;
		}
		if (iops)
			total += fio_dir_iops(job, "read", &ok) +
				 fio_dir_iops(job, "write", &ok);
		else
			total += fio_dir_bw(job, "read", &ok) +
				 fio_dir_bw(job, "write", &ok);
		if (!ok) {
			refuse(reason, "fio job %s has no %s figures", jn,
			       iops ? "iops" : "bandwidth");
			goto out;
		}
	}
	*value = total;
	ret = 0;
out:
	cJSON_Delete(doc);
	return ret;
}

static int parse_fio_json(const char *text, size_t len, double *value,
			  char **reason)
{
	(void)len;
	if (fio_sum(text, "fio-json", 0, value, reason) < 0)
		return -1;
	*value /= MIB;
	return positive(*value, "read + write bandwidth", reason);
}

/* For small synchronous writes (an fsync after each) operations per
 * second is the figure that matters; MiB/s would hide it in a small
 * number. */
static int parse_fio_iops(const char *text, size_t len, double *value,
			  char **reason)
{
	(void)len;
	if (fio_sum(text, "fio-iops", 1, value, reason) < 0)
		return -1;
	return positive(*value, "read + write operations per second", reason);
}

/* ---- forkbench ----------------------------------------------------------- */

/* The format is written by collect/forkbench/forkbench.c:
 *   forkbench 1 fork+exit+wait cycles
 *   forks 45870
 *   seconds 5.000123
 *   forks_per_second 9174.12
 * The last line must end with a newline, and forks/seconds must agree with
 * forks_per_second, which catches a number cut short. */
static int parse_forkbench(const char *text, size_t len, double *value,
			   char **reason)
{
	const char *f, *s, *r;
	double forks, secs;

	(void)len;
	if (common_checks(text, "forkbench", reason) < 0)
		return -1;
	f = find_line(text, "forks ");
	s = find_line(text, "seconds ");
	r = find_line(text, "forks_per_second ");
	if (!r)
		return refuse(reason, "truncated forkbench output (no "
			      "forks_per_second line)");
	if (!strchr(r, '\n'))
		return refuse(reason, "truncated forkbench output (last line "
			      "has no newline)");
	if (!f || !s || number_at(f, "\r\n", &forks) < 0 ||
	    number_at(s, "\r\n", &secs) < 0 || number_at(r, "\r\n", value) < 0)
		return refuse(reason, "forkbench output lacks numeric forks, "
			      "seconds or forks_per_second");
	if (!(secs > 0) || fabs(forks / secs - *value) > 0.01 * *value + 0.01)
		return refuse(reason, "inconsistent forkbench output (%g forks "
			      "in %g s is not %g/s)", forks, secs, *value);
	return positive(*value, "forks per second", reason);
}

/* ---- registry ------------------------------------------------------------ */

static const struct parser parsers[] = {
	{ "sysbench-cpu", 1, "events/s", "sysbench cpu: events per second",
	  parse_sysbench_cpu },
	{ "sysbench-memory", 1, "MiB/s",
	  "sysbench memory: transfer rate", parse_sysbench_memory },
	{ "sysbench-fileio", 1, "MiB/s",
	  "sysbench fileio: read + written throughput", parse_sysbench_fileio },
	{ "iperf3-json", 1, "Mbit/s",
	  "iperf3 -J: sender throughput (end.sum_sent)", parse_iperf3_json },
	{ "fio-json", 1, "MiB/s",
	  "fio JSON: read + write bandwidth summed over jobs", parse_fio_json },
	{ "fio-iops", 1, "IO/s",
	  "fio JSON: read + write operations per second summed over jobs",
	  parse_fio_iops },
	{ "forkbench", 1, "forks/s",
	  "virtbench forkbench: fork+exit+wait cycles per second",
	  parse_forkbench },
};

static const struct parser *const parser_list[] = {
	&parsers[0], &parsers[1], &parsers[2], &parsers[3], &parsers[4],
	&parsers[5], &parsers[6], NULL,
};

const struct parser *const *parser_all(void)
{
	return parser_list;
}

const struct parser *parser_find(const char *name)
{
	for (size_t i = 0; i < VB_ARRAY_SIZE(parsers); i++)
		if (!strcmp(parsers[i].name, name))
			return &parsers[i];
	return NULL;
}

int parser_run(const char *name, const char *text, size_t len, double *value,
	       char **reason)
{
	const struct parser *p = parser_find(name);
	char *copy;
	int ret;

	*reason = NULL;
	if (!p)
		return refuse(reason, "unknown parser '%s'", name);
	if (memchr(text, '\0', len))
		return refuse(reason, "output contains NUL bytes (not text)");
	copy = xstrndup(text, len);
	ret = p->parse(copy, len, value, reason);
	free(copy);
	/* One rule for every parser: a sum of huge figures overflows to
	 * inf, which is not a measurement. */
	if (ret == 0 && !isfinite(*value)) {
		free(*reason);
		*reason = NULL;
		return refuse(reason, "%s: result is not a finite number (its "
			      "figures overflow)", name);
	}
	if (ret < 0 && !*reason)
		refuse(reason, "%s: unparseable output", name);
	return ret < 0 ? -1 : 0;
}
