// SPDX-License-Identifier: GPL-2.0
/*
 * The policy engine: whether a rule injects into the current call. Pure
 * decisions on a rule and the calling task; no probe, no register, no
 * configfs in here. The decision itself, kfi_rule_should_inject(), is
 * inline in policy.h; here are its slow parts and the rule's budgets.
 */
#include <linux/kprobes.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "inject/inject.h"
#include "inject/policy.h"

bool kfi_inject_on __read_mostly = true;

/*
 * Per-CPU generators: get_random_u32() takes a lock that sleeps on
 * PREEMPT_RT. Probe handlers run with preemption disabled and do not nest on
 * one CPU (kprobes count a nested hit as missed), so each CPU's state has a
 * single user at a time.
 */
static DEFINE_PER_CPU(struct rnd_state, kfi_rnd);

void kfi_inject_set_enabled(bool on)
{
	WRITE_ONCE(kfi_inject_on, on);
}

bool kfi_inject_enabled(void)
{
	return READ_ONCE(kfi_inject_on);
}

/* Whether an ancestor of the current task is one of the rule's processes. */
bool kfi_match_ancestors(const struct kfi_rule_conf *conf)
{
	struct task_struct *task;
	bool found = false;

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
NOKPROBE_SYMBOL(kfi_match_ancestors);

/* A draw that comes out true @ppm times in a million, 0 < @ppm < 1000000. */
bool kfi_chance_draw(u32 ppm)
{
	u32 draw = prandom_u32_state(this_cpu_ptr(&kfi_rnd));

	/* Scale the 32-bit draw to [0, KFI_PROB_ONE) without a division. */
	return ((u64)draw * KFI_PROB_ONE) >> 32 < ppm;
}
NOKPROBE_SYMBOL(kfi_chance_draw);

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
		       sizeof(struct kfi_rule_pcpu));
	atomic_long_set(&rule->budget, rule->conf.times);
	/* Beyond LONG_MAX calls (centuries of them), a space is endless. */
	atomic_long_set(&rule->space_left,
			min_t(unsigned long, rule->conf.space, LONG_MAX));
	atomic_long_set(&rule->calls, 0);
	rule->missed = 0;
}

int kfi_inject_init(void)
{
	prandom_seed_full_state(&kfi_rnd);
	return 0;
}

void kfi_inject_exit(void)
{
	kfi_sets_exit();
}
