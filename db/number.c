/*
 * db/number.c - decimal numbers from the text of imported files, fast.
 *
 * The importers read a million numbers a second or more; strtod costs
 * several times the rest of a field's work and needs a NUL-terminated
 * copy. db_parse_decimal() reads a field in place (pointer and length)
 * and, for the numbers benchmark tools print, computes the same double
 * strtod would without calling it.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "db/db_int.h"

/* Exact powers of ten: a double holds every one up to 1e22. */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* strtod on a copy of s[0..n), which must be consumed whole. */
static int slow(const char *s, size_t n, double *out)
{
	char buf[128], *copy = n < sizeof(buf) ? buf : xmalloc(n + 1), *end;
	int ret = 0;

	memcpy(copy, s, n);
	copy[n] = '\0';
	errno = 0;
	*out = strtod(copy, &end);
	if (end != copy + n)
		ret = -1;
	else if (errno == ERANGE || !isfinite(*out))
		ret = -3;
	if (copy != buf)
		free(copy);
	return ret;
}

/*
 * Speed: a number of at most 19 significant digits whose mantissa fits in
 * 53 bits and whose decimal exponent is within +-22 is one exact integer
 * times or divided by one exact power of ten, a single correctly rounded
 * operation - the same double strtod returns (Clinger's fast path). That
 * is every number a benchmark tool prints; anything else goes to strtod.
 */
int db_parse_decimal(const char *s, size_t n, double *out)
{
	uint64_t m = 0;
	size_t i = 0;
	int digits = 0, sig = 0, frac = 0, neg = 0, exp = 0, eneg = 0;

	if (n == 0)
		return -1;
	if (s[i] == '+' || s[i] == '-')
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
		if (m || s[i] != '0') {
			m = m * 10 + (uint64_t)(s[i] - '0');
			if (++sig > 19)
				return slow(s, n, out);
		}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			if (m || s[i] != '0') {
				m = m * 10 + (uint64_t)(s[i] - '0');
				if (++sig > 19)
					return slow(s, n, out);
			}
			frac++;
		}
	}
	if (!digits)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == n || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (exp < 10000)
				exp = exp * 10 + (s[i] - '0');
	}
	if (i != n)
		return -1;
	exp = (eneg ? -exp : exp) - frac;
	if (m > (1ULL << 53) || exp < -22 || exp > 22)
		return slow(s, n, out);
	*out = exp < 0 ? (double)m / pow10_exact[-exp] : (double)m * pow10_exact[exp];
	if (neg)
		*out = -*out;
	return 0;
}
