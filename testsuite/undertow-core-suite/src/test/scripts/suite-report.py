#!/usr/bin/env python3
"""Summarise surefire XML reports of undertow-core-suite runs and compare their outcome sets.

  suite-report.py DIR                 counts, wall time and every non-passing test of one run
  suite-report.py BASELINE_DIR DIR    ... of both, then every test whose outcome differs

DIR is a surefire reports folder, e.g. target/surefire-reports or target/surefire-reports-suite-epoll.
Exit status 1 when a run has failures/errors or (with two runs) the outcome sets differ.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

# Undertow's tests log raw bytes; surefire copies some into the XML unescaped.
INVALID_XML = re.compile('[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]')


def load(directory):
    outcomes, reasons, seconds = {}, {}, 0.0
    files = glob.glob(os.path.join(directory, 'TEST-*.xml'))
    if not files:
        sys.exit(f'no TEST-*.xml in {directory}')
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as f:
            root = ET.fromstring(INVALID_XML.sub('?', f.read()))
        seconds += float(root.get('time') or 0)
        for case in root.iter('testcase'):
            key = f"{case.get('classname')}#{case.get('name')}"
            outcome, reason = 'passed', ''
            for kind in ('failure', 'error', 'skipped'):
                node = case.find(kind)
                if node is not None:
                    outcome, reason = kind, (node.get('message') or '').splitlines()[0:1]
                    reason = reason[0][:120] if reason else ''
                    break
            outcomes[key] = outcome
            reasons[key] = reason
    return outcomes, reasons, seconds


def summary(name, outcomes, reasons, seconds):
    counts = {k: sum(1 for v in outcomes.values() if v == k) for k in ('passed', 'failure', 'error', 'skipped')}
    print(f"{name}: run={len(outcomes)} passed={counts['passed']} failed={counts['failure']} "
          f"errors={counts['error']} skipped={counts['skipped']} test-time={seconds:.0f}s")
    for key in sorted(k for k, v in outcomes.items() if v != 'passed'):
        print(f"  {outcomes[key]:8} {key}  {reasons[key]}")
    return counts['failure'] + counts['error']


def main(dirs):
    if len(dirs) not in (1, 2):
        sys.exit(__doc__)
    runs = [(d, *load(d)) for d in dirs]
    broken = sum(summary(*run) for run in runs)
    if len(runs) == 2:
        (_, base, _, _), (_, other, reasons, _) = runs
        # The suite's own provider probe is the one test expected on both sides with equal outcome.
        differ = sorted(k for k in base.keys() | other.keys() if base.get(k, 'absent') != other.get(k, 'absent'))
        print(f"outcome differences: {len(differ)}")
        for key in differ:
            print(f"  {base.get(key, 'absent'):8} -> {other.get(key, 'absent'):8} {key}  {reasons.get(key, '')}")
        broken += len(differ)
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
