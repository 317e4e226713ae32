// SPDX-License-Identifier: GPL-2.0
/*
 * kfictl run SCENARIO [--junit FILE] [--timeout SECONDS] [-- COMMAND...]
 *
 * Makes every rule of the scenario, aims each at the command (pid, with
 * children), arms them all or none, runs the command, and removes every
 * rule it made whatever happens to the command or to kfictl (bar a signal
 * that kills it: SIGKILL, or one it does not take).
 *
 * The command is forked first and waits on a pipe, so that its pid is
 * known before the rules are armed and none of its calls is missed. It
 * gets its own process group: a timeout or a signal to kfictl kills the
 * whole group. SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGCHLD stay blocked in
 * kfictl and are taken with sigtimedwait(): a signal that comes while
 * rules are being made waits until they can be removed again. SIGPIPE
 * stays blocked too: a closed standard error must not end kfictl between
 * two rmdir()s. The rules are removed before the killed command is
 * reaped: one that SIGKILL cannot end at once may be stuck in a loop of
 * the rules' making.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"

int scn_run_args(int argc, char **argv, struct run_args *a, char *err,
		 size_t len)
{
	memset(a, 0, sizeof(*a));
	a->timeout = -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char *end;

		if (!strcmp(arg, "--")) {
			if (i + 1 == argc) {
				snprintf(err, len, "nothing after --: expected a command");
				return -EINVAL;
			}
			a->argv = argv + i + 1;
			break;
		}
		if (!strcmp(arg, "--junit") || !strcmp(arg, "--timeout")) {
			if (i + 1 == argc) {
				snprintf(err, len, "%s needs a value", arg);
				return -EINVAL;
			}
			if (!strcmp(arg, "--junit")) {
				a->junit = argv[++i];
				continue;
			}
			errno = 0;
			a->timeout = strtol(argv[++i], &end, 10);
			if (*argv[i] < '0' || *argv[i] > '9' || *end || errno ||
			    a->timeout > 86400) {
				snprintf(err, len,
					 "bad value '%s' for --timeout: expected seconds from 0 (none) to 86400",
					 argv[i]);
				return -EINVAL;
			}
			continue;
		}
		if (arg[0] == '-') {
			snprintf(err, len, "unknown option '%s'", arg);
			return -EINVAL;
		}
		if (a->path) {
			snprintf(err, len, "unexpected argument '%s' (a command goes after --)",
				 arg);
			return -EINVAL;
		}
		a->path = arg;
	}
	if (!a->path) {
		snprintf(err, len, "no scenario file");
		return -EINVAL;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "Invalid argument (EINVAL)", and kfictl_err()'s hint for EACCES, EPERM. */
static void errstr(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s (%s)%s", strerror(err),
		 strerrorname_np(err) ?: "?",
		 (err == EACCES || err == EPERM) && geteuid() ?
		 "; kfictl must run as root" : "");
}

/* Makes rule @r, aimed at @pid and its descendants. 0 or -errno. */
static int make_rule(const struct scn_rule *r, pid_t pid, bool *made,
		     char *msg, size_t len)
{
	char p[512], e[128], val[32];
	int err;

	kfictl_rule_path(p, sizeof(p), r->name, NULL);
	if (mkdir(p, 0755)) {
		err = errno;
		if (err == EEXIST) {
			snprintf(msg, len, "rule %s already exists", r->name);
		} else {
			errstr(err, e, sizeof(e));
			snprintf(msg, len, "cannot create rule %s: %s", r->name, e);
		}
		return -err;
	}
	*made = true;
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (int i = 0; i <= r->nr_kv + 1; i++) {
		const char *key = i < r->nr_kv ? r->kv[i].key :
				  i == r->nr_kv ? "pid" : "children";
		const char *v = i < r->nr_kv ? r->kv[i].val :
				i == r->nr_kv ? val : "1";

		kfictl_rule_path(p, sizeof(p), r->name, key);
		err = kfictl_write(p, v);
		if (err) {
			errstr(-err, e, sizeof(e));
			snprintf(msg, len, "rule %s: the kernel refused %s=%s: %s",
				 r->name, key, v, e);
			return err;
		}
	}
	return 0;
}

/* Arms rule @name; on failure the kernel's reason from its status. */
static int arm_rule(const char *name, char *msg, size_t len)
{
	char p[512], status[KFICTL_PAGE], e[128];
	int err;

	kfictl_rule_path(p, sizeof(p), name, "enabled");
	err = kfictl_write(p, "1");
	if (!err)
		return 0;
	kfictl_rule_path(p, sizeof(p), name, "status");
	if (!kfictl_read(p, status, sizeof(status)) &&
	    !strncmp(status, "error: ", 7)) {
		snprintf(msg, len, "cannot arm rule %s: %s", name, status + 7);
	} else {
		errstr(-err, e, sizeof(e));
		snprintf(msg, len, "cannot arm rule %s: %s", name, e);
	}
	return err;
}

/* Disarms, reads the counters of, and removes the rules made. */
static int remove_rules(const struct scenario *s, const bool *made,
			struct scn_outcome *o)
{
	struct kfictl_rule kr;
	char p[512];
	int rc = 0;

	for (int i = 0; i < s->nr_rules; i++) {
		if (!made[i])
			continue;
		kfictl_rule_path(p, sizeof(p), s->rules[i].name, "enabled");
		kfictl_write(p, "0");
	}
	/* Counters read after the disarm are final (Documentation/kfi.rst). */
	for (int i = 0; o && i < s->nr_rules; i++) {
		if (!made[i] || kfictl_rule_read(s->rules[i].name, &kr))
			continue;
		o->injected[i] = strtol(kr.injected, NULL, 10);
		snprintf(o->counters[i], sizeof(o->counters[i]),
			 "hits %s, injected %s, missed %s", kr.hits,
			 kr.injected, kr.missed);
	}
	for (int i = 0; i < s->nr_rules; i++) {
		if (!made[i])
			continue;
		kfictl_rule_path(p, sizeof(p), s->rules[i].name, NULL);
		if (rmdir(p) && errno != ENOENT) {
			kfictl_err(errno, "cannot remove rule %s", s->rules[i].name);
			rc = -1;
		}
	}
	return rc;
}

/* The first kernel report in /dev/kmsg since @fd was opened, into @o. */
static void kmsg_scan(int fd, struct scn_outcome *o)
{
	static const char * const pats[] = {
		/* x86_64's dump_stack() says "Call Trace:", arm64's "Call trace:". */
		"WARNING:", "BUG:", "Oops", "Call Trace", "Call trace",
		"Kernel panic",
		"general protection fault", "KASAN", "UBSAN", "lockdep",
		"possible circular locking", "possible recursive locking",
		"inconsistent lock state", "suspicious RCU usage",
		"soft lockup", "sleeping function called", "kernel BUG",
		"unreferenced object",
	};
	/*
	 * A record is up to CONSOLE_EXT_LOG_MAX (8 KB) with its bytes escaped
	 * ("\x7f"); a smaller buffer gets EINVAL, and the records after it
	 * would go unread.
	 */
	char rec[8192 + 1];
	ssize_t n;

	o->kmsg_read = fd >= 0;
	while (fd >= 0 && ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
			   (n < 0 && errno == EPIPE))) {
		char *msg;

		if (n <= 0)
			continue;	/* EPIPE: records were lost; read on */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		for (size_t i = 0; !o->kmsg[0] && i < ARRAY_SIZE(pats); i++)
			if (strstr(msg, pats[i]))
				snprintf(o->kmsg, sizeof(o->kmsg), "%s", msg);
	}
	/* Not to the end (EAGAIN): the log was not read. */
	if (fd >= 0 && n < 0 && errno != EAGAIN)
		o->kmsg_read = false;
}

/* In the child: wait for the go, then become the command. */
static void child(int go, const sigset_t *mask, const struct scenario *s,
		  char **argv)
{
	char c;

	setpgid(0, 0);
	if (read(go, &c, 1) != 1)
		_exit(127);	/* kfictl gave up: the rules are gone */
	sigprocmask(SIG_SETMASK, mask, NULL);
	/* Standard output is kfictl's TAP: the command's goes with stderr. */
	dup2(2, 1);
	if (argv)
		execvp(argv[0], argv);
	else
		execl("/bin/sh", "sh", "-c", s->command, (char *)NULL);
	kfictl_err(errno, "run: cannot run %s", argv ? argv[0] : "/bin/sh");
	_exit(127);
}

/* What a terminal or a CI runner sends to stop a job (Ctrl-\ is SIGQUIT). */
static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

#define REAP_SECONDS	5	/* for the command to die after SIGKILL */

/*
 * Waits for the command until it exits, the timeout or a signal to kfictl,
 * then kills its process group (what it left running, or all of it). The
 * command is not reaped here (reap() does, after the rules are removed):
 * until then its pid, which is the group's id, cannot be reused. Returns
 * 0, or the signal that interrupted the run.
 */
static int wait_command(pid_t pid, const struct scenario *s,
			struct scn_outcome *o, double start)
{
	double deadline = start + s->timeout;
	struct timespec ts;
	siginfo_t info;
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		sigaddset(&set, stops[i]);
	for (;;) {
		info.si_pid = 0;
		if (!waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) &&
		    info.si_pid == pid)
			break;
		if (s->timeout) {
			double left = deadline - now();

			if (left <= 0) {
				o->timed_out = true;
				break;
			}
			ts.tv_sec = left;
			ts.tv_nsec = (left - ts.tv_sec) * 1e9;
			sig = sigtimedwait(&set, NULL, &ts);
		} else {
			sig = sigwaitinfo(&set, NULL);
		}
		if (sig > 0 && sig != SIGCHLD)
			break;
		sig = 0;
	}
	kill(-pid, SIGKILL);
	/* And the command itself, should it have left its group. */
	kill(pid, SIGKILL);
	return sig;
}

/*
 * Reaps the command, killed by wait_command(). SIGKILL does not end a
 * task asleep in the kernel (TASK_UNINTERRUPTIBLE), which may be a retry
 * loop that the rules themselves keep going: the rules are removed before
 * this waits, and it waits REAP_SECONDS at most, then leaves the command
 * to init. 0 when reaped, -1 when left.
 */
static int reap(pid_t pid, int *status)
{
	double deadline = now() + REAP_SECONDS;
	struct timespec ts;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		double left = deadline - now();

		if (r == pid)
			return 0;
		if ((r < 0 && errno != EINTR) || left <= 0)
			return -1;
		/* A SIGCHLD that came before the waitpid() is still pending. */
		ts.tv_sec = left;
		ts.tv_nsec = (left - ts.tv_sec) * 1e9;
		sigtimedwait(&set, NULL, &ts);
	}
}

/* The end of a message, after remove_rules() returned @rc. */
static const char *rules_gone(int rc)
{
	return rc ? "and a rule could not be removed (see above)" : "the rules removed";
}

/* A signal to stop that is already pending, taken; 0 if none. */
static int stop_pending(void)
{
	struct timespec zero = { 0 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		sigaddset(&set, stops[i]);
	sig = sigtimedwait(&set, NULL, &zero);
	return sig > 0 ? sig : 0;
}

/*
 * Runs @s; fills @rep (rep->bail when the command could not run). Returns
 * 0, or -1 if a rule could not be removed (already said on stderr).
 */
static int run_scenario(const struct scenario *s, char **argv,
			struct scn_report *rep)
{
	bool made[SCN_MAX_RULES] = { false };
	char msg[SCN_ERR_LEN] = "";
	struct scn_outcome *o;
	sigset_t block, old;
	int go[2], kmsg, sig, rc = 0;
	double start;
	pid_t pid;

	o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(rep->bail, sizeof(rep->bail), "out of memory");
		return 0;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGPIPE);
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++)
		sigaddset(&block, stops[i]);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* An ignored SIGCHLD, inherited, would reap the command for us. */
	signal(SIGCHLD, SIG_DFL);

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	if (pipe2(go, O_CLOEXEC)) {
		snprintf(rep->bail, sizeof(rep->bail), "cannot make a pipe: %s",
			 strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(rep->bail, sizeof(rep->bail), "cannot fork: %s",
			 strerror(errno));
		close(go[0]);
		close(go[1]);
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		child(go[0], &old, s, argv);
	}
	close(go[0]);
	setpgid(pid, pid);

	for (int i = 0; !rc && i < s->nr_rules; i++)
		rc = make_rule(&s->rules[i], pid, &made[i], msg, sizeof(msg));
	for (int i = 0; !rc && i < s->nr_rules; i++)
		rc = arm_rule(s->rules[i].name, msg, sizeof(msg));
	sig = rc ? 0 : stop_pending();
	if (sig || rc) {
		/*
		 * The command never starts: EOF on the pipe ends it, once the
		 * rules are gone (those armed are aimed at it, and its exit
		 * would run under them).
		 */
		rc = remove_rules(s, made, NULL);
		close(go[1]);
		waitpid(pid, NULL, 0);
		if (sig)
			snprintf(rep->bail, sizeof(rep->bail),
				 "interrupted by SIG%s before the command started, %s",
				 sigabbrev_np(sig) ?: "?", rules_gone(rc));
		else
			snprintf(rep->bail, sizeof(rep->bail), "%s", msg);
		goto out;
	}

	start = now();
	if (write(go[1], "g", 1) != 1)
		kfictl_err(errno, "run: cannot start the command");
	close(go[1]);
	sig = wait_command(pid, s, o, start);
	o->seconds = now() - start;
	rc = remove_rules(s, made, o);
	if (reap(pid, &o->status))
		kfictl_err(0, "run: the command (pid %d) is still in the kernel %d s after SIGKILL: left to run on, %s",
			   (int)pid, REAP_SECONDS, rules_gone(rc));
	kmsg_scan(kmsg, o);
	scn_judge(s, o, rep);
	if (sig)
		snprintf(rep->bail, sizeof(rep->bail),
			 "interrupted by SIG%s: the command was killed, %s",
			 sigabbrev_np(sig) ?: "?", rules_gone(rc));
out:
	if (kmsg >= 0)
		close(kmsg);
	free(o);
	return rc;
}

static int write_junit(const char *path, const struct scn_report *r)
{
	FILE *f = fopen(path, "we");

	if (!f) {
		kfictl_err(errno, "run: cannot write %s", path);
		return -1;
	}
	scn_junit(f, r);
	if (fclose(f)) {
		kfictl_err(errno, "run: cannot write %s", path);
		return -1;
	}
	return 0;
}

int kfictl_cmd_run(int argc, char **argv)
{
	struct scn_report *rep = NULL;
	struct scenario *s = NULL;
	char err[SCN_ERR_LEN];
	struct run_args a;
	int rc = KFICTL_USAGE;

	if (scn_run_args(argc, argv, &a, err, sizeof(err))) {
		fprintf(stderr, "kfictl: run: %s (see kfictl --help)\n", err);
		return KFICTL_USAGE;
	}
	s = calloc(1, sizeof(*s));
	rep = calloc(1, sizeof(*rep));
	if (!s || !rep) {
		kfictl_err(ENOMEM, "out of memory");
		rc = KFICTL_FAIL;
		goto out;
	}
	if (scn_load(s, a.path, err, sizeof(err)))
		goto err_scenario;
	if (a.timeout >= 0)
		s->timeout = a.timeout;
	if (!a.argv && !s->command[0]) {
		snprintf(err, sizeof(err),
			 "%s: no command: expected command = ... in [run], or kfictl run %s -- COMMAND",
			 a.path, a.path);
		goto err_scenario;
	}
	rc = KFICTL_FAIL;
	snprintf(rep->scenario, sizeof(rep->scenario), "%s", s->name);
	/* Without kfi the run cannot start: a Bail out!, and a JUnit error. */
	if (!kfictl_kfi_missing(rep->bail, sizeof(rep->bail)) &&
	    run_scenario(s, a.argv, rep))
		rc = -1;
	if (rep->bail[0])
		kfictl_err(0, "%s", rep->bail);
	scn_tap(stdout, rep);
	fflush(stdout);
	if (a.junit && write_junit(a.junit, rep))
		rc = -1;
	rc = rc < 0 || scn_failed(rep) ? KFICTL_FAIL : KFICTL_OK;
	goto out;

err_scenario:
	kfictl_err(0, "%s", err);
	/* A CI job reads the JUnit file: the run did not start, and why. */
	snprintf(rep->scenario, sizeof(rep->scenario), "%s", s->name);
	snprintf(rep->bail, sizeof(rep->bail), "%s", err);
	if (a.junit)
		write_junit(a.junit, rep);
out:
	free(s);
	free(rep);
	return rc;
}
