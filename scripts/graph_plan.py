#!/usr/bin/env python3
"""Predicts the wall time of a Makefile's graph on N workers from rule times measured on this machine.

Reads a work folder of excamera-encode (its excamera.mk and rules.log, the times scripts/time-rule wrote)
and simulates the run as make -jN schedules it: a rule starts once every rule making one of its
prerequisites has ended and a worker is free; among ready rules the one make meets first in its
depth-first walk of `all` starts first (list scheduling). With unlimited workers the prediction is the
critical path, the longest chain of dependent rules, which is printed too.

Usage: graph_plan.py WORK_FOLDER [--workers 1,2,16,256,unlimited] [--overhead SECONDS]

--overhead adds a fixed cost to every rule, e.g. a cluster's job-step launch time. As a module:
plan(makefile_text, times, workers) and critical_path(...) for excamera-encode --plan.
Standard library only.
"""

import argparse
import heapq
import os
import sys

UNLIMITED = 0  # as a worker count


class Rule:
    def __init__(self, index, targets, prerequisites):
        self.index = index
        self.targets = targets
        self.prerequisites = prerequisites

    def name(self):
        return self.targets[0]


def read_makefile(text):
    """The file rules (targets &: or : prerequisites, then one recipe line) and the goals of `all`."""
    rules, goals = [], []
    for line in text.splitlines():
        if not line or line[0] in "#\t" or ":" not in line or "=" in line.split(":", 1)[0]:
            continue
        head, _, tail = line.partition(":")
        if line.startswith("ifeq") or line.startswith("$(error"):
            continue
        targets = head.rstrip("&").split()
        if targets == ["all"]:
            goals = tail.split()
        elif targets and targets[0] not in ("clean",) and not targets[0].startswith("."):
            rules.append(Rule(len(rules), targets, tail.split()))
    return rules, goals


def make_order(rules, goals):
    """The rules `all` needs, in the order make's depth-first walk reaches them (prerequisites left to right,
    a rule after its prerequisites), and each rule's producer rules."""
    producer = {t: rule for rule in rules for t in rule.targets}
    order, seen = [], set()

    def visit(rule):
        stack = [(rule, iter(rule.prerequisites))]
        seen.add(rule.index)
        while stack:
            current, pending = stack[-1]
            for name in pending:
                nxt = producer.get(name)
                if nxt is not None and nxt.index not in seen:
                    seen.add(nxt.index)
                    stack.append((nxt, iter(nxt.prerequisites)))
                    break
            else:
                stack.pop()
                order.append(current)

    for goal in goals:
        rule = producer.get(goal)
        if rule is not None and rule.index not in seen:
            visit(rule)
    deps = {rule.index: sorted({producer[p].index for p in rule.prerequisites if p in producer}) for rule in order}
    return order, deps


def read_times(log_text, rules):
    """Seconds per rule index from time-rule's log: the last successful run of each rule."""
    by_target = {t: rule.index for rule in rules for t in rule.targets}
    times = {}
    for line in log_text.splitlines():
        fields = line.split()
        if len(fields) != 4 or fields[3] != "0" or fields[0] not in by_target:
            continue
        try:
            times[by_target[fields[0]]] = max(0.0, float(fields[2]) - float(fields[1]))
        except ValueError:
            continue
    return times


def simulate(order, deps, times, workers, overhead=0.0):
    """The makespan of list scheduling on `workers` (UNLIMITED: as many as there are ready rules)."""
    priority = {rule.index: i for i, rule in enumerate(order)}
    waiting = {rule.index: len(deps[rule.index]) for rule in order}
    dependants = {rule.index: [] for rule in order}
    for rule in order:
        for d in deps[rule.index]:
            dependants[d].append(rule.index)
    ready = [priority[i] for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    running = []  # (end time, rule index)
    now, done = 0.0, 0
    while done < len(order):
        while ready and (workers == UNLIMITED or len(running) < workers):
            index = order[heapq.heappop(ready)].index
            heapq.heappush(running, (now + times[index] + overhead, index))
        now, index = heapq.heappop(running)
        done += 1
        for nxt in dependants[index]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, priority[nxt])
    return now


def critical_path(order, deps, times, overhead=0.0):
    """(length in seconds, the rules along it, first to last)."""
    finish, via = {}, {}
    for rule in order:  # prerequisites come first in make's order
        best = max(deps[rule.index], key=lambda d: finish[d], default=None)
        finish[rule.index] = (finish[best] if best is not None else 0.0) + times[rule.index] + overhead
        via[rule.index] = best
    end = max(finish, key=finish.get)
    path = []
    while end is not None:
        path.append(end)
        end = via[end]
    return finish[path[0]], list(reversed(path))


def plan(makefile_text, log_text, worker_counts, overhead=0.0):
    """Predictions [(workers, seconds)], the critical path (seconds, [(name, seconds)]), the summed rule
    time and the number of rules; raises ValueError when a needed rule has no measured time."""
    rules, goals = read_makefile(makefile_text)
    order, deps = make_order(rules, goals)
    times = read_times(log_text, rules)
    missing = [rule.name() for rule in order if rule.index not in times]
    if missing:
        raise ValueError("no measured time for {} of {} rules (first: {})".format(len(missing), len(order), missing[0]))
    predictions = [(n, simulate(order, deps, times, n, overhead)) for n in worker_counts]
    length, path = critical_path(order, deps, times, overhead)
    by_index = {rule.index: rule for rule in order}
    return (predictions, (length, [(by_index[i].name(), times[i]) for i in path]),
            sum(times[rule.index] for rule in order), len(order))


def parse_workers(text):
    """"1,2,16,unlimited" -> [1, 2, 16, UNLIMITED]; raises ValueError."""
    counts = []
    for word in text.split(","):
        word = word.strip().lower()
        if word in ("unlimited", "inf", "0"):
            counts.append(UNLIMITED)
        elif word.isdigit() and int(word) > 0:
            counts.append(int(word))
        else:
            raise ValueError("not a worker count: '{}' (a positive number or 'unlimited')".format(word))
    return counts


def report(predictions, path, work_seconds, rule_count, overhead=0.0):
    """The plan as printable lines."""
    lines = ["{} rules, {:.1f} s of measured work{}".format(
        rule_count, work_seconds, ", plus {:.3f} s per rule".format(overhead) if overhead else "")]
    for workers, seconds in predictions:
        label = "unlimited workers" if workers == UNLIMITED else "{} worker{}".format(workers, "s" * (workers != 1))
        lines.append("{:>17}: {:8.2f} s".format(label, seconds))
    length, rules = path
    lines.append("critical path {:.1f} s, {} rules: {}".format(
        length, len(rules), " -> ".join("{} {:.2f} s".format(name, s) for name, s in rules)))
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("work", help="an excamera-encode work folder (excamera.mk and rules.log)")
    p.add_argument("--workers", default="1,2,16,256,unlimited", help="comma-separated worker counts")
    p.add_argument("--overhead", type=float, default=0.0, help="seconds added to every rule (default 0)")
    a = p.parse_args()
    try:
        counts = parse_workers(a.workers)
    except ValueError as e:
        p.print_usage(sys.stderr)
        print("graph_plan.py: {}".format(e), file=sys.stderr)
        sys.exit(2)
    texts = []
    for name in ("excamera.mk", "rules.log"):
        path = os.path.join(a.work, name)
        try:
            with open(path) as f:
                texts.append(f.read())
        except OSError as e:
            print("graph_plan.py: {}: {}".format(path, e.strerror), file=sys.stderr)
            sys.exit(1)
    try:
        result = plan(texts[0], texts[1], counts, a.overhead)
    except ValueError as e:
        print("graph_plan.py: {}: {}".format(os.path.join(a.work, "rules.log"), e), file=sys.stderr)
        sys.exit(1)
    for line in report(*result, overhead=a.overhead):
        print(line)


if __name__ == "__main__":
    main()
