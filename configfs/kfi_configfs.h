/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_CONFIGFS_H
#define KFI_CONFIGFS_H

#include <linux/configfs.h>

struct kfi_hotfix_view;

/* rules.c */
extern const struct config_item_type kfi_rules_type;

/* hotfixes.c */
extern const struct kfi_hotfix_view kfi_configfs_hotfix_view;

/* fs.c */
extern struct config_group kfi_hotfixes_group;
int kfi_configfs_init(void);
void kfi_configfs_exit(void);

#endif /* KFI_CONFIGFS_H */
