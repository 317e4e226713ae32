/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules armed on one function, indexed by the process they are aimed at,
 * so that a call is asked only of the rules that may hit it: a rule aimed at
 * pid 1 costs a call from any other process nothing.
 *
 * An index is built whole, never changed but for a rule taken out in place
 * (its entry in rules[] set to NULL), and published under RCU: probe handlers
 * read it with preemption disabled and no lock.
 *
 *   rules[]:  every rule, in name order (the order they are asked in); a
 *             rule's position is its rank
 *   any[]:    ranks of the rules any process may hit: no pid, or children
 *             (their descendants are only known by walking up from the task)
 *   slots[]:  open-addressed table by tgid; each used slot names a run of
 *             pidlist[], the ranks of the rules listing that pid
 *
 * A call is asked of the merge, by rank, of any[] and its process's run.
 */
#ifndef KFI_INDEX_H
#define KFI_INDEX_H

#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "core/core.h"

struct kfi_rule;

struct kfi_index_slot {
	pid_t tgid;
	u32 first;		/* in pidlist[] */
	u32 nr;			/* 0: the slot is empty */
};

struct kfi_rule_index {
	struct rcu_head rcu;
	u32 nr;				/* rules[] */
	u32 nr_any;			/* any[] */
	u32 mask;			/* slots[] - 1; no slots[] when 0 */
	u32 bits;			/* ilog2(slots[]) */
	/*
	 * Then, in one allocation: struct kfi_rule *rules[nr] (NULL once
	 * taken out), struct kfi_index_slot slots[mask ? mask + 1 : 0],
	 * u32 any[nr_any], u32 pidlist[].
	 */
};

static nokprobe_inline struct kfi_rule **kfi_index_rules(const struct kfi_rule_index *idx)
{
	return (struct kfi_rule **)(idx + 1);
}

static nokprobe_inline struct kfi_index_slot *kfi_index_slots(const struct kfi_rule_index *idx)
{
	return (struct kfi_index_slot *)(kfi_index_rules(idx) + idx->nr);
}

static nokprobe_inline u32 *kfi_index_any(const struct kfi_rule_index *idx)
{
	return (u32 *)(kfi_index_slots(idx) + (idx->mask ? idx->mask + 1 : 0));
}

static nokprobe_inline u32 *kfi_index_pidlist(const struct kfi_rule_index *idx)
{
	return kfi_index_any(idx) + idx->nr_any;
}

/* A walk over the rules a call may hit, in rank order. */
struct kfi_index_iter {
	struct kfi_rule * const *rules;
	const u32 *any, *any_end;
	const u32 *own, *own_end;
};

struct kfi_rule_index *kfi_index_build(struct list_head *list);
void kfi_index_remove(struct kfi_rule_index *idx, struct kfi_rule *rule);

/* The run of pidlist[] for the current process: its pid-bound rules. */
static nokprobe_inline void kfi_index_own(const struct kfi_rule_index *idx,
					  struct kfi_index_iter *it)
{
	pid_t tgid = task_tgid_nr(current);
	u32 h = hash_32(tgid, idx->bits);

	/* At most half full: an empty slot ends the search. */
	for (;; h = (h + 1) & idx->mask) {
		const struct kfi_index_slot *slot = &kfi_index_slots(idx)[h];

		if (!slot->nr)
			return;
		if (slot->tgid == tgid) {
			it->own = &kfi_index_pidlist(idx)[slot->first];
			it->own_end = it->own + slot->nr;
			return;
		}
	}
}

/**
 * kfi_index_start() - start a walk over the rules the current call may hit
 * @idx:	a published index, or NULL (no rules)
 * @it:		the walk
 *
 * Pid-bound rules are only hit by calls in task context: from an interrupt,
 * the walk is over the rules for any process.
 *
 * Context: probe handler, preemption disabled, @idx read under RCU.
 */
static nokprobe_inline void kfi_index_start(const struct kfi_rule_index *idx,
					    struct kfi_index_iter *it)
{
	it->own = NULL;
	it->own_end = NULL;
	if (!idx) {
		it->any = NULL;
		it->any_end = NULL;
		return;
	}
	it->rules = kfi_index_rules(idx);
	it->any = kfi_index_any(idx);
	it->any_end = it->any + idx->nr_any;
	if (idx->mask && kfi_call_in_task())
		kfi_index_own(idx, it);
}

/* The next rule of the walk, or NULL at its end. */
static nokprobe_inline struct kfi_rule *kfi_index_next(struct kfi_index_iter *it)
{
	while (it->any < it->any_end || it->own < it->own_end) {
		struct kfi_rule *rule;
		u32 rank;

		if (it->own == it->own_end ||
		    (it->any < it->any_end && *it->any < *it->own))
			rank = *it->any++;
		else
			rank = *it->own++;
		/* Pairs with the WRITE_ONCE() of kfi_index_remove(). */
		rule = READ_ONCE(it->rules[rank]);
		if (rule)
			return rule;
	}
	return NULL;
}

#endif /* KFI_INDEX_H */
