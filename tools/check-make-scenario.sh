#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make scenario, tested as a user runs it: a program from an OVERLAY runs
# under a scenario in the guest and the expectations hold (make succeeds,
# with kfictl run's TAP); the same scenario with an expectation that fails
# makes make fail, and says which. Arguments go to make (ARCH=arm64).
# .ci/run runs it; it boots the guest twice.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "check-make-scenario: $*" >&2
	sed 's/^/  | /' "$tmp/out" >&2
	exit 1
}

# The user's workload: a script that needs three directories.
mkdir -p "$tmp/overlay/usr/local/bin"
cat >"$tmp/overlay/usr/local/bin/mkthree" <<'SCRIPT'
#!/bin/sh
for d in one two three; do
	mkdir "/tmp/$d" || exit 3
done
SCRIPT
chmod +x "$tmp/overlay/usr/local/bin/mkthree"
cat >"$tmp/pass.scn" <<'SCN'
# The second mkdir fails: mkthree gives up with 3.
[rule second]
target = vfs_mkdir
retval = -ENOSPC
space = 1
times = 1

[run]
command = /usr/local/bin/mkthree
exit = 3
SCN
sed 's/^exit = 3$/exit = 0/' "$tmp/pass.scn" >"$tmp/fail.scn"

make --no-print-directory scenario SCENARIO="$tmp/pass.scn" \
	OVERLAY="$tmp/overlay" "$@" >"$tmp/out" 2>&1 ||
	fail "a passing scenario failed"
grep -q '^ok 2 - exit status 3$' "$tmp/out" || fail "no 'ok 2 - exit status 3'"
grep -q '^#   hits 2, injected 1, missed 0$' "$tmp/out" ||
	fail "the rule did not count 2 hits, 1 injected"
grep -q '^vm.py: kfictl run exited with 0$' "$tmp/out" || fail "no exit status 0"

if make --no-print-directory scenario SCENARIO="$tmp/fail.scn" \
	OVERLAY="$tmp/overlay" "$@" >"$tmp/out" 2>&1; then
	fail "a failing scenario passed"
fi
grep -q '^not ok 2 - exit status 0$' "$tmp/out" || fail "no 'not ok 2 - exit status 0'"
grep -q '^vm.py: kfictl run exited with 1$' "$tmp/out" || fail "no exit status 1"
echo "check-make-scenario: passed $*"
