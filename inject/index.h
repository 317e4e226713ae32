/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules armed on one function, indexed by the tasks they are aimed at,
 * so that a call is asked only of the rules that may hit it: rules aimed at
 * pid 1, or at the command "dd", cost a call from any other process nothing.
 *
 * An index is built whole, never changed but for a rule taken out in place
 * (its entry in rules[] set to NULL), and published under RCU: probe handlers
 * read it with preemption disabled and no lock.
 *
 *   rules[]:  every rule, in name order (the order they are asked in); a
 *             rule's position is its rank
 *   any[]:    ranks of the rules every task may hit
 *   by pid:   open-addressed table by tgid, of the rules that list pids
 *             (without children, whose descendants are only known by
 *             walking up from the task)
 *   by comm:  the same by a hash of the command name, of the other rules
 *             with a comm
 *
 * Each used slot of a table names a run of refs[], the ranks of its rules. A
 * call is asked of the merge, by rank, of any[] and the runs of its process
 * and of its command name. A rule found by a table still checks its filters
 * itself: two command names with one hash share a run.
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

enum kfi_index_key {
	KFI_KEY_PID,
	KFI_KEY_COMM,
	KFI_NR_KEYS,
	KFI_KEY_ANY = KFI_NR_KEYS,
};

struct kfi_index_slot {
	u32 key;
	u32 first;		/* in refs[] */
	u32 nr;			/* 0: the slot is empty */
};

struct kfi_rule_index {
	struct rcu_head rcu;
	u32 nr;				/* rules[] */
	u32 nr_any;			/* any[] */
	struct {
		u32 mask;		/* slots - 1; no table when 0 */
		u32 bits;		/* ilog2(slots) */
	} table[KFI_NR_KEYS];
	/*
	 * Then, in one allocation: struct kfi_rule *rules[nr] (NULL once
	 * taken out), each table's struct kfi_index_slot slots[mask + 1],
	 * u32 any[nr_any], u32 refs[].
	 */
};

/*
 * A walk over the rules a call may hit, in rank order: the merge of any[]
 * and the runs of the call's task in each table; down any[] alone without
 * those (@merge false). Named fields, no array, so that the walk stays in
 * registers; declare it __uninitialized: kfi_index_start() sets every field
 * it reads, and CONFIG_INIT_STACK_ALL_ZERO would zero it on every call
 * otherwise (a rep stos, slow under emulation), even in registers.
 */
struct kfi_index_iter {
	struct kfi_rule * const *rules;
	const u32 *any, *any_end;
	const u32 *pid, *pid_end;
	const u32 *comm, *comm_end;
	bool merge;
};

struct kfi_rule_index *kfi_index_build(struct list_head *list);
void kfi_index_remove(struct kfi_rule_index *idx, struct kfi_rule *rule);

static nokprobe_inline u32 kfi_index_table_size(const struct kfi_rule_index *idx,
						enum kfi_index_key k)
{
	return idx->table[k].mask ? idx->table[k].mask + 1 : 0;
}

static nokprobe_inline struct kfi_rule **kfi_index_rules(const struct kfi_rule_index *idx)
{
	return (struct kfi_rule **)(idx + 1);
}

static nokprobe_inline struct kfi_index_slot *
kfi_index_slots(const struct kfi_rule_index *idx, enum kfi_index_key k)
{
	struct kfi_index_slot *slots;

	slots = (struct kfi_index_slot *)(kfi_index_rules(idx) + idx->nr);
	if (k == KFI_KEY_COMM)
		slots += kfi_index_table_size(idx, KFI_KEY_PID);
	return slots;
}

static nokprobe_inline u32 *kfi_index_any(const struct kfi_rule_index *idx)
{
	return (u32 *)(kfi_index_slots(idx, KFI_KEY_COMM) +
		       kfi_index_table_size(idx, KFI_KEY_COMM));
}

static nokprobe_inline u32 *kfi_index_refs(const struct kfi_rule_index *idx)
{
	return kfi_index_any(idx) + idx->nr_any;
}

/*
 * The key of a command name: FNV-1a over its bytes up to the NUL. A name
 * that changes while it is read (prctl(PR_SET_NAME) of another thread)
 * gives some key, as strncmp() would give some answer.
 */
static nokprobe_inline u32 kfi_comm_key(const char *comm)
{
	u32 h = 2166136261U;
	unsigned int i;

	for (i = 0; i < TASK_COMM_LEN; i++) {
		char c = READ_ONCE(comm[i]);

		if (!c)
			break;
		h = (h ^ (u8)c) * 16777619U;
	}
	return h;
}

/* The run of table @k for @key: [*@pos, *@end), empty if it has none. */
static nokprobe_inline void kfi_index_find(const struct kfi_rule_index *idx,
					   enum kfi_index_key k, u32 key,
					   const u32 **pos, const u32 **end)
{
	const struct kfi_index_slot *slots = kfi_index_slots(idx, k);
	u32 mask = idx->table[k].mask;
	u32 h = hash_32(key, idx->table[k].bits);

	*pos = NULL;
	*end = NULL;
	/* At most half full: an empty slot ends the search. */
	for (;; h = (h + 1) & mask) {
		if (!slots[h].nr)
			return;
		if (slots[h].key == key) {
			*pos = kfi_index_refs(idx) + slots[h].first;
			*end = *pos + slots[h].nr;
			return;
		}
	}
}

/**
 * kfi_index_start() - start a walk over the rules the current call may hit
 * @idx:	a published index, or NULL (no rules)
 * @it:		the walk
 *
 * Rules aimed at processes or command names are only hit by calls in task
 * context: from an interrupt, the walk is over the rules for every task.
 *
 * Context: probe handler, preemption disabled, @idx read under RCU.
 */
static nokprobe_inline void kfi_index_start(const struct kfi_rule_index *idx,
					    struct kfi_index_iter *it)
{
	it->merge = false;
	it->pid = NULL;
	it->pid_end = NULL;
	it->comm = NULL;
	it->comm_end = NULL;
	if (!idx) {
		it->any = NULL;
		it->any_end = NULL;
		return;
	}
	it->rules = kfi_index_rules(idx);
	it->any = kfi_index_any(idx);
	it->any_end = it->any + idx->nr_any;
	if (!(idx->table[KFI_KEY_PID].mask | idx->table[KFI_KEY_COMM].mask) ||
	    !kfi_call_in_task())
		return;
	if (idx->table[KFI_KEY_PID].mask)
		kfi_index_find(idx, KFI_KEY_PID, task_tgid_nr(current),
			       &it->pid, &it->pid_end);
	if (idx->table[KFI_KEY_COMM].mask)
		kfi_index_find(idx, KFI_KEY_COMM, kfi_comm_key(current->comm),
			       &it->comm, &it->comm_end);
	it->merge = it->pid || it->comm;
}

/**
 * kfi_index_may_hit() - whether the current call may hit any rule of @idx
 * @idx:	a published index
 *
 * The test of the calls that hit no rule, the most common on a busy
 * function: cheap enough to run in a small function of its own before the
 * walk's, which needs many registers.
 *
 * Context: probe handler, preemption disabled, @idx read under RCU.
 */
static nokprobe_inline bool kfi_index_may_hit(const struct kfi_rule_index *idx)
{
	const u32 *pos, *end;

	if (idx->nr_any)
		return true;
	if (!(idx->table[KFI_KEY_PID].mask | idx->table[KFI_KEY_COMM].mask) ||
	    !kfi_call_in_task())
		return false;
	if (idx->table[KFI_KEY_PID].mask) {
		kfi_index_find(idx, KFI_KEY_PID, task_tgid_nr(current), &pos,
			       &end);
		if (pos)
			return true;
	}
	if (idx->table[KFI_KEY_COMM].mask) {
		kfi_index_find(idx, KFI_KEY_COMM, kfi_comm_key(current->comm),
			       &pos, &end);
		if (pos)
			return true;
	}
	return false;
}

/* Whether @idx holds one rule, for every task: no walk is needed. */
static nokprobe_inline bool kfi_index_lone(const struct kfi_rule_index *idx)
{
	return idx->nr == 1 && idx->nr_any == 1;
}

/* That rule, or NULL if it was taken out. */
static nokprobe_inline struct kfi_rule *kfi_index_lone_rule(const struct kfi_rule_index *idx)
{
	/* Pairs with the WRITE_ONCE() of kfi_index_remove(). */
	return READ_ONCE(kfi_index_rules(idx)[0]);
}

/*
 * The next rank of the merge, or U32_MAX at its end. A rule is in one run
 * only, once: ranks tie only at the end.
 */
static nokprobe_inline u32 kfi_index_next_merged(struct kfi_index_iter *it)
{
	u32 a = it->any < it->any_end ? *it->any : U32_MAX;
	u32 p = it->pid < it->pid_end ? *it->pid : U32_MAX;
	u32 c = it->comm < it->comm_end ? *it->comm : U32_MAX;

	if (a <= p && a <= c) {
		if (a != U32_MAX)
			it->any++;
		return a;
	}
	if (p <= c) {
		it->pid++;
		return p;
	}
	it->comm++;
	return c;
}

/* The next rule of the walk, or NULL at its end. */
static nokprobe_inline struct kfi_rule *kfi_index_next(struct kfi_index_iter *it)
{
	struct kfi_rule *rule;
	u32 rank;

	do {
		if (likely(!it->merge)) {
			if (it->any == it->any_end)
				return NULL;
			rank = *it->any++;
		} else {
			rank = kfi_index_next_merged(it);
			if (rank == U32_MAX)
				return NULL;
		}
		/* Pairs with the WRITE_ONCE() of kfi_index_remove(). */
		rule = READ_ONCE(it->rules[rank]);
	} while (!rule);
	return rule;
}

#endif /* KFI_INDEX_H */
