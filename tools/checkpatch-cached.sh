#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch-cached.sh CACHE_DIR CHECKPATCH_COMMAND... -- FILE...
#
# Runs the checkpatch command on each FILE that it has not passed before in
# this form: a pass is remembered in CACHE_DIR under a hash of the file's
# content, the command line and checkpatch.pl itself, so that "make lint"
# rechecks only what changed. Prints checkpatch's findings; fails if any
# file has one.
set -eu

dir=$1
shift
cmd=""
while [ "$1" != "--" ]; do
	cmd="$cmd $1"
	shift
done
shift

mkdir -p "$dir"
# What the verdict depends on besides the file: the command and the script.
script=$(printf '%s\n' $cmd | grep 'checkpatch\.pl$' | head -n 1)
salt=$( (printf '%s\n' "$cmd"; cat "$script") | sha1sum | cut -c1-40)

rc=0
for f in "$@"; do
	key=$( (echo "$salt"; cat "$f") | sha1sum | cut -c1-40)
	[ -e "$dir/$key" ] && continue
	# shellcheck disable=SC2086
	if out=$($cmd -f "$f" 2>&1) && [ -z "$out" ]; then
		touch "$dir/$key"
	else
		[ -n "$out" ] && printf '%s\n' "$out"
		rc=1
	fi
done
exit $rc
