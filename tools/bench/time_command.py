#!/usr/bin/env python3
"""Whole-process wall time and peak RSS of a command, run RUNS times.

    time_command.py RUNS LABEL JSON_BYTES -- command args...

Pinned to CPU 0 (children inherit the affinity) when the platform allows it. Each run is timed
with perf_counter around fork/exec/wait, so the overhead is the same for every command measured
(≈ 0.7 ms here, measured on /bin/true) and no helper process (date, taskset) is counted. Prints
one line, and the best and median in microseconds to the
file named by TIMING_OUT when set. Peak RSS is read from one more run under /usr/bin/time
(a forked child's own rusage still counts the Python parent's pages it started with).
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


def main() -> int:
    runs, label, json_bytes = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    command = sys.argv[sys.argv.index("--") + 1:]
    pinned = "no"
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {0})
            pinned = "cpu 0"
        except OSError:
            pass
    times_us = []
    for _ in range(runs + 1):  # the first run warms the page cache and is not counted
        start = time.perf_counter_ns()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status = child.wait()
        elapsed_us = (time.perf_counter_ns() - start) // 1000
        if status != 0:
            print(f"{label}: command failed: {command}", file=sys.stderr)
            return 1
        times_us.append(elapsed_us)
    peak_kib = peak_rss_kib(command)
    times_us = sorted(times_us[1:])
    best, median = times_us[0], int(statistics.median(times_us))
    print(f"{label:<10} best {best / 1000:8.1f} ms  median {median / 1000:8.1f} ms  "
          f"{json_bytes / median:7.1f} MB/s (median)  peak RSS {peak_kib / 1024:6.1f} MiB  "
          f"({runs} runs, pinned: {pinned})")
    if os.environ.get("TIMING_OUT"):
        with open(os.environ["TIMING_OUT"], "w") as out:
            out.write(f"{best} {median}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
