#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds kfi's debug kernel (KASAN, lockdep, kmemleak, ...) from Debian's
# linux-source-6.1: allnoconfig plus tools/kernel/debug.config. The result is
# cached under .cache/kernel-debug-HASH/, HASH covering the fragment, the
# source package's version and the compiler's, so it is built once.
#
#   tools/build-kernel.sh          build if needed; print the build directory
#   tools/build-kernel.sh --print  print it if built, else fail
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/.cache"
frag="$top/tools/kernel/debug.config"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
ccver=$(gcc --version | head -n 1)
hash=$( (cat "$frag"; echo "$srcver"; echo "$ccver") | sha256sum | cut -c1-12)
out="$cache/kernel-debug-$hash"

if [ -e "$out/.done" ]; then
	echo "$out"
	exit 0
fi
[ "${1:-}" != --print ] || exit 1

# One build at a time (CI starts one in the background): a second waits for
# the first, then finds it done.
mkdir -p "$cache"
exec 9>"$cache/kernel-debug.lock"
flock 9
if [ -e "$out/.done" ]; then
	echo "$out"
	exit 0
fi

src="$cache/linux-source-$srcver"
if [ ! -e "$src/.extracted" ]; then
	echo "build-kernel: extracting linux-source-6.1 $srcver" >&2
	rm -rf "$src" && mkdir -p "$src"
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
	touch "$src/.extracted"
fi

rm -rf "$out" && mkdir -p "$out"
echo "build-kernel: configuring $out" >&2
make -s -C "$src" O="$out" ARCH=x86_64 KCONFIG_ALLCONFIG="$frag" allnoconfig >&2
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2

# Kconfig silently drops an option whose dependencies are off.
missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=n) opt=${line%=n}
		if grep -q "^$opt=" "$out/.config"; then
			echo "build-kernel: $opt should be off" >&2; missing=1
		fi ;;
	CONFIG_*) if ! grep -qx "$line" "$out/.config"; then
			echo "build-kernel: $line did not survive olddefconfig" >&2
			missing=1
		fi ;;
	esac
done < "$frag"
[ "$missing" = 0 ] || exit 1

echo "build-kernel: building (several minutes on 2 cores)" >&2
start=$(date +%s)
make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
make -s -C "$src" O="$out" ARCH=x86_64 modules_prepare >&2
echo "build-kernel: built in $(( $(date +%s) - start )) s" >&2
touch "$out/.done"
echo "$out"
