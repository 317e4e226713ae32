// SPDX-License-Identifier: GPL-2.0
/*
 * The forms of kfi's rule attributes, as Documentation/kfi.rst gives them,
 * checked in userspace so that kfictl add and kfictl run can say what is
 * expected before they make anything. The kernel still has the last word:
 * these checks are the documented syntax and ranges, and the kernel knows
 * more (which errno names exist, which functions can be probed).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfictl.h"
#include "keys.h"

#define MAX_PIDS	16
#define PID_LIMIT	4194303	/* below PID_MAX_LIMIT, as the kernel takes */
#define MAX_ARGS	6
#define SYM_LEN		256	/* KSYM_NAME_LEN on 6.1 is 512: stay below */
#define COMM_LEN	16	/* TASK_COMM_LEN, with its NUL */

/* A whole decimal number, no sign: 0 if it is one and fits @max. */
static bool whole(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return !*end && !errno && v <= max;
}

/* Decimal, 0x-hex (a 64-bit pattern), or an errno name, each with '-'. */
static bool value_ok(const char *s)
{
	const char *p = *s == '-' ? s + 1 : s;
	char *end;

	if (*p == 'E') {
		for (p++; *p; p++)
			if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p))
				return false;
		return p - s > 1 + (*s == '-');
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		unsigned long long u;

		/* Digits only: strtoull() takes a second "0x" ("0x0x5"). */
		if (!p[2] || strspn(p + 2, "0123456789abcdefABCDEF") != strlen(p + 2))
			return false;
		errno = 0;
		u = strtoull(p + 2, &end, 16);
		/* The kernel takes "-0x..." down to LONG_MIN, no further. */
		return !errno && (*s != '-' || u <= (unsigned long long)LLONG_MAX + 1);
	}
	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	strtoll(s, &end, 10);
	return !*end && !errno;
}

static bool sym_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/* [module:]symbol, and for a target also +offset. */
static bool symbol_ok(const char *s, bool offset)
{
	const char *colon = strchr(s, ':'), *p = s;

	if (strlen(s) >= SYM_LEN)
		return false;
	if (colon) {
		if (colon == s)
			return false;
		for (; p < colon; p++)
			if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
				return false;
		p++;
	}
	if (!sym_char(*p))
		return false;
	while (sym_char(*p))
		p++;
	if (*p == '+' && offset) {
		char *end;

		if (!isdigit((unsigned char)p[1]))
			return false;
		errno = 0;
		strtoull(p + 1, &end, 0);
		return !*end && !errno;
	}
	return !*p;
}

static bool target_ok(const char *s)
{
	return symbol_ok(s, true);
}

static bool caller_ok(const char *s)
{
	return !*s || symbol_ok(s, false);
}

static bool action_ok(const char *s)
{
	return !strcmp(s, "return") || !strcmp(s, "replace") ||
	       !strcmp(s, "args");
}

static bool retval_ok(const char *s)
{
	return value_ok(s);
}

static bool args_ok(const char *s)
{
	char buf[256], *tok, *save;
	unsigned int seen = 0;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int n;

		if (!eq || eq != tok + 1 || *tok < '1' || *tok > '0' + MAX_ARGS)
			return false;
		n = *tok - '0';
		if (seen & (1u << n) || !value_ok(eq + 1))
			return false;
		seen |= 1u << n;
	}
	return true;
}

static bool probability_ok(const char *s)
{
	const char *dot = strchr(s, '.');
	char whole_part[8];
	size_t places;

	if (!dot)
		return whole(s, 100);
	if ((size_t)(dot - s) >= sizeof(whole_part))
		return false;
	snprintf(whole_part, sizeof(whole_part), "%.*s", (int)(dot - s), s);
	places = strlen(dot + 1);
	if (!whole(whole_part, 100) || !places || places > 4)
		return false;
	for (const char *p = dot + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return strtoul(whole_part, NULL, 10) < 100 || !strtoul(dot + 1, NULL, 10);
}

static bool interval_ok(const char *s)
{
	return whole(s, ~0ul) && strtoull(s, NULL, 10) >= 1;
}

static bool times_ok(const char *s)
{
	return !strcmp(s, "-1") || whole(s, (~0ul) >> 1);
}

static bool space_ok(const char *s)
{
	return whole(s, ~0ul);
}

static bool pid_ok(const char *s)
{
	char buf[256], *tok, *save;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!whole(tok, PID_LIMIT) || !strtoul(tok, NULL, 10) ||
		    ++n > MAX_PIDS)
			return false;
	}
	return true;
}

static bool bool_ok(const char *s)
{
	return !strcmp(s, "0") || !strcmp(s, "1");
}

static bool comm_ok(const char *s)
{
	if (strlen(s) >= COMM_LEN)
		return false;
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return false;
	return true;
}

static bool verbose_ok(const char *s)
{
	return s[0] >= '0' && s[0] <= '2' && !s[1];
}

static const struct key {
	const char *name;
	bool (*ok)(const char *val);
	const char *form;
} keys[] = {
	{ "target", target_ok, "a function, SYM or MODULE:SYM (vfs_mkdir)" },
	{ "action", action_ok, "return, replace or args" },
	{ "retval", retval_ok,
	  "a number (-28, 0x1f) or an errno name (-ENOSPC)" },
	{ "args", args_ok,
	  "N=VALUE pairs separated by spaces, N from 1 to 6 once each (2=0 3=-EIO)" },
	{ "probability", probability_ok,
	  "a percentage from 0 to 100, up to 4 decimals (12.5)" },
	{ "interval", interval_ok, "a whole number, 1 or more" },
	{ "times", times_ok, "-1 (no limit) or a whole number" },
	{ "space", space_ok, "a whole number" },
	{ "pid", pid_ok,
	  "up to 16 process ids separated by spaces, each 1 to 4194303" },
	{ "children", bool_ok, "0 or 1" },
	{ "comm", comm_ok, "a task name, at most 15 printable characters" },
	{ "caller", caller_ok, "a function, SYM or MODULE:SYM, no offset" },
	{ "verbose", verbose_ok, "0, 1 or 2" },
};

#define NR_KEYS	ARRAY_SIZE(keys)

static const struct key *key_find(const char *name)
{
	for (size_t i = 0; i < NR_KEYS; i++)
		if (!strcmp(name, keys[i].name))
			return &keys[i];
	return NULL;
}

const char *kfictl_key_form(const char *key)
{
	const struct key *k = key_find(key);

	return k ? k->form : NULL;
}

const char *kfictl_key_list(void)
{
	static char list[256];

	if (!list[0]) {
		size_t n = 0;

		for (size_t i = 0; i < NR_KEYS; i++)
			n += snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? ", " : "", keys[i].name);
	}
	return list;
}

int kfictl_value_check(const char *key, const char *val, char *err,
		       size_t len)
{
	const struct key *k = key_find(key);

	if (!k) {
		snprintf(err, len, "unknown key '%s' (value '%s'): the keys are %s",
			 key, val, kfictl_key_list());
		return -EINVAL;
	}
	if (!k->ok(val)) {
		snprintf(err, len, "bad value '%s' for %s: expected %s", val, key,
			 k->form);
		return -EINVAL;
	}
	return 0;
}

int kfictl_kv_parse(const char *arg, char *key, const char **val, char *err,
		    size_t len)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		snprintf(err, len, "malformed '%s': expected KEY=VALUE", arg);
		return -EINVAL;
	}
	if (eq - arg >= KFICTL_KEY_LEN) {
		snprintf(err, len, "unknown key '%.*s...' (value '%s'): the keys are %s",
			 KFICTL_KEY_LEN / 2, arg, eq + 1, kfictl_key_list());
		return -EINVAL;
	}
	snprintf(key, KFICTL_KEY_LEN, "%.*s", (int)(eq - arg), arg);
	*val = eq + 1;
	return kfictl_value_check(key, *val, err, len);
}
