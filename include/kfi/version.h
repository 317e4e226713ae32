/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFI_VERSION_H
#define KFI_VERSION_H

#define KFI_VERSION	"0.1.0"

#endif /* KFI_VERSION_H */
