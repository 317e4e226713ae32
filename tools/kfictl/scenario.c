// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario file of kfictl run, read line by line:
 *
 *   # a comment
 *   [rule nospace]
 *   target = vfs_mkdir
 *   retval = -ENOSPC
 *   expect = injected
 *
 *   [run]
 *   command = mkdir /tmp/x
 *   exit = 1
 *   timeout = 10
 *
 * Every value is checked here, with the file and line of what is wrong,
 * before run.c makes anything.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#define SCN_MAX_SIZE	(1024 * 1024)

/* add's keys but pid and children, which run sets; and expect. */
#define SCN_RULE_KEYS	"target, action, retval, args, probability, " \
			"interval, times, space, comm, caller, verbose, expect"

enum section { NONE, RULE, RUN };

struct parser {
	struct scenario *s;
	const char *path;
	int line;
	enum section section;
	bool seen_run;
	/* lines of the [run] keys given, 0 if not yet */
	int command, exit, timeout, kernel_log;
	char *err;
	size_t len;
};

static int fail(struct parser *p, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(p->err, p->len, "%s:%d: ", p->path, p->line);
	if (n >= p->len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* A rule name as kfictl add takes it. */
static bool name_ok(const char *name)
{
	return *name && *name != '.' && *name != '-' && !strchr(name, '/') &&
	       strlen(name) < SCN_NAME_LEN;
}

static int parse_section(struct parser *p, char *head)
{
	struct scenario *s = p->s;
	size_t n = strlen(head);
	struct scn_rule *r;
	char *name;

	if (head[n - 1] != ']')
		return fail(p, "unterminated section '%s': expected [rule NAME] or [run]",
			    head);
	head[n - 1] = '\0';
	name = trim(head + 1);
	if (!strcmp(name, "run")) {
		if (p->seen_run)
			return fail(p, "a second [run]: expected one [run] section");
		p->seen_run = true;
		p->section = RUN;
		return 0;
	}
	if (strncmp(name, "rule", 4) || (name[4] && !isspace((unsigned char)name[4])))
		return fail(p, "unknown section '[%s]': expected [rule NAME] or [run]",
			    name);
	name = trim(name + 4);
	if (!*name)
		return fail(p, "[rule] without a name: expected [rule NAME]");
	if (!name_ok(name))
		return fail(p,
			    "bad rule name '%s': expected a name without '/', not starting with '.' or '-'",
			    name);
	for (int i = 0; i < s->nr_rules; i++)
		if (!strcmp(s->rules[i].name, name))
			return fail(p,
				    "a second [rule %s] (the first is at line %d): expected one section per rule",
				    name, s->rules[i].line);
	if (s->nr_rules == SCN_MAX_RULES)
		return fail(p, "too many rules: expected at most %d", SCN_MAX_RULES);
	r = &s->rules[s->nr_rules++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->line = p->line;
	r->expect = SCN_EXPECT_INJECTED;
	p->section = RULE;
	return 0;
}

static int rule_key(struct parser *p, const char *key, const char *val)
{
	struct scn_rule *r = &p->s->rules[p->s->nr_rules - 1];
	char msg[SCN_ERR_LEN];
	struct scn_kv *kv;

	if (!strcmp(key, "expect")) {
		if (!strcmp(val, "injected"))
			r->expect = SCN_EXPECT_INJECTED;
		else if (!strcmp(val, "none"))
			r->expect = SCN_EXPECT_NONE;
		else if (!strcmp(val, "any"))
			r->expect = SCN_EXPECT_ANY;
		else
			return fail(p, "bad value '%s' for expect: expected injected, none or any",
				    val);
		return 0;
	}
	if (!strcmp(key, "pid") || !strcmp(key, "children"))
		return fail(p,
			    "%s is set by kfictl run, to the command and its descendants: expected no %s line",
			    key, key);
	if (kfictl_value_check(key, val, msg, sizeof(msg))) {
		if (!kfictl_key_form(key))
			return fail(p,
				    "unknown key '%s' (value '%s') in [rule %s]: the keys are %s",
				    key, val, r->name, SCN_RULE_KEYS);
		return fail(p, "%s", msg);
	}
	for (int i = 0; i < r->nr_kv; i++)
		if (!strcmp(r->kv[i].key, key))
			return fail(p,
				    "%s given twice in [rule %s] (first at line %d): expected it once",
				    key, r->name, r->kv[i].line);
	if (strlen(val) >= KFICTL_VAL)
		return fail(p, "value of %s too long: expected at most %d bytes",
			    key, KFICTL_VAL - 1);
	kv = &r->kv[r->nr_kv++];
	snprintf(kv->key, sizeof(kv->key), "%s", key);
	snprintf(kv->val, sizeof(kv->val), "%s", val);
	kv->line = p->line;
	return 0;
}

/* 0 and *@v for a whole decimal number up to @max, else -1. */
static int number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end || errno || *v > max ? -1 : 0;
}

static int check_once(struct parser *p, const char *key, int *line)
{
	if (*line)
		return fail(p, "%s given twice in [run] (first at line %d): expected it once",
			    key, *line);
	*line = p->line;
	return 0;
}

static int run_key(struct parser *p, const char *key, const char *val)
{
	struct scenario *s = p->s;
	unsigned long v;

	if (!strcmp(key, "command")) {
		if (check_once(p, key, &p->command))
			return -EINVAL;
		if (strlen(val) >= sizeof(s->command))
			return fail(p,
				    "command too long: expected at most %zu bytes (put longer ones in a script)",
				    sizeof(s->command) - 1);
		snprintf(s->command, sizeof(s->command), "%s", val);
		return 0;
	}
	if (!strcmp(key, "exit")) {
		if (check_once(p, key, &p->exit))
			return -EINVAL;
		if (!strcmp(val, "nonzero"))
			s->exit = SCN_EXIT_NONZERO;
		else if (!strcmp(val, "any"))
			s->exit = SCN_EXIT_ANY;
		else if (!number(val, 255, &v))
			s->exit = v;
		else
			return fail(p,
				    "bad value '%s' for exit: expected a status from 0 to 255, nonzero or any",
				    val);
		return 0;
	}
	if (!strcmp(key, "timeout")) {
		if (check_once(p, key, &p->timeout))
			return -EINVAL;
		if (number(val, 86400, &v))
			return fail(p,
				    "bad value '%s' for timeout: expected seconds from 0 (none) to 86400",
				    val);
		s->timeout = v;
		return 0;
	}
	if (!strcmp(key, "kernel_log")) {
		if (check_once(p, key, &p->kernel_log))
			return -EINVAL;
		if (strcmp(val, "clean") && strcmp(val, "ignore"))
			return fail(p, "bad value '%s' for kernel_log: expected clean or ignore",
				    val);
		s->kernel_log = !strcmp(val, "clean");
		return 0;
	}
	return fail(p,
		    "unknown key '%s' (value '%s') in [run]: the keys are command, exit, timeout, kernel_log",
		    key, val);
}

static int parse_line(struct parser *p, char *l)
{
	char *eq, *key, *val;

	l = trim(l);
	if (!*l || *l == '#')
		return 0;
	if (*l == '[')
		return parse_section(p, l);
	eq = strchr(l, '=');
	if (!eq)
		return fail(p,
			    "'%s': expected KEY = VALUE, [rule NAME], [run], a # comment or a blank line",
			    l);
	*eq = '\0';
	key = trim(l);
	val = trim(eq + 1);
	if (!*key)
		return fail(p, "'= %s' without a key: expected KEY = VALUE", val);
	switch (p->section) {
	case RULE:
		return rule_key(p, key, val);
	case RUN:
		if (!*val)
			return fail(p, "empty %s: expected a value", key);
		return run_key(p, key, val);
	default:
		return fail(p, "%s outside a section: expected [rule NAME] or [run] first",
			    key);
	}
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	const char *b = slash ? slash + 1 : path;
	size_t n = strlen(b);

	if (n > 4 && !strcmp(b + n - 4, ".scn"))
		n -= 4;
	snprintf(buf, len, "%.*s", (int)n, b);
	return buf;
}

int scn_parse(struct scenario *s, const char *path, const char *text,
	      char *err, size_t len)
{
	struct parser p = { .s = s, .path = path, .err = err, .len = len };
	const char *l = text;
	char buf[SCN_CMD_LEN + 256];

	memset(s, 0, sizeof(*s));
	base_name(path, s->name, sizeof(s->name));
	s->exit = SCN_EXIT_ANY;
	s->timeout = SCN_TIMEOUT;
	s->kernel_log = true;
	err[0] = '\0';
	while (*l) {
		size_t n = strcspn(l, "\n");

		p.line++;
		if (n >= sizeof(buf))
			return fail(&p, "line too long: expected at most %zu bytes",
				    sizeof(buf) - 1);
		memcpy(buf, l, n);
		buf[n] = '\0';
		if (parse_line(&p, buf))
			return -EINVAL;
		l += n + (l[n] == '\n');
	}
	for (int i = 0; i < s->nr_rules; i++) {
		struct scn_rule *r = &s->rules[i];
		bool target = false;

		for (int k = 0; k < r->nr_kv; k++)
			target |= !strcmp(r->kv[k].key, "target");
		if (!target) {
			p.line = r->line;
			return fail(&p, "[rule %s] has no target: expected target = SYM",
				    r->name);
		}
	}
	if (!s->nr_rules) {
		snprintf(err, len, "%s: no rule: expected at least one [rule NAME] section",
			 path);
		return -EINVAL;
	}
	return 0;
}

int scn_load(struct scenario *s, const char *path, char *err, size_t len)
{
	ssize_t n, total = 0;
	char *text;
	int fd, ret;

	/* Named even if it cannot be read, for the JUnit file. */
	memset(s, 0, sizeof(*s));
	base_name(path, s->name, sizeof(s->name));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, len, "cannot read %s: %s (%s)", path, strerror(-ret),
			 strerrorname_np(-ret) ?: "?");
		return ret;
	}
	text = malloc(SCN_MAX_SIZE + 1);
	if (!text) {
		close(fd);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	while ((n = read(fd, text + total, SCN_MAX_SIZE + 1 - total)) > 0)
		total += n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		snprintf(err, len, "cannot read %s: %s (%s)", path, strerror(-ret),
			 strerrorname_np(-ret) ?: "?");
	else if (total > SCN_MAX_SIZE)
		ret = -EFBIG;
	if (ret == -EFBIG)
		snprintf(err, len, "%s: too big: expected at most %d bytes", path,
			 SCN_MAX_SIZE);
	if (!ret && memchr(text, '\0', total)) {
		snprintf(err, len, "%s: a NUL byte: expected text", path);
		ret = -EINVAL;
	}
	if (!ret) {
		text[total] = '\0';
		ret = scn_parse(s, path, text, err, len);
	}
	free(text);
	return ret;
}
