/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfictl run: a scenario (rules, a command, expectations) read from a text
 * file (scenario.c), run against kfi (run.c) and reported as TAP and JUnit
 * (report.c). The format is in Documentation/kfictl.rst. Parsing, the
 * verdicts and the reports are pure: the host's unit tests call them.
 */
#ifndef KFICTL_SCENARIO_H
#define KFICTL_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

#include "kfictl.h"
#include "keys.h"

#define SCN_MAX_RULES	32
#define SCN_MAX_KEYS	16	/* a rule's key lines, expect excluded */
#define SCN_NAME_LEN	200
#define SCN_CMD_LEN	4096
#define SCN_ERR_LEN	1024
#define SCN_TIMEOUT	60	/* seconds, when the scenario names none */

/* What a rule must have done by the end of the run. */
enum scn_expect {
	SCN_EXPECT_INJECTED,	/* injected at least once (the default) */
	SCN_EXPECT_NONE,	/* injected never */
	SCN_EXPECT_ANY,		/* no expectation */
};

/* The command's exit: a status 0 to 255, or one of these. */
#define SCN_EXIT_ANY		-1	/* no expectation (the default) */
#define SCN_EXIT_NONZERO	-2	/* exited, with 1 to 255 */

struct scn_kv {
	char key[KFICTL_KEY_LEN];
	char val[KFICTL_VAL];
	int line;
};

struct scn_rule {
	char name[SCN_NAME_LEN];
	int line;			/* of its [rule NAME] */
	struct scn_kv kv[SCN_MAX_KEYS];	/* written in this order */
	int nr_kv;
	enum scn_expect expect;
};

struct scenario {
	char name[SCN_NAME_LEN];	/* the file's name, without .scn */
	struct scn_rule rules[SCN_MAX_RULES];
	int nr_rules;
	char command[SCN_CMD_LEN];	/* "" when the file has none */
	int exit;			/* 0..255, SCN_EXIT_ANY or _NONZERO */
	unsigned int timeout;		/* seconds; 0: none */
	bool kernel_log;		/* check the kernel log (the default) */
};

/*
 * Parses scenario @text, read from @path (for messages and the name).
 * Returns 0, or -EINVAL with "PATH:LINE: what was expected" in @err.
 */
int scn_parse(struct scenario *s, const char *path, const char *text,
	      char *err, size_t len);

/*
 * Reads @path and parses it: 0, or -errno with the message in @err. The
 * name of @s is set either way.
 */
int scn_load(struct scenario *s, const char *path, char *err, size_t len);

/* What happened in a run, as run.c saw it. */
struct scn_outcome {
	bool timed_out;
	int status;			/* waitpid()'s, unless timed out */
	long injected[SCN_MAX_RULES];
	/* "hits N, injected N, missed N"; "" if they could not be read */
	char counters[SCN_MAX_RULES][96];
	bool kmsg_read;			/* /dev/kmsg could be read */
	char kmsg[512];			/* the first report line, or "" */
	double seconds;
};

#define SCN_MAX_CHECKS	(SCN_MAX_RULES + 3)

/* One expectation, one TAP test. */
struct scn_check {
	char name[300];
	bool ok;
	char diag[600];		/* what was seen */
};

struct scn_report {
	char scenario[SCN_NAME_LEN];
	struct scn_check checks[SCN_MAX_CHECKS];
	int nr;
	double seconds;
	char bail[SCN_ERR_LEN];	/* "": the checks ran; else why not */
};

/* The checks of @s against @o, in TAP order, into @r. */
void scn_judge(const struct scenario *s, const struct scn_outcome *o,
	       struct scn_report *r);

/* How many checks failed (1 for a bail-out). */
int scn_failed(const struct scn_report *r);

/* TAP version 13, one test per check, a summary line. */
void scn_tap(FILE *f, const struct scn_report *r);
/* JUnit XML: one testsuite, one testcase per check. */
void scn_junit(FILE *f, const struct scn_report *r);

/* "exited with 3", "killed by SIGSEGV": a waitpid() status in words. */
void scn_status_str(int status, char *buf, size_t len);

struct run_args {
	const char *path;
	const char *junit;
	long timeout;		/* -1: the scenario's */
	char **argv;		/* the command after --, or NULL */
};

/*
 * kfictl run's arguments (@argv[0] is "run"). 0, or -EINVAL with the
 * message in @err.
 */
int scn_run_args(int argc, char **argv, struct run_args *a, char *err,
		 size_t len);

/* kfictl run ARGS: exit status 0, 1 or 2. */
int kfictl_cmd_run(int argc, char **argv);

#endif /* KFICTL_SCENARIO_H */
