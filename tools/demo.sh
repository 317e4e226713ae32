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
run "ls $cfs $cfs/rules"
run "cat $cfs/features"
run "cat $cfs/version"

say "A rule: make mkdir(2) fail with ENOSPC, for one process and its children"
run "mkdir $cfs/rules/nospace"
run "ls $cfs/rules/nospace"
run "echo vfs_mkdir > $cfs/rules/nospace/target"
run "echo -ENOSPC > $cfs/rules/nospace/retval"
run "echo 1 > $cfs/rules/nospace/children"
# The victim: a shell that waits until the rule is armed.
mkfifo /tmp/go
sh -c 'read x < /tmp/go; mkdir /tmp/victim-dir && echo "victim: mkdir worked"' &
victim=$!
run "echo $victim > $cfs/rules/nospace/pid   # the victim shell"
run "echo 1 > $cfs/rules/nospace/enabled"
run "cat $cfs/rules/nospace/status"
echo go > /tmp/go
wait $victim
run "mkdir /tmp/bystander-dir && echo 'bystander: mkdir worked'"
run "grep . $cfs/rules/nospace/hits $cfs/rules/nospace/injected"

say "Editing an armed rule is refused; disarm first"
run "echo -EIO > $cfs/rules/nospace/retval"
run "echo 0 > $cfs/rules/nospace/enabled && rmdir $cfs/rules/nospace"

say "Bad input is refused and the old value stays"
run "mkdir $cfs/rules/demo"
run "echo 250 > $cfs/rules/demo/probability"
run "echo -ENOTANERRNO > $cfs/rules/demo/retval"
run "grep . $cfs/rules/demo/probability $cfs/rules/demo/retval"
run "echo no_such_function > $cfs/rules/demo/target && echo 1 > $cfs/rules/demo/enabled"
run "cat $cfs/rules/demo/status"
run "rmdir $cfs/rules/demo"

say "A replace rule: mkdir(2) runs, then its return value is replaced"
run "mkdir $cfs/rules/exists"
run "echo do_mkdirat > $cfs/rules/exists/target"
run "echo replace > $cfs/rules/exists/action"
run "echo -EEXIST > $cfs/rules/exists/retval"
run "echo 1 > $cfs/rules/exists/times"
run "echo 1 > $cfs/rules/exists/enabled"
run "mkdir /tmp/made-anyway"
run "ls -d /tmp/made-anyway   # the body ran: the directory is there"
run "grep . $cfs/rules/exists/hits $cfs/rules/exists/injected $cfs/rules/exists/status"
run "rmdir $cfs/rules/exists"

say "Every injection is a tracepoint: kfi:kfi_inject"
run "echo 1 > /sys/kernel/tracing/events/kfi/kfi_inject/enable"
run "mkdir $cfs/rules/io && echo vfs_mkdir > $cfs/rules/io/target && echo -EIO > $cfs/rules/io/retval && echo 1 > $cfs/rules/io/times && echo 1 > $cfs/rules/io/enabled"
run "mkdir /tmp/traced-1; mkdir /tmp/traced-2 && echo 'second mkdir worked (times=1)'"
run "grep kfi_inject /sys/kernel/tracing/trace"
run "echo 0 > /sys/kernel/tracing/events/kfi/kfi_inject/enable; rmdir $cfs/rules/io"

say "kfictl: the same from the command line, and resilience tests from a file"
run "kfictl describe vfs_mkdir"
run "kfictl add nospace target=vfs_mkdir retval=-ENOSPC comm=demo-victim"
run "kfictl list"
run "kfictl rm nospace"
run "cat /kfi/scenarios/mkdir-enospc.scn | grep -v '^#'"
run "kfictl run /kfi/scenarios/mkdir-enospc.scn"
run "kfictl list   # every rule the run made is gone"

say "A hotfix: a module has a bug, another module fixes it (samples/hotfix/)"
hf=$cfs/hotfixes/kfi_sample_fix
run "modprobe kfi_sample_buggy"
run "cat /proc/kfi_sample_buggy   # wrong: the mean of 3 5 7 9 is 6"
run "modprobe kfi_sample_fix"
run "cat /proc/kfi_sample_buggy"
run "ls $cfs/hotfixes"
run "cat $hf/functions"
run "grep . $hf/enabled $hf/calls"

say "The fix names kfi_sample_buggy:kfi_sample_mean, so it follows that module"
run "rmmod kfi_sample_buggy && cat $hf/functions"
run "modprobe kfi_sample_buggy && cat /proc/kfi_sample_buggy"

say "An enabled hotfix pins its module; disabling it brings the bug back at once"
run "rmmod kfi_sample_fix"
run "echo 0 > $hf/enabled"
run "cat /proc/kfi_sample_buggy"
run "cat $hf/functions"
run "rmmod kfi_sample_fix && ls $cfs/hotfixes"
run "rmmod kfi_sample_buggy"

say "A hotfix of the kernel itself: cmdline_proc_show(), behind /proc/cmdline"
run "cat /proc/cmdline"
run "modprobe kfi_sample_cmdline"
run "cat /proc/cmdline"
run "cat $cfs/hotfixes/kfi_sample_cmdline/functions"
run "echo 0 > $cfs/hotfixes/kfi_sample_cmdline/enabled && rmmod kfi_sample_cmdline"
run "cat /proc/cmdline"

say "With no rules left, kfi unloads and its configfs tree goes away"
run "rmmod kfi_test_target; rmmod kfi"
run "ls $cfs 2>&1 || true"
run "modprobe kfi && ls $cfs"
