// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl run's verdicts and reports: what a run's outcome means against
 * the scenario's expectations, as TAP (standard output) and JUnit XML
 * (--junit). No system calls here but the writes to the given FILEs.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "scenario.h"

void scn_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "status 0x%x", status);
}

static struct scn_check *check(struct scn_report *r, bool ok,
			       const char *fmt, ...)
{
	struct scn_check *c = &r->checks[r->nr++];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->name, sizeof(c->name), fmt, ap);
	va_end(ap);
	c->ok = ok;
	c->diag[0] = '\0';
	return c;
}

static bool exit_ok(int want, int status)
{
	if (want == SCN_EXIT_ANY)
		return true;
	if (!WIFEXITED(status))
		return false;
	if (want == SCN_EXIT_NONZERO)
		return WEXITSTATUS(status) != 0;
	return WEXITSTATUS(status) == want;
}

void scn_judge(const struct scenario *s, const struct scn_outcome *o,
	       struct scn_report *r)
{
	struct scn_check *c;

	memset(r, 0, sizeof(*r));
	snprintf(r->scenario, sizeof(r->scenario), "%s", s->name);
	r->seconds = o->seconds;

	if (s->timeout)
		c = check(r, !o->timed_out, "command finished within %u s",
			  s->timeout);
	else
		c = check(r, true, "command finished");
	if (o->timed_out)
		snprintf(c->diag, sizeof(c->diag),
			 "still running after %u s: its process group was killed",
			 s->timeout);
	else
		scn_status_str(o->status, c->diag, sizeof(c->diag));

	if (s->exit != SCN_EXIT_ANY) {
		if (s->exit == SCN_EXIT_NONZERO)
			c = check(r, false, "exit status nonzero");
		else
			c = check(r, false, "exit status %d", s->exit);
		c->ok = !o->timed_out && exit_ok(s->exit, o->status);
		if (o->timed_out)
			snprintf(c->diag, sizeof(c->diag), "timed out");
		else
			scn_status_str(o->status, c->diag, sizeof(c->diag));
	}

	for (int i = 0; i < s->nr_rules; i++) {
		const struct scn_rule *rule = &s->rules[i];

		if (rule->expect == SCN_EXPECT_ANY)
			continue;
		if (rule->expect == SCN_EXPECT_INJECTED)
			c = check(r, o->injected[i] > 0, "rule %s injected",
				  rule->name);
		else
			c = check(r, o->injected[i] == 0,
				  "rule %s injected nothing", rule->name);
		snprintf(c->diag, sizeof(c->diag), "%s", o->counters[i]);
		/* No counters: the rule went during the run, nobody knows. */
		if (!o->counters[i][0]) {
			c->ok = false;
			snprintf(c->diag, sizeof(c->diag),
				 "its counters could not be read: removed during the run?");
		}
	}

	if (s->kernel_log) {
		c = check(r, o->kmsg_read && !o->kmsg[0], "kernel log clean");
		snprintf(c->diag, sizeof(c->diag), "%s",
			 !o->kmsg_read ? "cannot read /dev/kmsg" :
			 o->kmsg[0] ? o->kmsg :
			 "no warning, bug, oops, lockdep or KASAN report");
	}
}

int scn_failed(const struct scn_report *r)
{
	int n = 0;

	if (r->bail[0])
		return 1;
	for (int i = 0; i < r->nr; i++)
		n += !r->checks[i].ok;
	return n;
}

/*
 * @s on one TAP line: control characters (a newline in a file's name) as
 * '?', and in a test's description (@desc) '#' and '\' escaped, as TAP
 * says: "rule x # TODO injected" would be a TODO test, failing harmlessly.
 */
static void tap_str(FILE *f, const char *s, bool desc)
{
	for (; *s; s++) {
		if (desc && (*s == '#' || *s == '\\'))
			fputc('\\', f);
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	}
}

void scn_tap(FILE *f, const struct scn_report *r)
{
	int failed = scn_failed(r);

	fprintf(f, "TAP version 13\n");
	if (r->bail[0]) {
		fputs("1..0\nBail out! ", f);
		tap_str(f, r->bail, false);
		fputs("\n# ", f);
		tap_str(f, r->scenario, false);
		fputs(": not run: ", f);
		tap_str(f, r->bail, false);
		fputc('\n', f);
		return;
	}
	fprintf(f, "1..%d\n", r->nr);
	for (int i = 0; i < r->nr; i++) {
		const struct scn_check *c = &r->checks[i];

		fprintf(f, "%s %d - ", c->ok ? "ok" : "not ok", i + 1);
		tap_str(f, c->name, true);
		fputc('\n', f);
		if (c->diag[0]) {
			fputs("#   ", f);
			tap_str(f, c->diag, false);
			fputc('\n', f);
		}
	}
	fputs("# ", f);
	tap_str(f, r->scenario, false);
	fprintf(f, ": %d passed, %d failed (%.1f s)\n", r->nr - failed, failed,
		r->seconds);
}

/*
 * The length of the UTF-8 sequence at @s that XML 1.0 takes as a
 * character, or 0: valid UTF-8 but U+FFFE and U+FFFF (EF BF BE, EF BF BF).
 */
static size_t xml_char_len(const unsigned char *s)
{
	size_t n = kfictl_utf8_len(s);

	if (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] & 0xfe) == 0xbe)
		return 0;
	return n;
}

/*
 * @s with &, <, >, " and ' as entities, control characters dropped, and
 * each byte that is not valid UTF-8 (the file declares it) as '?'.
 */
static void xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		size_t n = xml_char_len((const unsigned char *)s);

		if (n != 1) {
			if (n)
				fwrite(s, 1, n, f);
			else
				fputc('?', f);
			s += n ? n - 1 : 0;
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
	}
}

void scn_junit(FILE *f, const struct scn_report *r)
{
	int failed = r->bail[0] ? 0 : scn_failed(r);
	int errors = !!r->bail[0];
	int tests = r->bail[0] ? 1 : r->nr;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
		tests, failed, errors);
	fputs("  <testsuite name=\"", f);
	xml(f, r->scenario);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\">\n",
		tests, failed, errors, r->seconds);
	if (r->bail[0]) {
		fputs("    <testcase classname=\"", f);
		xml(f, r->scenario);
		fputs("\" name=\"kfictl run\">\n      <error message=\"", f);
		xml(f, r->bail);
		fputs("\"/>\n    </testcase>\n", f);
	}
	for (int i = 0; !r->bail[0] && i < r->nr; i++) {
		const struct scn_check *c = &r->checks[i];

		fputs("    <testcase classname=\"", f);
		xml(f, r->scenario);
		fputs("\" name=\"", f);
		xml(f, c->name);
		if (c->ok) {
			fputs("\"/>\n", f);
			continue;
		}
		fputs("\">\n      <failure message=\"", f);
		xml(f, c->diag);
		fputs("\"/>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
}
