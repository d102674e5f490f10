/*
 * common/util.c - error reporting, allocation, string buffers, time, UUIDs,
 * SHA-256 and file helpers shared by every module. Nothing here knows about
 * benchmarks or databases.
 */
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

int vb_verbosity = 1;

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	struct sb sb = SB_INIT;

	/* One write per message so that lines from several processes do not
	 * interleave mid-line. */
	sb_adds(&sb, prefix);
	sb_vaddf(&sb, fmt, ap);
	sb_addc(&sb, '\n');
	fflush(stdout);
	fputs(sb.buf, stderr);
	sb_release(&sb);
}

int vb_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return -1;
}

int vb_warn(const char *fmt, ...)
{
	va_list ap;

	if (vb_verbosity < 1)
		return 0;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
	return 0;
}

void vb_info(const char *fmt, ...)
{
	va_list ap;

	if (vb_verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void vb_debug(const char *fmt, ...)
{
	va_list ap;

	if (vb_verbosity < 2)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

static void oom(size_t n)
{
	fprintf(stderr, "out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct sb sb = SB_INIT;
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

/* ---- string buffer ---------------------------------------------------- */

void sb_init(struct sb *sb)
{
	sb->len = 0;
	sb->cap = 64;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
}

void sb_grow(struct sb *sb, size_t extra)
{
	size_t want;

	if (!sb->buf)
		sb_init(sb);
	want = sb->len + extra + 1;
	if (want <= sb->cap)
		return;
	while (sb->cap < want)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_add(struct sb *sb, const void *data, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct sb *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct sb *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vaddf(struct sb *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	sb_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		va_copy(cp, ap);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, cp);
		va_end(cp);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct sb *sb)
{
	if (!sb->buf)
		sb_init(sb);
	sb->len = 0;
	sb->buf[0] = '\0';
}

char *sb_detach(struct sb *sb)
{
	char *p;

	if (!sb->buf)
		sb_init(sb);
	p = sb->buf;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void sb_release(struct sb *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int sb_read_file(struct sb *sb, const char *path)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (!sb->buf)
		sb_init(sb);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		sb_add(sb, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* ---- time ------------------------------------------------------------- */

char *vb_time_iso(double t, char *buf, size_t size)
{
	time_t secs = (time_t)floor(t);
	int ms = (int)((t - (double)secs) * 1000.0 + 0.5);
	struct tm tm;

	if (ms >= 1000) {
		secs++;
		ms -= 1000;
	}
	gmtime_r(&secs, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, ms);
	return buf;
}

char *vb_now_iso(char *buf, size_t size)
{
	return vb_time_iso(vb_wall_time(), buf, size);
}

double vb_wall_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double vb_mono_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- UUID ------------------------------------------------------------- */

int vb_uuid(char out[37])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = -1;

	if (fd >= 0) {
		got = read(fd, b, sizeof(b));
		close(fd);
	}
	if (got != (ssize_t)sizeof(b))
		return vb_error("cannot read /dev/urandom for a run id");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* ---- SHA-256 (FIPS 180-4) --------------------------------------------- */

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t fill;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
					0xa54ff53a, 0x510e527f, 0x9b05688c,
					0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->fill = 0;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* The same blocks with the x86 SHA extensions (SHA-NI), which most x86
 * CPUs since 2017 have: about 8x the portable code, which matters for an
 * importer hashing a 50 MB file. The state is kept as gcc's and Intel's
 * documentation of the instructions arrange it: ABEF and CDGH. */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)&h[0]);  /* a b c d */
	__m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]); /* e f g h */
	__m128i st0;

	t = _mm_shuffle_epi32(t, 0xb1);         /* c d a b */
	st1 = _mm_shuffle_epi32(st1, 0x1b);     /* h g f e */
	st0 = _mm_alignr_epi8(t, st1, 8);       /* a b e f */
	st1 = _mm_blend_epi16(st1, t, 0xf0);    /* c d g h */
	for (; nblocks; nblocks--, p += 64) {
		__m128i abef = st0, cdgh = st1, m[4], wk;

		for (int g = 0; g < 16; g++) {
			if (g < 4) {
				m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)),
							bswap);
			} else {
				/* W[4g..4g+3] from the four groups before */
				__m128i x = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);

				x = _mm_add_epi32(x, _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4));
				m[g & 3] = _mm_sha256msg2_epu32(x, m[(g + 3) & 3]);
			}
			wk = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&sha256_k[4 * g]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, wk);
			st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(wk, 0x0e));
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	t = _mm_shuffle_epi32(st0, 0x1b);       /* f e b a */
	st1 = _mm_shuffle_epi32(st1, 0xb1);     /* d c h g */
	st0 = _mm_blend_epi16(t, st1, 0xf0);    /* a b c d */
	st1 = _mm_alignr_epi8(st1, t, 8);       /* e f g h */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static int sha256_have_ni(void)
{
	static int have = -1;
	unsigned a, b, c, d;

	if (have < 0) {
		int ssse3_41 = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) &&
			       (c & (1u << 19));

		have = ssse3_41 && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		       (b & (1u << 29));
	}
	return have;
}
#endif

/* Whole blocks straight from the input, by the fastest code this CPU has. */
static void sha256_blocks(struct sha256 *s, const unsigned char *p, size_t nblocks)
{
#if defined(__x86_64__)
	if (sha256_have_ni()) {
		sha256_blocks_ni(s->h, p, nblocks);
		return;
	}
#endif
	for (; nblocks; nblocks--, p += 64)
		sha256_block(s, p);
}

static void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->total += n;
	if (s->fill) {
		size_t take = 64 - s->fill;

		if (take > n)
			take = n;
		memcpy(s->block + s->fill, p, take);
		s->fill += take;
		p += take;
		n -= take;
		if (s->fill < 64)
			return;
		sha256_blocks(s, s->block, 1);
		s->fill = 0;
	}
	sha256_blocks(s, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	memcpy(s->block, p, n);
	s->fill = n;
}

static void sha256_hex_final(struct sha256 *s, char out[65])
{
	uint64_t bits = s->total * 8;
	unsigned char pad = 0x80, len[8];
	int i;

	sha256_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		sha256_update(s, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, len, 8);
	for (i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

void vb_sha256_hex(const void *data, size_t n, char out[65])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_hex_final(&s, out);
}

void vb_hmac_sha256_hex(const void *key, size_t klen, const void *msg,
			size_t n, char out[65])
{
	unsigned char k[64] = { 0 }, pad[64], inner[32];
	char hex[65];
	struct sha256 s;

	/* RFC 2104: a key longer than the block is replaced by its hash. */
	if (klen > sizeof(k)) {
		vb_sha256_hex(key, klen, hex);
		for (int i = 0; i < 32; i++)
			k[i] = (unsigned char)strtoul((char[]){ hex[2 * i],
					hex[2 * i + 1], 0 }, NULL, 16);
	} else {
		memcpy(k, key, klen);
	}
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, msg, n);
	sha256_hex_final(&s, hex);
	for (int i = 0; i < 32; i++)
		inner[i] = (unsigned char)strtoul((char[]){ hex[2 * i],
				hex[2 * i + 1], 0 }, NULL, 16);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, inner, sizeof(inner));
	sha256_hex_final(&s, out);
	explicit_bzero(k, sizeof(k));
	explicit_bzero(pad, sizeof(pad));
}

int vb_sha256_file(const char *path, char out[65])
{
	struct sb sb = SB_INIT;

	if (sb_read_file(&sb, path) < 0)
		return -1;
	vb_sha256_hex(sb.buf, sb.len, out);
	sb_release(&sb);
	return 0;
}

/* ---- host ------------------------------------------------------------- */

const char *vb_hostname(void)
{
	static char name[HOST_NAME_MAX + 1];

	if (!name[0] && (gethostname(name, sizeof(name) - 1) < 0 || !name[0]))
		strcpy(name, "localhost");
	return name;
}

/* ---- parsing ---------------------------------------------------------- */

int vb_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	/* strtod and strtol skip any leading white space (newlines too);
	 * here it makes the string not a number. */
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(v))
		return -1;
	/* strtod accepts "nan", "inf" and hex floats; isfinite() rules out the
	 * first two, hex is harmless. */
	*out = v;
	return 0;
}

int vb_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

char **vb_split(const char *s, char sep)
{
	size_t n = 0, cap = 4;
	char **v = xcalloc(cap, sizeof(*v));
	const char *p = s;

	while (p && *p) {
		const char *q = strchr(p, sep);
		size_t len = q ? (size_t)(q - p) : strlen(p);

		if (len) {
			if (n + 2 > cap) {
				cap *= 2;
				v = xrealloc(v, cap * sizeof(*v));
			}
			v[n++] = xstrndup(p, len);
		}
		if (!q)
			break;
		p = q + 1;
	}
	v[n] = NULL;
	return v;
}

void vb_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t vb_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int vb_strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

/* ---- files ------------------------------------------------------------ */

int vb_mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);
	int ret = 0;

	/* From the second character, so "/x" does not mkdir(""); an empty
	 * path is refused by mkdir itself. */
	for (char *q = *p ? p + 1 : p; ; q++) {
		if (*q == '/' || *q == '\0') {
			char c = *q;

			*q = '\0';
			if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
				ret = vb_error("cannot create directory %s: %s", p,
					       strerror(errno));
				break;
			}
			*q = c;
			if (!c)
				break;
		}
	}
	free(p);
	return ret;
}

int vb_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int vb_write_file_atomic(const char *path, const void *data, size_t n, int mode)
{
	/* mkstemp() creates its file with O_EXCL under a name nobody can
	 * predict, so a link planted at a temporary name is never followed;
	 * rename() replaces whatever sits at path (a planted link included)
	 * without following it. */
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd, ret = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		vb_error("cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* mkstemp() makes it 0600; set exactly the mode asked for. */
	if (fchmod(fd, (mode_t)mode) < 0 || vb_write_all(fd, p, n) < 0) {
		vb_error("cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		vb_error("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

int vb_free_loopback_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

int vb_progress_wanted(void)
{
	return vb_verbosity >= 1 && isatty(STDERR_FILENO);
}

int vb_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return vb_error("cannot write to standard output: %s",
				strerror(errno));
	return 0;
}
