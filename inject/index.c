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
	u32 h = hash_32(tgid, idx->bits);

	while (idx->slots[h].nr && idx->slots[h].tgid != tgid)
		h = (h + 1) & idx->mask;
	idx->slots[h].tgid = tgid;
	return &idx->slots[h];
}

/**
 * kfi_index_build() - index a function's rules by process
 * @rules:	the rules, linked by their set_node, in the order they are
 *		asked in
 *
 * Context: process context, under the lock of the rules' set.
 * Return: the index, or NULL when out of memory.
 */
struct kfi_rule_index *kfi_index_build(struct list_head *rules)
{
	u32 nr = 0, nr_any = 0, nr_refs = 0, nr_slots = 0, rank, first;
	struct kfi_rule_index *idx;
	struct kfi_rule *rule;
	unsigned int i;
	size_t size;

	list_for_each_entry(rule, rules, set_node) {
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
	size = size_add(size, array_size(nr, sizeof(*idx->rules)));
	size = size_add(size, array_size(nr_slots, sizeof(*idx->slots)));
	size = size_add(size, array_size(nr_any, sizeof(*idx->any)));
	size = size_add(size, array_size(nr_refs, sizeof(*idx->pidlist)));
	idx = kzalloc(size, GFP_KERNEL);
	if (!idx)
		return NULL;
	/* Largest alignment first. */
	idx->rules = (struct kfi_rule **)(idx + 1);
	idx->slots = (struct kfi_index_slot *)(idx->rules + nr);
	idx->any = (u32 *)(idx->slots + nr_slots);
	idx->pidlist = idx->any + nr_any;
	idx->nr = nr;
	idx->mask = nr_slots ? nr_slots - 1 : 0;
	idx->bits = nr_slots ? ilog2(nr_slots) : 0;

	/* Count each slot's rules, then lay their runs out one after another. */
	rank = 0;
	list_for_each_entry(rule, rules, set_node) {
		idx->rules[rank] = rule;
		if (!kfi_rule_pid_bound(rule)) {
			idx->any[idx->nr_any++] = rank;
		} else {
			for (i = 0; i < rule->conf.nr_pids; i++)
				if (!kfi_pid_repeated(&rule->conf, i))
					kfi_index_slot(idx, rule->conf.pids[i])->nr++;
		}
		rank++;
	}
	first = 0;
	for (i = 0; i < nr_slots; i++) {
		idx->slots[i].first = first;
		first += idx->slots[i].nr;
	}

	/* Fill the runs in rank order; a slot's nr counts up to its size again. */
	for (i = 0; i < nr_slots; i++)
		idx->slots[i].first += idx->slots[i].nr;
	for (rank = nr; rank-- > 0; ) {
		const struct kfi_rule_conf *conf = &idx->rules[rank]->conf;

		if (!kfi_rule_pid_bound(idx->rules[rank]))
			continue;
		for (i = 0; i < conf->nr_pids; i++) {
			struct kfi_index_slot *slot;

			if (kfi_pid_repeated(conf, i))
				continue;
			slot = kfi_index_slot(idx, conf->pids[i]);
			idx->pidlist[--slot->first] = rank;
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
	u32 rank;

	for (rank = 0; rank < idx->nr; rank++)
		if (idx->rules[rank] == rule)
			WRITE_ONCE(idx->rules[rank], NULL);
}
