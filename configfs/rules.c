// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/config/kfi/rules/NAME/: one directory per injection rule.
 *
 *   rules/NAME/
 *   ├── target action retval args          what the rule does
 *   ├── probability interval times space   how often
 *   ├── pid children comm caller           to whom
 *   ├── verbose                            (also while armed)
 *   ├── enabled                            1 arms, 0 disarms
 *   └── hits injected missed status        (RO)
 *
 * mkdir makes a disarmed rule (inject/rule.c); rmdir disarms it, and the
 * last reference frees it. While a rule is armed its configuration cannot
 * change (EBUSY), except verbose. Every write is parsed in full before
 * anything changes: bad input leaves the old value in place.
 */
#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "configfs/kfi_configfs.h"
#include "configfs/parse.h"
#include "core/core.h"
#include "inject/inject.h"

struct kfi_rule_item {
	struct config_item item;
	struct kfi_rule *rule;
};

static inline struct kfi_rule *to_kfi_rule(struct config_item *item)
{
	return container_of(item, struct kfi_rule_item, item)->rule;
}

/* Longest input any rule attribute takes. */
#define KFI_INPUT_MAX	256

/*
 * Stores the write @page into @rule's configuration with @parse, under the
 * rule's lock, unless the rule is armed.
 */
static ssize_t kfi_rule_store(struct config_item *item, const char *page,
			      size_t count, bool while_armed,
			      int (*parse)(char *s, struct kfi_rule_conf *conf))
{
	struct kfi_rule *rule = to_kfi_rule(item);
	char buf[KFI_INPUT_MAX];
	int err;

	err = kfi_input(page, count, buf, sizeof(buf));
	if (err)
		return err;
	mutex_lock(&rule->lock);
	if (rule->armed && !while_armed) {
		err = -EBUSY;
	} else {
		/* Not under the feet of a handler from the last arming. */
		kfi_rule_settle(rule);
		err = parse(buf, &rule->conf);
	}
	mutex_unlock(&rule->lock);
	return err ?: count;
}

/*
 * KFI_RULE_ATTR(name, while_armed) makes the attribute "name" from
 * kfi_parse_rule_<name>() and kfi_show_rule_<name>().
 */
#define KFI_RULE_ATTR(_name, _while_armed)				\
static ssize_t kfi_rule_##_name##_show(struct config_item *item,	\
				       char *page)			\
{									\
	struct kfi_rule *rule = to_kfi_rule(item);			\
	ssize_t n;							\
									\
	mutex_lock(&rule->lock);					\
	n = kfi_show_rule_##_name(&rule->conf, page);			\
	mutex_unlock(&rule->lock);					\
	return n;							\
}									\
static ssize_t kfi_rule_##_name##_store(struct config_item *item,	\
					const char *page, size_t count)	\
{									\
	return kfi_rule_store(item, page, count, _while_armed,		\
			      kfi_parse_rule_##_name);			\
}									\
KFI_CONFIGFS_ATTR(kfi_rule_, _name)

static int kfi_parse_rule_target(char *s, struct kfi_rule_conf *conf)
{
	char module[MODULE_NAME_LEN], name[KSYM_NAME_LEN];
	unsigned long offset;
	int err;

	if (*s) {
		err = kfi_symbol_parse(s, module, name, &offset);
		if (err)
			return err;
	}
	if (strlen(s) >= KFI_TARGET_LEN)
		return -ERANGE;
	return kfi_rule_conf_strset(&conf->target, s);
}

static ssize_t kfi_show_rule_target(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%s\n", conf->target ?: "");
}

static int kfi_parse_rule_action(char *s, struct kfi_rule_conf *conf)
{
	int i = match_string(kfi_action_names, KFI_NR_ACTIONS, s);

	if (i < 0)
		return -EINVAL;
	conf->action = i;
	return 0;
}

static ssize_t kfi_show_rule_action(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%s\n", kfi_action_names[conf->action]);
}

static int kfi_parse_rule_retval(char *s, struct kfi_rule_conf *conf)
{
	return kfi_parse_value(s, &conf->retval);
}

static ssize_t kfi_show_rule_retval(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%ld\n", conf->retval);
}

static int kfi_parse_rule_args(char *s, struct kfi_rule_conf *conf)
{
	return kfi_parse_args(s, conf->args, &conf->args_mask);
}

static ssize_t kfi_show_rule_args(struct kfi_rule_conf *conf, char *page)
{
	ssize_t n = 0;
	unsigned int i;

	for (i = 0; i < KFI_RULE_MAX_ARGS; i++)
		if (conf->args_mask & BIT(i))
			n += sprintf(page + n, "%s%u=%ld", n ? " " : "", i + 1,
				     (long)conf->args[i]);
	return n + sprintf(page + n, "\n");
}

static int kfi_parse_rule_probability(char *s, struct kfi_rule_conf *conf)
{
	return kfi_parse_probability(s, &conf->probability);
}

static ssize_t kfi_show_rule_probability(struct kfi_rule_conf *conf,
					 char *page)
{
	return kfi_show_probability(conf->probability, page);
}

static int kfi_parse_rule_interval(char *s, struct kfi_rule_conf *conf)
{
	unsigned long v;
	int err;

	if (!isdigit(*s))
		return -EINVAL;
	err = kstrtoul(s, 10, &v);
	if (err)
		return err;
	if (!v)
		return -ERANGE;
	conf->interval = v;
	return 0;
}

static ssize_t kfi_show_rule_interval(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%lu\n", conf->interval);
}

static int kfi_parse_rule_times(char *s, struct kfi_rule_conf *conf)
{
	long v;
	int err;

	if (!isdigit(*s) && *s != '-')
		return -EINVAL;
	err = kstrtol(s, 10, &v);
	if (err)
		return err;
	if (v < -1)
		return -ERANGE;
	conf->times = v;
	return 0;
}

static ssize_t kfi_show_rule_times(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%ld\n", conf->times);
}

static int kfi_parse_rule_space(char *s, struct kfi_rule_conf *conf)
{
	if (!isdigit(*s))
		return -EINVAL;
	return kstrtoul(s, 10, &conf->space);
}

static ssize_t kfi_show_rule_space(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%lu\n", conf->space);
}

static int kfi_parse_rule_pid(char *s, struct kfi_rule_conf *conf)
{
	return kfi_parse_pids(s, conf->pids, &conf->nr_pids);
}

static ssize_t kfi_show_rule_pid(struct kfi_rule_conf *conf, char *page)
{
	ssize_t n = 0;
	unsigned int i;

	for (i = 0; i < conf->nr_pids; i++)
		n += sprintf(page + n, "%s%d", i ? " " : "", conf->pids[i]);
	return n + sprintf(page + n, "\n");
}

static int kfi_parse_rule_children(char *s, struct kfi_rule_conf *conf)
{
	return kfi_parse_bool(s, &conf->children);
}

static ssize_t kfi_show_rule_children(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%d\n", conf->children);
}

static int kfi_parse_rule_comm(char *s, struct kfi_rule_conf *conf)
{
	const char *p;

	if (strlen(s) >= sizeof(conf->comm))
		return -ERANGE;
	for (p = s; *p; p++)
		if (!isprint(*p))
			return -EINVAL;
	strscpy(conf->comm, s, sizeof(conf->comm));
	return 0;
}

static ssize_t kfi_show_rule_comm(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%s\n", conf->comm);
}

static int kfi_parse_rule_caller(char *s, struct kfi_rule_conf *conf)
{
	char module[MODULE_NAME_LEN], name[KSYM_NAME_LEN];
	unsigned long offset;
	int err;

	if (*s) {
		err = kfi_symbol_parse(s, module, name, &offset);
		if (err)
			return err;
		if (strchr(s, '+'))
			return -EINVAL;
	}
	if (strlen(s) >= KFI_CALLER_LEN)
		return -ERANGE;
	return kfi_rule_conf_strset(&conf->caller, s);
}

static ssize_t kfi_show_rule_caller(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%s\n", conf->caller ?: "");
}

static int kfi_parse_rule_verbose(char *s, struct kfi_rule_conf *conf)
{
	if (s[0] < '0' || s[0] > '2' || s[1])
		return -EINVAL;
	WRITE_ONCE(conf->verbose, s[0] - '0');
	return 0;
}

static ssize_t kfi_show_rule_verbose(struct kfi_rule_conf *conf, char *page)
{
	return sprintf(page, "%d\n", conf->verbose);
}

KFI_RULE_ATTR(target, false);
KFI_RULE_ATTR(action, false);
KFI_RULE_ATTR(retval, false);
KFI_RULE_ATTR(args, false);
KFI_RULE_ATTR(probability, false);
KFI_RULE_ATTR(interval, false);
KFI_RULE_ATTR(times, false);
KFI_RULE_ATTR(space, false);
KFI_RULE_ATTR(pid, false);
KFI_RULE_ATTR(children, false);
KFI_RULE_ATTR(comm, false);
KFI_RULE_ATTR(caller, false);
KFI_RULE_ATTR(verbose, true);

static ssize_t kfi_rule_enabled_show(struct config_item *item, char *page)
{
	struct kfi_rule *rule = to_kfi_rule(item);

	return sprintf(page, "%d\n", READ_ONCE(rule->armed));
}

static ssize_t kfi_rule_enabled_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct kfi_rule *rule = to_kfi_rule(item);
	char buf[4];
	bool on;
	int err;

	err = kfi_input(page, count, buf, sizeof(buf)) ?:
	      kfi_parse_bool(buf, &on);
	if (err)
		return err;
	if (on) {
		err = kfi_rule_arm(rule);
		if (err)
			return err;
	} else {
		kfi_rule_disarm(rule);
	}
	return count;
}

static ssize_t kfi_rule_hits_show(struct config_item *item, char *page)
{
	struct kfi_rule_stats sum;

	kfi_rule_read_stats(to_kfi_rule(item), &sum);
	return sprintf(page, "%lu\n", sum.hits);
}

static ssize_t kfi_rule_injected_show(struct config_item *item, char *page)
{
	struct kfi_rule_stats sum;

	kfi_rule_read_stats(to_kfi_rule(item), &sum);
	return sprintf(page, "%lu\n", sum.injected);
}

static ssize_t kfi_rule_missed_show(struct config_item *item, char *page)
{
	struct kfi_rule_stats sum;

	kfi_rule_read_stats(to_kfi_rule(item), &sum);
	return sprintf(page, "%lu\n", sum.missed);
}

static ssize_t kfi_rule_status_show(struct config_item *item, char *page)
{
	return kfi_rule_status(to_kfi_rule(item), page, PAGE_SIZE);
}

KFI_CONFIGFS_ATTR(kfi_rule_, enabled);
KFI_CONFIGFS_ATTR_RO(kfi_rule_, hits);
KFI_CONFIGFS_ATTR_RO(kfi_rule_, injected);
KFI_CONFIGFS_ATTR_RO(kfi_rule_, missed);
KFI_CONFIGFS_ATTR_RO(kfi_rule_, status);

static struct configfs_attribute *kfi_rule_attrs[] = {
	&kfi_rule_attr_target,
	&kfi_rule_attr_action,
	&kfi_rule_attr_retval,
	&kfi_rule_attr_args,
	&kfi_rule_attr_probability,
	&kfi_rule_attr_interval,
	&kfi_rule_attr_times,
	&kfi_rule_attr_space,
	&kfi_rule_attr_pid,
	&kfi_rule_attr_children,
	&kfi_rule_attr_comm,
	&kfi_rule_attr_caller,
	&kfi_rule_attr_verbose,
	&kfi_rule_attr_enabled,
	&kfi_rule_attr_hits,
	&kfi_rule_attr_injected,
	&kfi_rule_attr_missed,
	&kfi_rule_attr_status,
	NULL,
};

static void kfi_rule_item_release(struct config_item *item)
{
	struct kfi_rule_item *ri = container_of(item, struct kfi_rule_item,
						item);

	kfi_rule_destroy(ri->rule);
	kfree(ri);
}

static struct configfs_item_operations kfi_rule_item_ops = {
	.release	= kfi_rule_item_release,
};

static const struct config_item_type kfi_rule_type = {
	.ct_item_ops	= &kfi_rule_item_ops,
	.ct_attrs	= kfi_rule_attrs,
	.ct_owner	= THIS_MODULE,
};

static struct config_item *kfi_rules_make_item(struct config_group *group,
					       const char *name)
{
	struct kfi_rule_item *ri = kzalloc(sizeof(*ri), GFP_KERNEL);

	if (!ri)
		return ERR_PTR(-ENOMEM);
	ri->rule = kfi_rule_create(name);
	if (!ri->rule) {
		kfree(ri);
		return ERR_PTR(-ENOMEM);
	}
	config_item_init_type_name(&ri->item, name, &kfi_rule_type);
	return &ri->item;
}

static void kfi_rules_drop_item(struct config_group *group,
				struct config_item *item)
{
	kfi_rule_disarm(to_kfi_rule(item));
	config_item_put(item);
}

static struct configfs_group_operations kfi_rules_group_ops = {
	.make_item	= kfi_rules_make_item,
	.drop_item	= kfi_rules_drop_item,
};

const struct config_item_type kfi_rules_type = {
	.ct_group_ops	= &kfi_rules_group_ops,
	.ct_owner	= THIS_MODULE,
};
