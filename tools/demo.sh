#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The narrated scenario of "make demo": each command is printed, then run.
# It runs in the test guest (see tools/guest-init.sh) but every command is
# what a user types on a real machine.

say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; sh -c "$*" 2>&1; }

cfs=/sys/kernel/config/kfi

say "kfi is a kernel module; configfs is its user interface"
run "lsmod | grep -E '^(kfi|configfs) '"
run "find $cfs | sort"
run "cat $cfs/features"
run "cat $cfs/version"

say "Unloading kfi removes its configfs tree"
run "rmmod kfi_test_target; rmmod kfi"
run "ls $cfs 2>&1 || true"
run "modprobe kfi && ls $cfs"
