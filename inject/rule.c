// SPDX-License-Identifier: GPL-2.0
/*
 * Injection rules: their lifetime, arming, and what they do to a call once
 * the policy (policy.c) said they inject.
 *
 * An armed rule is an attachment of the target function's probe site in
 * group KFI_GROUP_RULES, keyed by its name: the site asks the armed rules in
 * name order and at most one of them acts per call at entry and at return.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arch/kfi_arch.h"
#include "inject/inject.h"
#include "inject/policy.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Rules act before hotfix redirects on one function. */
#define KFI_GROUP_RULES		0

/*
 * One ratelimit for every rule's verbose lines and stack traces, so that
 * no rule can flood the log. __ratelimit() only trylocks a raw spinlock:
 * safe in a probe handler.
 */
static DEFINE_RATELIMIT_STATE(kfi_verbose_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

const char * const kfi_action_names[KFI_NR_ACTIONS] = {
	[KFI_ACTION_RETURN] = "return",
	[KFI_ACTION_REPLACE] = "replace",
	[KFI_ACTION_ARGS] = "args",
};

static void kfi_rule_report_slow(struct kfi_rule *rule, long value,
				 int verbose)
{
	const char *func = kfi_attach_symbol(&rule->attach);
	const char *action = kfi_action_names[rule->conf.action];

	trace_kfi_inject(rule->name, func, action, value);
	if (!verbose || !__ratelimit(&kfi_verbose_rs))
		return;
	pr_info("rule %s: %s %s %ld in pid %d (%s)\n", rule->name, func,
		action, value, task_pid_nr(current), current->comm);
	if (verbose > 1)
		dump_stack();
}
NOKPROBE_SYMBOL(kfi_rule_report_slow);

/* An injection: traced and logged when asked for, else nothing to do. */
static nokprobe_inline void kfi_rule_report(struct kfi_rule *rule, long value)
{
	int verbose = READ_ONCE(rule->conf.verbose);

	if (verbose || trace_kfi_inject_enabled())
		kfi_rule_report_slow(rule, value, verbose);
}

static nokprobe_inline unsigned long kfi_rule_caller(struct kfi_rule *rule,
						     struct pt_regs *regs)
{
	return rule->caller_end ? kfi_caller(regs) : 0;
}

static enum kfi_verdict kfi_rule_return(struct kfi_attach *a,
					struct pt_regs *regs, bool ret_hooked)
{
	struct kfi_rule *rule = container_of(a, struct kfi_rule, attach);

	if (!kfi_rule_should_inject(rule, kfi_rule_caller(rule, regs)))
		return KFI_NEXT;
	kfi_arch_skip_call(regs, rule->conf.retval);
	kfi_rule_report(rule, rule->conf.retval);
	return KFI_DIVERTED;
}
NOKPROBE_SYMBOL(kfi_rule_return);

static enum kfi_verdict kfi_rule_args(struct kfi_attach *a,
				      struct pt_regs *regs, bool ret_hooked)
{
	struct kfi_rule *rule = container_of(a, struct kfi_rule, attach);
	const struct kfi_rule_conf *conf = &rule->conf;
	unsigned int n;

	if (!kfi_rule_should_inject(rule, kfi_rule_caller(rule, regs)))
		return KFI_NEXT;
	for (n = 1; n <= KFI_RULE_MAX_ARGS; n++)
		if (conf->args_mask & BIT(n - 1))
			kfi_arch_set_arg(regs, n, conf->args[n - 1]);
	kfi_rule_report(rule, conf->args[__ffs(conf->args_mask)]);
	return KFI_ACTED;
}
NOKPROBE_SYMBOL(kfi_rule_args);

static bool kfi_rule_want_ret(struct kfi_attach *a, struct pt_regs *regs)
{
	struct kfi_rule *rule = container_of(a, struct kfi_rule, attach);

	return kfi_rule_should_inject(rule, kfi_rule_caller(rule, regs));
}
NOKPROBE_SYMBOL(kfi_rule_want_ret);

static void kfi_rule_replace(struct kfi_attach *a, struct pt_regs *regs)
{
	struct kfi_rule *rule = container_of(a, struct kfi_rule, attach);

	kfi_arch_set_retval(regs, rule->conf.retval);
	kfi_rule_report(rule, rule->conf.retval);
}
NOKPROBE_SYMBOL(kfi_rule_replace);

/*
 * Every kretprobe instance is held by a call still inside the function:
 * this call, if it comes from a task the rule is aimed at, is counted here,
 * neither in hits nor as an injection.
 */
static void kfi_rule_ret_missed(struct kfi_attach *a)
{
	struct kfi_rule *rule = container_of(a, struct kfi_rule, attach);

	if (READ_ONCE(kfi_inject_on) && kfi_rule_aimed_at_current(&rule->conf))
		this_cpu_inc(rule->stats->missed);
}
NOKPROBE_SYMBOL(kfi_rule_ret_missed);

static const struct kfi_attach_ops kfi_rule_ops[KFI_NR_ACTIONS] = {
	[KFI_ACTION_RETURN] = { .entry = kfi_rule_return },
	[KFI_ACTION_ARGS] = { .entry = kfi_rule_args },
	[KFI_ACTION_REPLACE] = {
		.want_ret = kfi_rule_want_ret,
		.ret = kfi_rule_replace,
		.ret_missed = kfi_rule_ret_missed,
	},
};

/**
 * kfi_rule_create() - a new, disarmed rule with the default configuration
 * @name:	the rule's name (copied)
 *
 * Context: process context.
 * Return: the rule, or NULL when out of memory.
 */
struct kfi_rule *kfi_rule_create(const char *name)
{
	struct kfi_rule *rule = kzalloc(sizeof(*rule), GFP_KERNEL);

	if (!rule)
		return NULL;
	rule->name = kstrdup(name, GFP_KERNEL);
	rule->stats = alloc_percpu(struct kfi_rule_stats);
	if (!rule->name || !rule->stats) {
		free_percpu(rule->stats);
		kfree(rule->name);
		kfree(rule);
		return NULL;
	}
	mutex_init(&rule->lock);
	rule->conf.action = KFI_ACTION_RETURN;
	rule->conf.retval = -ENOMEM;
	rule->conf.probability = KFI_PROB_ONE;
	rule->conf.interval = 1;
	rule->conf.times = -1;
	return rule;
}

/**
 * kfi_rule_destroy() - disarm and free a rule
 * @rule:	the rule
 *
 * Context: process context, may sleep.
 */
void kfi_rule_destroy(struct kfi_rule *rule)
{
	kfi_rule_disarm(rule);
	kfi_detach_wait(&rule->attach);
	mutex_destroy(&rule->lock);
	free_percpu(rule->stats);
	kfree(rule->conf.target);
	kfree(rule->conf.caller);
	kfree(rule->why);
	kfree(rule->name);
	kfree(rule);
}

/**
 * kfi_rule_conf_strset() - set one of a rule's string settings
 * @field:	&conf->target or &conf->caller, under the rule's lock
 * @s:		the new value, copied; "" unsets it
 *
 * Context: process context.
 * Return: 0, or -ENOMEM (the old value stays).
 */
int kfi_rule_conf_strset(char **field, const char *s)
{
	char *copy = NULL;

	if (*s) {
		copy = kstrdup(s, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	kfree(*field);
	*field = copy;
	return 0;
}

/* Records why arming failed, for status. */
static __printf(3, 4) int kfi_rule_fail(struct kfi_rule *rule, int err,
					const char *fmt, ...)
{
	va_list ap;

	lockdep_assert_held(&rule->lock);

	kfree(rule->why);
	va_start(ap, fmt);
	rule->why = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	rule->error = err;
	return err;
}

static int kfi_rule_resolve_caller(struct kfi_rule *rule)
{
	struct kfi_symbol sym;
	int err;

	rule->caller_start = 0;
	rule->caller_end = 0;
	if (!rule->conf.caller)
		return 0;
	err = kfi_symbol_resolve(rule->conf.caller, &sym);
	if (err)
		return kfi_rule_fail(rule, err,
				     "caller %s: no such function is loaded (error %d)",
				     rule->conf.caller, err);
	rule->caller_start = sym.addr - sym.offset;
	rule->caller_end = rule->caller_start + sym.size;
	return 0;
}

/**
 * kfi_rule_arm() - validate a rule's configuration and arm it
 * @rule:	the rule
 *
 * Resets the rule's counters and budgets. Arming an armed rule does nothing.
 * On failure the rule's status tells why.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
int kfi_rule_arm(struct kfi_rule *rule)
{
	struct kfi_rule_conf *conf = &rule->conf;
	struct kfi_attach_error error = {};
	int err = 0;

	mutex_lock(&rule->lock);
	if (rule->armed)
		goto out;
	/* Handlers of the last arming must be gone before ops and counters. */
	kfi_rule_settle(rule);
	if (!conf->target) {
		err = kfi_rule_fail(rule, -EINVAL,
				    "no target: write a function name to target first");
		goto out;
	}
	if (conf->action == KFI_ACTION_ARGS && !conf->args_mask) {
		err = kfi_rule_fail(rule, -EINVAL,
				    "action args needs at least one N=VALUE in args");
		goto out;
	}
	err = kfi_rule_resolve_caller(rule);
	if (err)
		goto out;

	kfi_rule_reset(rule);
	rule->attach.ops = &kfi_rule_ops[conf->action];
	rule->attach.group = KFI_GROUP_RULES;
	rule->attach.key = rule->name;
	err = kfi_attach(&rule->attach, conf->target, 0, &error);
	if (err) {
		if (!error.why[0])
			snprintf(error.why, sizeof(error.why),
				 "%s: cannot probe it (error %d)", conf->target,
				 err);
		kfi_rule_fail(rule, err, "%s", error.why);
		goto out;
	}
	rule->armed = true;
	rule->error = 0;
	kfree(rule->why);
	rule->why = NULL;
out:
	mutex_unlock(&rule->lock);
	return err;
}

/**
 * kfi_rule_disarm() - stop a rule from acting
 * @rule:	the rule
 *
 * No probe handler that starts after this returns runs the rule; one that
 * started before may finish (without waiting for it, disarming many rules
 * costs one grace period, not one each). Its counters keep their values
 * until it is armed again; kfi_rule_read_stats() waits for those handlers.
 *
 * Context: process context, may sleep.
 */
void kfi_rule_disarm(struct kfi_rule *rule)
{
	mutex_lock(&rule->lock);
	if (rule->armed) {
		kfi_detach_nowait(&rule->attach);
		rule->armed = false;
	}
	mutex_unlock(&rule->lock);
}

/**
 * kfi_rule_settle() - wait for the handlers still running a disarmed rule
 * @rule:	the rule, with its lock held
 *
 * After this, no probe handler reads the rule's configuration or counters
 * until it is armed again: they may be changed. Returns at once when the
 * rule is armed or a grace period went by since it was disarmed.
 *
 * Context: process context, may sleep.
 */
void kfi_rule_settle(struct kfi_rule *rule)
{
	lockdep_assert_held(&rule->lock);

	if (!rule->armed)
		kfi_detach_wait(&rule->attach);
}

/**
 * kfi_rule_read_stats() - sum a rule's per-CPU counters
 * @rule:	the rule
 * @sum:	the sums
 *
 * Of a disarmed rule, the final counts: waits for the probe handlers that
 * were still running it when it was disarmed.
 *
 * Context: process context, may sleep.
 */
void kfi_rule_read_stats(struct kfi_rule *rule, struct kfi_rule_stats *sum)
{
	int cpu;

	mutex_lock(&rule->lock);
	kfi_rule_settle(rule);
	mutex_unlock(&rule->lock);

	*sum = (struct kfi_rule_stats){};
	for_each_possible_cpu(cpu) {
		const struct kfi_rule_stats *s = per_cpu_ptr(rule->stats, cpu);

		sum->hits += READ_ONCE(s->hits);
		sum->injected += READ_ONCE(s->injected);
		sum->missed += READ_ONCE(s->missed);
	}
}

/**
 * kfi_rule_status() - the rule's state in one line
 * @rule:	the rule
 * @buf:	where to write it
 * @len:	size of @buf
 *
 * "disabled", "armed", "gone" (the target's module is not loaded), or
 * "error: REASON" after a failed arm.
 *
 * Context: process context.
 * Return: the length written, as scnprintf().
 */
int kfi_rule_status(struct kfi_rule *rule, char *buf, size_t len)
{
	int n;

	mutex_lock(&rule->lock);
	if (rule->armed)
		n = scnprintf(buf, len, "%s\n",
			      kfi_attach_live(&rule->attach) ? "armed" : "gone");
	else if (rule->error)
		n = scnprintf(buf, len, "error: %s\n",
			      rule->why ?: "(no memory to say why)");
	else
		n = scnprintf(buf, len, "disabled\n");
	mutex_unlock(&rule->lock);
	return n;
}
