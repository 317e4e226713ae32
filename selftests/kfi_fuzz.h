/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seeded generator of random and adversarial attribute writes, and a model
 * of what each of kfi's configfs attributes accepts and how it reads back,
 * written from Documentation/ABI/testing/configfs-kfi and the kernel's
 * kstrto*() and ctype rules: for kfi_fuzz_test.c and kfi_stress_test.c.
 *
 * The model says "valid, reads back as X" or "invalid" for any input; the
 * kernel must agree, whatever the errno (EINVAL or ERANGE) it picks for an
 * invalid one. kfi_input_test.c pins the exact errno of chosen inputs.
 */
#ifndef KFI_FUZZ_H
#define KFI_FUZZ_H

#include <ctype.h>
#include <limits.h>
#include <linux/types.h>

/* ---- a seeded generator: splitmix64 ---- */

static inline __u64 fz_next(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline unsigned int fz_rnd(__u64 *s, unsigned int n)
{
	return fz_next(s) % n;
}

/* KFI_FUZZ_SEED, or a fresh seed: printed by the tests, to replay a run. */
static inline __u64 fz_seed(void)
{
	const char *env = getenv("KFI_FUZZ_SEED");

	if (env && *env)
		return strtoull(env, NULL, 0);
	return (__u64)time(NULL) * 1000003ULL ^ (__u64)getpid() << 32 ^
	       (__u64)(kfi_now() * 1e6);
}

/* ---- the kernel's ctype (lib/ctype.c: Latin-1 above 0x7f) ---- */

static inline bool k_upper(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}

static inline bool k_lower(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0xdf && c != 0xf7);
}

static inline bool k_alpha(unsigned char c)
{
	return k_upper(c) || k_lower(c);
}

static inline bool k_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool k_print(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
}

/* ---- lib/kstrtox.c: 0 or -1 (EINVAL and ERANGE alike) ---- */

static inline int k_strtoull_nosign(const char *s, unsigned int base,
				    unsigned long long *res)
{
	unsigned long long r = 0;
	bool over = false;
	int n = 0;

	if (base == 0) {
		if (s[0] == '0' && tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2]))
			base = 16;
		else
			base = s[0] == '0' ? 8 : 10;
	}
	if (base == 16 && s[0] == '0' && tolower((unsigned char)s[1]) == 'x')
		s += 2;
	for (;; s++, n++) {
		unsigned char c = tolower((unsigned char)*s);
		unsigned int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			break;
		if (v >= base)
			break;
		if (r > (ULLONG_MAX - v) / base)
			over = true;
		r = r * base + v;
	}
	if (over || !n || *s)
		return -1;
	*res = r;
	return 0;
}

static inline int k_strtoull(const char *s, unsigned int base,
			     unsigned long long *res)
{
	return k_strtoull_nosign(*s == '+' ? s + 1 : s, base, res);
}

static inline int k_strtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long t;

	if (*s == '-') {
		if (k_strtoull_nosign(s + 1, base, &t) || (long long)-t > 0)
			return -1;
		*res = -t;
		return 0;
	}
	if (k_strtoull(s, base, &t) || (long long)t < 0)
		return -1;
	*res = t;
	return 0;
}

/* ---- the model of each attribute ---- */

/* Kernel errno names kfi knows (configfs/parse.c), by value. */
static inline bool fz_errno(const char *name, long *val)
{
	if (!strcmp(name, "EWOULDBLOCK") || !strcmp(name, "EDEADLOCK")) {
		*val = name[1] == 'W' ? EWOULDBLOCK : EDEADLOCK;
		return true;
	}
	for (int e = 1; e <= 133; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name)) {
			*val = e;
			return true;
		}
	}
	return false;
}

/* retval and the values of args. */
static inline bool fz_value(const char *s, long *val)
{
	const char *d = *s == '-' ? s + 1 : s;
	unsigned long long u;
	long long v;

	if (k_alpha(*d)) {
		if (!fz_errno(d, val))
			return false;
		if (*s == '-')
			*val = -*val;
		return true;
	}
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		if (!isxdigit((unsigned char)d[2]) || k_strtoull(d, 16, &u))
			return false;
		if (*s == '-' && u > (unsigned long long)LONG_MAX + 1)
			return false;
		*val = *s == '-' ? (long)-u : (long)u;
		return true;
	}
	if (!k_digit(*d) || k_strtoll(s, 10, &v))
		return false;
	*val = v;
	return true;
}

/* "[module:]symbol[+offset]"; the offset only when @offset_ok. */
static inline bool fz_symbol(const char *s, bool offset_ok)
{
	const char *colon = strchr(s, ':'), *sym = colon ? colon + 1 : s;
	const char *plus = strchr(sym, '+');
	size_t symlen = plus ? (size_t)(plus - sym) : strlen(sym);
	unsigned long long off;

	if (colon) {
		if (colon == s || colon - s >= 56)
			return false;
		for (const char *p = s; p < colon; p++)
			if (!isascii(*p) || !(isalnum(*p) || *p == '_' || *p == '-'))
				return false;
	}
	if (!symlen || symlen >= 512)
		return false;
	for (size_t i = 0; i < symlen; i++)
		if (!isascii(sym[i]) ||
		    !(isalnum(sym[i]) || strchr("_.$", sym[i])))
			return false;
	if (plus && (!offset_ok || !k_digit(plus[1]) ||
		     k_strtoull(plus + 1, 0, &off)))
		return false;
	return true;
}

static inline bool fz_model_target(char *s, char *out)
{
	if (*s && !fz_symbol(s, true))
		return false;
	strcpy(out, s);
	return true;
}

static inline bool fz_model_caller(char *s, char *out)
{
	if (*s && !fz_symbol(s, false))
		return false;
	strcpy(out, s);
	return true;
}

static inline bool fz_model_action(char *s, char *out)
{
	if (strcmp(s, "return") && strcmp(s, "replace") && strcmp(s, "args"))
		return false;
	strcpy(out, s);
	return true;
}

static inline bool fz_model_retval(char *s, char *out)
{
	long v;

	if (!fz_value(s, &v))
		return false;
	sprintf(out, "%ld", v);
	return true;
}

static inline bool fz_model_args(char *s, char *out)
{
	long vals[6];
	unsigned int mask = 0;
	char *tok;
	int n = 0;

	while ((tok = strsep(&s, " ")) != NULL) {
		char *eq = strchr(tok, '=');
		unsigned long long a;

		if (!*tok)
			continue;
		if (!eq || !k_digit(*tok))
			return false;
		*eq = '\0';
		if (k_strtoull(tok, 10, &a) || a < 1 || a > 6 ||
		    mask & 1U << (a - 1) || !fz_value(eq + 1, &vals[a - 1]))
			return false;
		mask |= 1U << (a - 1);
	}
	*out = '\0';
	for (int i = 0; i < 6; i++)
		if (mask & 1U << i)
			n += sprintf(out + n, "%s%d=%ld", n ? " " : "", i + 1,
				     vals[i]);
	return true;
}

static inline bool fz_model_probability(char *s, char *out)
{
	unsigned int whole = 0, frac = 0, places = 0;
	const char *p = s;

	if (!k_digit(*p))
		return false;
	for (; k_digit(*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100)
			return false;
	}
	if (*p == '.') {
		if (!k_digit(*++p))
			return false;
		for (; k_digit(*p); p++) {
			if (++places > 4)
				return false;
			frac = frac * 10 + (*p - '0');
		}
	}
	if (*p)
		return false;
	while (places++ < 4)
		frac *= 10;
	if (whole == 100 && frac)
		return false;
	if (!frac) {
		sprintf(out, "%u", whole);
	} else {
		int n = sprintf(out, "%u.%04u", whole, frac);

		while (out[n - 1] == '0')
			out[--n] = '\0';
	}
	return true;
}

static inline bool fz_model_interval(char *s, char *out)
{
	unsigned long long v;

	if (!k_digit(*s) || k_strtoull(s, 10, &v) || !v)
		return false;
	sprintf(out, "%llu", v);
	return true;
}

static inline bool fz_model_times(char *s, char *out)
{
	long long v;

	if ((!k_digit(*s) && *s != '-') || k_strtoll(s, 10, &v) || v < -1)
		return false;
	sprintf(out, "%lld", v);
	return true;
}

static inline bool fz_model_space(char *s, char *out)
{
	unsigned long long v;

	if (!k_digit(*s) || k_strtoull(s, 10, &v))
		return false;
	sprintf(out, "%llu", v);
	return true;
}

/* PID_MAX_LIMIT on 64-bit kernels; at most 16 pids. */
static inline bool fz_model_pid(char *s, char *out)
{
	char *tok;
	int n = 0, nr = 0;

	*out = '\0';
	while ((tok = strsep(&s, " ")) != NULL) {
		long long pid;

		if (!*tok)
			continue;
		if (!k_digit(*tok) || k_strtoll(tok, 10, &pid) ||
		    pid < 1 || pid >= 4 * 1024 * 1024 || ++nr > 16)
			return false;
		n += sprintf(out + n, "%s%lld", n ? " " : "", pid);
	}
	return true;
}

static inline bool fz_model_bool(char *s, char *out)
{
	if ((s[0] != '0' && s[0] != '1') || s[1])
		return false;
	strcpy(out, s);
	return true;
}

static inline bool fz_model_comm(char *s, char *out)
{
	if (strlen(s) >= 16)
		return false;
	for (const char *p = s; *p; p++)
		if (!k_print(*p))
			return false;
	strcpy(out, s);
	return true;
}

static inline bool fz_model_verbose(char *s, char *out)
{
	if (s[0] < '0' || s[0] > '2' || s[1])
		return false;
	strcpy(out, s);
	return true;
}

/*
 * kfi_input(): one trailing newline dropped; no NUL, no other newline;
 * shorter than @max. Then the attribute's own model. configfs itself
 * passes on at most 4095 bytes of one write.
 */
static inline bool fz_model(bool (*model)(char *s, char *out), size_t max,
			    const char *in, size_t len, char *out)
{
	char s[4096];

	if (len > 4095)
		len = 4095;
	if (len && in[len - 1] == '\n')
		len--;
	if (len >= max || memchr(in, '\0', len) || memchr(in, '\n', len))
		return false;
	memcpy(s, in, len);
	s[len] = '\0';
	return model(s, out);
}

/* ---- generators ---- */

static const char * const fz_numbers[] = {
	"0", "1", "2", "3", "7", "10", "16", "99", "100", "101", "255", "256",
	"4096", "65535", "65536", "2147483647", "2147483648", "4294967295",
	"4294967296", "4194303", "4194304", "9223372036854775807",
	"9223372036854775808", "18446744073709551615", "18446744073709551616",
	"99999999999999999999999", "0x0", "0x10", "0X1f", "0x7fffffffffffffff",
	"0x8000000000000000", "0xffffffffffffffff", "0x10000000000000000",
	"00", "007", "0.5", "1e3", "12.5", "100.0000", "0.0001", "0.00001",
	"99.9999", "100.0001",
};

static const char * const fz_words[] = {
	"kfi_tt_ret", "kfi_tt_ret2", "kfi_tt_ret_notrace", "kfi_test_target",
	"kfi_test_target:kfi_tt_ret", "vmlinux", "do_mkdirat", "sym.cold",
	"a$b", "return", "replace", "args", "EIO", "-EIO", "ENOMEM", "-ENOSPC",
	"EWOULDBLOCK", "-EDEADLOCK", "EHWPOISON", "ENOTANERRNO", "eio",
	"kfi-test", "init", "sh", "kworker/0:1", "\xe9t\xe9", "\xff\xfe",
};

static const char fz_special[] = " \t\n\r\v\f\0-+x=:.,$_/0123456789";

/* A random number as text: signs, prefixes, digits, boundaries. */
static inline int fz_gen_number(__u64 *r, char *b)
{
	static const char * const pre[] = { "", "", "", "-", "+", "0x",
					    "-0x", "0", "--", " " };
	int n = sprintf(b, "%s", pre[fz_rnd(r, ARRAY_SIZE(pre))]);

	switch (fz_rnd(r, 4)) {
	case 0:
		return n + sprintf(b + n, "%s",
				   fz_numbers[fz_rnd(r, ARRAY_SIZE(fz_numbers))]);
	case 1:
		return n + sprintf(b + n, "%llu", (unsigned long long)fz_next(r));
	case 2:
		return n + sprintf(b + n, "%u", fz_rnd(r, 200));
	default:
		for (int i = 1 + fz_rnd(r, 30); i > 0; i--)
			b[n++] = "0123456789abcdefABCDEF"[fz_rnd(r, i & 1 ? 10 : 22)];
		b[n] = '\0';
		return n;
	}
}

/* Something in the shape an attribute takes (often valid, not always). */
static inline int fz_gen_shaped(__u64 *r, const char *attr, char *b)
{
	int n = 0;

	if (!strcmp(attr, "args") || !strcmp(attr, "pid")) {
		for (int i = fz_rnd(r, 8); i > 0; i--) {
			if (n)
				b[n++] = ' ';
			if (*attr == 'a')
				n += sprintf(b + n, "%u=", 1 + fz_rnd(r, 7));
			n += fz_rnd(r, 3) ? sprintf(b + n, "%u", 1 + fz_rnd(r, 5000))
					  : fz_gen_number(r, b + n);
			if (*attr == 'p' && !fz_rnd(r, 10))
				for (int k = fz_rnd(r, 20); k > 0; k--)
					n += sprintf(b + n, " %u", 1 + fz_rnd(r, 99));
		}
		b[n] = '\0';
		return n;
	}
	if (!strcmp(attr, "target") || !strcmp(attr, "caller") ||
	    !strcmp(attr, "comm") || !strcmp(attr, "action")) {
		n = sprintf(b, "%s", fz_words[fz_rnd(r, ARRAY_SIZE(fz_words))]);
		if (*attr == 't' && !fz_rnd(r, 3))
			n += sprintf(b + n, "+%s", fz_numbers[fz_rnd(r, ARRAY_SIZE(fz_numbers))]);
		return n;
	}
	if (!strcmp(attr, "probability") && fz_rnd(r, 2))
		return sprintf(b, "%u.%0*u", fz_rnd(r, 102), 1 + fz_rnd(r, 5),
			       fz_rnd(r, 100000));
	if (strstr(attr, "enabled") || !strcmp(attr, "verbose") ||
	    !strcmp(attr, "children"))
		return sprintf(b, "%u", fz_rnd(r, 4));
	if (!strcmp(attr, "retval") && !fz_rnd(r, 3))
		return sprintf(b, "%s", fz_words[12 + fz_rnd(r, 9)]);
	return fz_gen_number(r, b);
}

/*
 * One input for attribute @attr into @b (room for 8192 bytes): shaped
 * values, their mutations (a byte changed, inserted, deleted, cut short:
 * partial numbers), random bytes, long strings, two values glued together.
 * May hold NULs. Returns its length.
 */
static inline size_t fz_gen(__u64 *r, const char *attr, char *b)
{
	static const size_t longs[] = { 15, 16, 17, 255, 256, 257, 4094, 4095,
					4096, 5000, 8000 };
	size_t n;

	switch (fz_rnd(r, 10)) {
	case 0: case 1: case 2:
		n = fz_gen_shaped(r, attr, b);
		if (!fz_rnd(r, 4))
			b[n++] = '\n';
		return n;
	case 3: case 4: case 5:
		n = fz_gen_shaped(r, attr, b);
		for (int i = 1 + fz_rnd(r, 3); i > 0; i--) {
			size_t at = n ? fz_rnd(r, n + 1) : 0;
			char c = fz_rnd(r, 2) ? fz_special[fz_rnd(r, sizeof(fz_special) - 1)]
					      : (char)fz_rnd(r, 256);

			switch (fz_rnd(r, 4)) {
			case 0:		/* change */
				if (at < n)
					b[at] = c;
				break;
			case 1:		/* insert */
				memmove(b + at + 1, b + at, n - at);
				b[at] = c;
				n++;
				break;
			case 2:		/* delete */
				if (at < n) {
					memmove(b + at, b + at + 1, n - at - 1);
					n--;
				}
				break;
			default:	/* cut short */
				n = at;
			}
		}
		return n;
	case 6:
		n = fz_rnd(r, 3) ? fz_rnd(r, 12) : fz_rnd(r, 300);
		for (size_t i = 0; i < n; i++)
			b[i] = fz_rnd(r, 2) ? (char)fz_rnd(r, 256)
					    : fz_special[fz_rnd(r, sizeof(fz_special) - 1)];
		return n;
	case 7:
		return fz_gen_number(r, b);
	case 8:
		n = longs[fz_rnd(r, ARRAY_SIZE(longs))];
		for (size_t i = 0; i < n; i++)
			b[i] = fz_rnd(r, 2) ? '1' : "a 9_"[i % 4];
		if (fz_rnd(r, 2))
			b[n - 1] = '\n';
		return n;
	default:
		n = fz_gen_shaped(r, attr, b);
		b[n++] = " \t,=:+\0\n"[fz_rnd(r, 9)];
		return n + fz_gen_shaped(r, attr, b + n);
	}
}

/* @len bytes of @in, escaped, for failure messages. */
static inline const char *fz_show(const char *in, size_t len, char *buf,
				  size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 8 < size; i++) {
		unsigned char c = in[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			buf[o++] = c;
		else
			o += sprintf(buf + o, "\\x%02x", c);
	}
	if (o + 8 >= size)
		o += sprintf(buf + o, "...");
	buf[o] = '\0';
	return buf;
}

#endif /* KFI_FUZZ_H */
