#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Makes this x86_64 machine ready to build and test kfi for arm64:
#  - the cross compiler, its static C library and qemu-system-arm, installed;
#  - Debian's arm64 kernel image, headers and busybox of the same version as
#    the amd64 kernel, downloaded and unpacked into .cache/arm64/root (never
#    installed: linux-headers-*-arm64:arm64 would replace the host compiler);
#  - the static libraries kfictl links (libbpf, libelf, zlib), from the
#    arm64 builds of the -dev packages, unpacked into .cache/arm64/libbpf.
# Prints nothing but errors; the arm64 headers are then at
#   .cache/arm64/root/usr/src/linux-headers-VER-arm64
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/.cache/arm64"

pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx arm64 || [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "kfi: arm64 set-up needs root:" >&2
		echo "  dpkg --add-architecture arm64 && apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >/dev/null
	fi
fi

# The same kernel version as the amd64 one the x86_64 tests boot.
abi=$(ls -d /usr/src/linux-headers-*-amd64 | sed 's|.*/linux-headers-||' |
	grep -E '^[0-9.]+-[0-9]+-amd64$' | sort -V | tail -n 1)
abi=${abi%-amd64}
kver="$abi-arm64"

# kfictl's libraries, the same versions as the host's -dev packages.
libs="libbpf-dev libelf-dev zlib1g-dev"
ver=$(dpkg-query -W -f='${Version} ' $libs | tr -c '[:alnum:].+~\n-' _)
lstamp="$dest/libbpf/.done-$ver"
if [ ! -e "$lstamp" ]; then
	rm -rf "$dest/libbpf" && mkdir -p "$dest/libbpf/debs"
	# shellcheck disable=SC2086
	(cd "$dest/libbpf/debs" &&
	 apt-get download -q $(printf '%s:arm64 ' $libs) >/dev/null)
	for deb in "$dest"/libbpf/debs/*.deb; do
		dpkg-deb -x "$deb" "$dest/libbpf"
	done
	touch "$lstamp"
fi

stamp="$dest/.done-$kver"
[ -e "$stamp" ] && exit 0

rm -rf "$dest/debs" "$dest/root" "$dest"/.done-* && mkdir -p "$dest/debs" "$dest/root"
cd "$dest/debs"
kbuild=$(dpkg-query -W -f='${Package}\n' 'linux-kbuild-*' | head -n 1)
apt-get download -q "linux-image-$kver:arm64" "linux-headers-$kver:arm64" \
	"linux-headers-$abi-common" "$kbuild" "busybox-static:arm64" >/dev/null
for deb in *.deb; do
	dpkg-deb -x "$deb" "$dest/root"
done

# The arm64 headers include the common ones by absolute path: make it
# relative, so that they work where they were unpacked.
mk="$dest/root/usr/src/linux-headers-$kver/Makefile"
sed -i "s|^include /usr/src/linux-headers-$abi-common/Makefile|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../linux-headers-$abi-common/Makefile|" "$mk"
grep -q 'linux-headers-.*-common/Makefile' "$mk"
touch "$stamp"
