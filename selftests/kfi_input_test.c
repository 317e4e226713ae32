// SPDX-License-Identifier: GPL-2.0
/*
 * What users write into a rule's attributes: every attribute turns down
 * malformed input (junk, trailing garbage, out of range, too long, embedded
 * NULs, empty where a value is needed) with EINVAL or ERANGE and keeps its
 * value; good input reads back normalized; an armed rule turns down edits
 * with EBUSY; and a rule that cannot be armed says why and stays as it was.
 *
 * Each attribute has a table of bad inputs with the errno they must get and
 * a table of good inputs with how they read back.
 */
#include <ctype.h>

#include "kselftest_harness.h"
#include "kfi_test.h"

#define RULE		"input"

/* Longer than any attribute takes: kfi_input() refuses it with ERANGE. */
#define TOO_LONG	256
/* More than configfs passes on in one write (a page). */
#define WAY_TOO_LONG	5000

struct bad_input {
	const char *in;
	size_t len;	/* may hold NULs */
	int err;	/* -errno expected */
};

#define BAD(s, e)	{ s, sizeof(s) - 1, -(e) }

struct good_input {
	const char *in;
	size_t len;
	const char *shown;	/* what reading the attribute gives */
};

#define GOOD(s, out)	{ s, sizeof(s) - 1, out }

struct attr_spec {
	const char *name;
	const char *good;	/* written before the bad inputs */
	const char *shown;	/* how @good reads back */
	const struct bad_input *bad;
	size_t nr_bad;
	const struct good_input *ok;
	size_t nr_ok;
};

/* The spec of attribute @_attr, with the tables _attr_bad and _attr_ok. */
#define SPEC(_attr, _good, _shown) {					\
	.name = #_attr, .good = _good, .shown = _shown,			\
	.bad = _attr##_bad, .nr_bad = ARRAY_SIZE(_attr##_bad),		\
	.ok = _attr##_ok, .nr_ok = ARRAY_SIZE(_attr##_ok),		\
}

/* ---- target: "[module:]symbol[+offset]", checked for syntax only ---- */

static const struct bad_input target_bad[] = {
	BAD("kfi tt", EINVAL),
	BAD(" kfi_tt_ret", EINVAL),
	BAD("kfi_tt_ret ", EINVAL),
	BAD("kfi_tt_ret()", EINVAL),
	BAD("kfi/tt", EINVAL),
	BAD("kfi_tt_ret\n\n", EINVAL),
	BAD("kfi_tt_ret+", EINVAL),
	BAD("kfi_tt_ret+x", EINVAL),
	BAD("kfi_tt_ret+-1", EINVAL),
	BAD("kfi_tt_ret+0x", EINVAL),
	BAD("kfi_tt_ret+0x10+1", EINVAL),
	BAD("kfi_tt_ret++0x10", EINVAL),
	BAD("kfi_tt_ret+ 16", EINVAL),
	BAD("kfi_tt_ret+0x10\n\n", EINVAL),
	BAD("kfi_tt_ret+99999999999999999999999", ERANGE),
	BAD("+0x10", EINVAL),
	BAD(":kfi_tt_ret", EINVAL),
	BAD("kfi_test_target:", EINVAL),
	BAD("kfi_test_target:kfi_tt_ret:x", EINVAL),
	BAD("kfi test:kfi_tt_ret", EINVAL),
	BAD("kfi_tt_ret\0", EINVAL),
	BAD("kfi_\0tt_ret", EINVAL),
	BAD("\0", EINVAL),
	BAD("kfi_tt_ret\t", EINVAL),
	/* The kernel's isalnum() takes Latin-1 letters; names are ASCII. */
	BAD("kfi_tt_r\xe9t", EINVAL),
	BAD("kfi_t\xe9st:kfi_tt_ret", EINVAL),
};

static const struct good_input target_ok[] = {
	GOOD("kfi_tt_ret", "kfi_tt_ret"),
	GOOD("kfi_tt_ret\n", "kfi_tt_ret"),
	GOOD("kfi_test_target:kfi_tt_ret", "kfi_test_target:kfi_tt_ret"),
	GOOD("kfi_tt_ret+0x10", "kfi_tt_ret+0x10"),
	GOOD("kfi_tt_ret+16", "kfi_tt_ret+16"),
	GOOD("kfi-test:sym.cold", "kfi-test:sym.cold"),
	GOOD("no_such_function", "no_such_function"),
	GOOD("\n", ""),
};

/* ---- action ---- */

static const struct bad_input action_bad[] = {
	BAD("\n", EINVAL),
	BAD("Return", EINVAL),
	BAD("return ", EINVAL),
	BAD(" return", EINVAL),
	BAD("ret", EINVAL),
	BAD("returns", EINVAL),
	BAD("skip", EINVAL),
	BAD("0", EINVAL),
	BAD("return\0", EINVAL),
	BAD("replace\n\n", EINVAL),
};

static const struct good_input action_ok[] = {
	GOOD("return", "return"),
	GOOD("replace", "replace"),
	GOOD("args", "args"),
	GOOD("replace\n", "replace"),
};

/* ---- retval: decimal, 0x-hex or an errno name ---- */

static const struct bad_input retval_bad[] = {
	BAD("\n", EINVAL),
	BAD("x", EINVAL),
	BAD("-", EINVAL),
	BAD("--5", EINVAL),
	BAD("+5", EINVAL),
	BAD(" 5", EINVAL),
	BAD("5 ", EINVAL),
	BAD("5x", EINVAL),
	BAD("1.5", EINVAL),
	BAD("1e3", EINVAL),
	BAD("5\n\n", EINVAL),
	BAD("0x", EINVAL),
	BAD("-0x", EINVAL),
	BAD("0x10g", EINVAL),
	BAD("0x0x10", EINVAL),
	BAD("-0x-10", EINVAL),
	BAD("ENOTANERRNO", EINVAL),
	BAD("-ENOTANERRNO", EINVAL),
	BAD("-eio", EINVAL),
	BAD("EIO ", EINVAL),
	BAD("--EIO", EINVAL),
	BAD("-EIO5", EINVAL),
	BAD("-EIO\n\n", EINVAL),
	BAD("5\0", EINVAL),
	BAD("\0", EINVAL),
	BAD("-\0EIO", EINVAL),
	BAD("9223372036854775808", ERANGE),
	BAD("-9223372036854775809", ERANGE),
	BAD("0x10000000000000000", ERANGE),
	BAD("-0x8000000000000001", ERANGE),
	BAD("-0xffffffffffffffff", ERANGE),
};

static const struct good_input retval_ok[] = {
	GOOD("-ENOMEM", "-12"),
	GOOD("EIO", "5"),
	GOOD("0x10", "16"),
	GOOD("0X1f", "31"),
	GOOD("-0x10", "-16"),
	GOOD("42", "42"),
	GOOD("-42", "-42"),
	GOOD("0", "0"),
	GOOD("-0", "0"),
	GOOD("007", "7"),
	GOOD("-ENOSPC", "-28"),
	GOOD("-EHWPOISON", "-133"),
	GOOD("-EWOULDBLOCK", "-11"),
	GOOD("-EDEADLOCK", "-35"),
	GOOD("-EIO\n", "-5"),
	GOOD("0xffffffffffffffff", "-1"),
	GOOD("9223372036854775807", "9223372036854775807"),
	GOOD("-9223372036854775808", "-9223372036854775808"),
	GOOD("-0x8000000000000000", "-9223372036854775808"),
};

/* ---- args: N=VALUE for N in 1..6, each at most once ---- */

static const struct bad_input args_bad[] = {
	BAD("x", EINVAL),
	BAD("1", EINVAL),
	BAD("1=", EINVAL),
	BAD("=5", EINVAL),
	BAD("a=1", EINVAL),
	BAD("1x=5", EINVAL),
	BAD("+1=5", EINVAL),
	BAD("-1=5", EINVAL),
	BAD("0=1", ERANGE),
	BAD("7=1", ERANGE),
	BAD("99999999999=1", ERANGE),
	BAD("1=5 1=6", EINVAL),
	BAD("1=x", EINVAL),
	BAD("1=5=6", EINVAL),
	BAD("1==5", EINVAL),
	BAD("1 =5", EINVAL),
	BAD("1= 5", EINVAL),
	BAD("1=5,2=6", EINVAL),
	BAD("1=5\t2=6", EINVAL),
	BAD("1=5\n2=6", EINVAL),
	BAD("1=5\n\n", EINVAL),
	BAD("1=0x0x5", EINVAL),
	BAD("1=ENOPE", EINVAL),
	BAD("1=99999999999999999999", ERANGE),
	BAD("1=5 2=x", EINVAL),
	BAD("1=5 7=1", ERANGE),
	BAD("1=5\0", EINVAL),
	BAD("1=5\0 2=6", EINVAL),
};

static const struct good_input args_ok[] = {
	GOOD("2=0 3=-1", "2=0 3=-1"),
	GOOD("3=-1 2=0", "2=0 3=-1"),
	GOOD("6=1 1=6", "1=6 6=1"),
	GOOD("1=-ENOMEM", "1=-12"),
	GOOD("4=EIO", "4=5"),
	GOOD("5=0x10", "5=16"),
	GOOD("1=0xffffffffffffffff", "1=-1"),
	GOOD("01=7", "1=7"),
	GOOD(" 1=1  2=2 ", "1=1 2=2"),
	GOOD("1=1 2=2 3=3 4=4 5=5 6=6", "1=1 2=2 3=3 4=4 5=5 6=6"),
	GOOD("\n", ""),
};

/* ---- probability: 0 to 100, up to 4 decimal places ---- */

static const struct bad_input probability_bad[] = {
	BAD("\n", EINVAL),
	BAD("x", EINVAL),
	BAD("nan", EINVAL),
	BAD("-1", EINVAL),
	BAD("+1", EINVAL),
	BAD(".5", EINVAL),
	BAD("5.", EINVAL),
	BAD("1.2.3", EINVAL),
	BAD("12,5", EINVAL),
	BAD("12.5%", EINVAL),
	BAD(" 5", EINVAL),
	BAD("5 ", EINVAL),
	BAD("0x10", EINVAL),
	BAD("1e2", EINVAL),
	BAD("0.00001", EINVAL),
	BAD("5\n\n", EINVAL),
	BAD("5\0", EINVAL),
	BAD("101", ERANGE),
	BAD("100.0001", ERANGE),
	BAD("1000", ERANGE),
	BAD("99999999999", ERANGE),
};

static const struct good_input probability_ok[] = {
	GOOD("12.5", "12.5"),
	GOOD("12.50", "12.5"),
	GOOD("0.0001", "0.0001"),
	GOOD("99.9999", "99.9999"),
	GOOD("3.1400", "3.14"),
	GOOD("100", "100"),
	GOOD("100.0000", "100"),
	GOOD("0", "0"),
	GOOD("0.0", "0"),
	GOOD("050", "50"),
	GOOD("1\n", "1"),
};

/* ---- interval: 1 and up ---- */

static const struct bad_input interval_bad[] = {
	BAD("\n", EINVAL),
	BAD("x", EINVAL),
	BAD("-1", EINVAL),
	BAD("+1", EINVAL),
	BAD("0x10", EINVAL),
	BAD("1.5", EINVAL),
	BAD(" 3", EINVAL),
	BAD("3 ", EINVAL),
	BAD("3\n\n", EINVAL),
	BAD("3\0", EINVAL),
	BAD("0", ERANGE),
	BAD("18446744073709551616", ERANGE),
};

static const struct good_input interval_ok[] = {
	GOOD("1", "1"),
	GOOD("7", "7"),
	GOOD("007", "7"),
	GOOD("18446744073709551615", "18446744073709551615"),
};

/* ---- times: -1 (no limit) and up ---- */

static const struct bad_input times_bad[] = {
	BAD("\n", EINVAL),
	BAD("x", EINVAL),
	BAD("-", EINVAL),
	BAD("--1", EINVAL),
	BAD("+1", EINVAL),
	BAD(" 1", EINVAL),
	BAD("1 ", EINVAL),
	BAD("0x5", EINVAL),
	BAD("1.0", EINVAL),
	BAD("1\n\n", EINVAL),
	BAD("1\0", EINVAL),
	BAD("-2", ERANGE),
	BAD("-9223372036854775808", ERANGE),
	BAD("9223372036854775808", ERANGE),
};

static const struct good_input times_ok[] = {
	GOOD("-1", "-1"),
	GOOD("0", "0"),
	GOOD("3", "3"),
	GOOD("-01", "-1"),
	GOOD("9223372036854775807", "9223372036854775807"),
};

/* ---- space: 0 and up ---- */

static const struct bad_input space_bad[] = {
	BAD("\n", EINVAL),
	BAD("x", EINVAL),
	BAD("-1", EINVAL),
	BAD("+1", EINVAL),
	BAD("0x10", EINVAL),
	BAD(" 1", EINVAL),
	BAD("1 ", EINVAL),
	BAD("1\n\n", EINVAL),
	BAD("1\0", EINVAL),
	BAD("18446744073709551616", ERANGE),
};

static const struct good_input space_ok[] = {
	GOOD("0", "0"),
	GOOD("100", "100"),
	GOOD("0100", "100"),
	GOOD("18446744073709551615", "18446744073709551615"),
};

/* ---- pid: up to 16 process ids, space-separated ---- */

static const struct bad_input pid_bad[] = {
	BAD("x", EINVAL),
	BAD("-1", EINVAL),
	BAD("+1", EINVAL),
	BAD("1.0", EINVAL),
	BAD("0x10", EINVAL),
	BAD("1 x", EINVAL),
	BAD("1,2", EINVAL),
	BAD("1\t2", EINVAL),
	BAD("1\n2", EINVAL),
	BAD("1\n 2", EINVAL),
	BAD("1\n\n", EINVAL),
	BAD("1\0", EINVAL),
	BAD("1 \0002", EINVAL),
	BAD("0", ERANGE),
	BAD("1 0", ERANGE),
	BAD("4194304", ERANGE),
	BAD("2147483648", ERANGE),
	BAD("99999999999", ERANGE),
	BAD("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", ERANGE),
};

static const struct good_input pid_ok[] = {
	GOOD("1", "1"),
	GOOD("3 4", "3 4"),
	GOOD("  5   6 ", "5 6"),
	GOOD("0012", "12"),
	GOOD("4194303", "4194303"),
	GOOD("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16",
	     "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"),
	GOOD("\n", ""),
	GOOD(" ", ""),
};

/* ---- children, verbose, enabled: one digit ---- */

static const struct bad_input children_bad[] = {
	BAD("\n", EINVAL),
	BAD("2", EINVAL),
	BAD("-1", EINVAL),
	BAD("01", EINVAL),
	BAD("10", EINVAL),
	BAD("1 ", EINVAL),
	BAD(" 1", EINVAL),
	BAD("y", EINVAL),
	BAD("true", EINVAL),
	BAD("1\n\n", EINVAL),
	BAD("1\0", EINVAL),
};

static const struct good_input children_ok[] = {
	GOOD("1", "1"),
	GOOD("0", "0"),
	GOOD("1\n", "1"),
};

static const struct bad_input verbose_bad[] = {
	BAD("\n", EINVAL),
	BAD("3", EINVAL),
	BAD("-1", EINVAL),
	BAD("01", EINVAL),
	BAD("10", EINVAL),
	BAD("1 ", EINVAL),
	BAD("x", EINVAL),
	BAD("1\n\n", EINVAL),
	BAD("1\0", EINVAL),
};

static const struct good_input verbose_ok[] = {
	GOOD("0", "0"),
	GOOD("2", "2"),
	GOOD("1\n", "1"),
};

static const struct bad_input enabled_bad[] = {
	BAD("\n", EINVAL),
	BAD("2", EINVAL),
	BAD("-1", EINVAL),
	BAD("01", EINVAL),
	BAD("10", EINVAL),
	BAD("0 ", EINVAL),
	BAD(" 0", EINVAL),
	BAD("on", EINVAL),
	BAD("yes", EINVAL),
	BAD("0\n\n", EINVAL),
	BAD("0\0", EINVAL),
	BAD("1111", ERANGE),
};

/* Arming needs a target: these rules have none, so only "0" is good. */
static const struct good_input enabled_ok[] = {
	GOOD("0", "0"),
	GOOD("0\n", "0"),
};

/* ---- comm: up to 15 printable characters ---- */

static const struct bad_input comm_bad[] = {
	BAD("abcdefghijklmnop", ERANGE),
	BAD("a\tb", EINVAL),
	BAD("a\nb", EINVAL),
	BAD("sh\n\n", EINVAL),
	BAD("\x7f", EINVAL),
	BAD("\x1b[1m", EINVAL),
	BAD("a\0b", EINVAL),
	BAD("sh\0", EINVAL),
};

static const struct good_input comm_ok[] = {
	GOOD("sh", "sh"),
	GOOD("kworker/0:1", "kworker/0:1"),
	GOOD("abcdefghijklmno", "abcdefghijklmno"),
	GOOD("with space", "with space"),
	GOOD("sh\n", "sh"),
	GOOD("\n", ""),
};

/* ---- caller: "[module:]symbol", no offset ---- */

static const struct bad_input caller_bad[] = {
	BAD("kfi_tt_caller_a+0x10", EINVAL),
	BAD("kfi_tt_caller_a+0", EINVAL),
	BAD("kfi_tt_caller_a+", EINVAL),
	BAD("a b", EINVAL),
	BAD(" kfi_tt_caller_a", EINVAL),
	BAD("kfi_tt_caller_a()", EINVAL),
	BAD(":kfi_tt_caller_a", EINVAL),
	BAD("kfi_test_target:", EINVAL),
	BAD("kfi_tt_caller_a\n\n", EINVAL),
	BAD("kfi_tt_caller_a\0", EINVAL),
	BAD("kfi_tt_caller_\xe0", EINVAL),
};

static const struct good_input caller_ok[] = {
	GOOD("kfi_tt_caller_a", "kfi_tt_caller_a"),
	GOOD("kfi_test_target:kfi_tt_caller_b",
	     "kfi_test_target:kfi_tt_caller_b"),
	GOOD("no_such_function", "no_such_function"),
	GOOD("\n", ""),
};

static const struct attr_spec target_spec =
	SPEC(target, "kfi_tt_ret", "kfi_tt_ret");
static const struct attr_spec action_spec = SPEC(action, "replace", "replace");
static const struct attr_spec retval_spec = SPEC(retval, "-EIO", "-5");
static const struct attr_spec args_spec = SPEC(args, "3=-1 2=0", "2=0 3=-1");
static const struct attr_spec probability_spec =
	SPEC(probability, "12.5", "12.5");
static const struct attr_spec interval_spec = SPEC(interval, "3", "3");
static const struct attr_spec times_spec = SPEC(times, "5", "5");
static const struct attr_spec space_spec = SPEC(space, "4096", "4096");
static const struct attr_spec pid_spec = SPEC(pid, "1 2", "1 2");
static const struct attr_spec children_spec = SPEC(children, "1", "1");
static const struct attr_spec comm_spec =
	SPEC(comm, "input_test", "input_test");
static const struct attr_spec caller_spec =
	SPEC(caller, "kfi_tt_caller_a", "kfi_tt_caller_a");
static const struct attr_spec verbose_spec = SPEC(verbose, "1", "1");
static const struct attr_spec enabled_spec = SPEC(enabled, "0", "0");

/* @in as a C string literal would spell it, cut short when long. */
static const char *escape(const void *in, size_t len, char *buf, size_t size)
{
	const unsigned char *s = in;
	size_t i, n = 0;

	for (i = 0; i < len && n + 8 < size; i++) {
		switch (s[i]) {
		case '\n':
			n += snprintf(buf + n, size - n, "\\n");
			break;
		case '\t':
			n += snprintf(buf + n, size - n, "\\t");
			break;
		case '"':
		case '\\':
			n += snprintf(buf + n, size - n, "\\%c", s[i]);
			break;
		default:
			if (s[i] < 0x20 || s[i] >= 0x7f)
				n += snprintf(buf + n, size - n, "\\x%02x", s[i]);
			else
				buf[n++] = s[i];
		}
		if (len > 64 && i == 31) {
			n += snprintf(buf + n, size - n, "...(%zu bytes)", len);
			break;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* "EINVAL (-22)", "success (0)". */
static const char *errname(int err, char *buf, size_t size)
{
	const char *name = err ? strerrorname_np(-err) : "success";

	snprintf(buf, size, "%s (%d)", name ?: "?", err);
	return buf;
}

static const char *attr_path(char *buf, size_t size, const char *attr)
{
	return kfi_path(buf, size, RULE, attr);
}

/*
 * Writes @len bytes of @in to @path (the attribute @attr) and expects @want
 * (0 or -errno); then expects the attribute to read @shown.
 */
static void write_expect(struct __test_metadata *_metadata, const char *path,
			 const char *attr, const void *in, size_t len,
			 int want, const char *shown)
{
	char got[512], esc[160], e1[48], e2[48];
	int err = kfi_write_raw(path, in, len);

	escape(in, len, esc, sizeof(esc));
	EXPECT_EQ(want, err)
		TH_LOG("%s: writing \"%s\": expected %s, got %s", attr, esc,
		       errname(want, e1, sizeof(e1)),
		       errname(err, e2, sizeof(e2)));
	ASSERT_LE(0, kfi_read(path, got, sizeof(got)))
		TH_LOG("%s: cannot read it back", attr);
	EXPECT_STREQ(shown, got)
		TH_LOG("%s: after writing \"%s\" (%s): expected it to read \"%s\", it reads \"%s\"",
		       attr, esc, errname(err, e1, sizeof(e1)), shown, got);
}

/* Every bad input of @spec, and inputs too long for any attribute. */
static void check_rejects(struct __test_metadata *_metadata,
			  const struct attr_spec *spec, const char *path)
{
	static char long_in[WAY_TOO_LONG];
	size_t i;

	write_expect(_metadata, path, spec->name, spec->good,
		     strlen(spec->good), 0, spec->shown);
	for (i = 0; i < spec->nr_bad; i++)
		write_expect(_metadata, path, spec->name, spec->bad[i].in,
			     spec->bad[i].len, spec->bad[i].err, spec->shown);

	memset(long_in, '1', sizeof(long_in));
	write_expect(_metadata, path, spec->name, long_in, TOO_LONG,
		     -ERANGE, spec->shown);
	write_expect(_metadata, path, spec->name, long_in, WAY_TOO_LONG,
		     -ERANGE, spec->shown);
	memset(long_in, 'a', sizeof(long_in));
	write_expect(_metadata, path, spec->name, long_in, TOO_LONG,
		     -ERANGE, spec->shown);
}

static void rule_rejects(struct __test_metadata *_metadata,
			 const struct attr_spec *spec)
{
	char path[256];

	check_rejects(_metadata, spec, attr_path(path, sizeof(path),
						 spec->name));
}

/* Every good input of @spec, each after the spec's good value. */
static void check_accepts(struct __test_metadata *_metadata,
			  const struct attr_spec *spec, const char *path)
{
	size_t i;

	for (i = 0; i < spec->nr_ok; i++) {
		write_expect(_metadata, path, spec->name, spec->good,
			     strlen(spec->good), 0, spec->shown);
		write_expect(_metadata, path, spec->name, spec->ok[i].in,
			     spec->ok[i].len, 0, spec->ok[i].shown);
	}
}

static void rule_accepts(struct __test_metadata *_metadata,
			 const struct attr_spec *spec)
{
	char path[256];

	check_accepts(_metadata, spec, attr_path(path, sizeof(path),
						 spec->name));
}

/* A string of @len copies of @c, in a static buffer. */
static const char *repeat(char c, size_t len)
{
	static char buf[TOO_LONG + 64];

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memset(buf, c, len);
	buf[len] = '\0';
	return buf;
}

FIXTURE(input) {
};

FIXTURE_SETUP(input)
{
	ASSERT_EQ(0, kfi_module_load("kfi")) TH_LOG("modprobe kfi failed");
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_test_target"))
		TH_LOG("modprobe kfi_test_target failed");
	kfi_rules_clear();
	ASSERT_EQ(0, kfi_rule_new(RULE)) TH_LOG("mkdir rules/" RULE " failed");
}

FIXTURE_TEARDOWN(input)
{
	kfi_rules_clear();
	EXPECT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
}

TEST_F(input, target_rejects_bad_input)
{
	char path[256], in[128];

	rule_rejects(_metadata, &target_spec);
	attr_path(path, sizeof(path), "target");
	/* MODULE_NAME_LEN is 64 - sizeof(unsigned long). */
	snprintf(in, sizeof(in), "%s:kfi_tt_ret", repeat('m', 56));
	write_expect(_metadata, path, "target", in, strlen(in), -ERANGE,
		     target_spec.shown);
}

TEST_F(input, target_accepts_good_input)
{
	char path[256], in[128];
	const char *longest = repeat('s', TOO_LONG - 1);

	rule_accepts(_metadata, &target_spec);
	attr_path(path, sizeof(path), "target");
	write_expect(_metadata, path, "target", longest, strlen(longest), 0,
		     longest);
	snprintf(in, sizeof(in), "%s:kfi_tt_ret", repeat('m', 55));
	write_expect(_metadata, path, "target", in, strlen(in), 0, in);
}

TEST_F(input, action_rejects_bad_input)
{
	rule_rejects(_metadata, &action_spec);
}

TEST_F(input, action_accepts_good_input)
{
	rule_accepts(_metadata, &action_spec);
}

TEST_F(input, retval_rejects_bad_input)
{
	rule_rejects(_metadata, &retval_spec);
}

TEST_F(input, retval_accepts_good_input)
{
	rule_accepts(_metadata, &retval_spec);
}

TEST_F(input, args_rejects_bad_input)
{
	rule_rejects(_metadata, &args_spec);
}

TEST_F(input, args_accepts_good_input)
{
	rule_accepts(_metadata, &args_spec);
}

TEST_F(input, probability_rejects_bad_input)
{
	rule_rejects(_metadata, &probability_spec);
}

TEST_F(input, probability_accepts_good_input)
{
	rule_accepts(_metadata, &probability_spec);
}

TEST_F(input, interval_rejects_bad_input)
{
	rule_rejects(_metadata, &interval_spec);
}

TEST_F(input, interval_accepts_good_input)
{
	rule_accepts(_metadata, &interval_spec);
}

TEST_F(input, times_rejects_bad_input)
{
	rule_rejects(_metadata, &times_spec);
}

TEST_F(input, times_accepts_good_input)
{
	rule_accepts(_metadata, &times_spec);
}

TEST_F(input, space_rejects_bad_input)
{
	rule_rejects(_metadata, &space_spec);
}

TEST_F(input, space_accepts_good_input)
{
	rule_accepts(_metadata, &space_spec);
}

TEST_F(input, pid_rejects_bad_input)
{
	rule_rejects(_metadata, &pid_spec);
}

TEST_F(input, pid_accepts_good_input)
{
	rule_accepts(_metadata, &pid_spec);
}

TEST_F(input, children_rejects_bad_input)
{
	rule_rejects(_metadata, &children_spec);
}

TEST_F(input, children_accepts_good_input)
{
	rule_accepts(_metadata, &children_spec);
}

TEST_F(input, comm_rejects_bad_input)
{
	rule_rejects(_metadata, &comm_spec);
}

TEST_F(input, comm_accepts_good_input)
{
	rule_accepts(_metadata, &comm_spec);
}

TEST_F(input, caller_rejects_bad_input)
{
	rule_rejects(_metadata, &caller_spec);
}

TEST_F(input, caller_accepts_good_input)
{
	char path[256];
	const char *longest = repeat('c', TOO_LONG - 1);

	rule_accepts(_metadata, &caller_spec);
	attr_path(path, sizeof(path), "caller");
	write_expect(_metadata, path, "caller", longest, strlen(longest), 0,
		     longest);
}

TEST_F(input, verbose_rejects_bad_input)
{
	rule_rejects(_metadata, &verbose_spec);
}

TEST_F(input, verbose_accepts_good_input)
{
	rule_accepts(_metadata, &verbose_spec);
}

TEST_F(input, enabled_rejects_bad_input)
{
	rule_rejects(_metadata, &enabled_spec);
}

TEST_F(input, enabled_accepts_good_input)
{
	rule_accepts(_metadata, &enabled_spec);
}

/* The global switch takes the same input as a rule's enabled. */
TEST_F(input, root_enabled_rejects_bad_input)
{
	const char *path = KFI_CFS "/enabled";
	struct attr_spec spec = enabled_spec;

	spec.name = "kfi/enabled";
	check_rejects(_metadata, &spec, path);
	spec.good = "1";
	spec.shown = "1";
	check_rejects(_metadata, &spec, path);
}

TEST_F(input, root_enabled_accepts_good_input)
{
	static const struct good_input root_ok[] = {
		GOOD("0", "0"),
		GOOD("1", "1"),
		GOOD("0\n", "0"),
		GOOD("1\n", "1"),
	};
	struct attr_spec spec = enabled_spec;

	spec.name = "kfi/enabled";
	spec.ok = root_ok;
	spec.nr_ok = ARRAY_SIZE(root_ok);
	check_accepts(_metadata, &spec, KFI_CFS "/enabled");
}

TEST_F(input, read_only_attrs_refuse_input)
{
	static const char * const ro[] = { "hits", "injected", "status" };
	char path[256], e1[48], e2[48];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		int err = kfi_write(attr_path(path, sizeof(path), ro[i]), "0");

		EXPECT_EQ(-EACCES, err)
			TH_LOG("%s: writing \"0\": expected %s, got %s", ro[i],
			       errname(-EACCES, e1, sizeof(e1)),
			       errname(err, e2, sizeof(e2)));
	}
}

/* ---- an armed rule ---- */

/* A valid value for each attribute, other than what arm_rule() leaves. */
static const struct {
	const char *attr;
	const char *val;
} busy_writes[] = {
	{ "target", "kfi_tt_ret2" },
	{ "action", "replace" },
	{ "retval", "-5" },
	{ "args", "1=1" },
	{ "probability", "50" },
	{ "interval", "2" },
	{ "times", "3" },
	{ "space", "10" },
	{ "pid", "1" },
	{ "children", "1" },
	{ "comm", "nobody" },
	{ "caller", "kfi_tt_caller_a" },
};

static void expect_status(struct __test_metadata *_metadata,
			  const char *prefix, const char *has)
{
	char st[256];

	ASSERT_LE(0, kfi_rule_get(RULE, "status", st, sizeof(st)));
	EXPECT_EQ(0, strncmp(st, prefix, strlen(prefix)))
		TH_LOG("status: expected it to start with \"%s\", it reads \"%s\"",
		       prefix, st);
	if (has) {
		EXPECT_NE(NULL, strstr(st, has))
			TH_LOG("status: expected it to mention \"%s\", it reads \"%s\"",
			       has, st);
	}
}

/* Writes enabled=1 and expects @want (0 or -errno). */
static void expect_arm(struct __test_metadata *_metadata, int want)
{
	char e1[48], e2[48];
	int err = kfi_rule_set(RULE, "enabled", "1");

	EXPECT_EQ(want, err)
		TH_LOG("enabled: writing \"1\": expected %s, got %s",
		       errname(want, e1, sizeof(e1)),
		       errname(err, e2, sizeof(e2)));
	EXPECT_EQ(want ? 0 : 1, kfi_rule_long(RULE, "enabled"))
		TH_LOG("enabled: expected it to read %d after %s", want ? 0 : 1,
		       errname(err, e1, sizeof(e1)));
}

TEST_F(input, armed_rule_refuses_input_busy)
{
	char path[256], before[512];
	size_t i;

	ASSERT_EQ(0, kfi_rule_set(RULE, "target", "kfi_tt_ret"));
	expect_arm(_metadata, 0);
	expect_status(_metadata, "armed", NULL);
	for (i = 0; i < ARRAY_SIZE(busy_writes); i++) {
		const char *attr = busy_writes[i].attr;
		const char *val = busy_writes[i].val;

		attr_path(path, sizeof(path), attr);
		ASSERT_LE(0, kfi_read(path, before, sizeof(before)));
		write_expect(_metadata, path, attr, val, strlen(val), -EBUSY,
			     before);
	}
	EXPECT_EQ(1, kfi_rule_long(RULE, "enabled"));

	/* Disarmed, the same writes go through. */
	ASSERT_EQ(0, kfi_rule_set(RULE, "enabled", "0"));
	for (i = 0; i < ARRAY_SIZE(busy_writes); i++) {
		const char *attr = busy_writes[i].attr;
		const char *val = busy_writes[i].val;

		attr_path(path, sizeof(path), attr);
		write_expect(_metadata, path, attr, val, strlen(val), 0, val);
	}
}

TEST_F(input, armed_rule_takes_verbose_input)
{
	ASSERT_EQ(0, kfi_rule_set(RULE, "target", "kfi_tt_ret"));
	expect_arm(_metadata, 0);
	rule_accepts(_metadata, &verbose_spec);
	rule_rejects(_metadata, &verbose_spec);
	EXPECT_EQ(1, kfi_rule_long(RULE, "enabled"));
	expect_status(_metadata, "armed", NULL);
}

TEST_F(input, armed_rule_enabled_rejects_bad_input)
{
	struct attr_spec spec = enabled_spec;
	char path[256];

	ASSERT_EQ(0, kfi_rule_set(RULE, "target", "kfi_tt_ret"));
	expect_arm(_metadata, 0);
	spec.good = "1";
	spec.shown = "1";
	check_rejects(_metadata, &spec, attr_path(path, sizeof(path),
						  "enabled"));
	expect_status(_metadata, "armed", NULL);
}

/* ---- arming that fails ---- */

/* Values a failed arm must leave alone. */
static const struct {
	const char *attr;
	const char *val;
	const char *shown;
} sample[] = {
	{ "retval", "-EIO", "-5" },
	{ "probability", "50.5", "50.5" },
	{ "interval", "1", "1" },
	{ "times", "7", "7" },
	{ "pid", "1", "1" },
	{ "comm", "input_test", "input_test" },
	{ "verbose", "0", "0" },
};

static void set_sample(struct __test_metadata *_metadata)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sample); i++) {
		ASSERT_EQ(0, kfi_rule_set(RULE, sample[i].attr, sample[i].val))
			TH_LOG("%s: cannot write \"%s\"", sample[i].attr,
			       sample[i].val);
	}
}

static void expect_sample(struct __test_metadata *_metadata,
			  const char *target)
{
	char got[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sample); i++) {
		ASSERT_LE(0, kfi_rule_get(RULE, sample[i].attr, got,
					  sizeof(got)));
		EXPECT_STREQ(sample[i].shown, got)
			TH_LOG("%s: changed by a failed arm", sample[i].attr);
	}
	ASSERT_LE(0, kfi_rule_get(RULE, "target", got, sizeof(got)));
	EXPECT_STREQ(target, got) TH_LOG("target: changed by a failed arm");
}

/*
 * Sets @target (and the sample values), expects arming to fail with @want
 * and the status to name @has, and the rule to stay as it was.
 */
static void expect_arm_fails(struct __test_metadata *_metadata,
			     const char *target, int want, const char *has)
{
	ASSERT_EQ(0, kfi_rule_set(RULE, "target", target))
		TH_LOG("target: cannot write \"%s\"", target);
	set_sample(_metadata);
	expect_arm(_metadata, want);
	expect_status(_metadata, "error:", has);
	expect_sample(_metadata, target);
}

/* Then a good target arms. */
static void expect_arm_recovers(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, kfi_rule_set(RULE, "target", "kfi_tt_ret"));
	expect_arm(_metadata, 0);
	expect_status(_metadata, "armed", NULL);
	expect_sample(_metadata, "kfi_tt_ret");
}

TEST_F(input, arm_input_without_target)
{
	set_sample(_metadata);
	expect_arm(_metadata, -EINVAL);
	expect_status(_metadata, "error:", "no target");
	expect_sample(_metadata, "");
	expect_arm_recovers(_metadata);
}

TEST_F(input, arm_input_unknown_symbol)
{
	expect_arm_fails(_metadata, "kfi_no_such_function", -ENOENT,
			 "kfi_no_such_function");
	expect_status(_metadata, "error:", "no such function");
	expect_arm_fails(_metadata, "kfi_test_target:kfi_tt_nope", -ENOENT,
			 "kfi_tt_nope");
	expect_arm_fails(_metadata, "kfi_no_such_module:kfi_tt_ret", -ENOENT,
			 "kfi_no_such_module");
	expect_arm_recovers(_metadata);
}

static bool plain_symbol(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * The first function of the kprobe blacklist whose name is not also used
 * by another symbol (kprobes would resolve a shared name to the first).
 */
static int blacklisted_function(char *name, size_t size)
{
	char cand[16][128], line[512];
	int nr = 0, count[16] = { 0 }, i;
	FILE *f = fopen("/sys/kernel/debug/kprobes/blacklist", "r");

	if (!f)
		return -errno;
	while (nr < 16 && fgets(line, sizeof(line), f)) {
		char sym[128];

		/* "0xSTART-0xEND\tNAME" or "... NAME [MODULE]" */
		if (sscanf(line, "%*s %127s", sym) != 1 || strchr(line, '['))
			continue;
		if (!plain_symbol(sym))
			continue;
		strcpy(cand[nr++], sym);
	}
	fclose(f);
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char sym[128];

		if (sscanf(line, "%*s %*s %127s", sym) != 1)
			continue;
		for (i = 0; i < nr; i++)
			if (!strcmp(sym, cand[i]))
				count[i]++;
	}
	fclose(f);
	for (i = 0; i < nr; i++) {
		if (count[i] == 1) {
			snprintf(name, size, "%s", cand[i]);
			return 0;
		}
	}
	return -ENOENT;
}

TEST_F(input, arm_input_blacklisted_function)
{
	char name[128];
	int err = blacklisted_function(name, sizeof(name));

	if (err)
		SKIP(return, "no usable kprobe blacklist entry (%s)",
		     strerror(-err));
	TH_LOG("blacklisted function: %s", name);
	expect_arm_fails(_metadata, name, -EINVAL, name);
	expect_status(_metadata, "error:", "kprobes refuse it");
	expect_arm_recovers(_metadata);
}

TEST_F(input, arm_input_kfi_itself)
{
	expect_arm_fails(_metadata, "kfi:kfi_attach", -EPERM, "kfi");
	expect_status(_metadata, "error:", "part of kfi");
	expect_arm_fails(_metadata, "kfi_rule_arm", -EPERM, "kfi_rule_arm");
	expect_status(_metadata, "error:", "part of kfi");
	expect_arm_recovers(_metadata);
}

TEST_F(input, arm_input_not_function_entry)
{
	expect_arm_fails(_metadata, "kfi_tt_ret+0x4", -EINVAL,
			 "not a function entry");
	expect_arm_fails(_metadata, "kfi_tt_ret+1", -EINVAL,
			 "not a function entry");
	expect_arm_recovers(_metadata);
}

TEST_F(input, arm_input_args_without_args)
{
	ASSERT_EQ(0, kfi_rule_set(RULE, "action", "args"));
	expect_arm_fails(_metadata, "kfi_tt_ret", -EINVAL, "args");
	ASSERT_EQ(0, kfi_rule_set(RULE, "args", "1=5"));
	expect_arm(_metadata, 0);
	expect_status(_metadata, "armed", NULL);
}

TEST_F(input, arm_input_unknown_caller)
{
	ASSERT_EQ(0, kfi_rule_set(RULE, "caller", "kfi_no_such_caller"));
	expect_arm_fails(_metadata, "kfi_tt_ret", -ENOENT,
			 "kfi_no_such_caller");
	ASSERT_EQ(0, kfi_rule_set(RULE, "caller", "kfi_tt_caller_a"));
	expect_arm_recovers(_metadata);
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
