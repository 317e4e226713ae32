// SPDX-License-Identifier: GPL-2.0
/*
 * Building the index of a function's rules by the tasks they are aimed at
 * (index.h). Built in process context under the lock of the rule set it
 * belongs to (dispatch.c); read without lock by probe handlers.
 */
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "inject/index.h"
#include "inject/inject.h"

/*
 * The table that finds a rule: its pids (unless children, which match
 * tasks no table can name), else its command name, else none.
 */
static enum kfi_index_key kfi_rule_key(const struct kfi_rule *rule)
{
	if (rule->conf.nr_pids && !rule->conf.children)
		return KFI_KEY_PID;
	if (rule->conf.comm[0])
		return KFI_KEY_COMM;
	return KFI_KEY_ANY;
}

/*
 * Key @i (below kfi_rule_nr_keys()) of @rule in table kfi_rule_key(), or
 * false for a pid listed before: its rule is asked once per call.
 */
static bool kfi_rule_key_at(const struct kfi_rule *rule, unsigned int i,
			    u32 *key)
{
	const struct kfi_rule_conf *conf = &rule->conf;
	unsigned int j;

	if (kfi_rule_key(rule) == KFI_KEY_COMM) {
		*key = kfi_comm_key(conf->comm);
		return true;
	}
	for (j = 0; j < i; j++)
		if (conf->pids[j] == conf->pids[i])
			return false;
	*key = conf->pids[i];
	return true;
}

/* How many keys @rule has in table kfi_rule_key(), repeated pids too. */
static unsigned int kfi_rule_nr_keys(const struct kfi_rule *rule)
{
	switch (kfi_rule_key(rule)) {
	case KFI_KEY_PID:
		return rule->conf.nr_pids;
	case KFI_KEY_COMM:
		return 1;
	default:
		return 0;
	}
}

/* The slot of @key in table @k, claimed for it if it was empty. */
static struct kfi_index_slot *kfi_index_slot(struct kfi_rule_index *idx,
					     enum kfi_index_key k, u32 key)
{
	struct kfi_index_slot *slots = kfi_index_slots(idx, k);
	u32 h = hash_32(key, idx->table[k].bits);

	while (slots[h].nr && slots[h].key != key)
		h = (h + 1) & idx->table[k].mask;
	slots[h].key = key;
	return &slots[h];
}

/**
 * kfi_index_build() - index a function's rules by the tasks they aim at
 * @list:	the rules, linked by their set_node, in the order they are
 *		asked in
 *
 * Context: process context, under the lock of the rules' set.
 * Return: the index, or NULL when out of memory.
 */
struct kfi_rule_index *kfi_index_build(struct list_head *list)
{
	u32 nr = 0, nr_any = 0, nr_refs = 0, nr_keys[KFI_NR_KEYS] = {};
	u32 nr_slots = 0, rank, first, key, *any, *refs;
	struct kfi_rule_index *idx;
	struct kfi_index_slot *slot;
	struct kfi_rule **rules;
	struct kfi_rule *rule;
	unsigned int i, k;
	size_t size;

	list_for_each_entry(rule, list, set_node) {
		nr++;
		k = kfi_rule_key(rule);
		if (k == KFI_KEY_ANY)
			nr_any++;
		else
			nr_keys[k] += kfi_rule_nr_keys(rule);
	}
	for (k = 0; k < KFI_NR_KEYS; k++) {
		/* Twice as many slots as keys at least: searches end soon. */
		if (nr_keys[k])
			nr_slots += roundup_pow_of_two(2 * nr_keys[k]);
		nr_refs += nr_keys[k];
	}

	size = sizeof(*idx);
	size = size_add(size, array_size(nr, sizeof(*rules)));
	size = size_add(size, array_size(nr_slots, sizeof(*slot)));
	size = size_add(size, array_size(nr_any + nr_refs, sizeof(*any)));
	idx = kzalloc(size, GFP_KERNEL);
	if (!idx)
		return NULL;
	idx->nr = nr;
	idx->nr_any = nr_any;
	for (k = 0; k < KFI_NR_KEYS; k++) {
		if (!nr_keys[k])
			continue;
		idx->table[k].mask = roundup_pow_of_two(2 * nr_keys[k]) - 1;
		idx->table[k].bits = ilog2(idx->table[k].mask + 1);
	}
	rules = kfi_index_rules(idx);
	any = kfi_index_any(idx);
	refs = kfi_index_refs(idx);

	/* Count each slot's rules, then lay their runs out one after another. */
	rank = 0;
	nr_any = 0;
	list_for_each_entry(rule, list, set_node) {
		rules[rank] = rule;
		k = kfi_rule_key(rule);
		if (k == KFI_KEY_ANY)
			any[nr_any++] = rank;
		for (i = 0; i < kfi_rule_nr_keys(rule); i++)
			if (kfi_rule_key_at(rule, i, &key))
				kfi_index_slot(idx, k, key)->nr++;
		rank++;
	}
	first = 0;
	for (k = 0; k < KFI_NR_KEYS; k++) {
		slot = kfi_index_slots(idx, k);
		for (i = 0; i < kfi_index_table_size(idx, k); i++) {
			/* Its end: filled from there down, in rank order. */
			first += slot[i].nr;
			slot[i].first = first;
		}
	}
	for (rank = nr; rank-- > 0; ) {
		rule = rules[rank];
		k = kfi_rule_key(rule);
		for (i = 0; i < kfi_rule_nr_keys(rule); i++)
			if (kfi_rule_key_at(rule, i, &key))
				refs[--kfi_index_slot(idx, k, key)->first] = rank;
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
