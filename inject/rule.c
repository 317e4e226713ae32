// SPDX-License-Identifier: GPL-2.0
/*
 * Injection rules: their lifetime, configuration and arming. An armed rule
 * is in the set of rules on its target (dispatch.c), whose probe callbacks
 * ask the rules in name order, through the policy (policy.h), until one
 * acts: at most one per call at entry and one at return.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "inject/inject.h"
#include "inject/policy.h"

const char * const kfi_action_names[KFI_NR_ACTIONS] = {
	[KFI_ACTION_RETURN] = "return",
	[KFI_ACTION_REPLACE] = "replace",
	[KFI_ACTION_ARGS] = "args",
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
	rule->stats = alloc_percpu(struct kfi_rule_pcpu);
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
	mutex_lock(&rule->lock);
	kfi_rule_settle(rule);
	mutex_unlock(&rule->lock);
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
	err = kfi_set_add(rule, &error);
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
		kfi_set_remove(rule);
		rule->gp_state = get_state_synchronize_rcu();
		rule->settling = true;
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

	if (rule->armed || !rule->settling)
		return;
	/* Pairs with the handlers' reads of the rule's index. */
	cond_synchronize_rcu(rule->gp_state);
	rule->settling = false;
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

	*sum = (struct kfi_rule_stats){};
	mutex_lock(&rule->lock);
	kfi_rule_settle(rule);
	sum->missed = kfi_rule_missed(rule);
	mutex_unlock(&rule->lock);

	for_each_possible_cpu(cpu) {
		const struct kfi_rule_pcpu *s = per_cpu_ptr(rule->stats, cpu);

		sum->hits += READ_ONCE(s->hits);
		sum->injected += READ_ONCE(s->injected);
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
			      kfi_rule_live(rule) ? "armed" : "gone");
	else if (rule->error)
		n = scnprintf(buf, len, "error: %s\n",
			      rule->why ?: "(no memory to say why)");
	else
		n = scnprintf(buf, len, "disabled\n");
	mutex_unlock(&rule->lock);
	return n;
}
