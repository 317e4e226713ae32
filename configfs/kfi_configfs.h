/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_CONFIGFS_H
#define KFI_CONFIGFS_H

#include <linux/configfs.h>

struct kfi_hotfix_view;

/*
 * CONFIGFS_ATTR() and CONFIGFS_ATTR_RO() for root alone: 0600 and 0400
 * instead of 0644 and 0444. A rule's and a hotfix's attributes are private:
 * their counters count every process's calls of a kernel function (a side
 * channel, which is why tracing's kprobe_profile is root's too), and pid
 * and comm would tell a process that it is under test.
 */
#define KFI_CONFIGFS_ATTR(_pfx, _name)				\
static struct configfs_attribute _pfx##attr_##_name = {		\
	.ca_name	= __stringify(_name),			\
	.ca_mode	= 0600,					\
	.ca_owner	= THIS_MODULE,				\
	.show		= _pfx##_name##_show,			\
	.store		= _pfx##_name##_store,			\
}

#define KFI_CONFIGFS_ATTR_RO(_pfx, _name)			\
static struct configfs_attribute _pfx##attr_##_name = {		\
	.ca_name	= __stringify(_name),			\
	.ca_mode	= 0400,					\
	.ca_owner	= THIS_MODULE,				\
	.show		= _pfx##_name##_show,			\
}

/* rules.c */
extern const struct config_item_type kfi_rules_type;

/* hotfixes.c */
extern const struct kfi_hotfix_view kfi_configfs_hotfix_view;

/* fs.c */
extern struct config_group kfi_hotfixes_group;
int kfi_configfs_init(void);
void kfi_configfs_exit(void);

#endif /* KFI_CONFIGFS_H */
