/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_ARCH_X86_STUB_H
#define KFI_ARCH_X86_STUB_H

/* stub.S: returns at once; see kfi_arch_skip_call(). */
void kfi_x86_return_stub(void);

#endif /* KFI_ARCH_X86_STUB_H */
