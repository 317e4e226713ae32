/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_BENCH_H
#define KFI_BENCH_H

#define KFI_BENCH_NR_OTHERS	1024

/* kfi_bench_others.c: the addresses of kfi_bench_f000 to kfi_bench_f3ff. */
extern const unsigned long kfi_bench_others[KFI_BENCH_NR_OTHERS];

#endif /* KFI_BENCH_H */
