#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: boot the guest of vm.py, run kfi's benchmark, print the table.

The guest runs bench/kfi_bench_run (with kfi_bench.ko), which prints one JSON
line per measurement; this collects them, adds the host's side of the
environment, writes them all to --out (bench.jsonl; with --from, which
summarizes an earlier run's lines again, only if --out is given), and
prints per arm the median, p10 and p90 of its per-round values and the
median of its per-round ratios to its reference arm, then the issue's
goals, met or missed.

  tools/bench.py [--quick] [--out FILE] [--kernel stock] [--arch x86_64]
                 [--append "mitigations=off"] [--seed N] [--arms A,B,...]
  tools/bench.py --from FILE [--out FILE]
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm  # noqa: E402

# Kernel options that decide what the numbers mean.
CONFIG_KEYS = ("KPROBES", "KRETPROBES", "KPROBES_ON_FTRACE", "OPTPROBES",
               "DYNAMIC_FTRACE_WITH_REGS", "DYNAMIC_FTRACE_WITH_ARGS",
               "HAVE_RETHOOK", "PREEMPT", "PREEMPT_VOLUNTARY",
               "PREEMPT_DYNAMIC", "HZ", "NR_CPUS", "RETPOLINE", "RETHUNK",
               "SLUB", "ARM64_PTR_AUTH_KERNEL", "ARM64_BTI_KERNEL")

# The goals: (name, numerator, denominator, limit, how, baseline).
#   ratio: median of the per-round ratios numerator/denominator (same block)
#   medians: ratio of the two arms' medians (different blocks)
# baseline: the same ratio for the bare mechanism, when the environment
# (not kfi) may move it; "normalized" is the goal's value divided by it.
GOALS = (
    ("filtered-out rule / bare kprobe", "kfi.filtered", "ref.kprobe", 1.10,
     "ratio", None),
    ("injecting return rule / bare ip-changing kprobe", "kfi.return",
     "ref.kprobe_ipmod", 1.25, "ratio", None),
    ("replace rule / bare kretprobe", "kfi.replace", "ref.kretprobe", 1.25,
     "ratio", None),
    ("hotfix redirect / bare ip-changing kprobe", "kfi.hotfix",
     "ref.kprobe_ipmod", 1.20, "ratio", None),
    ("filtered-out rule, {many} rules elsewhere / 1",
     "kfi.filtered@other_{many}", "kfi.filtered", 1.05, "medians",
     ("ref.kprobe@other_{many}", "ref.kprobe")),
    ("filtered-out rule, {same} rules on the function / 1", "scale.same_{same}",
     "kfi.filtered", 2.0, "ratio", None),
    ("the same, rules by pid and by comm / 1", "scale.mixed_{same}",
     "kfi.filtered", 2.0, "ratio", None),
    ("injecting rule, all vCPUs / one (ns/call/CPU)", "cpu.return.all",
     "cpu.return.one", 1.2, "ratio",
     ("cpu.kprobe_ipmod.all", "cpu.kprobe_ipmod.one")),
    ("disarming {cp} rules / 1 (wall)", "cp.disarm_{cp}", "cp.disarm_1", 10.0,
     "medians", ("ref.cp.unregister_{cp}", "ref.cp.unregister_1")),
)
MEM_LIMIT = 2048
# A goal's floor: an arm of the bare work under the numerator alone (not
# kfi's), over the goal's denominator. Above the limit, no kfi could meet
# the goal on this machine.
FLOORS = {"cp.disarm_{cp}": "ref.cp.configfs_write_{cp}"}


def quantile(v, q):
    v = sorted(v)
    if not v:
        return float("nan")
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def host_env(kernel):
    env = {"type": "host_env", "accel": vm.accel() if kernel.arch == "x86_64" else "tcg",
           "arch": kernel.arch, "kernel_flavour": kernel.name,
           "kernel_release": kernel.kver, "host_machine": platform.machine(),
           "host_cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
        env["host_cpu_model"] = m.group(1) if m else ""
    except OSError:
        pass
    qemu = "qemu-system-aarch64" if kernel.arch == "arm64" else "qemu-system-x86_64"
    out = subprocess.run([qemu, "--version"], capture_output=True, text=True)
    env["qemu"] = out.stdout.splitlines()[0] if out.stdout else qemu
    try:
        load = os.getloadavg()
        env["host_loadavg"] = [round(x, 2) for x in load]
    except OSError:
        pass
    config = {}
    try:
        with open(os.path.join(kernel.kdir, ".config")) as f:
            for line in f:
                m = re.match(r"CONFIG_(\w+)=(.*)$", line.strip())
                if m and m.group(1) in CONFIG_KEYS:
                    config[m.group(1)] = m.group(2)
    except OSError:
        pass
    env["config"] = config
    return env


class Summary:
    """Median, p10, p90 per arm and the per-round ratios to its reference."""

    def __init__(self, lines):
        self.samples = {}   # arm -> {(block, round): value}
        self.refs = {}
        self.units = {}
        self.extra = {}
        self.memory = []
        for d in lines:
            t = d.get("type")
            if t == "sample":
                key = (d["block"], d["round"])
                value, unit = d["ns_per_call"], "ns/call"
            elif t == "wall":
                key = ("cp", d["round"])
                value, unit = d["ms"], "ms"
            elif t == "memory":
                self.memory.append(d)
                continue
            else:
                continue
            self.samples.setdefault(d["arm"], {})[key] = value
            self.refs[d["arm"]] = d.get("ref") or None
            self.units[d["arm"]] = unit
            if t == "sample":
                self.extra.setdefault(d["arm"], []).append(d)

    def values(self, arm):
        return list(self.samples.get(arm, {}).values())

    def median(self, arm):
        return quantile(self.values(arm), 0.5)

    def ratios(self, arm, ref):
        a, r = self.samples.get(arm, {}), self.samples.get(ref, {})
        return [a[k] / r[k] for k in a if k in r and r[k] > 0]

    @staticmethod
    def order(arm):
        groups = ("ref.", "kfi.", "scale.", "cpu.", "cp.")
        g = next((i for i, p in enumerate(groups) if arm.startswith(p)), 9)
        other = arm.split("@other_")
        return (len(other) > 1 and int(other[1]), g, arm)

    def rows(self):
        out = []
        for arm in sorted(self.samples, key=self.order):
            v = self.values(arm)
            ref = self.refs.get(arm)
            rat = self.ratios(arm, ref) if ref else []
            out.append({"type": "summary", "arm": arm, "unit": self.units[arm],
                        "rounds": len(v), "median": quantile(v, 0.5),
                        "p10": quantile(v, 0.1), "p90": quantile(v, 0.9),
                        "ref": ref,
                        "ratio_median": quantile(rat, 0.5) if rat else None,
                        "ratio_p10": quantile(rat, 0.1) if rat else None,
                        "ratio_p90": quantile(rat, 0.9) if rat else None})
        return out

    def value(self, num, den, how):
        if how == "ratio":
            rat = self.ratios(num, den)
            return quantile(rat, 0.5) if rat else None
        a, b = self.median(num), self.median(den)
        return a / b if b and b == b and a == a else None

    def goals(self, **sizes):
        out = []
        for name, num, den, limit, how, base in GOALS:
            raw_num = num
            num, den, name = (x.format(**sizes) for x in (num, den, name))
            value = self.value(num, den, how)
            g = {"type": "goal", "goal": name, "numerator": num,
                 "denominator": den, "how": how, "limit": limit,
                 "value": value, "met": value is not None and value <= limit}
            floor = FLOORS.get(raw_num)
            if floor:
                floor = floor.format(**sizes)
                g["floor"] = floor
                g["floor_value"] = self.value(floor, den, "medians")
            if base:
                # kfi's overhead over the bare mechanism, per round, in the
                # numerator's state against the denominator's: what is
                # left of the goal's ratio once the mechanism's own change
                # (and the host's drift) is divided out.
                bnum, bden = (x.format(**sizes) for x in base)
                a = self.ratios(num, bnum)
                b = self.ratios(den, bden)
                g["baseline"] = "(%s / %s) / (%s / %s)" % (num, bnum, den, bden)
                g["baseline_value"] = self.value(bnum, bden, how)
                g["normalized"] = (quantile(a, 0.5) / quantile(b, 0.5)
                                   if a and b else None)
            out.append(g)
        # The floor: a configfs directory with a rule's attributes alone.
        floor = {m["rules"]: m for m in self.memory
                 if m["arm"].startswith("ref.mem.")}
        for m in self.memory:
            if m["arm"].startswith("ref.mem."):
                continue
            g = {"type": "goal",
                 "goal": "slab bytes per armed rule (%d rules)" % m["rules"],
                 "how": "memory", "limit": MEM_LIMIT,
                 "value": m["slab_bytes_per_rule"],
                 "percpu_bytes_per_rule": m["percpu_bytes_per_rule"],
                 "met": m["slab_bytes_per_rule"] <= MEM_LIMIT}
            f = floor.get(m["rules"])
            if f:
                g["configfs_floor"] = f["slab_bytes_per_rule"]
                g["kfi_own"] = m["slab_bytes_per_rule"] - f["slab_bytes_per_rule"]
            out.append(g)
        return out


def fmt(x, unit=""):
    if x is None or x != x:
        return "-"
    if unit == "ratio":
        return "%.2f" % x
    return "%.1f" % x if x < 1000 else "%.0f" % x


def print_table(rows, goals, memory):
    print("%-34s %8s %10s %10s %10s  %-24s %6s" % (
        "arm", "unit", "median", "p10", "p90", "reference", "ratio"))
    for r in rows:
        print("%-34s %8s %10s %10s %10s  %-24s %6s" % (
            r["arm"], r["unit"], fmt(r["median"]), fmt(r["p10"]),
            fmt(r["p90"]), r["ref"] or "", fmt(r["ratio_median"], "ratio")))
    for m in memory:
        if m["arm"].startswith("ref.mem."):
            print("%-34s %8s %10s  (slab %s, per-CPU %s)" % (
                m["arm"], "B/dir", fmt(m["bytes_per_rule"]),
                fmt(m["slab_bytes_per_rule"]),
                fmt(m["percpu_bytes_per_rule"])))
            continue
        print("%-34s %8s %10s  (slab %s, per-CPU %s; made %s, armed %s)" % (
            m["arm"], "B/rule", fmt(m["bytes_per_rule"]),
            fmt(m["slab_bytes_per_rule"]), fmt(m["percpu_bytes_per_rule"]),
            fmt(m["made_bytes_per_rule"]), fmt(m["armed_bytes_per_rule"])))
    print()
    print("%-52s %7s %7s  %-6s  %s" % ("goal", "value", "limit", "", "bare mechanism's own ratio"))
    for g in goals:
        base = ""
        if "baseline" in g:
            base = "%s (normalized %s)" % (fmt(g["baseline_value"], "ratio"),
                                           fmt(g["normalized"], "ratio"))
        elif "configfs_floor" in g:
            base = "configfs dir alone %s, kfi's own %s" % (
                fmt(g["configfs_floor"]), fmt(g["kfi_own"]))
        if g.get("floor_value") is not None:
            base += "; the writes alone %s" % fmt(g["floor_value"], "ratio")
        print("%-52s %7s %7s  %-6s  %s" % (g["goal"], fmt(g["value"], "ratio"),
                                           fmt(g["limit"], "ratio"),
                                           "met" if g["met"] else "MISSED", base))


def run_guest(args, kernel):
    """Boots the guest, runs the benchmark: its lines and what went wrong."""
    os.makedirs(vm.CACHE, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run.", dir=vm.CACHE)
    guest_args = " ".join((["--quick"] if args.quick else []) +
                          (["--seed", str(args.seed)] if args.seed is not None else []) +
                          (["--arms", args.arms] if args.arms else []))
    lines, other = [], []

    def on_line(line):
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                other.append(line)
                return
            lines.append(d)
            if d.get("type") == "error":
                print("bench: guest: " + d.get("message", ""), flush=True)
        elif not line.startswith("KFI-") or line.startswith("KFI-TAINT "):
            other.append(line)

    henv = host_env(kernel)
    try:
        img = vm.build_initramfs(work, kernel, "bench", None, guest_args)
        run = vm.Run(work, kernel, img, "bench")
        if args.append:
            i = run.cmd.index("-append") + 1
            run.cmd[i] += " " + args.append
        if args.quick:
            run.limit = 120 * (4 if kernel.arch != "x86_64" else 1)
        print("bench: booting %s (%s, %s)%s" % (
            kernel.kver, kernel.arch, henv["accel"],
            " QUICK" if args.quick else ""), flush=True)
        run.run(on_line)
    finally:
        last = os.path.join(vm.CACHE, "last-bench")
        shutil.rmtree(last, ignore_errors=True)
        shutil.rmtree(os.path.join(work, "initramfs"), ignore_errors=True)
        os.rename(work, last)

    problems = []
    reports = [l for l in run.console_lines if vm.KERNEL_REPORTS.search(l)]
    if reports:
        problems.append("the kernel log shows a report:\n  " + "\n  ".join(reports[:10]))
    if run.timed_out:
        problems.append("the VM did not finish within %d s" % run.limit)
    taint = [int(l.split()[1]) for l in other if l.startswith("KFI-TAINT ")]
    if taint and taint[0] & ~vm.ALLOWED_TAINT:
        problems.append("the kernel is tainted: %d" % taint[0])
    henv["elapsed_s"] = round(run.elapsed, 1)
    if problems:
        print("bench: last 30 lines of the guest console (.cache/last-bench/console.log):")
        for l in run.console_lines[-30:]:
            print("  | " + l)
        for l in other[-20:]:
            print("  > " + l)
    return henv, lines, problems


def read_lines(path):
    """The lines of an earlier run: a results.log or an --out file."""
    lines, henv = [], {}
    with open(path, errors="replace") as f:
        for line in f:
            if not line.startswith("{"):
                continue
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("type") == "env" and "accel" in d:
                henv = d
            elif d.get("type") in ("env", "plan", "sample", "wall", "memory",
                                   "error", "done"):
                lines.append(d)
    return henv, lines, []


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default=os.environ.get("KERNEL") or "stock")
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--quick", action="store_true",
                    help="a short run that checks the benchmark works")
    ap.add_argument("--out", help="the JSON lines (default bench.jsonl; "
                    "with --from, none unless given)")
    ap.add_argument("--seed", type=int, help="the order of the arms")
    ap.add_argument("--arms", default="",
                    help="only these arms of the main block (comma-separated) "
                    "and their references: a quick comparison, no goal table")
    ap.add_argument("--from", dest="src",
                    help="summarize the JSON lines of an earlier run (its "
                    "results.log or --out file) instead of running")
    ap.add_argument("--append", default="",
                    help="more kernel command line, e.g. mitigations=off")
    args = ap.parse_args()

    if args.src:
        henv, lines, problems = read_lines(args.src)
    else:
        henv, lines, problems = run_guest(args, vm.Kernel(args.kernel, args.arch))
    if not any(d.get("type") == "done" for d in lines):
        problems.append("the benchmark did not finish")
    errors = [d for d in lines if d.get("type") == "error"]
    if errors:
        problems.append("%d errors in the guest" % len(errors))

    genv = next((d for d in lines if d.get("type") == "env"), {})
    plan = next((d for d in lines if d.get("type") == "plan"), {})
    env = dict(henv)
    env.update({k: v for k, v in genv.items() if k != "type"})
    env["type"] = "env"
    summ = Summary(lines)
    mem = summ.memory
    many = max([int(a.split("@other_")[1]) for a in summ.samples
                if "@other_" in a] or [1000])
    cps = [int(a[len("cp.disarm_done_"):]) for a in summ.samples
           if a.startswith("cp.disarm_done_")]
    same = max([int(a[len("scale.same_"):]) for a in summ.samples
                if a.startswith("scale.same_")] or [64])
    rows = summ.rows()
    goals = summ.goals(many=many, cp=max(cps or [1000]), same=same)
    if args.arms:
        # A partial run: only the goals its arms measure.
        goals = [g for g in goals if g.get("value") is not None]

    if not args.src and not args.out:
        args.out = "bench.jsonl"
    # Every line carries the environment it was measured in.
    with open(args.out or os.devnull, "w") as f:
        for d in [env, plan] + lines + rows + goals:
            if d.get("type") in ("env",):
                f.write(json.dumps(d) + "\n")
                continue
            if not d:
                continue
            d = dict(d)
            d["env"] = {k: env.get(k) for k in (
                "accel", "arch", "cpu_model", "clocksource", "release",
                "cmdline", "config", "host_cpu_model", "qemu", "quick",
                "spectre_v2", "retbleed")}
            f.write(json.dumps(d) + "\n")

    print("environment: %s, %s, guest CPU %s, clocksource %s, %d vCPUs" % (
        env.get("accel"), env.get("release"), env.get("cpu_model"),
        env.get("clocksource"), env.get("online_cpus", 0)))
    print("mitigations: spectre_v2 %s; retbleed %s; preempt %s" % (
        env.get("spectre_v2"), env.get("retbleed"), env.get("preempt")))
    print("host: %s, %s CPUs, %s; %.0f s in the VM; seed %s" % (
        env.get("host_cpu_model"), env.get("host_cpus"), env.get("qemu"),
        env.get("elapsed_s", 0), plan.get("seed")))
    print()
    print_table(rows, goals, mem)
    print()
    if args.out:
        print("bench: JSON lines in %s" % args.out)
    if problems:
        for p in problems:
            print("bench: " + p)
        for e in errors[:10]:
            print("  | " + e.get("message", ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
