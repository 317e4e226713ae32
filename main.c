// SPDX-License-Identifier: GPL-2.0
/*
 * kfi: fault injection and hot patching on kprobes.
 *
 * Layers, bottom up: arch/ (registers), core/ (probe sites), inject/ (rules)
 * and hotfix/ (redirects), configfs/ (the user interface). Init brings them
 * up in that order and exit takes them down in reverse, the user interface
 * first.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>

#include <kfi/version.h>

#include "configfs/kfi_configfs.h"
#include "core/core.h"
#include "hotfix/hotfix.h"
#include "inject/inject.h"

static int __init kfi_init(void)
{
	int err;

	err = kfi_core_init();
	if (err)
		return err;
	err = kfi_inject_init();
	if (err)
		goto err_core;
	err = kfi_hotfix_init();
	if (err)
		goto err_inject;
	err = kfi_configfs_init();
	if (err)
		goto err_hotfix;
	return 0;

err_hotfix:
	kfi_hotfix_exit();
err_inject:
	kfi_inject_exit();
err_core:
	kfi_core_exit();
	return err;
}

static void __exit kfi_exit(void)
{
	kfi_configfs_exit();
	kfi_hotfix_exit();
	kfi_inject_exit();
	kfi_core_exit();
	/*
	 * A call a rule sent to kfi's return stub may have been preempted
	 * there (preempt=full, RT), outside any RCU reader: wait for every
	 * task to pass a voluntary switch before kfi's text goes.
	 */
	synchronize_rcu_tasks();
}

module_init(kfi_init);
module_exit(kfi_exit);

MODULE_DESCRIPTION("kfi: fault injection and hot patching on kprobes");
MODULE_LICENSE("GPL");
MODULE_VERSION(KFI_VERSION);
