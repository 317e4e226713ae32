// SPDX-License-Identifier: GPL-2.0
/*
 * Building the index of a function's rules by process (index.h). Built in
 * process context under the lock of the rule set it belongs to (dispatch.c);
 * read without lock by probe handlers.
 */
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "inject/index.h"
#include "inject/inject.h"

/* A rule found only by its process: it lists pids, and not their children. */
static bool kfi_rule_pid_bound(const struct kfi_rule *rule)
{
	return rule->conf.nr_pids && !rule->conf.children;
}

/* Whether pids[@i] is listed before: a pid given twice counts once. */
static bool kfi_pid_repeated(const struct kfi_rule_conf *conf, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (conf->pids[j] == conf->pids[i])
			return true;
	return false;
}

static struct kfi_index_slot *kfi_index_slot(struct kfi_rule_index *idx,
					     pid_t tgid)
{
	struct kfi_index_slot *slots = kfi_index_slots(idx);
	u32 h = hash_32(tgid, idx->bits);

	while (slots[h].nr && slots[h].tgid != tgid)
		h = (h + 1) & idx->mask;
	slots[h].tgid = tgid;
	return &slots[h];
}

/**
 * kfi_index_build() - index a function's rules by process
 * @list:	the rules, linked by their set_node, in the order they are
 *		asked in
 *
 * Context: process context, under the lock of the rules' set.
 * Return: the index, or NULL when out of memory.
 */
struct kfi_rule_index *kfi_index_build(struct list_head *list)
{
	u32 nr = 0, nr_any = 0, nr_refs = 0, nr_slots = 0, rank, first;
	struct kfi_index_slot *slots;
	struct kfi_rule_index *idx;
	struct kfi_rule **rules;
	struct kfi_rule *rule;
	u32 *any, *pidlist;
	unsigned int i;
	size_t size;

	list_for_each_entry(rule, list, set_node) {
		nr++;
		if (kfi_rule_pid_bound(rule))
			nr_refs += rule->conf.nr_pids;
		else
			nr_any++;
	}
	/* Twice as many slots as pids at least: searches end soon. */
	if (nr_refs)
		nr_slots = roundup_pow_of_two(2 * nr_refs);

	size = sizeof(*idx);
	size = size_add(size, array_size(nr, sizeof(*rules)));
	size = size_add(size, array_size(nr_slots, sizeof(*slots)));
	size = size_add(size, array_size(nr_any + nr_refs, sizeof(*any)));
	idx = kzalloc(size, GFP_KERNEL);
	if (!idx)
		return NULL;
	idx->nr = nr;
	idx->nr_any = nr_any;
	idx->mask = nr_slots ? nr_slots - 1 : 0;
	idx->bits = nr_slots ? ilog2(nr_slots) : 0;
	rules = kfi_index_rules(idx);
	slots = kfi_index_slots(idx);
	any = kfi_index_any(idx);
	pidlist = kfi_index_pidlist(idx);

	/* Count each slot's rules, then lay their runs out one after another. */
	rank = 0;
	nr_any = 0;
	list_for_each_entry(rule, list, set_node) {
		rules[rank] = rule;
		if (!kfi_rule_pid_bound(rule)) {
			any[nr_any++] = rank;
		} else {
			for (i = 0; i < rule->conf.nr_pids; i++)
				if (!kfi_pid_repeated(&rule->conf, i))
					kfi_index_slot(idx, rule->conf.pids[i])->nr++;
		}
		rank++;
	}
	first = 0;
	for (i = 0; i < nr_slots; i++) {
		slots[i].first = first;
		first += slots[i].nr;
	}

	/* Fill the runs in rank order; a slot's nr counts up to its size again. */
	for (i = 0; i < nr_slots; i++)
		slots[i].first += slots[i].nr;
	for (rank = nr; rank-- > 0; ) {
		const struct kfi_rule_conf *conf = &rules[rank]->conf;

		if (!kfi_rule_pid_bound(rules[rank]))
			continue;
		for (i = 0; i < conf->nr_pids; i++) {
			struct kfi_index_slot *slot;

			if (kfi_pid_repeated(conf, i))
				continue;
			slot = kfi_index_slot(idx, conf->pids[i]);
			pidlist[--slot->first] = rank;
		}
	}
	return idx;
}

/**
 * kfi_index_remove() - take a rule out of a published index, in place
 * @idx:	the index
 * @rule:	a rule in it
 *
 * Never fails: a rule can always be disarmed. Handlers that already read the
 * rule's entry may still run it; the caller waits for a grace period before
 * the rule is freed or changed.
 *
 * Context: process context, under the lock of the rules' set.
 */
void kfi_index_remove(struct kfi_rule_index *idx, struct kfi_rule *rule)
{
	struct kfi_rule **rules = kfi_index_rules(idx);
	u32 rank;

	for (rank = 0; rank < idx->nr; rank++)
		if (rules[rank] == rule)
			WRITE_ONCE(rules[rank], NULL);
}
