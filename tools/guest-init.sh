#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test guest: mounts what a real machine has, loads configfs, kfi
# and the test target module the way an administrator would (modprobe), runs
# the selftests, the demo, the benchmark or a scenario, and powers off. Everything it and the tests print
# goes to ttyS1; the kernel console stays alone on ttyS0.

/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
out=/dev/ttyS1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
grep -qw configfs /proc/filesystems || modprobe configfs
mount -t configfs configfs /sys/kernel/config
hostname kfi-guest

# Where the results go: the second UART, or a virtio console on machines with
# one UART (arm64 "virt"), whose driver modules vm.py names.
for m in $(cat /kfi/channel); do
	modprobe "$m"
done
if [ -n "$(cat /kfi/channel)" ]; then
	out=/dev/hvc0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -e $out ] && break
		sleep 0.2
	done
fi
exec >$out 2>&1
echo "KFI-BOOT $(uname -r)"

modprobe kfi || echo "init: modprobe kfi failed"
modprobe kfi_test_target || echo "init: modprobe kfi_test_target failed"

cd /tmp
case $(cat /kfi/mode) in
check)
	KFI_TEST_FILTER=$(cat /kfi/filter)
	export KFI_TEST_FILTER
	# KFI_STRESS_SECONDS, KFI_FUZZ_SEED: "VAR=NUMBER" lines from vm.py.
	while IFS== read -r var val; do
		export "$var=$val"
	done </kfi/env
	for t in $(cat /kfi/plan); do
		echo "KFI-RUN $t"
		/kfi/tests/$t
		echo "KFI-RC $t $?"
	done
	;;
demo)
	sh /kfi/demo.sh
	;;
scenario)
	# make scenario: the user's scenario, as kfictl run on a real machine.
	kfictl run "$(cat /kfi/scenario)"
	echo "KFI-RC kfictl $?"
	;;
bench)
	modprobe kfi_bench || echo "init: modprobe kfi_bench failed"
	# shellcheck disable=SC2046
	/kfi/bench/kfi_bench_run $(cat /kfi/bench_args)
	echo "KFI-RC kfi_bench_run $?"
	;;
esac

# The debug kernel's checkers: leaks (scan twice, as kmemleak advises), and
# whether lockdep is still on (a lockdep report does not taint).
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	sed 's/^/KFI-KMEMLEAK /' /sys/kernel/debug/kmemleak
fi
if [ -e /proc/lockdep_stats ]; then
	echo "KFI-DEBUG-LOCKS $(awk '/debug_locks:/ {print $2}' /proc/lockdep_stats)"
fi
echo "KFI-TAINT $(cat /proc/sys/kernel/tainted)"
echo "KFI-END"
sync
poweroff -f
