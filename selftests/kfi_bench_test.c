// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark (make bench) works: its QUICK run reports every arm it
 * lists, each line well formed, and each arm measured what it claims (the
 * body ran, or the replacement did, as the arm says). The numbers are not
 * asserted: under emulation they say nothing about kfi.
 */
#include "kselftest_harness.h"
#include "kfi_test.h"

#define BENCH_RUN	"/kfi/bench/kfi_bench_run"
#define BENCH_PROBE	"/sys/kernel/debug/kfi_bench/probe"
/* One QUICK run serves every test: its output and exit status. */
#define QUICK_OUT	"/tmp/kfi_bench_quick.jsonl"
#define MAX_LINES	512

FIXTURE(bench) {
	char *lines[MAX_LINES];
	int nr;
};

/* Runs @cmd, keeps its stdout's lines. Returns its exit status. */
static int run_lines(const char *cmd, char **lines, int *nr)
{
	char buf[2048];
	FILE *f = popen(cmd, "r");

	if (!f)
		return -1;
	while (*nr < MAX_LINES && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		lines[(*nr)++] = strdup(buf);
	}
	return pclose(f);
}

/*
 * The lines of one QUICK run, made by the first test that asks. Returns its
 * exit status.
 */
static int run_quick(char **lines, int *nr)
{
	int status;

	if (access(QUICK_OUT, F_OK) &&
	    system(BENCH_RUN " --quick > " QUICK_OUT ".tmp; echo $? >> "
		   QUICK_OUT ".rc; mv " QUICK_OUT ".tmp " QUICK_OUT))
		return -1;
	status = run_lines("cat " QUICK_OUT, lines, nr);
	if (status)
		return status;
	return kfi_read_long(QUICK_OUT ".rc");
}

FIXTURE_SETUP(bench)
{
	struct stat st;

	/* Not a SKIP: 6.1's harness runs the test after a setup's SKIP. */
	ASSERT_EQ(0, stat(BENCH_RUN, &st))
		TH_LOG("%s is not in this guest (make bench builds it)",
		       BENCH_RUN);
	ASSERT_EQ(0, kfi_module_load("kfi"));
	/* A test that timed out may have left it at 0. */
	ASSERT_EQ(0, kfi_write(KFI_CFS "/enabled", "1"));
	ASSERT_EQ(0, kfi_module_load("kfi_bench"));
	kfi_rules_clear();
}

FIXTURE_TEARDOWN(bench)
{
	int i;

	for (i = 0; i < self->nr; i++)
		free(self->lines[i]);
	kfi_rules_clear();
	if (!access(BENCH_PROBE, F_OK))
		EXPECT_EQ(0, kfi_write(BENCH_PROBE, "none"));
	/* It uses kfi's hotfix API: while loaded, kfi cannot be unloaded. */
	if (kfi_module_loaded("kfi_bench"))
		EXPECT_EQ(0, kfi_module_unload("kfi_bench"));
}

/* The value of "key": in a JSON line, as text, or NULL. */
static const char *field(const char *line, const char *key, char *out,
			 size_t len)
{
	char pat[64];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	if (*p == '"') {
		p++;
		n = strcspn(p, "\"");
	} else {
		n = strcspn(p, ",}");
	}
	snprintf(out, len, "%.*s", (int)n, p);
	return out;
}

static double number(const char *line, const char *key)
{
	char buf[64], *end;
	double v;

	if (!field(line, key, buf, sizeof(buf)))
		return -1;
	v = strtod(buf, &end);
	return *end ? -1 : v;
}

/* The first line of @type for @arm, or NULL. */
static const char *find(char **lines, int nr, const char *type,
			const char *arm)
{
	char t[32], a[64];
	int i;

	for (i = 0; i < nr; i++) {
		if (field(lines[i], "type", t, sizeof(t)) && !strcmp(t, type) &&
		    (!arm || (field(lines[i], "arm", a, sizeof(a)) &&
			      !strcmp(a, arm))))
			return lines[i];
	}
	return NULL;
}

TEST_F_TIMEOUT(bench, quick_run_reports_every_arm, 300)
{
	char *listed[MAX_LINES] = { NULL };
	int nr_listed = 0, i, status;
	char val[256];
	const char *l;

	ASSERT_EQ(0, run_lines(BENCH_RUN " --quick --list", listed, &nr_listed));
	ASSERT_LT(20, nr_listed) TH_LOG("--list printed %d arms", nr_listed);

	status = run_quick(self->lines, &self->nr);
	for (i = 0; i < self->nr; i++)
		if (strstr(self->lines[i], "\"type\":\"error\""))
			TH_LOG("%s", self->lines[i]);
	EXPECT_EQ(0, status);
	l = find(self->lines, self->nr, "done", NULL);
	ASSERT_NE(NULL, l) TH_LOG("no \"done\" line: the run stopped early");
	EXPECT_EQ(0, number(l, "errors"));

	/* The environment every result is reported with. */
	l = find(self->lines, self->nr, "env", NULL);
	ASSERT_NE(NULL, l);
	for (i = 0; i < 4; i++) {
		static const char * const keys[] = {
			"release", "clocksource", "cmdline", "cpu_model",
		};

		EXPECT_NE(NULL, field(l, keys[i], val, sizeof(val)))
			TH_LOG("env has no %s: %s", keys[i], l);
		EXPECT_NE(0, strlen(val)) TH_LOG("env: empty %s", keys[i]);
	}

	for (i = 0; i < nr_listed; i++) {
		char type[16], arm[64];

		int n = sscanf(listed[i], "%15s %63s", type, arm);

		ASSERT_EQ(2, n) TH_LOG("--list: %s", listed[i]);
		l = find(self->lines, self->nr, type, arm);
		EXPECT_NE(NULL, l) TH_LOG("no %s line for arm %s", type, arm);
		if (!l)
			continue;
		if (!strcmp(type, "sample")) {
			EXPECT_LT(0, number(l, "ns_per_call")) TH_LOG("%s", l);
			EXPECT_LT(0, number(l, "calls")) TH_LOG("%s", l);
			EXPECT_LE(1, number(l, "cpus")) TH_LOG("%s", l);
			EXPECT_LE(0, number(l, "round")) TH_LOG("%s", l);
		} else if (!strcmp(type, "wall")) {
			EXPECT_LT(0, number(l, "ms")) TH_LOG("%s", l);
			EXPECT_LE(1, number(l, "rules")) TH_LOG("%s", l);
		} else {
			EXPECT_LE(1, number(l, "rules")) TH_LOG("%s", l);
			EXPECT_NE(NULL, field(l, "bytes_per_rule", val,
					      sizeof(val))) TH_LOG("%s", l);
		}
		free(listed[i]);
	}
}

/* Each arm did to the calls what its name says: it measured that arm. */
TEST_F_TIMEOUT(bench, arms_measure_what_they_claim, 300)
{
	static const struct {
		const char *arm;
		int body;	/* 1: every body ran, 0: none, -1: some */
		int fixed;	/* the same, for the replacement */
	} expect[] = {
		{ "ref.none", 1, 0 },
		{ "ref.kprobe", 1, 0 },
		{ "ref.kprobe_ipmod", 0, 1 },
		{ "ref.kprobe_int3", 1, 0 },
		{ "ref.kretprobe", 1, 0 },
		{ "ref.kprobe_kretprobe", 1, 0 },
		{ "ref.ftrace", 1, 0 },
		{ "ref.ftrace_ipmod", 0, 1 },
		{ "kfi.filtered", 1, 0 },
		{ "kfi.filtered_int3", 1, 0 },
		{ "kfi.return", 0, 0 },
		{ "kfi.probability_1", -1, 0 },
		{ "kfi.interval_100", -1, 0 },
		{ "kfi.replace", 1, 0 },
		{ "kfi.args", 1, 0 },
		{ "kfi.hotfix", 0, 1 },
		{ "cpu.return.all", 0, 0 },
	};
	static const char * const cpu_arms[] = {
		"cpu.none.one", "cpu.none.all", "cpu.kprobe_ipmod.one",
		"cpu.kprobe_ipmod.all", "cpu.return.one", "cpu.return.all",
	};
	size_t i;

	ASSERT_EQ(0, run_quick(self->lines, &self->nr));
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		const char *l = find(self->lines, self->nr, "sample",
				     expect[i].arm);
		double calls, ran, fixed;

		EXPECT_NE(NULL, l) TH_LOG("no sample for %s", expect[i].arm);
		if (!l)
			continue;
		calls = number(l, "calls");
		ran = number(l, "body_ran");
		fixed = number(l, "replacement_ran");
		if (expect[i].body >= 0)
			EXPECT_EQ(expect[i].body ? calls : 0, ran) TH_LOG("%s", l);
		if (expect[i].body < 0)
			EXPECT_TRUE(ran > 0 && ran < calls) TH_LOG("%s", l);
		EXPECT_EQ(expect[i].fixed ? calls : 0, fixed) TH_LOG("%s", l);
	}
	/* The "all" arms ran a batch on every CPU, the "one" arms on one. */
	for (i = 0; i < ARRAY_SIZE(cpu_arms); i++) {
		const char *l = find(self->lines, self->nr, "sample",
				     cpu_arms[i]);
		long want = strstr(cpu_arms[i], ".all") ?
			    sysconf(_SC_NPROCESSORS_ONLN) : 1;

		EXPECT_NE(NULL, l) TH_LOG("no sample for %s", cpu_arms[i]);
		if (l)
			EXPECT_EQ(want, number(l, "cpus")) TH_LOG("%s", l);
	}
}

int main(int argc, char **argv)
{
	return kfi_test_main(argc, argv);
}
