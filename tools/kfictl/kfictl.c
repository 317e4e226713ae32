// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl: kfi's rules and hotfixes from the command line, instead of
 * mkdir and echo in /sys/kernel/config/kfi. See Documentation/kfictl.rst.
 *
 *   kfictl add nospace target=vfs_mkdir retval=-ENOSPC pid=1234
 *   kfictl list
 *   kfictl rm nospace
 *
 * This file is the command line: parsing, the commands, the output. The
 * configfs paths, reads and writes are in cfs.c; list's tables and JSON
 * in list.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kfictl.h"
#include "keys.h"
#include "scenario.h"

static const char usage[] =
"usage: kfictl COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  list [--json]                 rules and hotfixes, as a table or JSON\n"
"  add NAME target=SYM [KEY=VALUE...] [--disarmed] [--force]\n"
"                                create, configure and arm a rule; --force:\n"
"                                args beyond the prototype's parameters\n"
"  rm NAME... | rm --all         remove rules (armed ones are disarmed first)\n"
"  enable NAME...                arm rules\n"
"  disable NAME...               disarm rules\n"
"  describe [--json] SYM         can a rule be aimed at SYM (or MODULE:SYM),\n"
"                                and its prototype from the kernel's BTF\n"
"  hotfix list                   hotfixes, one line per function\n"
"  hotfix enable NAME...         switch a hotfix's redirects on\n"
"  hotfix disable NAME...        switch them off\n"
"  run SCENARIO [--junit FILE] [--timeout SECONDS] [-- COMMAND...]\n"
"                                arm a scenario's rules for a command, check\n"
"                                its expectations, print TAP; rules removed\n"
"  help, --help                  this text\n"
"\n"
"Keys of add (see Documentation/kfi.rst for their formats):\n"
"  target action retval args probability interval times space\n"
"  pid children comm caller verbose\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n"
"run: 0 every expectation held, 1 one failed, 2 usage or scenario error.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("kfictl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see kfictl --help)\n", stderr);
	return KFICTL_USAGE;
}

/* A name kfictl takes: not an option, a path or a hidden file. */
static bool valid_name(const char *name)
{
	return *name && *name != '.' && *name != '-' && !strchr(name, '/') &&
	       strlen(name) < 200;
}

static int cmd_list(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return usage_error("list: unexpected argument '%s'", argv[1]);
	if (kfictl_check_kfi())
		return KFICTL_FAIL;
	return kfictl_list(stdout, argc == 2, true);
}

/* Prints why arming failed: the kernel's status line, or the errno. */
static void arm_failed(const char *name, int err)
{
	char p[512], status[KFICTL_PAGE];

	kfictl_rule_path(p, sizeof(p), name, "status");
	if (!kfictl_read(p, status, sizeof(status)) &&
	    !strncmp(status, "error: ", 7))
		kfictl_err(0, "cannot arm rule %s: %s", name, status + 7);
	else
		kfictl_err(err, "cannot arm rule %s", name);
}

/*
 * Blocks what a terminal or a job runner sends to stop kfictl (into @set),
 * so that a rule is never left half-made; stop_taken() then takes one.
 */
static void stops_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/* A stop signal that came while blocked, taken; 0 if none. */
static int stop_taken(const sigset_t *set)
{
	struct timespec zero = { 0 };
	int sig = sigtimedwait(set, NULL, &zero);

	return sig > 0 ? sig : 0;
}

static int cmd_add(int argc, char **argv)
{
	const char *name, *last[4] = { NULL };	/* kfictl_rule_keys[0..3] */
	bool disarmed = false, force = false;
	sigset_t stops;
	char p[512];
	int err, sig;

	if (argc < 2)
		return usage_error("add: %s", "no rule name");
	name = argv[1];
	if (!valid_name(name))
		return usage_error("add: bad rule name '%s'", name);
	/* Everything is checked before anything is made. */
	for (int i = 2; i < argc; i++) {
		char key[KFICTL_KEY_LEN], msg[1024];
		const char *val;

		if (!strcmp(argv[i], "--disarmed") || !strcmp(argv[i], "--force")) {
			disarmed |= argv[i][2] == 'd';
			force |= argv[i][2] == 'f';
			continue;
		}
		if (kfictl_kv_parse(argv[i], key, &val, msg, sizeof(msg)))
			return usage_error("add: %s", msg);
		for (int k = 0; k < 4; k++)
			if (!strcmp(key, kfictl_rule_keys[k]))
				last[k] = val;
	}
	if (!last[0])
		return usage_error("add: %s is required", "target=SYM");
	err = kfictl_add_check(last[0], last[1], last[2], last[3], force);
	if (err)
		return err;
	if (kfictl_check_kfi())
		return KFICTL_FAIL;

	stops_block(&stops);
	kfictl_rule_path(p, sizeof(p), name, NULL);
	if (mkdir(p, 0755)) {
		if (errno == EEXIST)
			kfictl_err(0, "rule %s already exists", name);
		else
			kfictl_err(errno, "cannot create rule %s", name);
		return KFICTL_FAIL;
	}
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			continue;
		*eq = '\0';
		kfictl_rule_path(p, sizeof(p), name, argv[i]);
		err = kfictl_write(p, eq + 1);
		if (err) {
			kfictl_err(err, "rule %s: the kernel refused %s=%s",
				   name, argv[i], eq + 1);
			goto err_remove;
		}
		*eq = '=';
	}
	if (!disarmed) {
		kfictl_rule_path(p, sizeof(p), name, "enabled");
		err = kfictl_write(p, "1");
		if (err) {
			arm_failed(name, err);
			goto err_remove;
		}
	}
	/* Interrupted meanwhile: the rule goes, as if it never came. */
	sig = stop_taken(&stops);
	if (sig) {
		kfictl_err(0, "add: interrupted by SIG%s: rule %s removed",
			   sigabbrev_np(sig) ?: "?", name);
		goto err_remove;
	}
	return KFICTL_OK;

err_remove:
	kfictl_rule_path(p, sizeof(p), name, NULL);
	if (rmdir(p))
		kfictl_err(errno, "and cannot remove rule %s again", name);
	return KFICTL_FAIL;
}

static int cmd_rm(int argc, char **argv)
{
	bool all = argc == 2 && !strcmp(argv[1], "--all");
	char **names = NULL, dir[512];
	int n, rc;

	if (argc < 2)
		return usage_error("rm: %s", "no rule name (or --all)");
	for (int i = 1; i < argc && !all; i++)
		if (!strcmp(argv[i], "--all") || !valid_name(argv[i]))
			return usage_error("rm: bad rule name '%s'", argv[i]);
	if (kfictl_check_kfi())
		return KFICTL_FAIL;
	if (!all)
		return kfictl_rules_rm(argv + 1, argc - 1, false);
	kfictl_rule_path(dir, sizeof(dir), NULL, NULL);
	n = kfictl_names(dir, &names);
	if (n < 0) {
		kfictl_err(n, "cannot list %s", dir);
		return KFICTL_FAIL;
	}
	/* Another process may remove some of them meanwhile: so be it. */
	rc = kfictl_rules_rm(names, n, true);
	kfictl_names_free(names, n);
	return rc;
}

static int cmd_enable(int argc, char **argv, bool on)
{
	char p[512];
	int err, rc = KFICTL_OK;

	if (argc < 2)
		return usage_error("%s: no rule name", argv[0]);
	for (int i = 1; i < argc; i++)
		if (!valid_name(argv[i]))
			return usage_error("bad rule name '%s'", argv[i]);
	if (kfictl_check_kfi())
		return KFICTL_FAIL;
	for (int i = 1; i < argc; i++) {
		if (!kfictl_rule_exists(argv[i])) {
			kfictl_err(0, "no rule named %s", argv[i]);
			rc = KFICTL_FAIL;
			continue;
		}
		kfictl_rule_path(p, sizeof(p), argv[i], "enabled");
		err = kfictl_write(p, on ? "1" : "0");
		if (err && on)
			arm_failed(argv[i], err);
		else if (err)
			kfictl_err(err, "cannot disarm rule %s", argv[i]);
		if (err)
			rc = KFICTL_FAIL;
	}
	return rc;
}

static int cmd_hotfix(int argc, char **argv)
{
	bool on;
	char p[512];
	int err, rc = KFICTL_OK;

	if (argc < 2)
		return usage_error("hotfix: %s", "no subcommand (list, enable, disable)");
	if (!strcmp(argv[1], "list")) {
		if (argc > 2)
			return usage_error("hotfix list: unexpected argument '%s'",
					   argv[2]);
		if (kfictl_check_kfi())
			return KFICTL_FAIL;
		return kfictl_list(stdout, false, false);
	}
	if (strcmp(argv[1], "enable") && strcmp(argv[1], "disable"))
		return usage_error("hotfix: unknown subcommand '%s'", argv[1]);
	on = !strcmp(argv[1], "enable");
	if (argc < 3)
		return usage_error("hotfix %s: no hotfix name", argv[1]);
	for (int i = 2; i < argc; i++)
		if (!valid_name(argv[i]))
			return usage_error("bad hotfix name '%s'", argv[i]);
	if (kfictl_check_kfi())
		return KFICTL_FAIL;
	for (int i = 2; i < argc; i++) {
		if (!kfictl_hotfix_exists(argv[i])) {
			kfictl_err(0, "no hotfix named %s", argv[i]);
			rc = KFICTL_FAIL;
			continue;
		}
		kfictl_hotfix_path(p, sizeof(p), argv[i], "enabled");
		err = kfictl_write(p, on ? "1" : "0");
		if (err) {
			kfictl_err(err, "cannot %s hotfix %s", argv[1], argv[i]);
			rc = KFICTL_FAIL;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fputs(usage, stderr);
		return KFICTL_USAGE;
	}
	argc--;
	argv++;
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return KFICTL_OK;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "add"))
		return cmd_add(argc, argv);
	if (!strcmp(cmd, "rm"))
		return cmd_rm(argc, argv);
	if (!strcmp(cmd, "enable"))
		return cmd_enable(argc, argv, true);
	if (!strcmp(cmd, "disable"))
		return cmd_enable(argc, argv, false);
	if (!strcmp(cmd, "hotfix"))
		return cmd_hotfix(argc, argv);
	if (!strcmp(cmd, "describe"))
		return kfictl_describe(argc, argv);
	if (!strcmp(cmd, "run"))
		return kfictl_cmd_run(argc, argv);
	return usage_error("unknown command '%s'", cmd);
}
