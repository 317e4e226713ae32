/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_CONFIGFS_PARSE_H
#define KFI_CONFIGFS_PARSE_H

#include <linux/types.h>

#include "inject/inject.h"

int kfi_input(const char *page, size_t count, char *buf, size_t size);
int kfi_parse_value(const char *s, long *val);
int kfi_parse_probability(const char *s, u32 *ppm);
int kfi_show_probability(u32 ppm, char *buf);
int kfi_parse_bool(const char *s, bool *val);
int kfi_parse_pids(char *s, pid_t *pids, unsigned int *nr);
int kfi_parse_args(char *s, unsigned long *vals, unsigned int *mask);

#endif /* KFI_CONFIGFS_PARSE_H */
