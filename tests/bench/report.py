#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark VM's "bench:" lines into RESULTS.md, results.json and
plots.

Every benchmark (the kernel modules, ohbench-ioctl, ohbench-graph and
cpython_bench.py) prints one line per figure:

    bench: group=G impl=I PARAMS... unit=U median=M min=A max=B runs=N

Lines with group=meta describe the run. This script pairs the figures that
the issue's aims compare, puts the ratios first, and fails (status 1) when
a figure an aim needs is missing or a benchmark reported an error, so that
a broken run cannot pass as a result.

usage: report.py --results results.log --config .config --qemu CMD --out DIR
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

SIZES = [1000, 10000, 100000, 1000000]
SHAPES = ['ring', 'tree', 'random']
OLD = [0, 10000, 100000, 1000000]
BATCHES = [16, 64, 256]
OPS = ['NEW', 'DROP', 'SET', 'GET', 'NOP']
# Debug options that distort timing: the report shows they are off.
DEBUG_CONFIG = ['CONFIG_KASAN', 'CONFIG_PROVE_LOCKING', 'CONFIG_DEBUG_KMEMLEAK',
                'CONFIG_DEBUG_LIST', 'CONFIG_SLUB_DEBUG_ON', 'CONFIG_FAILSLAB',
                'CONFIG_DEBUG_ATOMIC_SLEEP', 'CONFIG_KCSAN', 'CONFIG_UBSAN']
NUMERIC = ('median', 'min', 'max')


def parse(path):
    """The figures, the meta lines and the errors of one run."""
    figures, meta, errors = [], {}, []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.strip().replace('\r', '')
            if line.startswith('bench-error:'):
                errors.append(line)
                continue
            if not line.startswith('bench: '):
                continue
            rec = dict(kv.split('=', 1) for kv in line[7:].split() if '=' in kv)
            if rec.get('group') == 'meta':
                meta.setdefault(rec.pop('impl', '?'), {}).update(rec)
                continue
            try:
                for k in NUMERIC:
                    rec[k] = float(rec[k])
                rec['runs'] = int(rec['runs'])
            except (KeyError, ValueError):
                errors.append('malformed line: ' + line)
                continue
            figures.append(rec)
    return figures, meta, errors


class Figures:
    """Lookup of figures by group, impl and parameters."""

    def __init__(self, figures):
        self.figures = figures
        self.missing = []

    def get(self, group, impl, **params):
        for rec in self.figures:
            if rec['group'] == group and rec['impl'] == impl and all(
                    rec.get(k) == str(v) for k, v in params.items()):
                return rec
        self.missing.append('%s %s %s' % (group, impl, params))
        return None


def fmt(rec, digits=1):
    """median [min-max]"""
    if not rec:
        return 'n/a'
    d = '%.' + str(digits) + 'f'
    return (d + ' [' + d + '-' + d + ']') % (rec['median'], rec['min'],
                                             rec['max'])


def ratio(a, b):
    if not a or not b or not b['median']:
        return None
    return a['median'] / b['median']


def rfmt(r):
    return 'n/a' if r is None else '%.2f' % r


def verdict(value, limit, at_least):
    if value is None:
        return 'no figure'
    ok = value >= limit if at_least else value <= limit
    return 'met' if ok else 'missed'


def aims(f, quick):
    """The issue's four aims and the young-pause check, as table rows."""
    rows = []
    sizes = [n for n in SIZES if not quick or n <= 10000]
    # 1. Full-collection throughput against CPython, same graph.
    worst = None
    for shape in SHAPES:
        for state in ('alive', 'garbage'):
            r = ratio(f.get('gc_full', 'cpython', shape=shape, n=sizes[-1],
                            state=state),
                      f.get('gc_full', 'objheap', shape=shape, n=sizes[-1],
                            state=state))
            rows.append(('full collection, %s %s, n=%d: CPython ns / objheap ns'
                         % (shape, state, sizes[-1]), r, '>= 1.5',
                         verdict(r, 1.5, True)))
            for n in sizes:
                rn = ratio(f.get('gc_full', 'cpython', shape=shape, n=n,
                                 state=state),
                           f.get('gc_full', 'objheap', shape=shape, n=n,
                                 state=state))
                if rn is not None and (worst is None or rn < worst[0]):
                    worst = (rn, shape, state, n)
    if worst:
        rows.append(('full collection, lowest of all shapes and sizes '
                     '(%s %s, n=%d)' % worst[1:], worst[0], '>= 1.5',
                     verdict(worst[0], 1.5, True)))
    # 2. Memory per two-slot container.
    oh = f.get('memory', 'objheap', container='list2')
    for kind, what in (('list2', '2-element list'), ('tuple2', '2-tuple')):
        r = ratio(oh, f.get('memory', 'cpython', container=kind))
        rows.append(('memory per two-slot container: objheap / CPython %s'
                     % what, r, '<= 0.75', verdict(r, 0.75, False)))
    # 3. Allocation against the raw slab.
    worst = None
    for size in (16, 48, 64, 128, 256, 512, 1024, 4096):
        r = ratio(f.get('alloc', 'objheap', size=size),
                  f.get('alloc', 'kmem_cache', size=size))
        if size == 48:
            rows.append(('alloc+free, 48 bytes: objheap / kmem_cache', r,
                         '<= 1.2', verdict(r, 1.2, False)))
        if r is not None and (worst is None or r > worst[0]):
            worst = (r, size)
    if worst:
        rows.append(('alloc+free, highest of all size classes (%d bytes)'
                     % worst[1], worst[0], '<= 1.2',
                     verdict(worst[0], 1.2, False)))
    r = ratio(f.get('freelist', 'objheap', size=48),
              f.get('freelist', 'kmem_cache', size=48))
    rows.append(('alloc+free hot path (freelist hit), 48 bytes: objheap / '
                 'kmem_cache', r, '<= 1.2', verdict(r, 1.2, False)))
    # 4. BATCH of 64 against single ioctls.
    for op in OPS[:4]:
        r = ratio(f.get('syscall', 'objheap', op=op, batch=64),
                  f.get('syscall', 'objheap', op=op, batch=1))
        rows.append(('%s in a BATCH of 64 / single ioctl, per operation' % op,
                     r, '<= 0.2', verdict(r, 0.2, False)))
    # The collector's own aim: young pauses do not grow with old objects.
    olds = [o for o in OLD if not quick or o <= 10000]
    r = ratio(f.get('gc_young', 'objheap', old=olds[-1]),
              f.get('gc_young', 'objheap', old=0))
    rows.append(('young collection pause, %d old / 0 old' % olds[-1], r,
                 '<= 1.2', verdict(r, 1.2, False)))
    return rows


def md_table(header, rows):
    out = ['| ' + ' | '.join(header) + ' |',
           '|' + '|'.join(' --- ' for _ in header) + '|']
    out += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(out) + '\n'


def details(f, quick):
    """The detailed tables, as markdown sections."""
    out = []
    sizes = [n for n in SIZES if not quick or n <= 10000]
    rows = []
    for shape in SHAPES:
        for state in ('alive', 'garbage'):
            for n in sizes:
                p = dict(shape=shape, n=n, state=state)
                oh = f.get('gc_full', 'objheap', **p)
                cp = f.get('gc_full', 'cpython', **p)
                rows.append((shape, state, n, fmt(oh),
                             fmt(f.get('gc_full', 'objheap-pause', **p)),
                             fmt(f.get('gc_full', 'objheap-kmod', **p)),
                             fmt(cp), rfmt(ratio(cp, oh))))
    out.append('## Full collections, ns per object\n\n'
               'objheap: wall clock around OBJHEAP_IOC_GC_COLLECT from user '
               'space (liboheap); pause: the kernel\'s own time_ns; kmod: the '
               'same graph built and collected inside the kernel '
               '(objheap_gcbench.ko); CPython: `gc.collect()` timed with '
               '`time.perf_counter_ns()`. alive = nothing to free (pure '
               'scan), garbage = the whole graph found and freed.\n\n' +
               md_table(['shape', 'state', 'objects', 'objheap', 'pause',
                         'kmod', 'CPython', 'CPython / objheap'], rows))
    rows = []
    for shape in SHAPES:
        for n in sizes:
            rows.append((shape, n, fmt(f.get('gc_floor', 'edge-read',
                                             shape=shape, n=n)),
                         fmt(f.get('gc_floor', 'objheap-kmod/edge-read',
                                   shape=shape, n=n), 2)))
    out.append('## The collector against its floor\n\nThe floor reads every '
               'slot\'s target header once, as the edge pass must; trial '
               'deletion is linear, so its ratio to the floor should not '
               'grow with the graph even where the machine\'s price per '
               'random access does.\n\n' +
               md_table(['shape', 'objects', 'edge-read ns/object',
                         'collection / floor'], rows))
    rows = []
    for old in [o for o in OLD if not quick or o <= 10000]:
        rows.append((old, fmt(f.get('gc_young', 'objheap', old=old)),
                     fmt(f.get('gc_young', 'objheap-pause', old=old)),
                     fmt(f.get('gc_young', 'objheap-kmod', old=old)),
                     fmt(f.get('gc_young', 'cpython', old=old))))
    out.append('## Young collection pause, us\n\n700 new containers, half '
               'of them garbage self-loops, collected as generation 0 next '
               'to an old generation of the given size.\n\n' +
               md_table(['old objects', 'objheap', 'pause', 'kmod',
                         'CPython'], rows))
    rows = []
    for kind, what in (('leaf0', 'object without slots'),
                       ('list1', 'one slot'), ('list2', 'two slots'),
                       ('list3', 'three slots')):
        oh = f.get('memory', 'objheap', container=kind)
        cp = f.get('memory', 'cpython', container=kind) \
            if kind != 'leaf0' else None
        rows.append((what, fmt(oh, 0), fmt(cp, 0) if cp else '-',
                     rfmt(ratio(oh, cp)) if cp else '-'))
    rows.append(('CPython 2-tuple', '-',
                 fmt(f.get('memory', 'cpython', container='tuple2'), 0), '-'))
    out.append('## Memory per container, bytes\n\nobjheap: the pool class '
               'size each object is charged (HEAP_STATS bytes / objects); '
               'CPython: tracemalloc\'s traced bytes per list (object, GC '
               'header and item array).\n\n' +
               md_table(['container', 'objheap', 'CPython list',
                         'objheap / CPython'], rows))
    rows = []
    for size in (16, 48, 64, 128, 256, 512, 1024, 4096):
        oh = f.get('alloc', 'objheap', size=size)
        kc = f.get('alloc', 'kmem_cache', size=size)
        kz = f.get('alloc', 'kmem_cache-zero', size=size)
        rows.append((size, fmt(oh),
                     fmt(f.get('alloc', 'objheap-nofreelist', size=size)),
                     fmt(kc), fmt(kz),
                     fmt(f.get('alloc', 'kmalloc', size=size)),
                     rfmt(ratio(oh, kc)), rfmt(ratio(oh, kz))))
    rows.append(('48, two slots', fmt(f.get('alloc', 'objheap-container',
                                             size=48)),
                 fmt(f.get('alloc', 'objheap-nofreelist-container', size=48)),
                 '', '', '', '', ''))
    out.append('## Allocation, ns per alloc+free pair\n\n256 objects '
               'allocated, then all freed (the freelist keeps 64). objheap '
               'zeroes new objects, so kmem_cache-zero '
               '(`kmem_cache_zalloc`) is its like-for-like floor.\n\n' +
               md_table(['bytes', 'objheap', 'no freelist', 'kmem_cache',
                         'kmem_cache-zero', 'kmalloc', 'objheap / kmem_cache',
                         'objheap / zero'], rows))
    rows = [(impl, fmt(f.get('freelist', impl, size=48)))
            for impl in ('objheap', 'objheap-nofreelist', 'kmem_cache',
                         'kmem_cache-zero')]
    rows += [('get+put: ' + impl, fmt(f.get('refcount', impl)))
             for impl in ('objheap', 'refcount_t')]
    out.append('## Hot paths, ns\n\nOne 48-byte two-slot container '
               'allocated and freed in a loop (objheap\'s freelist hit '
               'against the slab\'s per-CPU freelist); a reference taken and '
               'dropped on a live object.\n\n' +
               md_table(['path', 'ns'], rows))
    rows = []
    for op in OPS:
        single = f.get('syscall', 'objheap', op=op, batch=1)
        row = [op, fmt(single)]
        for b in BATCHES:
            rec = f.get('syscall', 'objheap', op=op, batch=b)
            row.append('%s (%s)' % (fmt(rec), rfmt(ratio(rec, single))))
        rows.append(row)
    out.append('## Syscall path, ns per operation\n\nSingle ioctls against '
               'OBJHEAP_IOC_BATCH; in brackets the ratio to the single '
               'ioctl. NOP is the floor: a call that does nothing.\n\n' +
               md_table(['op', 'single'] + ['BATCH of %d' % b
                                            for b in BATCHES], rows))
    return '\n'.join(out)


def environment(meta, config, qemu):
    env = {'date': datetime.datetime.now(datetime.timezone.utc)
           .strftime('%Y-%m-%d %H:%M UTC'), 'qemu': qemu}
    vm = meta.get('vm', {})
    env['vm_cpu'] = vm.get('cpu', '?').replace('_', ' ')
    env['vm_cpus'] = vm.get('cpus', '?')
    env['vm_mem_kb'] = vm.get('mem_kb', '?')
    env['kernel'] = vm.get('kernel', '?')
    env['python'] = meta.get('cpython', {}).get('version', '?')
    try:
        with open('/proc/cpuinfo') as f:
            env['host_cpu'] = next(line.split(':', 1)[1].strip()
                                   for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        env['host_cpu'] = '?'
    opts = {}
    try:
        with open(config) as f:
            for line in f:
                for opt in DEBUG_CONFIG + ['CONFIG_PREEMPT', 'CONFIG_HZ',
                                           'CONFIG_SLUB', 'CONFIG_KUNIT']:
                    if line.startswith(opt + '='):
                        opts[opt] = line.strip().split('=', 1)[1]
    except OSError:
        pass
    env['config'] = {o: opts.get(o, 'n') for o in
                     DEBUG_CONFIG + ['CONFIG_PREEMPT', 'CONFIG_HZ',
                                     'CONFIG_KUNIT']}
    try:
        env['commit'] = subprocess.run(
            ['git', 'describe', '--always', '--dirty'], capture_output=True,
            text=True, cwd=os.path.dirname(os.path.abspath(__file__)),
            check=False).stdout.strip() or '?'
    except OSError:
        env['commit'] = '?'
    return env


def plot(f, out, quick):
    """gc_full.svg and gc_young.svg, drawn by gnuplot."""
    sizes = [n for n in SIZES if not quick or n <= 10000]
    olds = [o for o in OLD if not quick or o <= 10000]
    with tempfile.TemporaryDirectory() as tmp:
        for state in ('alive', 'garbage'):
            with open(os.path.join(tmp, state + '.dat'), 'w') as d:
                for n in sizes:
                    cols = [str(n)]
                    for shape in SHAPES:
                        for impl in ('objheap', 'cpython'):
                            rec = f.get('gc_full', impl, shape=shape, n=n,
                                        state=state)
                            cols.append('%.1f' % rec['median'] if rec else '?')
                    d.write(' '.join(cols) + '\n')
        with open(os.path.join(tmp, 'young.dat'), 'w') as d:
            for i, old in enumerate(olds):
                cols = [str(i), '"%d"' % old]
                for impl in ('objheap', 'cpython'):
                    rec = f.get('gc_young', impl, old=old)
                    cols.append('%.1f' % rec['median'] if rec else '?')
                d.write(' '.join(cols) + '\n')
        lines = []
        for i, shape in enumerate(SHAPES):
            for j, impl in enumerate(('objheap', 'CPython')):
                # Solid lines, filled points for objheap, open for CPython.
                lines.append("'%%s' using 1:%d with linespoints lw %d pt %d "
                             "lc %d title '%s %s'"
                             % (2 + 2 * i + j, 2 - j, 7 - j, i + 1, impl,
                                shape))
        script = '''set terminal svg size 1000,460 font "sans,11" background "white"
set output "%(out)s/gc_full.svg"
set datafile missing "?"
set logscale xy
set xrange [500:2000000]
set xtics ("1k" 1000, "10k" 10000, "100k" 100000, "1M" 1000000)
set xlabel "objects in the graph"
set ylabel "ns per object (median)"
set key outside bottom center horizontal maxrows 2
set grid
set multiplot layout 1,2
set title "Full collection, graph alive (scan only)"
plot %(alive)s
set title "Full collection, graph is garbage (found and freed)"
plot %(garbage)s
unset multiplot
set output "%(out)s/gc_young.svg"
set terminal svg size 600,400 font "sans,11" background "white"
unset logscale
set format x "%%g"
set xrange [-0.3:%(last)d.3]
set title "Young collection of 700 objects against old generation size"
set xlabel "objects in the old generation"
set ylabel "pause, us (median)"
set yrange [0:*]
set key outside bottom center horizontal
set style data linespoints
plot "%(tmp)s/young.dat" using 1:3:xtic(2) lw 2 pt 7 title "objheap", \\
     "" using 1:4 lw 1 pt 6 title "CPython"
''' % {'out': out, 'tmp': tmp, 'last': len(olds) - 1,
            'alive': ', '.join(line % (tmp + '/alive.dat') for line in lines),
            'garbage': ', '.join(line % (tmp + '/garbage.dat')
                                 for line in lines)}
        res = subprocess.run(['gnuplot'], input=script, text=True,
                             capture_output=True, check=False)
        if res.returncode:
            raise RuntimeError('gnuplot failed: ' + res.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--results', required=True)
    ap.add_argument('--config', required=True)
    ap.add_argument('--qemu', default='?')
    ap.add_argument('--out', required=True)
    ap.add_argument('--native', help='NATIVE.md of make bench-native, '
                    'put after the aims')
    args = ap.parse_args()

    figures, meta, errors = parse(args.results)
    quick = meta.get('vm', {}).get('quick', 'no') != 'no'
    f = Figures(figures)
    aim_rows = aims(f, quick)
    detail = details(f, quick)
    env = environment(meta, args.config, args.qemu)
    os.makedirs(args.out, exist_ok=True)
    plot(f, args.out, quick)

    with open(os.path.join(args.out, 'results.json'), 'w') as j:
        json.dump({'environment': env, 'meta': meta,
                   'aims': [dict(zip(('aim', 'value', 'target', 'verdict'), r))
                            for r in aim_rows],
                   'figures': figures, 'errors': errors}, j, indent=1)
        j.write('\n')
    cfg = ', '.join('%s=%s' % kv for kv in env['config'].items())
    with open(os.path.join(args.out, 'RESULTS.md'), 'w') as md:
        md.write('# objheap benchmark results\n\n'
                 'Reproduce: `make bench` (builds and caches a kernel without '
                 'debug options, runs everything below in one QEMU VM, '
                 'rewrites this directory). Every figure is the median of '
                 'its runs, with [min-max] beside it; the ratios compare '
                 'figures of this one run. Under QEMU\'s TCG every absolute '
                 'figure is slow and distorted: read the ratios.\n\n')
        if quick:
            md.write('**QUICK RUN** (graphs of at most 10^4 objects).\n\n')
        md.write('## Aims\n\n' + md_table(
            ['what', 'ratio', 'aim', 'verdict'],
            [(a, rfmt(v), t, vd) for a, v, t, vd in aim_rows]) + '\n')
        if args.native and os.path.exists(args.native):
            with open(args.native) as n:
                md.write(n.read().rstrip('\n') + '\n\n')
        md.write('## Machine\n\n'
                 '- date: %(date)s, objheap %(commit)s\n'
                 '- VM: %(vm_cpu)s, %(vm_cpus)s vCPUs, %(vm_mem_kb)s kB; '
                 'host CPU: %(host_cpu)s\n'
                 '- kernel: %(kernel)s; CPython %(python)s (Debian)\n'
                 '- QEMU: `%(qemu)s`\n' % env)
        md.write('- kernel configuration: %s\n\n' % cfg)
        md.write(detail)
        md.write('\n## Plots\n\n![full collections](gc_full.svg)\n\n'
                 '![young pauses](gc_young.svg)\n')
        if errors:
            md.write('\n## Errors\n\n' + ''.join('- %s\n' % e for e in errors))
    for a, v, t, vd in aim_rows:
        print('%-75s %6s  (aim %s) %s' % (a, rfmt(v), t, vd))
    problems = errors + ['missing figure: ' + m for m in f.missing]
    for p in problems:
        print('report: ' + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
