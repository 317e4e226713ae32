// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs subsystem "kfi": kfi's user interface, and nothing more.
 *
 *   /sys/kernel/config/kfi/
 *   ├── enabled     (RW) global switch for every rule
 *   ├── features    (RO) what this build of kfi can do
 *   ├── version     (RO)
 *   ├── rules/      mkdir NAME: a new rule (rules.c)
 *   └── hotfixes/   one directory per registered hotfix, made by kfi
 *                   (hotfixes.c)
 */
#include <linux/configfs.h>
#include <linux/module.h>

#include <kfi/version.h>

#include "arch/kfi_arch.h"
#include "configfs/kfi_configfs.h"
#include "configfs/parse.h"
#include "hotfix/hotfix.h"
#include "inject/inject.h"

static ssize_t kfi_root_enabled_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n", kfi_inject_enabled());
}

static ssize_t kfi_root_enabled_store(struct config_item *item,
				      const char *page, size_t count)
{
	char buf[4];
	bool on;
	int err;

	err = kfi_input(page, count, buf, sizeof(buf)) ?:
	      kfi_parse_bool(buf, &on);
	if (err)
		return err;
	kfi_inject_set_enabled(on);
	return count;
}

static ssize_t kfi_root_features_show(struct config_item *item, char *page)
{
	int n = 0, i;

	n += sprintf(page + n, "actions:");
	for (i = 0; i < KFI_NR_ACTIONS; i++)
		n += sprintf(page + n, " %s", kfi_action_names[i]);
	n += sprintf(page + n, "\nfilters: %s\n",
		     "probability interval times space pid children comm caller");
	n += sprintf(page + n, "arch: %s\n", kfi_arch_name);
	return n;
}

static ssize_t kfi_root_version_show(struct config_item *item, char *page)
{
	return sprintf(page, "%s\n", KFI_VERSION);
}

CONFIGFS_ATTR(kfi_root_, enabled);
CONFIGFS_ATTR_RO(kfi_root_, features);
CONFIGFS_ATTR_RO(kfi_root_, version);

static struct configfs_attribute *kfi_root_attrs[] = {
	&kfi_root_attr_enabled,
	&kfi_root_attr_features,
	&kfi_root_attr_version,
	NULL,
};

static const struct config_item_type kfi_root_type = {
	.ct_attrs	= kfi_root_attrs,
	.ct_owner	= THIS_MODULE,
};

/* Hotfix directories are made by kfi_hotfix_register(), never by mkdir. */
static const struct config_item_type kfi_hotfixes_type = {
	.ct_owner	= THIS_MODULE,
};

static struct configfs_subsystem kfi_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf	= "kfi",
			.ci_type	= &kfi_root_type,
		},
	},
};

static struct config_group kfi_rules_group;
struct config_group kfi_hotfixes_group;

int kfi_configfs_init(void)
{
	int err;

	config_group_init(&kfi_subsys.su_group);
	mutex_init(&kfi_subsys.su_mutex);

	config_group_init_type_name(&kfi_rules_group, "rules", &kfi_rules_type);
	configfs_add_default_group(&kfi_rules_group, &kfi_subsys.su_group);
	config_group_init_type_name(&kfi_hotfixes_group, "hotfixes",
				    &kfi_hotfixes_type);
	configfs_add_default_group(&kfi_hotfixes_group, &kfi_subsys.su_group);

	err = configfs_register_subsystem(&kfi_subsys);
	if (err)
		return err;
	kfi_hotfix_set_view(&kfi_configfs_hotfix_view);
	return 0;
}

void kfi_configfs_exit(void)
{
	kfi_hotfix_set_view(NULL);
	configfs_unregister_subsystem(&kfi_subsys);
}
