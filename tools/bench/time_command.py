#!/usr/bin/env python3
"""Whole-process wall time and peak RSS of one or more commands, run RUNS times each, interleaved.

    time_command.py RUNS JSON_BYTES LABEL -- command args... [--- LABEL -- command args...]...

Each round runs every command once, starting with a different one each round, so a change in
the machine's speed (this build VM drifts by ±30 % from minute to minute) reaches every command
alike instead of whichever happened to run during it. The first round warms the page cache and
is not counted. Pinned to CPU 0 (children inherit the affinity) when the platform allows it.
Each run is timed with perf_counter around fork/exec/wait, so the overhead is the same for every
command (≈ 0.7 ms here, measured on /bin/true) and no helper process (date, taskset) is counted.

Prints one line per command (best, median, MB/s of JSON_BYTES at the median, peak RSS) and, with
two or more commands, how many times slower each later command is than the first: ratio of the
medians, ratio of the bests, and the median of the per-round ratios (the two runs of a round are
milliseconds apart, so that one is the least affected by drift). Peak RSS is read from one more
run under /usr/bin/time (a forked child's own rusage still counts the Python parent's pages).
"""
import os
import statistics
import subprocess
import sys
import time


def peak_rss_kib(command: list[str]) -> int:
    """Maximum resident set size of one run, as GNU time reports it (0 when unavailable)."""
    try:
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=True)
        return int(done.stderr.strip().splitlines()[-1])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return 0


def parse_commands(args: list[str]) -> list[tuple[str, list[str]]]:
    """`LABEL -- cmd... --- LABEL -- cmd...` into (label, command) pairs."""
    commands, current = [], []
    for arg in args + ["---"]:
        if arg != "---":
            current.append(arg)
            continue
        if len(current) < 3 or current[1] != "--":
            raise SystemExit(f"usage: {sys.argv[0]} RUNS JSON_BYTES LABEL -- command... "
                             f"[--- LABEL -- command...]")
        commands.append((current[0], current[2:]))
        current = []
    return commands


def run_once(command: list[str]) -> int:
    """Wall time of one run in microseconds; exits on failure."""
    start = time.perf_counter_ns()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = child.wait()
    elapsed_us = (time.perf_counter_ns() - start) // 1000
    if status != 0:
        raise SystemExit(f"command failed (exit {status}): {command}")
    return elapsed_us


def main() -> int:
    runs, json_bytes = int(sys.argv[1]), int(sys.argv[2])
    commands = parse_commands(sys.argv[3:])
    pinned = "no"
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {0})
            pinned = "cpu 0"
        except OSError:
            pass
    times_us: list[list[int]] = [[] for _ in commands]
    for round_index in range(runs + 1):  # round 0 warms the page cache and is not counted
        order = [(round_index + k) % len(commands) for k in range(len(commands))]
        for k in order:
            elapsed = run_once(commands[k][1])
            if round_index > 0:
                times_us[k].append(elapsed)
    summary = []
    for (label, command), samples in zip(commands, times_us):
        ordered = sorted(samples)
        best, median = ordered[0], int(statistics.median(ordered))
        peak_kib = peak_rss_kib(command)
        summary.append((best, median))
        print(f"{label:<10} best {best / 1000:8.1f} ms  median {median / 1000:8.1f} ms  "
              f"{json_bytes / median:7.1f} MB/s (median)  peak RSS {peak_kib / 1024:6.1f} MiB  "
              f"({runs} runs, interleaved, pinned: {pinned})")
    first_label = commands[0][0]
    for k in range(1, len(commands)):
        paired = statistics.median(b / a for a, b in zip(times_us[0], times_us[k]))
        print(f"{first_label} is faster than {commands[k][0]}: "
              f"{summary[k][1] / summary[0][1]:.1f}x (medians), "
              f"{summary[k][0] / summary[0][0]:.1f}x (bests), "
              f"{paired:.1f}x (median of per-round ratios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
