# SPDX-License-Identifier: GPL-2.0
#
# kfi: thin wrapper around kbuild plus the test targets.
#
#   make                 build kfi.ko (and the test modules) against KDIR
#   make samples         build the hotfix samples (samples/hotfix/) against it
#   make check [T=PAT]   run the kselftest suite in a QEMU guest
#   make demo            boot the guest and narrate what kfi does
#   make lint            sparse and checkpatch on every C file and header
#   make stress          the stress and fuzz tests, for STRESS_SECONDS (300)
#   make bench [QUICK=1] [ARMS=A,B] boot the guest, benchmark kfi against
#                        bare kprobes (ARMS: those per-call arms alone)
#   make kfictl          the command-line tool, static, in tools/kfictl/.build/
#   make install         kfi.ko, headers, Module.symvers, kfictl and its man
#                        page (DESTDIR, PREFIX); make install-check tests it
#   make unit            kfictl's host unit tests (make check runs them first)
#   make scenario SCENARIO=FILE [OVERLAY=DIR]
#                        boot the guest, run kfictl run FILE there, exit with it
#
# ARCH=arm64 cross-builds for, and boots, Debian's arm64 kernel instead.
# KDIR defaults to the headers of the kernel the tests boot (Debian's
# linux-headers-amd64), else to the running kernel's build directory.

SETUP		:= tools/setup.sh
CACHE		:= $(CURDIR)/.cache

ifeq ($(ARCH),arm64)
CROSS_COMPILE	?= aarch64-linux-gnu-
export CROSS_COMPILE
TARCH		:= arm64
else ifeq ($(ARCH),)
TARCH		:= $(shell uname -m)
else
TARCH		:= $(ARCH)
endif

# The kernel the tests boot: stock (Debian's amd64), rt, cloud or debug.
KERNEL		?= stock
export KERNEL
VM		:= python3 tools/vm.py --kernel $(KERNEL) --arch $(TARCH)

# By default, build against the headers of that kernel when they are
# installed, else against the running kernel.
ifeq ($(origin KDIR),undefined)
KDIR		:= $(shell $(VM) kdir 2>/dev/null)
ifeq ($(KDIR),)
KDIR		:= /lib/modules/$(shell uname -r)/build
endif
endif

# -Werror in CI, where a warning must fail the run. The Kbuild files say
# ccflags-$(KFI_WERROR), so the value must be y.
ifneq ($(CI),)
KFI_WERROR	:= y
endif
export KFI_WERROR

KBUILD		= $(MAKE) -C $(KDIR) M=$(CURDIR)

# The hotfix samples build as any hotfix module does: an external module of
# their own, against kfi's Module.symvers and public header.
SAMPLES_KBUILD	= $(MAKE) -C $(KDIR) M=$(CURDIR)/samples/hotfix \
		  KBUILD_EXTRA_SYMBOLS=$(CURDIR)/Module.symvers \
		  ccflags-y=-I$(CURDIR)/include

SELFTEST_SRCS	:= $(wildcard selftests/*_test.c)
# Static test programs, one directory per architecture.
SELFTEST_OUT	:= selftests/.build/$(TARCH)
SELFTEST_BINS	:= $(patsubst selftests/%.c,$(SELFTEST_OUT)/%,$(SELFTEST_SRCS))
SELFTEST_HDRS	:= $(wildcard selftests/*.h)
KSFT_INC	:= $(CACHE)/kselftest
TEST_CFLAGS	:= -O2 -g -Wall -Wextra -Werror -static -D_GNU_SOURCE \
		   -Wno-format-truncation -isystem $(KSFT_INC) -Iinclude -pthread

# The benchmark's in-guest driver, a static program like the tests; the
# JSON lines of make bench go to BENCH_OUT.
BENCH_RUN	:= bench/.build/$(TARCH)/kfi_bench_run
BENCH_OUT	?= bench-$(TARCH).jsonl

# The command-line tool: static too, so that the guest can run it, and its
# test (selftests/kfi_kfictl_test.c) with it.
KFICTL		:= tools/kfictl/.build/$(TARCH)/kfictl
KFICTL_SRCS	:= $(wildcard tools/kfictl/*.c)
KFICTL_HDRS	:= $(wildcard tools/kfictl/*.h)
# kfictl reads the kernel's BTF with libbpf, linked statically with libelf
# and zlib: Debian's -dev packages on x86_64; for arm64 the same packages'
# arm64 builds, unpacked by tools/setup-arm64.sh, never installed.
KFICTL_LIBS	:= -lbpf -lelf -lz
ifeq ($(TARCH),arm64)
ARM64_LIBBPF	:= $(CACHE)/arm64/libbpf
KFICTL_LIBS	:= -isystem $(ARM64_LIBBPF)/usr/include \
		   -L$(ARM64_LIBBPF)/usr/lib/aarch64-linux-gnu $(KFICTL_LIBS)
endif

# kfictl's parsers, tested on the build machine (native gcc, no guest):
# every source but the one with main(), linked with the host's libraries.
UNIT_BIN	:= tools/kfictl/.build/host/kfictl_unit_test
UNIT_SRCS	:= tools/kfictl/tests/kfictl_unit_test.c \
		   $(filter-out tools/kfictl/kfictl.c,$(KFICTL_SRCS))

.PHONY: all modules samples clean setup check demo lint selftests stress bench kfictl \
	unit scenario install install-check

all: modules

modules:
	$(KBUILD) modules

samples: modules
	$(SAMPLES_KBUILD) modules

# kbuild's clean deletes every *.[aios] and *.ko under M=, whose .cache/
# holds the unpacked arm64 kernel's modules and the debug kernel's build:
# prune it as kbuild prunes .git.
KBUILD_PRUNE	:= \( -name .git -o -name .cache \) -prune -o
clean:
	$(SAMPLES_KBUILD) clean
	$(KBUILD) clean RCS_FIND_IGNORE='$(KBUILD_PRUNE)'
	rm -rf selftests/.build bench/.build tools/kfictl/.build

# Installs missing packages (as root) and extracts the kernel-tree tools.
setup:
	@sh $(SETUP)
	@if [ "$(TARCH)" = arm64 ]; then sh tools/setup-arm64.sh; fi

# The QUICK benchmark is one of the tests: the driver goes with them, and
# so does kfictl, which a test runs.
selftests: $(SELFTEST_BINS) $(BENCH_RUN) $(KFICTL)

kfictl: $(KFICTL)

$(KFICTL): $(KFICTL_SRCS) $(KFICTL_HDRS)
	@mkdir -p $(dir $@)
	$(CROSS_COMPILE)gcc $(TEST_CFLAGS) -o $@ $(KFICTL_SRCS) $(KFICTL_LIBS)

# make install: kfi.ko for KDIR's kernel through kbuild's modules_install
# (DESTDIR/lib/modules/KVER/extra; KFI_INSTALL=y leaves the test modules
# out), the public headers, the Module.symvers a hotfix module is built
# against (per kernel), kfictl and its man page.
PREFIX		?= /usr/local
# The release modules_install and vermagic use (Debian's headers have the
# upstream version in kernel.release).
KREL		= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
			$(KDIR)/include/generated/utsrelease.h)
# Distribution headers have no signing key: modules_install then signs
# nothing instead of failing to sign.
MODSIGN_KEY	= $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="*\([^"]*\)"*$$/\1/p' \
			$(KDIR)/include/config/auto.conf)
MODSIGN		= $(if $(wildcard $(KDIR)/$(MODSIGN_KEY) $(MODSIGN_KEY)),,CONFIG_MODULE_SIG_ALL=)
install: $(KFICTL)
	$(KBUILD) KFI_INSTALL=y modules
	$(KBUILD) KFI_INSTALL=y modules_install INSTALL_MOD_PATH=$(DESTDIR) $(MODSIGN)
	install -d $(DESTDIR)$(PREFIX)/include/kfi $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/kfi/$(KREL) \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 644 include/kfi/*.h $(DESTDIR)$(PREFIX)/include/kfi/
	install -m 644 Module.symvers $(DESTDIR)$(PREFIX)/share/kfi/$(KREL)/
	install -m 755 $(KFICTL) $(DESTDIR)$(PREFIX)/bin/kfictl
	install -m 644 tools/kfictl/kfictl.8 $(DESTDIR)$(PREFIX)/share/man/man8/

# Installs into a temporary DESTDIR and checks every file, the man page, a
# hotfix built against the installed files, and dkms.conf (with dkms if
# it is installed).
install-check:
	@sh tools/install-check.sh '$(KDIR)' '$(TARCH)'

# One line when every test passes; the whole TAP when one fails.
unit: $(UNIT_BIN)
	@out=$$($(UNIT_BIN) 2>&1) && echo "$$out" | tail -n 1 | sed 's/^# /unit: /' || \
		{ echo "$$out"; exit 1; }

$(UNIT_BIN): $(UNIT_SRCS) $(KFICTL_HDRS) $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(dir $@)
	gcc $(TEST_CFLAGS) -Itools/kfictl -o $@ $(UNIT_SRCS) -lbpf -lelf -lz

$(BENCH_RUN): bench/kfi_bench_run.c
	@mkdir -p $(dir $@)
	$(CROSS_COMPILE)gcc $(TEST_CFLAGS) -o $@ $<

$(SELFTEST_OUT)/%_test: selftests/%_test.c $(SELFTEST_HDRS) $(KSFT_INC)/kselftest_harness.h
	@mkdir -p $(SELFTEST_OUT)
	$(CROSS_COMPILE)gcc $(TEST_CFLAGS) -o $@ $< -lm

$(KSFT_INC)/kselftest_harness.h:
	@sh $(SETUP)

# After set-up (which may install or build the kernel), build against it.
# kbuild does not notice that the headers changed (KERNEL=, ARCH=): modules
# built for another kernel are cleaned first, else they would not load.
BUILT_FOR	:= $(CACHE)/built-for
define build_for_vm
	@k=$$($(VM) kdir); \
	if [ "$$(cat $(BUILT_FOR) 2>/dev/null)" != "$$k" ]; then \
		$(MAKE) --no-print-directory clean KDIR=$$k >/dev/null; \
	fi; \
	$(MAKE) --no-print-directory $(1) KDIR=$$k && echo "$$k" > $(BUILT_FOR)
endef

check: setup unit
	$(call build_for_vm,modules samples selftests)
	@$(VM) check $(if $(T),--filter '$(T)')

# The time-bounded tests (stress.*, fuzz*) for longer; T=PAT picks others.
STRESS_SECONDS	?= 300
STRESS_TESTS	:= stress.*,fuzz*
stress: setup
	$(call build_for_vm,modules samples selftests)
	@KFI_STRESS_SECONDS=$(STRESS_SECONDS) $(VM) check --filter '$(or $(T),$(STRESS_TESTS))'

bench: setup
	$(call build_for_vm,modules $(BENCH_RUN))
	@python3 tools/bench.py --kernel $(KERNEL) --arch $(TARCH) \
		--out $(BENCH_OUT) $(if $(QUICK),--quick) $(if $(ARMS),--arms '$(ARMS)') \
		$(if $(BENCH_APPEND),--append '$(BENCH_APPEND)')

# A user's scenario in the guest: kfi, kfictl, and OVERLAY's files.
scenario: setup
	@test -n "$(SCENARIO)" || { echo "make scenario: SCENARIO=FILE is required" >&2; exit 2; }
	$(call build_for_vm,modules $(KFICTL))
	@$(VM) scenario --scenario '$(SCENARIO)' $(if $(OVERLAY),--overlay '$(OVERLAY)')

demo: setup
	$(call build_for_vm,modules samples $(KFICTL))
	@$(VM) demo

# checkpatch types we ignore, and why (this is the one place they are listed):
#   LINUX_VERSION_CODE  out-of-tree module: the check only applies in-tree
#   FILE_PATH_CHANGES   no MAINTAINERS file outside the kernel tree
#   UNDOCUMENTED_SETUP  no kernel-parameters.txt outside the kernel tree
#   LINE_SPACING        NOKPROBE_SYMBOL() follows its function directly, as
#                       in the kernel; checkpatch only exempts EXPORT_SYMBOL
#   ENOSYS              configfs/parse.c names every errno, ENOSYS included,
#                       so that users can inject it
# and for tracepoint headers only (TRACE_EVENT's own layout):
#   OPEN_ENDED_LINE, PARENTHESIS_ALIGNMENT
# and for include/kfi/hotfix.h only, whose KFI_HOTFIX_THUNK() makes a
# parameter list from a list of types (as the kernel's __MAP() does): a
# parameter list cannot be parenthesized, and the macro pastes and uses the
# name of a function, which has no side effects:
#   COMPLEX_MACRO, MACRO_ARG_REUSE, MACRO_ARG_PRECEDENCE
CHECKPATCH	:= perl $(CACHE)/checkpatch/checkpatch.pl --no-tree --strict --quiet
CHECKPATCH_IGNORE := LINUX_VERSION_CODE,FILE_PATH_CHANGES,UNDOCUMENTED_SETUP,LINE_SPACING,ENOSYS
TRACE_HDRS	= $(shell git ls-files '*/trace.h' 2>/dev/null)
THUNK_HDR	:= include/kfi/hotfix.h
LINT_FILES	= $(filter-out $(TRACE_HDRS) $(THUNK_HDR),$(shell git ls-files '*.c' '*.h' 2>/dev/null))

# Sparse runs on every file each time (C=2), and checkpatch on every file
# it has not passed in its present form (tools/checkpatch-cached.sh keeps
# the passes in LINT_CACHE): use every CPU for both (xargs fails if any
# checkpatch run fails).
NPROC		:= $(shell nproc)
LINT_CACHE	:= $(CACHE)/checkpatch-ok
LINT_JOBS	:= -j$(NPROC)

lint: setup
	( $(KBUILD) $(LINT_JOBS) C=2 KFI_WERROR=y modules && \
	  $(SAMPLES_KBUILD) $(LINT_JOBS) C=2 KFI_WERROR=y modules ) 2>&1 | \
		tee $(CACHE)/sparse.log
	@! grep -E 'warning:|error:' $(CACHE)/sparse.log
	@printf '%s\n' $(LINT_FILES) | \
		xargs -P $(NPROC) -n 8 sh tools/checkpatch-cached.sh $(LINT_CACHE) \
			$(CHECKPATCH) --ignore $(CHECKPATCH_IGNORE) --
	@sh tools/checkpatch-cached.sh $(LINT_CACHE) $(CHECKPATCH) --ignore \
		$(CHECKPATCH_IGNORE),OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT -- $(TRACE_HDRS)
	@sh tools/checkpatch-cached.sh $(LINT_CACHE) $(CHECKPATCH) --ignore \
		$(CHECKPATCH_IGNORE),COMPLEX_MACRO,MACRO_ARG_REUSE,MACRO_ARG_PRECEDENCE \
		-- $(THUNK_HDR)
	@echo "lint: clean"
