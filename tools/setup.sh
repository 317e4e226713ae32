#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Makes this machine ready for "make check" and "make demo" with the kernel
# KERNEL names (stock, rt, cloud, debug; default stock):
#  1. installs the Debian packages that are missing (as root, with apt-get);
#     as any other user it prints the apt-get line to run and fails;
#  2. extracts kselftest_harness.h, kselftest.h and checkpatch.pl from Debian's
#     linux-source-6.1 tarball into .cache/ (git-ignored), once;
#  3. for KERNEL=debug, builds the debug kernel (tools/build-kernel.sh), once,
#     unless KFI_SETUP_NO_BUILD=1 (CI builds it in the background).
# Nothing from the kernel tree is kept in the repository.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/.cache"

pkgs="qemu-system-x86 busybox-static cpio kmod linux-image-amd64 \
linux-headers-amd64 linux-source-6.1 sparse libc6-dev gcc make python3 \
xz-utils perl libbpf-dev libelf-dev zlib1g-dev"
kernel=${KERNEL:-stock}
case $kernel in
stock) flavour=amd64 ;;
rt) flavour=rt-amd64; pkgs="$pkgs linux-image-rt-amd64 linux-headers-rt-amd64" ;;
cloud) flavour=cloud-amd64; pkgs="$pkgs linux-image-cloud-amd64 linux-headers-cloud-amd64" ;;
debug) flavour=; pkgs="$pkgs flex bison bc libelf-dev libssl-dev" ;;
*) echo "kfi: unknown KERNEL=$kernel (stock, rt, cloud, debug)" >&2; exit 1 ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "kfi: missing packages; as root run:" >&2
		echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
		exit 1
	fi
	echo "kfi: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# The image and the headers must be the same version: the modules are built
# against the headers and loaded into that image.
if [ -n "$flavour" ]; then
	kver=$(ls -d /usr/src/linux-headers-*-"$flavour" |
		sed 's|.*/linux-headers-||' | grep -E "^[0-9.]+-[0-9]+-$flavour\$" |
		sort -V | tail -n 1)
	if [ ! -e "/boot/vmlinuz-$kver" ] ||
	   [ ! -e "/lib/modules/$kver/kernel/fs/configfs/configfs.ko" ]; then
		echo "kfi: linux-image-$kver is not installed next to its headers" >&2
		exit 1
	fi
fi

stamp="$cache/kselftest/.extracted"
if [ ! -e "$stamp" ]; then
	src=$(ls /usr/src/linux-source-6.1.tar.* | head -n 1)
	tmp="$cache/tmp.$$"
	rm -rf "$tmp" && mkdir -p "$tmp"
	echo "kfi: extracting kselftest and checkpatch from $src"
	tar -xf "$src" -C "$tmp" --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	d=$(ls -d "$tmp"/linux-source-*)
	mkdir -p "$cache/kselftest" "$cache/checkpatch"
	cp "$d"/tools/testing/selftests/kselftest*.h "$cache/kselftest/"
	cp "$d"/scripts/checkpatch.pl "$d"/scripts/spelling.txt \
		"$d"/scripts/const_structs.checkpatch "$cache/checkpatch/"
	rm -rf "$tmp"
	touch "$stamp"
fi

if [ "$kernel" = debug ] && [ "${KFI_SETUP_NO_BUILD:-0}" != 1 ]; then
	"$top/tools/build-kernel.sh" >/dev/null
fi
