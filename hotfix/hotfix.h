/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hotfixes as the rest of kfi sees them. The user interface (configfs/)
 * watches hotfixes come and go through a kfi_hotfix_view, and reads or
 * switches them with these functions, never through their fields.
 */
#ifndef KFI_HOTFIX_PRIV_H
#define KFI_HOTFIX_PRIV_H

#include <linux/types.h>

struct kfi_hotfix_state;

/*
 * Called in process context, without kfi's locks held, when a hotfix has
 * been registered (@add, which may fail the registration) and before it is
 * unregistered (@remove: when it returns, the view must not call into @hs
 * any more). What @add returns is handed back to @remove.
 */
struct kfi_hotfix_view {
	void *(*add)(struct kfi_hotfix_state *hs);
	void (*remove)(void *view);
};

void kfi_hotfix_set_view(const struct kfi_hotfix_view *view);

int kfi_hotfix_init(void);
void kfi_hotfix_exit(void);

const char *kfi_hotfix_name(const struct kfi_hotfix_state *hs);
bool kfi_hotfix_enabled(const struct kfi_hotfix_state *hs);
int kfi_hotfix_set_enabled(struct kfi_hotfix_state *hs, bool on);
unsigned long kfi_hotfix_calls(const struct kfi_hotfix_state *hs);
ssize_t kfi_hotfix_show_functions(const struct kfi_hotfix_state *hs,
				  char *buf, size_t len);

#endif /* KFI_HOTFIX_PRIV_H */
