/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy's hit path: whether a rule injects into the current call.
 *
 * Inline, so that each action's probe callback (rule.c) is one function
 * with its checks in it: every armed rule on a function runs this on every
 * call, and most calls are filtered out. The rare, slow parts (a walk up the
 * process tree, a random draw) stay out of line in policy.c.
 *
 * Checks run in the order of the kernel's should_fail(): global switch, the
 * tasks the rule is aimed at (pid, children, comm: only their calls are
 * hits), times budget, caller, space, interval, probability; then the times
 * budget is taken, atomically, so that "times" is exact however many CPUs
 * race for the last injection.
 */
#ifndef KFI_POLICY_H
#define KFI_POLICY_H

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "core/core.h"
#include "inject/inject.h"

/* The global switch (kfi_inject_set_enabled()): false, no rule injects. */
extern bool kfi_inject_on;

bool kfi_match_ancestors(const struct kfi_rule_conf *conf);
bool kfi_chance_draw(u32 ppm);

static nokprobe_inline bool kfi_pid_listed(const struct kfi_rule_conf *conf,
					   pid_t tgid)
{
	unsigned int i;

	for (i = 0; i < conf->nr_pids; i++)
		if (conf->pids[i] == tgid)
			return true;
	return false;
}

static nokprobe_inline bool kfi_match_task(const struct kfi_rule_conf *conf)
{
	if (kfi_pid_listed(conf, task_tgid_nr(current)))
		return true;
	return conf->children && kfi_match_ancestors(conf);
}

/*
 * Whether the current call comes from a task the rule is aimed at (pid,
 * children, comm): only those calls are the rule's hits.
 */
static nokprobe_inline bool kfi_rule_aimed_at_current(const struct kfi_rule_conf *conf)
{
	if (conf->nr_pids && (!kfi_call_in_task() || !kfi_match_task(conf)))
		return false;
	if (conf->comm[0] && (!kfi_call_in_task() ||
			      strncmp(current->comm, conf->comm, TASK_COMM_LEN)))
		return false;
	return true;
}

static nokprobe_inline bool kfi_chance(u32 ppm)
{
	if (ppm >= KFI_PROB_ONE)
		return true;
	return ppm && kfi_chance_draw(ppm);
}

/**
 * kfi_rule_should_inject() - decide whether @rule acts on the current call
 * @rule:	an armed rule
 * @caller:	the call's return address, or 0 when the rule has no caller
 *		filter
 *
 * Counts the call in the rule's hits if it comes from a task the rule is
 * aimed at, and the injection in its budget.
 *
 * Context: probe handler (preemption disabled).
 * Return: true if the rule injects into this call.
 */
static nokprobe_inline bool kfi_rule_should_inject(struct kfi_rule *rule,
						   unsigned long caller)
{
	const struct kfi_rule_conf *conf = &rule->conf;
	unsigned long interval = conf->interval;

	if (!READ_ONCE(kfi_inject_on) || !kfi_rule_aimed_at_current(conf))
		return false;
	this_cpu_inc(rule->stats->hits);

	if (conf->times >= 0 && atomic_long_read(&rule->budget) <= 0)
		return false;
	if (rule->caller_end &&
	    (caller < rule->caller_start || caller >= rule->caller_end))
		return false;
	if (atomic_long_read(&rule->space_left) > 0 &&
	    atomic_long_dec_return(&rule->space_left) >= 0)
		return false;
	if (interval > 1 && atomic_long_inc_return(&rule->calls) % interval)
		return false;
	if (!kfi_chance(conf->probability))
		return false;
	if (conf->times >= 0 && !atomic_long_add_unless(&rule->budget, -1, 0))
		return false;

	this_cpu_inc(rule->stats->injected);
	return true;
}

#endif /* KFI_POLICY_H */
