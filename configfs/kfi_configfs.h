/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_CONFIGFS_H
#define KFI_CONFIGFS_H

#include <linux/configfs.h>

/* rules.c */
extern const struct config_item_type kfi_rules_type;

/* fs.c */
int kfi_configfs_init(void);
void kfi_configfs_exit(void);

#endif /* KFI_CONFIGFS_H */
