# SPDX-License-Identifier: GPL-2.0
"""CPython's side of objheap's cycle collector benchmark (gc_bench.c).

Builds the same graphs as objheap_gcbench.ko out of Python lists (a node
with k slots is ``[None] * k``) and times CPython's own collector on them:

  gc_full   a full collection of a ring, a tree whose nodes also point at
            their parent, and a random graph (ring plus one random edge per
            node) of n nodes, alive (pure scan) and garbage (one collection
            that finds and frees it all); ns per object
  gc_young  the pause of gc.collect(0) over 700 new lists, half of them
            garbage self-loops, with 0..10^6 objects in generation 2; us
  gc_base   a full collection of the interpreter's own tracked objects,
            which are then frozen out of the collections above; us
  memory    bytes per container as tracemalloc sees them
  finweak   cyclic trash of n instances (a random graph), every tenth with
            a __del__, each with a weakref.ref callback held from outside:
            the one gc.collect() that reclaims it all; ns per object

usage: python3 -S -I cpython_bench.py [--quick]
       python3 -S -I cpython_bench.py full SHAPE N alive|garbage
       python3 -S -I cpython_bench.py young OLD
       python3 -S -I cpython_bench.py count SHAPE N alive|garbage [collect]
       python3 -S -I cpython_bench.py memory
       python3 -S -I cpython_bench.py finweak N

The second forms are one measurement each, for tests/bench/native.py,
which interleaves them with tests/userland/bench_native.c's (same
arguments, same output: ns/object, us, or bytes) and counts their
instructions under callgrind ("count": build and settle, then only with
"collect" the collection, and exit without teardown).

Only built-in modules are imported, so the VM needs no stdlib beyond what
the interpreter needs to start. Output, one figure per line:

  bench: group=G impl=cpython PARAMS... unit=U median=M min=A max=B runs=R

after one line ``bench: group=meta ...`` describing the interpreter.
"""
import _tracemalloc
import _weakref
import gc
import os
import sys
import time

QUICK = "--quick" in sys.argv[1:]
SIZES = (1000, 10000) if QUICK else (1000, 10000, 100000, 1000000)
OLD = (0, 10000) if QUICK else (0, 10000, 100000, 1000000)
MEM_N = 100000
YOUNG = 700  # CPython's threshold 0, as in gc_bench.c
SLOTS = {"ring": 1, "tree": 3, "random": 2}


def repeats(n, state):
    if QUICK:
        return 3
    # Building 10^6 lists costs ~0.5 s natively, 20-40x that under TCG.
    return 3 if n >= 1000000 and state == "garbage" else 5


def report(group, params, unit, vals, prec=1):
    vals = sorted(vals)
    f = "%%.%df" % prec
    print("bench: group=%s impl=cpython %s unit=%s median=%s min=%s max=%s "
          "runs=%d" % (group, params, unit, f % vals[len(vals) // 2],
                       f % vals[0], f % vals[-1], len(vals)), flush=True)


def random_targets(n):
    """slot1 targets: xorshift32 from gc_bench.c's seed, one draw a node.

    Kept in a bytearray, which holds no objects, so the collections timed
    do not scan it as they would a list of ints. (Not the array module:
    importing it loads collections.abc and four more stdlib files.)
    """
    t = memoryview(bytearray(4 * n)).cast("I")
    x = 2463534242
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        t[i] = x % n
    return t


def build(shape, n, rnd):
    """n nodes linked as in gc_bench.c's build(); returns node 0 only."""
    k = SLOTS[shape]
    o = [[None] * k for _ in range(n)]
    if shape == "tree":
        for i in range(n):
            if 2 * i + 1 < n:
                o[i][0] = o[2 * i + 1]
            if 2 * i + 2 < n:
                o[i][1] = o[2 * i + 2]
            if i:
                o[i][2] = o[(i - 1) // 2]
    else:
        for i in range(n):
            o[i][0] = o[(i + 1) % n]
        if shape == "random":
            for i in range(n):
                o[i][1] = o[rnd[i]]
    return o[0]


def timed_collect(gen=2):
    t = time.perf_counter_ns()
    found = gc.collect(gen)
    return time.perf_counter_ns() - t, found


def check(found, want, what):
    # Like gc_bench.c's count checks: a wrong graph would time something else.
    if found != want:
        sys.exit("cpython_bench: %s: collected %d, expected %d"
                 % (what, found, want))


def bench_full(shape, n):
    rnd = random_targets(n) if shape == "random" else None
    root = build(shape, n, rnd)
    gc.collect()  # settle into generation 2
    alive = []
    for _ in range(repeats(n, "alive")):
        t, found = timed_collect()
        check(found, 0, "%s alive" % shape)
        alive.append(t / n)
    report("gc_full", "shape=%s n=%d state=alive" % (shape, n), "ns/object",
           alive)
    dead = []
    for r in range(repeats(n, "garbage")):
        if r:  # the first round reuses the graph timed alive
            root = build(shape, n, rnd)
            gc.collect()
        del root
        t, found = timed_collect()
        check(found, n, "%s garbage" % shape)
        dead.append(t / n)
    report("gc_full", "shape=%s n=%d state=garbage" % (shape, n), "ns/object",
           dead)


def young_objects(pins, base):
    """YOUNG new lists: odd ones pinned in pins[base...], even ones garbage
    self-loops, as gc_bench.c's young_round()."""
    for i in range(YOUNG):
        if i % 2:
            pins[base + i // 2] = [None]
        else:
            g = [None]
            g[0] = g


def bench_young(old):
    rounds = 3 if QUICK else 5
    root = build("ring", old, None) if old else None
    # The pins live in one list, old before the first round.
    pins = [None] * (rounds * YOUNG // 2)
    gc.collect()
    ts = []
    for r in range(rounds):
        young_objects(pins, r * YOUNG // 2)
        t, found = timed_collect(0)
        check(found, YOUNG // 2, "young")
        ts.append(t / 1000)
    report("gc_young", "old=%d" % old, "us", ts)
    del root, pins
    gc.collect()


def bench_memory(name, make, n):
    """Bytes per object as tracemalloc counts them.

    tracemalloc sees the sizes requested from the allocator, which for a
    tracked container include CPython's 16-byte PyGC_Head: [a, a] is
    16 + 40 (PyListObject) + 2 * 8 (its item array) = 72, (a, a) is
    16 + 24 + 2 * 8 = 56.
    """
    # Empty the free lists (80 lists, 2000 tuples per size) first: objects
    # taken from them come from no allocation tracemalloc could see.
    drain = [make() for _ in range(4096)]
    objs = [None] * n
    _tracemalloc.start()
    before = _tracemalloc.get_traced_memory()[0]
    for i in range(n):
        objs[i] = make()
    after = _tracemalloc.get_traced_memory()[0]
    _tracemalloc.stop()
    del drain, objs
    b = (after - before) / n
    report("memory", "container=%s n=%d" % (name, n), "bytes/object", [b], 2)


class Node:
    """A node of two slots, weakly referenceable (as objheap's objects)."""
    __slots__ = ("a", "b", "__weakref__")


class Fin(Node):
    """A node with a finalizer (PEP 442) that does nothing."""
    __slots__ = ()

    def __del__(self):
        pass


def callback(wr):
    pass


def finweak(n):
    """bench_native's finweak: build, settle, drop, time the collection."""
    rnd = random_targets(n)
    o = [Fin() if i % 10 == 0 else Node() for i in range(n)]
    for i in range(n):
        o[i].a = o[(i + 1) % n]
        o[i].b = o[rnd[i]]
    refs = [_weakref.ref(x, callback) for x in o]
    root = o[0]
    del o, rnd
    gc.collect()
    del root
    t, found = timed_collect()
    check(found, n, "finweak")
    if any(r() is not None for r in refs):
        sys.exit("cpython_bench: finweak: a weak reference survived")
    print("%.1f" % (t / n))


def one(argv):
    """One measurement of the native benchmark; see the top."""
    gc.disable()
    gc.collect()
    gc.freeze()  # as in main(): the interpreter's objects are not timed
    what = argv[0]
    if what == "memory":
        a = None
        drain = [(a, a) for _ in range(4096)]
        n = 100000
        objs = [None] * n
        _tracemalloc.start()
        before = _tracemalloc.get_traced_memory()[0]
        for i in range(n):
            objs[i] = (a, a)
        after = _tracemalloc.get_traced_memory()[0]
        _tracemalloc.stop()
        del drain
        print("%.1f" % ((after - before) / n))
        return
    if what == "finweak":
        finweak(int(argv[1]))
        return
    if what == "young":
        old = int(argv[1])
        root = build("ring", old, None) if old else None
        gc.collect()
        pins = [None] * (YOUNG // 2)
        young_objects(pins, 0)
        t, found = timed_collect(0)
        check(found, YOUNG // 2, "young")
        print("%.2f" % (t / 1000))
        return
    shape, n, garbage = argv[1], int(argv[2]), argv[3] == "garbage"
    rnd = random_targets(n) if shape == "random" else None
    root = build(shape, n, rnd)
    rnd = None
    gc.collect()
    if garbage:
        del root
    if what == "count" and len(argv) < 5:
        os._exit(0)
    t, found = timed_collect()
    check(found, n if garbage else 0, "%s %s" % (shape, argv[3]))
    if what == "count":
        os._exit(0)
    print("%.1f" % (t / n))


def main():
    gc.disable()  # no automatic collections: only the ones timed run
    baseline = len(gc.get_objects())
    print("bench: group=meta impl=cpython version=%s gc_thresholds=%s "
          "baseline_tracked=%d" % (sys.version.split()[0],
                                   ",".join(map(str, gc.get_threshold())),
                                   baseline), flush=True)
    gc.collect()
    report("gc_base", "tracked=%d" % baseline, "us",
           [timed_collect()[0] / 1000 for _ in range(5)])
    # objheap's benchmark heap holds the graph alone: move the interpreter's
    # own objects to the permanent generation, which collections skip, or
    # they would dominate the small graphs (gc_base is what they cost).
    gc.freeze()
    for shape in SLOTS:
        for n in SIZES:
            bench_full(shape, n)
    for old in OLD:
        bench_young(old)
    a = None
    bench_memory("list1", lambda: [None] * 1, MEM_N)
    bench_memory("list2", lambda: [a, a], MEM_N)
    bench_memory("list3", lambda: [None] * 3, MEM_N)
    bench_memory("tuple2", lambda: (a, a), MEM_N)


if len(sys.argv) > 1 and sys.argv[1] in ("full", "young", "count", "memory",
                                         "finweak"):
    one(sys.argv[1:])
else:
    main()
