#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install-check KDIR=... : runs "make install" into a temporary DESTDIR
# and checks what it installed, as a user of an installed kfi needs it:
#  - kfi.ko under lib/modules/KVER/extra, for KVER, and no test module;
#  - the public headers, the same as include/kfi/;
#  - Module.symvers under PREFIX/share/kfi/KVER, with kfi's exports;
#  - kfictl, which runs (when built for this machine) and names every command
#    that the man page and Documentation/kfictl.rst describe;
#  - the man page: roff with .TH, and groff reads it without a warning;
#  - a hotfix module (samples/hotfix/kfi_sample_cmdline.c) builds against
#    the installed header and Module.symvers alone;
#  - dkms.conf's version is include/kfi/version.h's, and, if dkms is
#    installed, "dkms build" builds kfi.ko for KVER (in a private dkms tree).
# Prints one line per check; exits 1 at the first that fails.
set -eu

kdir=$1
arch=$2
top=$(cd "$(dirname "$0")/.." && pwd)
make=${MAKE:-make}
prefix=/usr/local
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h")
mkdir -p "$top/.cache"
d=$(mktemp -d "$top/.cache/install-check.XXXXXX")
trap 'rm -rf "$d"' EXIT
dest="$d/root"
log="$d/log"

fail() {
	echo "install-check: FAIL: $*" >&2
	if [ -s "$log" ]; then
		echo "install-check: last lines of the log:" >&2
		tail -n 20 "$log" >&2
	fi
	exit 1
}

ok() {
	echo "install-check: ok: $*"
}

"$make" -C "$top" --no-print-directory install KDIR="$kdir" DESTDIR="$dest" \
	PREFIX="$prefix" >"$log" 2>&1 || fail "make install DESTDIR=$dest"
ok "make install DESTDIR=... PREFIX=$prefix"

ko="$dest/lib/modules/$krel/extra/kfi.ko"
[ -f "$ko" ] || fail "no $ko"
modinfo -F vermagic "$ko" | grep -q "^$krel " ||
	fail "kfi.ko is not for $krel: $(modinfo -F vermagic "$ko")"
others=$(find "$dest/lib/modules" -name '*.ko' ! -name kfi.ko)
[ -z "$others" ] || fail "test modules installed too: $others"
ok "lib/modules/$krel/extra/kfi.ko, alone"

for h in "$top"/include/kfi/*.h; do
	cmp -s "$h" "$dest$prefix/include/kfi/$(basename "$h")" ||
		fail "$prefix/include/kfi/$(basename "$h") missing or different"
done
ok "$prefix/include/kfi/*.h"

symvers="$dest$prefix/share/kfi/$krel/Module.symvers"
grep -q "	kfi_hotfix_register	" "$symvers" ||
	fail "no kfi_hotfix_register in $symvers"
ok "$prefix/share/kfi/$krel/Module.symvers"

kfictl="$dest$prefix/bin/kfictl"
[ -x "$kfictl" ] || fail "no executable $kfictl"
man="$dest$prefix/share/man/man8/kfictl.8"
[ -f "$man" ] || fail "no $man"
rst="$top/Documentation/kfictl.rst"
# Every command of the usage, in the man page and the rst: a command as
# "kfictl CMD" (in the usage, at the start of a line), for "rm" or "add"
# alone would be found in "form" or "address"; an option as it is.
for cmd in list add rm enable disable describe "hotfix list" "hotfix enable" \
	   "hotfix disable" run --junit --timeout --force --disarmed --json; do
	case $cmd in
	-*)	usage=$cmd; doc=$cmd ;;
	*)	usage="^  $cmd "; doc="kfictl $cmd\b" ;;
	esac
	if [ "$arch" = "$(uname -m)" ]; then
		"$kfictl" --help | grep -q -- "$usage" ||
			fail "kfictl --help does not name '$cmd'"
	fi
	grep -q -- "$(printf "%s\n" "$doc" | sed 's/-/\\\\-/g')" "$man" ||
		fail "the man page does not name '$cmd'"
	grep -q -- "$doc" "$rst" || fail "$rst does not name '$cmd'"
done
ok "$prefix/bin/kfictl; its commands in the man page and the rst"

head -n 20 "$man" | grep -q '^\.TH KFICTL 8 ' || fail "no .TH KFICTL 8 in $man"
if command -v groff >/dev/null; then
	warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
	[ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
	groff -man -Tutf8 "$man" 2>/dev/null | grep -q 'kfictl describe' ||
		fail "the man page renders without 'kfictl describe'"
	ok "$prefix/share/man/man8/kfictl.8 (groff: no warning)"
else
	ok "$prefix/share/man/man8/kfictl.8 (.TH; no groff to render it)"
fi

# A hotfix module of its own, against the installed files only.
hf="$d/hotfix"
mkdir -p "$hf"
cp "$top/samples/hotfix/kfi_sample_cmdline.c" "$hf/"
echo 'obj-m := kfi_sample_cmdline.o' >"$hf/Kbuild"
"$make" -C "$kdir" M="$hf" KBUILD_EXTRA_SYMBOLS="$symvers" \
	ccflags-y="-I$dest$prefix/include" modules >"$log" 2>&1 ||
	fail "a hotfix does not build against the installed kfi"
! grep -q 'undefined!' "$log" || fail "modpost: $(grep 'undefined!' "$log")"
[ -f "$hf/kfi_sample_cmdline.ko" ] || fail "no kfi_sample_cmdline.ko"
ok "a hotfix builds against $prefix/include and share/kfi/$krel/Module.symvers"

conf="$top/dkms.conf"
ver=$(sed -n 's/^#define KFI_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$top/include/kfi/version.h")
grep -qx "PACKAGE_VERSION=\"$ver\"" "$conf" ||
	fail "dkms.conf's PACKAGE_VERSION is not KFI_VERSION ($ver)"
grep -q "prefix=kfi-$ver/ HEAD" "$conf" ||
	fail "dkms.conf's instructions do not name kfi-$ver"
if ! command -v dkms >/dev/null; then
	ok "dkms.conf: version $ver (no dkms here to build with it)"
	exit 0
fi
if [ "$arch" != "$(uname -m)" ] ||
   [ "$(readlink -f "/lib/modules/$krel/build")" != "$(readlink -f "$kdir")" ]; then
	ok "dkms.conf: version $ver (dkms builds for installed kernels only)"
	exit 0
fi
# dkms in a tree of its own, with the sources as git has them (and any
# changes not yet committed), as in /usr/src/kfi-VERSION.
mkdir -p "$d/src/kfi-$ver" "$d/dkms" "$d/install"
git -C "$top" ls-files -z -c -o --exclude-standard |
	tar -C "$top" --null -T - -c | tar -x -C "$d/src/kfi-$ver"
dk="dkms --sourcetree $d/src --dkmstree $d/dkms --installtree $d/install"
$dk add -m kfi -v "$ver" >"$log" 2>&1 || fail "dkms add"
$dk build -m kfi -v "$ver" -k "$krel" --kernelsourcedir "$kdir" >>"$log" 2>&1 ||
	fail "dkms build for $krel"
find "$d/dkms/kfi/$ver/$krel" -name 'kfi.ko*' | grep -q . ||
	fail "dkms build made no kfi.ko"
ok "dkms.conf: version $ver; dkms build -k $krel made kfi.ko"
