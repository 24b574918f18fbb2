#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one VM test run from its two logs.

console.log is the kernel console (ttyS0): KUnit's KTAP and every kernel
report. results.log is ttyS1: the selftests' KTAP, the lifecycle steps and
the kmemleak report, written by tests/vm/init.

The KTAP is parsed by the kernel tree's own `kunit.py parse`. The run fails
on any failed, crashed, missing or skipped test, on a missing end marker
(the VM died or hung), and on any kernel splat in either log.

usage: report.py --kunit-py PATH --suites N --selftests N LOGDIR
       report.py --scan-only LOG...   (print splats, exit 1 if any)
"""

import argparse
import os
import re
import subprocess
import sys

# One pattern per kind of report the debug kernel can print. Each names what
# it catches, so a failure says which checker fired.
SPLATS = [
    ('BUG', re.compile(r'(^|[^A-Za-z_])BUG[: ]')),
    ('WARNING', re.compile(r'(^|[^A-Za-z_])WARNING:')),
    ('Oops', re.compile(r'Oops|general protection fault|'
                        r'Unable to handle kernel')),
    ('KASAN', re.compile(r'KASAN')),
    ('UBSAN', re.compile(r'UBSAN')),
    ('lockdep', re.compile(r'possible (circular|recursive) locking|'
                           r'inconsistent lock state|'
                           r'DEBUG_LOCKS_WARN_ON|suspicious RCU usage')),
    # The "N new suspected memory leaks" line is not a verdict: the
    # records dumped at the end of the run are, after kmemleak.ignore.
    ('kmemleak', re.compile(r'unreferenced object')),
    ('RCU stall', re.compile(r'rcu.*detected.*stall|'
                             r'self-detected stall')),
    ('soft lockup', re.compile(r'soft lockup')),
    ('hung task', re.compile(r'blocked for more than \d+ seconds')),
    ('refcount', re.compile(r'refcount_t: ')),
    ('panic', re.compile(r'Kernel panic')),
    ('Call Trace', re.compile(r'Call Trace:')),
]

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
SUMMARY = re.compile(r'Ran (\d+) tests?:?(.*)$')


def read_lines(path):
    try:
        with open(path, errors='replace') as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


IGNORE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'kmemleak.ignore')


def kmemleak_ignores():
    try:
        with open(IGNORE_FILE) as f:
            return [re.compile(line.strip()) for line in f
                    if line.strip() and not line.startswith('#')]
    except FileNotFoundError:
        return []


def ignored_kmemleak_lines(lines):
    """Line indices of kmemleak records whose backtrace is a known false
    positive (kmemleak.ignore)."""
    ignores = kmemleak_ignores()
    skip = set()
    i = 0
    while i < len(lines):
        if 'unreferenced object' not in lines[i]:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].startswith(' '):
            end += 1
        record = '\n'.join(lines[i:end])
        if any(p.search(record) for p in ignores):
            skip.update(range(i, end))
        i = end
    return skip


def scan(lines):
    """Return (line index, kind) of every line that looks like a splat,
    except kmemleak records that kmemleak.ignore names."""
    hits = []
    skip = ignored_kmemleak_lines(lines)
    for i, line in enumerate(lines):
        if i in skip:
            continue
        for kind, pat in SPLATS:
            if pat.search(line):
                hits.append((i, kind))
                break
    return hits


def show_splats(name, lines, hits, context=25):
    """Print each splat with the lines after it, merging overlaps."""
    print(f'--- {name}: {len(hits)} line(s) look like kernel reports')
    shown_to = -1
    for i, kind in hits:
        if i <= shown_to:
            continue
        print(f'--- {name}:{i + 1}: {kind}')
        end = min(len(lines), i + context)
        for line in lines[max(i - 2, shown_to + 1):end]:
            print('    ' + line)
        shown_to = end - 1


def kunit_section(console):
    """KUnit output between the init's markers, timestamps removed."""
    out, inside = [], False
    for line in console:
        if 'objheap-vm: kunit begin' in line:
            inside = True
        elif 'objheap-vm: kunit end' in line:
            inside = False
        elif inside:
            out.append(TIMESTAMP.sub('', line))
    return out


def run_kunit_parse(kunit_py, name, ktap_lines, logdir):
    """Parse a KTAP document with kunit.py; return (ok, counts, output)."""
    path = os.path.abspath(os.path.join(logdir, name + '.ktap'))
    with open(path, 'w') as f:
        f.write('\n'.join(ktap_lines) + '\n')
    proc = subprocess.run([sys.executable, kunit_py, 'parse', path],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    counts = {'passed': 0, 'failed': 0, 'crashed': 0, 'skipped': 0,
              'errors': 0}
    total = None
    for line in proc.stdout.splitlines():
        m = SUMMARY.search(re.sub(r'\x1b\[[0-9;]*m', '', line))
        if m:
            total = int(m.group(1))
            for part in m.group(2).split(','):
                if ':' in part:
                    key, val = part.split(':', 1)
                    counts[key.strip()] = int(val)
    ok = proc.returncode == 0 and total is not None
    if total is None:
        counts['errors'] += 1
    return ok, counts, proc.stdout


# A test's skip line: "ok 3 enomem.first_new... # SKIP <reason>".
SKIP_LINE = re.compile(r'^\s*ok \d+ (\S+) # SKIP(.*)$')
STOCK_REASON = 'is not in this kernel'


def stock_skips_only(doc):
    """On a stock kernel a test may skip only for a debug feature the kernel
    lacks (OH_NEED_FEATURE's reason). A test's line names fixture.test (or
    "skipped" where the harness names none); a whole binary's skip line
    carries no reason and stands for its tests' lines."""
    for line in doc:
        m = SKIP_LINE.match(line)
        test_line = '.' in m.group(1) or m.group(1) == 'skipped' if m else False
        if test_line and STOCK_REASON not in m.group(2):
            return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kunit-py')
    ap.add_argument('--suites', type=int, default=0,
                    help='number of KUnit suites objheap_kunit.ko holds')
    ap.add_argument('--vm-status', type=int, default=0,
                    help="QEMU's exit status (124: timed out)")
    ap.add_argument('--host-passed', type=int, default=0,
                    help='tests that already passed on the host')
    ap.add_argument('--host-failed', action='append', default=[],
                    metavar='WHAT', help='a test that failed on the host')
    ap.add_argument('--stock', action='store_true',
                    help="a stock kernel: tests may skip a feature it lacks")
    ap.add_argument('--scan-only', action='store_true')
    ap.add_argument('paths', nargs='+')
    args = ap.parse_args()

    if args.scan_only:
        found = 0
        for path in args.paths:
            lines = read_lines(path)
            hits = scan(lines)
            if hits:
                show_splats(path, lines, hits)
                found += len(hits)
        return 1 if found else 0

    logdir = args.paths[0]
    console = read_lines(os.path.join(logdir, 'console.log'))
    results = read_lines(os.path.join(logdir, 'results.log'))
    problems = []

    if args.vm_status == 124:
        problems.append('the VM did not finish in time and was killed')
    if not any('objheap-vm: done' in line for line in results):
        problems.append('the VM never reached its end marker '
                        '(crash, panic or hang)')

    totals = {'passed': args.host_passed,
              'failed': len(args.host_failed), 'skipped': 0}
    problems += [f'host: {what}' for what in args.host_failed]
    docs = []
    kunit = kunit_section(console)
    if args.suites:
        # 6.12 prints a top-level header for a module's suites, 6.1 does
        # not; either way the plan must be the number of suites we wrote.
        if kunit and kunit[0].startswith('KTAP version'):
            plan = kunit[1] if len(kunit) > 1 else ''
            if plan != f'1..{args.suites}':
                problems.append(f'kunit: plan "{plan}" but the sources '
                                f'define {args.suites} suites')
        else:
            kunit = ['KTAP version 1', f'1..{args.suites}'] + kunit
        docs.append(('kunit', kunit))
    start = next((i for i, line in enumerate(results)
                  if line.startswith('KTAP version')), None)
    if start is None:
        problems.append('no selftest KTAP in results.log')
    else:
        docs.append(('selftests', results[start:]))

    for name, doc in docs:
        ok, counts, output = run_kunit_parse(args.kunit_py, name, doc, logdir)
        print(f'== {name}: kunit.py parse {os.path.join(logdir, name)}.ktap')
        print(output.rstrip())
        bad = counts['failed'] + counts['crashed'] + counts['errors']
        totals['passed'] += counts['passed']
        totals['failed'] += bad
        totals['skipped'] += counts['skipped']
        if not ok or bad:
            problems.append(f'{name}: failed, crashed or missing tests')
        if counts['skipped'] and not (args.stock and
                                      stock_skips_only(doc)):
            problems.append(f'{name}: {counts["skipped"]} skipped test(s); '
                            'every test must run in the VM')

    for name, lines in (('console.log', console), ('results.log', results)):
        hits = scan(lines)
        if hits:
            show_splats(os.path.join(logdir, name), lines, hits)
            problems.append(f'{name}: kernel report ({hits[0][1]}) '
                            f'at line {hits[0][0] + 1}')

    for p in problems:
        print(f'FAIL: {p}')
    print(f'logs: {os.path.abspath(logdir)}/console.log, results.log')
    if problems and not totals['failed']:
        totals['failed'] = 1   # a splat or a dead VM is a failure too
    print(f"{totals['passed']} passed, {totals['failed']} failed, "
          f"{totals['skipped']} skipped")
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
