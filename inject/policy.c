// SPDX-License-Identifier: GPL-2.0
/*
 * The policy engine: whether a rule injects into the current call. Pure
 * decisions on a rule and the calling task; no probe, no register, no
 * configfs in here.
 *
 * Checks run cheapest and most selective first, like the kernel's
 * should_fail(): global switch, times budget, process, comm, caller, space,
 * interval, probability; then the times budget is taken, atomically, so that
 * "times" is exact however many CPUs race for the last injection.
 */
#include <linux/kprobes.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "inject/inject.h"

static bool kfi_enabled __read_mostly = true;

/*
 * Per-CPU generators: get_random_u32() takes a lock that sleeps on
 * PREEMPT_RT. Probe handlers run with preemption disabled and do not nest on
 * one CPU (kprobes count a nested hit as missed), so each CPU's state has a
 * single user at a time.
 */
static DEFINE_PER_CPU(struct rnd_state, kfi_rnd);

void kfi_inject_set_enabled(bool on)
{
	WRITE_ONCE(kfi_enabled, on);
}

bool kfi_inject_enabled(void)
{
	return READ_ONCE(kfi_enabled);
}

static bool kfi_pid_listed(const struct kfi_rule_conf *conf, pid_t tgid)
{
	unsigned int i;

	for (i = 0; i < conf->nr_pids; i++)
		if (conf->pids[i] == tgid)
			return true;
	return false;
}
NOKPROBE_SYMBOL(kfi_pid_listed);

static bool kfi_match_task(const struct kfi_rule_conf *conf)
{
	struct task_struct *task;
	bool found = false;

	if (kfi_pid_listed(conf, task_tgid_nr(current)))
		return true;
	if (!conf->children)
		return false;

	/* Walk up to the idle task, whose pid is 0 and who is its own parent. */
	rcu_read_lock();
	for (task = rcu_dereference(current->real_parent); task->pid;
	     task = rcu_dereference(task->real_parent)) {
		if (kfi_pid_listed(conf, task_tgid_nr(task))) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}
NOKPROBE_SYMBOL(kfi_match_task);

static bool kfi_chance(u32 ppm)
{
	u32 draw;

	if (ppm >= KFI_PROB_ONE)
		return true;
	if (!ppm)
		return false;
	draw = prandom_u32_state(this_cpu_ptr(&kfi_rnd));
	/* Scale the 32-bit draw to [0, KFI_PROB_ONE) without a division. */
	return ((u64)draw * KFI_PROB_ONE) >> 32 < ppm;
}
NOKPROBE_SYMBOL(kfi_chance);

/**
 * kfi_rule_should_inject() - decide whether @rule acts on the current call
 * @rule:	an armed rule
 * @caller:	the call's return address, or 0 when the rule has no caller
 *		filter
 *
 * Counts the call in the rule's hits, and the injection in its budget.
 *
 * Context: probe handler (preemption disabled).
 * Return: true if the rule injects into this call.
 */
bool kfi_rule_should_inject(struct kfi_rule *rule, unsigned long caller)
{
	const struct kfi_rule_conf *conf = &rule->conf;
	unsigned long interval = conf->interval;

	if (!READ_ONCE(kfi_enabled))
		return false;
	this_cpu_inc(rule->stats->hits);

	if (conf->times >= 0 && atomic_long_read(&rule->budget) <= 0)
		return false;
	if (conf->nr_pids && (!kfi_call_in_task() || !kfi_match_task(conf)))
		return false;
	if (conf->comm[0] && (!kfi_call_in_task() ||
			      strncmp(current->comm, conf->comm, TASK_COMM_LEN)))
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
NOKPROBE_SYMBOL(kfi_rule_should_inject);

/**
 * kfi_rule_reset() - start a rule's counters and budgets afresh
 * @rule:	a rule that no probe handler can see
 *
 * Context: process context, under the rule's lock.
 */
void kfi_rule_reset(struct kfi_rule *rule)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(rule->stats, cpu), 0,
		       sizeof(struct kfi_rule_stats));
	atomic_long_set(&rule->budget, rule->conf.times);
	atomic_long_set(&rule->space_left, rule->conf.space);
	atomic_long_set(&rule->calls, 0);
}

int kfi_inject_init(void)
{
	prandom_seed_full_state(&kfi_rnd);
	return 0;
}

void kfi_inject_exit(void)
{
}
