/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one-instruction function that kfi_arch_skip_call() points a probed
 * call at: the return register is already set, so returning ends the call
 * as if the body had run. Written in assembly so that objtool and the
 * return thunk accept it as an ordinary function.
 */
#include <linux/linkage.h>

SYM_FUNC_START(kfi_x86_return_stub)
	RET
SYM_FUNC_END(kfi_x86_return_stub)
