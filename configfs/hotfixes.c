// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/config/kfi/hotfixes/NAME/: one directory per registered
 * hotfix, NAME being its module's name. kfi makes and removes them as
 * hotfixes are registered and unregistered (hotfix/hotfix.c); mkdir and
 * rmdir are refused.
 *
 *   hotfixes/NAME/
 *   ├── enabled     (RW) 1: every redirect on; 0: every redirect off
 *   ├── functions   (RO) "OLD NEW STATE CALLS MISSED", one line each
 *   └── calls       (RO) calls redirected, all functions together
 *
 * Every attribute is root's alone (0600, 0400: kfi_configfs.h).
 */
#include <linux/configfs.h>
#include <linux/err.h>
#include <linux/slab.h>

#include "configfs/kfi_configfs.h"
#include "configfs/parse.h"
#include "hotfix/hotfix.h"

/*
 * configfs stops calling an attribute's show and store before
 * configfs_unregister_group() returns, so @hs is valid in every callback;
 * the item itself lives until its last reference (an open file) is put.
 */
struct kfi_hotfix_item {
	struct config_group group;
	struct kfi_hotfix_state *hs;
};

static inline struct kfi_hotfix_item *to_kfi_hotfix_item(struct config_item *item)
{
	return container_of(to_config_group(item), struct kfi_hotfix_item,
			    group);
}

static inline struct kfi_hotfix_state *to_kfi_hotfix(struct config_item *item)
{
	return to_kfi_hotfix_item(item)->hs;
}

static ssize_t kfi_hotfix_enabled_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n", kfi_hotfix_enabled(to_kfi_hotfix(item)));
}

static ssize_t kfi_hotfix_enabled_store(struct config_item *item,
					const char *page, size_t count)
{
	char buf[4];
	bool on;
	int err;

	err = kfi_input(page, count, buf, sizeof(buf)) ?:
	      kfi_parse_bool(buf, &on) ?:
	      kfi_hotfix_set_enabled(to_kfi_hotfix(item), on);
	return err ?: count;
}

static ssize_t kfi_hotfix_functions_show(struct config_item *item, char *page)
{
	return kfi_hotfix_show_functions(to_kfi_hotfix(item), page, PAGE_SIZE);
}

static ssize_t kfi_hotfix_calls_show(struct config_item *item, char *page)
{
	return sprintf(page, "%lu\n", kfi_hotfix_calls(to_kfi_hotfix(item)));
}

KFI_CONFIGFS_ATTR(kfi_hotfix_, enabled);
KFI_CONFIGFS_ATTR_RO(kfi_hotfix_, functions);
KFI_CONFIGFS_ATTR_RO(kfi_hotfix_, calls);

static struct configfs_attribute *kfi_hotfix_attrs[] = {
	&kfi_hotfix_attr_enabled,
	&kfi_hotfix_attr_functions,
	&kfi_hotfix_attr_calls,
	NULL,
};

static void kfi_hotfix_item_release(struct config_item *item)
{
	kfree(to_kfi_hotfix_item(item));
}

static struct configfs_item_operations kfi_hotfix_item_ops = {
	.release	= kfi_hotfix_item_release,
};

static const struct config_item_type kfi_hotfix_type = {
	.ct_item_ops	= &kfi_hotfix_item_ops,
	.ct_attrs	= kfi_hotfix_attrs,
	.ct_owner	= THIS_MODULE,
};

static void *kfi_hotfix_view_add(struct kfi_hotfix_state *hs)
{
	struct kfi_hotfix_item *hi;
	int err;

	hi = kzalloc(sizeof(*hi), GFP_KERNEL);
	if (!hi)
		return ERR_PTR(-ENOMEM);
	hi->hs = hs;
	config_group_init_type_name(&hi->group, kfi_hotfix_name(hs),
				    &kfi_hotfix_type);
	err = configfs_register_group(&kfi_hotfixes_group, &hi->group);
	if (err) {
		config_group_put(&hi->group);	/* frees it */
		return ERR_PTR(err);
	}
	return hi;
}

static void kfi_hotfix_view_remove(void *view)
{
	struct kfi_hotfix_item *hi = view;

	configfs_unregister_group(&hi->group);
	config_group_put(&hi->group);
}

const struct kfi_hotfix_view kfi_configfs_hotfix_view = {
	.add	= kfi_hotfix_view_add,
	.remove	= kfi_hotfix_view_remove,
};
