#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot Debian's kernel in QEMU with kfi and its tests in an initramfs.

Orchestration only: the tests are C programs built with the kselftest
harness, the guest is static busybox plus those programs, and everything the
guest prints that matters reaches the host on two serial ports:

  ttyS0  the kernel console (checked for WARNING, BUG, oops, lockdep, KASAN)
  ttyS1  what /init and the tests print (TAP, parsed here)

  vm.py check [--filter PATTERN]   run the selftests, print "N passed, N failed,
                                    N skipped"
  vm.py demo                        run the narrated scenario (tools/demo.sh)
  vm.py scenario --scenario FILE [--overlay DIR]
                                    run "kfictl run FILE" in the guest, with
                                    DIR's files, and exit with its status
"""

import argparse
import glob
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(TOP, ".cache")

# Taint bits that loading kfi itself sets: O (out-of-tree), E (unsigned).
ALLOWED_TAINT = (1 << 12) | (1 << 13)

# Lines on the kernel console that fail a run whatever the tests said.
KERNEL_REPORTS = re.compile(
    r"WARNING:|BUG:|Oops|Kernel panic|general protection fault|"
    r"KASAN|UBSAN|suspected memory leak|possible circular locking|"
    r"possible recursive locking|inconsistent lock state|"
    r"suspicious RCU usage|INFO: task .* blocked|soft lockup|hard LOCKUP|"
    r"detected stalls|kernel BUG|unreferenced object|sleeping function called"
)

TIME_LIMIT = {"check": 420, "demo": 180, "bench": 1500, "scenario": 600}

# Environment variables passed on to the tests in the guest, all numbers.
TEST_ENV = ("KFI_STRESS_SECONDS", "KFI_FUZZ_SEED")


def stress_seconds():
    """KFI_STRESS_SECONDS, 0 when unset: each time-bounded test's budget."""
    return int(os.environ.get("KFI_STRESS_SECONDS") or "0", 0)


def die(msg):
    print("vm.py: " + msg, file=sys.stderr)
    sys.exit(2)


def vmlinux(kver):
    """The uncompressed kernel, extracted once from the xz bzImage.

    QEMU boots an ELF vmlinux through its PVH entry point, which saves the
    in-guest xz decompression (about 2.3 s per boot under TCG).
    """
    out = os.path.join(CACHE, "vmlinux-" + kver)
    if os.path.exists(out):
        return out
    bz = "/boot/vmlinuz-" + kver
    with open(bz, "rb") as f:
        data = f.read()
    start = data.find(b"\xfd7zXZ\x00")
    if start < 0:
        return bz
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    elf = dec.decompress(data[start:])
    if not elf.startswith(b"\x7fELF"):
        return bz
    os.makedirs(CACHE, exist_ok=True)
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(out + ".tmp", out)
    return out


# Debian kernel flavours the suite can boot, by KERNEL=NAME.
FLAVOURS = {"stock": "amd64", "rt": "rt-amd64", "cloud": "cloud-amd64"}


ARM64_ROOT = os.path.join(CACHE, "arm64/root")


class Kernel:
    """What one KERNEL=NAME means: headers to build against, image to boot."""

    def __init__(self, name, arch="x86_64"):
        self.name = name
        self.arch = arch
        self.builtin_configfs = False
        self.busybox = shutil.which("busybox") or "/bin/busybox"
        # Modules the guest loads first to have its results channel.
        self.channel_modules = []
        if arch == "arm64":
            if name != "stock":
                die("KERNEL=%s is x86_64 only" % name)
            heads = glob.glob(os.path.join(ARM64_ROOT, "usr/src/linux-headers-*-arm64"))
            if not heads:
                die("no arm64 kernel; run 'make setup ARCH=arm64'")
            self.kdir = heads[0]
            self.kver = os.path.basename(self.kdir)[len("linux-headers-"):]
            self.image = os.path.join(ARM64_ROOT, "boot/vmlinuz-" + self.kver)
            self.moddir = os.path.join(ARM64_ROOT, "lib/modules", self.kver)
            self.busybox = os.path.join(ARM64_ROOT, "bin/busybox")
            self.channel_modules = [
                "kernel/drivers/virtio/virtio_mmio.ko",
                "kernel/drivers/char/virtio_console.ko",
            ]
            return
        if arch != "x86_64":
            die("unknown ARCH=%s (x86_64, arm64)" % arch)
        if name == "debug":
            out = subprocess.run([os.path.join(TOP, "tools/build-kernel.sh"),
                                  "--print"], capture_output=True, text=True)
            self.kdir = out.stdout.strip()
            if out.returncode or not self.kdir:
                die("the debug kernel is not built; run 'make setup KERNEL=debug'")
            with open(os.path.join(self.kdir, "include/config/kernel.release")) as f:
                self.kver = f.read().strip()
            # KASAN's early code cannot take QEMU's PVH entry: boot bzImage.
            self.image = os.path.join(self.kdir, "arch/x86/boot/bzImage")
            self.moddir = self.kdir
            self.builtin_configfs = True
            return
        if name not in FLAVOURS:
            die("unknown KERNEL=%s (stock, rt, cloud, debug)" % name)
        flavour = FLAVOURS[name]
        pat = re.compile(r"linux-headers-(\d[\d.]*-\d+-%s)$" % re.escape(flavour))
        vers = [m.group(1) for m in
                (pat.search(h) for h in glob.glob("/usr/src/linux-headers-*"))
                if m]
        if not vers:
            die("no Debian %s kernel headers; run 'make setup KERNEL=%s'"
                % (flavour, name))

        def key(v):
            return [int(x) if x.isdigit() else x for x in re.split(r"[.-]", v)]

        self.kver = sorted(vers, key=key)[-1]
        self.kdir = "/usr/src/linux-headers-" + self.kver
        self.image = vmlinux(self.kver)
        self.moddir = os.path.join("/lib/modules", self.kver)


def accel():
    """KVM only when a real KVM module is loaded and /dev/kvm is usable."""
    forced = os.environ.get("KFI_ACCEL")
    if forced:
        return forced
    try:
        with open("/proc/modules") as f:
            mods = f.read()
    except OSError:
        mods = ""
    if re.search(r"^kvm_(intel|amd) ", mods, re.M) and os.access(
        "/dev/kvm", os.R_OK | os.W_OK
    ):
        return "kvm"
    return "tcg"


def find_kos():
    kos = []
    for root, dirs, files in os.walk(TOP):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        kos += [os.path.join(root, f) for f in files if f.endswith(".ko")]
    return kos


def build_initramfs(work, kernel, mode, filt, bench_args="", scenario=None,
                    overlay=None):
    stage = os.path.join(work, "initramfs")
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev",
              "tmp", "etc", "root", "kfi/tests"):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    shutil.copy(kernel.busybox, os.path.join(stage, "bin/busybox"))
    shutil.copy(os.path.join(TOP, "tools/guest-init.sh"),
                os.path.join(stage, "init"))
    os.chmod(os.path.join(stage, "init"), 0o755)
    shutil.copy(os.path.join(TOP, "tools/demo.sh"),
                os.path.join(stage, "kfi/demo.sh"))

    kver = kernel.kver
    moddir = os.path.join(stage, "lib/modules", kver)
    os.makedirs(os.path.join(moddir, "extra"))
    wanted = list(kernel.channel_modules)
    if not kernel.builtin_configfs:
        wanted.append("kernel/fs/configfs/configfs.ko")
    for mod in wanted:
        os.makedirs(os.path.join(moddir, os.path.dirname(mod)), exist_ok=True)
        shutil.copy(os.path.join(kernel.moddir, mod), os.path.join(moddir, mod))
    for ko in find_kos():
        shutil.copy(ko, os.path.join(moddir, "extra"))
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        src = os.path.join(kernel.moddir, f)
        if os.path.exists(src):
            shutil.copy(src, moddir)
    subprocess.run(["depmod", "-b", stage, kver], check=True)

    tests = sorted(glob.glob(os.path.join(TOP, "selftests/.build", kernel.arch,
                                          "*_test")))
    for t in tests:
        shutil.copy(t, os.path.join(stage, "kfi/tests"))
    # The benchmark's driver: make bench runs it, and so does a test.
    bench_run = os.path.join(TOP, "bench/.build", kernel.arch, "kfi_bench_run")
    if os.path.exists(bench_run):
        os.makedirs(os.path.join(stage, "kfi/bench"))
        shutil.copy(bench_run, os.path.join(stage, "kfi/bench"))
    # kfictl, where an administrator would have it: on the PATH.
    kfictl = os.path.join(TOP, "tools/kfictl/.build", kernel.arch, "kfictl")
    if os.path.exists(kfictl):
        shutil.copy(kfictl, os.path.join(stage, "bin/kfictl"))
    # The sample scenarios, which a test runs with kfictl run.
    os.makedirs(os.path.join(stage, "kfi/scenarios"))
    for scn in glob.glob(os.path.join(TOP, "samples/scenarios/*.scn")):
        shutil.copy(scn, os.path.join(stage, "kfi/scenarios"))
    # make scenario: the user's files first, laid over the guest's root,
    # then the scenario, in /kfi/run/ under its own name.
    if overlay:
        shutil.copytree(overlay, stage, symlinks=True, dirs_exist_ok=True)
    if scenario:
        os.makedirs(os.path.join(stage, "kfi/run"), exist_ok=True)
        shutil.copy(scenario, os.path.join(stage, "kfi/run"))
        with open(os.path.join(stage, "kfi/scenario"), "w") as f:
            f.write("/kfi/run/" + os.path.basename(scenario) + "\n")
    with open(os.path.join(stage, "kfi/bench_args"), "w") as f:
        f.write(bench_args + "\n")
    with open(os.path.join(stage, "kfi/mode"), "w") as f:
        f.write(mode + "\n")
    with open(os.path.join(stage, "kfi/plan"), "w") as f:
        for t in tests:
            f.write(os.path.basename(t) + "\n")
    with open(os.path.join(stage, "kfi/filter"), "w") as f:
        f.write((filt or "") + "\n")
    # Knobs of the time-bounded tests, from the host's environment (make
    # stress sets KFI_STRESS_SECONDS; KFI_FUZZ_SEED replays a fuzz run).
    with open(os.path.join(stage, "kfi/env"), "w") as f:
        for var in TEST_ENV:
            if os.environ.get(var):
                f.write("%s=%d\n" % (var, int(os.environ[var], 0)))
    with open(os.path.join(stage, "kfi/channel"), "w") as f:
        f.write(" ".join(os.path.basename(m)[:-3] for m in kernel.channel_modules)
                + "\n")

    img = os.path.join(work, "initramfs.cpio")
    files = subprocess.run(["find", "."], cwd=stage, check=True,
                           capture_output=True).stdout
    with open(img, "wb") as out:
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=stage,
                       input=files, stdout=out, check=True)
    return img


class Run:
    """One boot of the guest, with both serial ports captured to files."""

    def __init__(self, work, kernel, initrd, mode):
        self.console = os.path.join(work, "console.log")
        self.results = os.path.join(work, "results.log")
        for f in (self.console, self.results):
            open(f, "w").close()
        append = ("console=ttyS0 panic=-1 oops=panic panic_on_warn=1 "
                  "softlockup_panic=1 softlockup_all_cpu_backtrace=1 random.trust_cpu=on")
        common = ["-m", "512", "-smp", "2", "-display", "none",
                  "-no-reboot", "-monitor", "none", "-kernel", kernel.image,
                  "-initrd", initrd]
        if kernel.arch == "arm64":
            # One UART on "virt": the tests talk over a virtio console.
            self.cmd = ["qemu-system-aarch64", "-M", "virt",
                        "-accel", "tcg,thread=single",
                        "-cpu", "max,pauth-impdef=on"] + common + [
                "-append", append.replace("ttyS0", "ttyAMA0"),
                "-serial", "file:" + self.console,
                "-device", "virtio-serial-device",
                "-chardev", "file,id=results,path=" + self.results,
                "-device", "virtconsole,chardev=results"]
        else:
            acc = accel()
            # One host thread for all vCPUs under TCG: with a thread per
            # vCPU, a vCPU can run a stale translation of code another
            # vCPU just patched (kprobes then loop on, or jump to 0 from,
            # a breakpoint that is no longer in memory). The guest still
            # has two CPUs, preemption and IPIs.
            self.cmd = ["qemu-system-x86_64", "-M", "pc", "-accel",
                        acc if acc == "kvm" else "tcg,thread=single"] + \
                common + ["-append", append,
                          "-serial", "file:" + self.console,
                          "-serial", "file:" + self.results]
            if acc == "kvm":
                self.cmd += ["-cpu", "host"]
        # KASAN and lockdep, or emulating another architecture, make
        # everything several times slower.
        slow = kernel.name == "debug" or kernel.arch != "x86_64"
        # The stress and fuzz tests together take about 4 x their budget.
        self.limit = (TIME_LIMIT[mode] + 5 * stress_seconds()) * (4 if slow else 1)

    def run(self, on_line):
        proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL)
        start = time.monotonic()
        pos = 0
        buf = ""
        timed_out = False
        while True:
            done = proc.poll() is not None
            with open(self.results, "r", errors="replace") as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
            buf += chunk
            while "\n" in buf:
                line, buf = buf.split("\n", 1)
                on_line(line.rstrip("\r"))
            if done:
                break
            if time.monotonic() - start > self.limit:
                timed_out = True
                proc.kill()
                proc.wait()
                break
            time.sleep(0.1)
        if buf:
            on_line(buf.rstrip("\r"))
        self.elapsed = time.monotonic() - start
        self.timed_out = timed_out
        with open(self.console, errors="replace") as f:
            self.console_lines = f.read().splitlines()
        return proc.returncode


class Results:
    """Follows the TAP the kselftest harness prints, test by test."""

    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = self.failed = self.skipped = 0
        self.binary = None
        self.current = None
        self.log = []
        self.taint = None
        self.ended = False
        self.booted = False
        self.failures = []
        self.leaks = []
        self.debug_locks = None

    def line(self, line):
        if line.startswith("KFI-BOOT"):
            self.booted = True
            return
        if line.startswith("KFI-RUN "):
            self.binary = line.split()[1]
            self.current = None
            self.log = []
            return
        if line.startswith("KFI-RC "):
            _, name, rc = line.split()
            if rc not in ("0", "4") and not self.log_has_result:
                self.fail(name + " (exit status " + rc + ")")
            self.binary = None
            return
        if line.startswith("KFI-TAINT "):
            self.taint = int(line.split()[1])
            return
        if line.startswith("KFI-KMEMLEAK "):
            self.leaks.append(line[len("KFI-KMEMLEAK "):])
            return
        if line.startswith("KFI-DEBUG-LOCKS "):
            self.debug_locks = line.split()[1]
            return
        if line.startswith("KFI-END"):
            self.ended = True
            return
        self.log.append(line)
        if self.verbose:
            print("    " + line)
        m = re.match(r"#\s+RUN\s+(\S+)", line)
        if m:
            self.current = m.group(1)
            self.log = [line]
            self.log_has_result = False
            return
        m = re.match(r"(not ok|ok) \d+(.*)$", line)
        if not m:
            # A whole binary skipped; "1..0" alone is a binary whose tests
            # the filter all left out.
            if line.startswith("1..0") and "SKIP" in line:
                self.skipped += 1
                print("SKIP  %s: %s" % (self.binary, line))
            return
        self.log_has_result = True
        name = "%s: %s" % (self.binary, self.current or m.group(2).strip())
        if m.group(1) == "ok" and "# SKIP" in m.group(2):
            self.skipped += 1
            print("SKIP  %s (%s)" % (name, m.group(2).split("# SKIP", 1)[1].strip()))
        elif m.group(1) == "ok":
            self.passed += 1
            print("PASS  " + name)
        else:
            self.fail(name)
        self.current = None

    log_has_result = False

    def fail(self, name):
        self.failed += 1
        self.failures.append(name)
        print("FAIL  " + name)
        for l in self.log:
            print("      | " + l)


def check(args):
    kernel = Kernel(args.kernel, args.arch)
    img = build_initramfs(args.work, kernel, "check", args.filter)
    res = Results(args.verbose)
    run = Run(args.work, kernel, img, "check")
    print("vm.py: booting %s (KERNEL=%s, %s, %s)" % (
        kernel.kver, kernel.name,
        accel() if kernel.arch == "x86_64" else "tcg",
        os.path.basename(kernel.image)))
    run.run(res.line)
    problems = []
    if run.timed_out:
        problems.append("the VM did not finish within %d s" % run.limit)
    elif not res.ended:
        problems.append("the VM stopped before the suite finished "
                        "(panic, oops or reboot)")
    if not res.ended and res.binary:
        problems.append("running when it stopped: %s %s"
                        % (res.binary, res.current or ""))
    reports = [l for l in run.console_lines if KERNEL_REPORTS.search(l)]
    if reports:
        problems.append("the kernel log shows a report:\n  " +
                        "\n  ".join(reports[:10]))
    if res.leaks:
        problems.append("kmemleak reports leaks:\n  " + "\n  ".join(res.leaks[:20]))
    if res.debug_locks == "0":
        problems.append("lockdep turned itself off (debug_locks: 0): a report was printed")
    if res.taint is not None and res.taint & ~ALLOWED_TAINT:
        problems.append("the kernel is tainted: %d (only O and E are expected)"
                        % res.taint)
    if res.passed + res.failed + res.skipped == 0 and not problems:
        problems.append("no test ran")
    if problems:
        for p in problems:
            print("vm.py: " + p)
        print("vm.py: last 50 lines of the guest console (whole log: .cache/last-check/console.log):")
        for l in run.console_lines[-50:]:
            print("  | " + l)
    print("vm.py: %.1f s in the VM" % run.elapsed)
    failed = res.failed + (1 if problems else 0)
    print("%d passed, %d failed, %d skipped" % (res.passed, failed, res.skipped))
    return 0 if failed == 0 else 1


def demo(args):
    kernel = Kernel(args.kernel, args.arch)
    img = build_initramfs(args.work, kernel, "demo", None)
    run = Run(args.work, kernel, img, "demo")
    state = {"ended": False, "taint": None}

    def line(l):
        if l.startswith("KFI-END"):
            state["ended"] = True
        elif l.startswith("KFI-TAINT "):
            state["taint"] = int(l.split()[1])
        elif l.startswith("KFI-"):
            pass
        else:
            print(l, flush=True)

    run.run(line)
    reports = [l for l in run.console_lines if KERNEL_REPORTS.search(l)]
    ok = state["ended"] and not reports and not run.timed_out
    if state["taint"] is not None and state["taint"] & ~ALLOWED_TAINT:
        ok = False
    if not ok:
        print("vm.py: the demo did not finish cleanly; last 50 console lines:")
        for l in (reports or []) + run.console_lines[-50:]:
            print("  | " + l)
        return 1
    return 0


def scenario(args):
    """make scenario: kfictl run in the guest; its exit status, or 1."""
    if not os.path.isfile(args.scenario):
        die("no scenario file %s" % args.scenario)
    if args.overlay and not os.path.isdir(args.overlay):
        die("OVERLAY=%s is not a directory" % args.overlay)
    kernel = Kernel(args.kernel, args.arch)
    img = build_initramfs(args.work, kernel, "scenario", None,
                          scenario=args.scenario, overlay=args.overlay)
    run = Run(args.work, kernel, img, "scenario")
    state = {"rc": None, "ended": False, "taint": None}

    def line(l):
        if l.startswith("KFI-RC "):
            state["rc"] = int(l.split()[2])
        elif l.startswith("KFI-END"):
            state["ended"] = True
        elif l.startswith("KFI-TAINT "):
            state["taint"] = int(l.split()[1])
        elif not l.startswith("KFI-"):
            print(l, flush=True)

    run.run(line)
    problems = []
    if run.timed_out:
        problems.append("the VM did not finish within %d s" % run.limit)
    elif state["rc"] is None or not state["ended"]:
        problems.append("the VM stopped before kfictl run finished "
                        "(panic, oops or reboot)")
    reports = [l for l in run.console_lines if KERNEL_REPORTS.search(l)]
    if reports:
        problems.append("the kernel log shows a report:\n  " +
                        "\n  ".join(reports[:10]))
    if state["taint"] is not None and state["taint"] & ~ALLOWED_TAINT:
        problems.append("the kernel is tainted: %d" % state["taint"])
    for p in problems:
        print("vm.py: " + p)
    if problems:
        print("vm.py: last 50 console lines (all: .cache/last-scenario/console.log):")
        for l in run.console_lines[-50:]:
            print("  | " + l)
    rc = state["rc"] if state["rc"] is not None else 1
    if state["rc"] is not None:
        print("vm.py: kfictl run exited with %d" % rc)
    return rc or (1 if problems else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("check", "demo", "scenario", "kdir"),
                    help="kdir: print the headers directory of --kernel")
    ap.add_argument("--kernel", default=os.environ.get("KERNEL") or "stock",
                    help="stock (default), rt, cloud or debug")
    ap.add_argument("--arch", default="x86_64", help="x86_64 (default) or arm64")
    ap.add_argument("--filter", help="run only tests whose name matches "
                    "(shell pattern or substring of fixture.variant.test)")
    ap.add_argument("--scenario", help="scenario: the file kfictl runs")
    ap.add_argument("--overlay", help="scenario: a directory whose files "
                    "are laid over the guest's root")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every line the tests print")
    args = ap.parse_args()
    os.makedirs(CACHE, exist_ok=True)
    if args.mode == "kdir":
        print(Kernel(args.kernel, args.arch).kdir)
        return
    # Each run works in its own directory, so that runs from several
    # checkouts (or worktrees) can go on at once; the last one is kept in
    # .cache/last-check (or last-demo) for a look at its logs.
    args.work = tempfile.mkdtemp(prefix="run.", dir=CACHE)
    try:
        rc = {"check": check, "demo": demo, "scenario": scenario}[args.mode](args)
    finally:
        last = os.path.join(CACHE, "last-" + args.mode)
        shutil.rmtree(last, ignore_errors=True)
        shutil.rmtree(os.path.join(args.work, "initramfs"), ignore_errors=True)
        os.rename(args.work, last)
    sys.exit(rc)


if __name__ == "__main__":
    main()
