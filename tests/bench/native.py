#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The native half of make bench: objheap's core against CPython, no VM.

objheap's side is tests/userland/bench_native (module/'s allocator and
collector compiled in user space against the shim, no sanitizer, no
lockdep: a production build); CPython's is Debian's python3 running
tests/bench/cpython_bench.py's one-measurement forms. Both build the same
graphs (tests/bench/gc_graphs.h, cpython_bench.build()). Each measurement
is one process; the two sides alternate, run by run, so that the machine's
load falls on both alike. Figures are medians with [min-max].

Instruction counts (valgrind's callgrind, which counts instructions and
does not move with the machine's load): each side runs once with the
collection and once without (same build, same exit without teardown);
the difference over the objects is the collection's instructions per
object.

Writes OUT/native.json and OUT/NATIVE.md, and puts NATIVE.md into
OUT/RESULTS.md between its native markers (report.py does the same when
make bench rewrites it).

usage: native.py --objheap BIN [--python /usr/bin/python3] [--out bench]
                 [--repeats 7] [--quick]
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

SHAPES = ("ring", "tree", "random")
BEGIN = "<!-- native:begin -->"
END = "<!-- native:end -->"
HERE = os.path.dirname(os.path.abspath(__file__))
CPYTHON = os.path.join(HERE, "cpython_bench.py")


def run(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True).stdout
    return float(out.split()[-1])


class Sides:
    def __init__(self, objheap, python):
        self.cmd = {"objheap": [objheap],
                    "cpython": [python, "-S", "-I", CPYTHON]}

    def one(self, side, args):
        return run(self.cmd[side] + [str(a) for a in args])

    def interleaved(self, args, repeats):
        """repeats runs of each side, alternating who goes first."""
        got = {"objheap": [], "cpython": []}
        for r in range(repeats):
            order = ("objheap", "cpython") if r % 2 == 0 else ("cpython", "objheap")
            for side in order:
                got[side].append(self.one(side, args))
        return got

    def instructions(self, side, args):
        """Instructions of the collection: with it minus without it."""
        counts = []
        for extra in ([], ["collect"]):
            with tempfile.NamedTemporaryFile() as f:
                p = subprocess.run(
                    ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f.name]
                    + self.cmd[side] + ["count"] + [str(a) for a in args] + extra,
                    check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
            m = re.search(r"refs:\s+([\d,]+)", p.stderr)
            if not m:
                sys.exit("native.py: no instruction count from callgrind:\n" + p.stderr)
            counts.append(int(m.group(1).replace(",", "")))
        return counts[1] - counts[0]


def stats(vals):
    vals = sorted(vals)
    return {"median": statistics.median(vals), "min": vals[0], "max": vals[-1],
            "runs": len(vals)}


def fmt(s, prec=1):
    f = "%%.%df" % prec
    return "%s [%s-%s]" % (f % s["median"], f % s["min"], f % s["max"])


def machine(python):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gcc = subprocess.run(["gcc", "--version"], stdout=subprocess.PIPE,
                         text=True).stdout.split("\n")[0]
    pyv = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpu": cpu, "cpus": os.cpu_count(), "compiler": gcc,
            "kernel": platform.release(), "python": pyv, "commit": commit or "?"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--objheap", required=True)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--out", default="bench")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()

    sizes = (1000, 10000) if args.quick else (1000, 10000, 100000, 1000000)
    count_sizes = (1000, 10000) if args.quick else (1000, 10000, 100000)
    olds = (0, 10000) if args.quick else (0, 10000, 100000, 1000000)
    reps = 3 if args.quick else args.repeats
    sides = Sides(args.objheap, args.python)
    res = {"machine": machine(args.python), "full": [], "young": [],
           "finweak": [], "memory": {}, "aims": []}

    for shape in SHAPES:
        for n in sizes:
            for state in ("alive", "garbage"):
                got = sides.interleaved(["full", shape, n, state], reps)
                row = {"shape": shape, "n": n, "state": state,
                       "objheap": stats(got["objheap"]),
                       "cpython": stats(got["cpython"])}
                if n in count_sizes:
                    row["objheap_instr"] = sides.instructions("objheap", [shape, n, state]) / n
                    row["cpython_instr"] = sides.instructions("cpython", [shape, n, state]) / n
                res["full"].append(row)
                print("native: %s n=%d %s: objheap %s, CPython %s ns/object" %
                      (shape, n, state, fmt(row["objheap"]), fmt(row["cpython"])),
                      flush=True)
    for n in sizes:
        got = sides.interleaved(["finweak", n], reps)
        row = {"n": n, "objheap": stats(got["objheap"]),
               "cpython": stats(got["cpython"])}
        row["ratio"] = row["cpython"]["median"] / row["objheap"]["median"]
        res["finweak"].append(row)
        print("native: finweak n=%d: objheap %s, CPython %s ns/object" %
              (n, fmt(row["objheap"]), fmt(row["cpython"])), flush=True)
    for old in olds:
        got = sides.interleaved(["young", old], reps)
        res["young"].append({"old": old, "objheap": stats(got["objheap"]),
                             "cpython": stats(got["cpython"])})
    res["memory"] = {"objheap": sides.one("objheap", ["memory"]),
                     "cpython_tuple2": sides.one("cpython", ["memory"])}

    # The aims of issues 15 and 16, from this run's medians.
    def aim(what, value, target, ok):
        res["aims"].append({"aim": what, "value": value, "target": target,
                            "verdict": "met" if ok else "missed"})
    for state, target in (("garbage", 1.5), ("alive", 2.0)):
        rows = [r for r in res["full"] if r["state"] == state]
        for r in rows:
            r["ratio"] = r["cpython"]["median"] / r["objheap"]["median"]
        worst = min(rows, key=lambda r: r["ratio"])
        aim("full collection, %s, lowest of all shapes and sizes (%s, n=%d): "
            "CPython ns / objheap ns" % (state, worst["shape"], worst["n"]),
            worst["ratio"], ">= %.1f" % target, worst["ratio"] >= target)
    worst = min(res["finweak"], key=lambda r: r["ratio"])
    aim("cyclic trash, 10%% finalizable, a weak reference with a callback "
        "per object, reclaimed (n=%d, the lowest of all sizes): CPython ns / "
        "objheap ns" % worst["n"], worst["ratio"], ">= 1.5", worst["ratio"] >= 1.5)
    young = {y["old"]: y["objheap"]["median"] for y in res["young"]}
    top = max(young)
    ratio = young[top] / young[0]
    aim("young collection pause, %d old / 0 old (objheap)" % top, ratio,
        "<= 1.2", ratio <= 1.2)
    mem = res["memory"]["objheap"] / res["memory"]["cpython_tuple2"]
    aim("memory per two-slot container: objheap / CPython 2-tuple (%.0f B)"
        % res["memory"]["cpython_tuple2"], mem, "<= 0.75", mem <= 0.75)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "native.json"), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    md = render(res, args.quick)
    with open(os.path.join(args.out, "NATIVE.md"), "w") as f:
        f.write(md)
    insert(os.path.join(args.out, "RESULTS.md"), md)
    for a in res["aims"]:
        print("native aim: %s = %.2f (%s): %s" % (a["aim"], a["value"], a["target"],
                                                 a["verdict"]))


def render(res, quick):
    m = res["machine"]
    out = [BEGIN, "## Native: the core against CPython, no VM", "",
           "Reproduce: `make bench-native` (part of `make bench`). "
           "objheap: module/'s allocator and collector compiled in user space "
           "(tests/userland, no sanitizer, no lockdep), so the core's algorithm "
           "and data layout at native speed, not the syscall path; CPython: "
           "Debian's python3, `gc.collect()`. One measurement per process, "
           "the two sides alternating; medians [min-max]. Instructions: "
           "callgrind, a run with the collection minus one without, per object.",
           "", "- machine: %s, %s CPUs, Linux %s" % (m["cpu"], m["cpus"], m["kernel"]),
           "- compiler: %s; CPython %s; objheap %s; %s" %
           (m["compiler"], m["python"], m["commit"], m["date"]), ""]
    if quick:
        out += ["**QUICK RUN** (graphs of at most 10^4 objects).", ""]
    out += ["| aim | value | target | verdict |", "| --- | --- | --- | --- |"]
    for a in res["aims"]:
        out.append("| %s | %.2f | %s | %s |" % (a["aim"], a["value"], a["target"],
                                              a["verdict"]))
    out += ["", "Full collections, ns per object (instructions per object):", "",
            "| shape | state | objects | objheap | CPython | CPython / objheap "
            "| objheap instr | CPython instr |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in res["full"]:
        oi = "%.0f" % r["objheap_instr"] if "objheap_instr" in r else "-"
        ci = "%.0f" % r["cpython_instr"] if "cpython_instr" in r else "-"
        out.append("| %s | %s | %d | %s | %s | %.2f | %s | %s |" %
                   (r["shape"], r["state"], r["n"], fmt(r["objheap"]),
                    fmt(r["cpython"]), r["cpython"]["median"] / r["objheap"]["median"],
                    oi, ci))
    out += ["", "Weak references and finalizers: cyclic trash (a random graph) "
            "with a finalizer on every tenth object and one weak reference "
            "with a callback to each, held from outside; the time to reclaim "
            "it all, ns per object. CPython: the one `gc.collect()` that calls "
            "the callbacks and `__del__`s (which do nothing) and frees it; "
            "objheap: the collection that clears the weak references and "
            "queues the callbacks and finalizers, the program taking both "
            "queues as handles and dropping them, and the collection that "
            "frees (bench_native finweak N):", "",
            "| objects | objheap | CPython | CPython / objheap |",
            "| --- | --- | --- | --- |"]
    for r in res["finweak"]:
        out.append("| %d | %s | %s | %.2f |" % (r["n"], fmt(r["objheap"]),
                                                fmt(r["cpython"]), r["ratio"]))
    out += ["", "Young collection (700 new containers, half garbage), pause in us "
            "beside an old generation:", "",
            "| old objects | objheap | CPython | CPython / objheap |",
            "| --- | --- | --- | --- |"]
    for y in res["young"]:
        out.append("| %d | %s | %s | %.2f |" % (
            y["old"], fmt(y["objheap"], 2), fmt(y["cpython"], 2),
            y["cpython"]["median"] / y["objheap"]["median"]))
    out += ["", "Memory per two-slot container: objheap %.0f bytes (its size "
            "class), CPython 2-tuple %.0f bytes (tracemalloc)." %
            (res["memory"]["objheap"], res["memory"]["cpython_tuple2"]), "", END, ""]
    return "\n".join(out)


def insert(path, md):
    """Put md between the markers of path, or after its Aims section."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        text = "# objheap benchmark results\n\n"
    if BEGIN in text and END in text:
        a, b = text.index(BEGIN), text.index(END) + len(END)
        text = text[:a] + md.rstrip("\n") + text[b:]
    else:
        at = text.find("\n## Machine")
        at = len(text) if at < 0 else at + 1
        text = text[:at] + md + "\n" + text[at:]
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
