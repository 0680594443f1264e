#!/usr/bin/env python3
"""One step of `make setup` / `make run`, announced and timed: `python3 scripts/step.py [--tick] LABEL -- CMD ...`.

Prints "==> LABEL……" before the command and "    LABEL：完成，用时 N 秒" after it. With ``--tick`` (for a command
that prints nothing while it works: migrate, a quiet install) a line says every 10 seconds that it is still
running, so no step over a few seconds is silent. ``STEP_CPU=1`` (set by `make bench BENCH_ARGS=--fresh-clone`) adds
the CPU time (user + system) of the command and everything it started. Standard library only: it runs before the
virtualenv exists. The command's own output goes straight to the terminal (its progress bars stay).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time

TICK_SECONDS = 10


def main(argv: list[str]) -> int:
    tick = argv[:1] == ["--tick"]
    if tick:
        argv = argv[1:]
    if len(argv) < 3 or argv[1] != "--":
        print("usage: step.py [--tick] LABEL -- COMMAND ...", file=sys.stderr)
        return 2
    label, command = argv[0], argv[2:]
    print(f"==> {label}……", flush=True)
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Ctrl-C reaches the whole process group: the command stops itself; this script only waits for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    proc = subprocess.Popen(command, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    done = threading.Event()

    def ticker() -> None:
        while not done.wait(TICK_SECONDS):
            print(f"    ……{label}，已用 {time.monotonic() - started:.0f} 秒", flush=True)

    if tick:
        threading.Thread(target=ticker, daemon=True).start()
    code = proc.wait()
    done.set()
    if code != 0:
        print(f"    {label}：失败（退出码 {code}）", file=sys.stderr, flush=True)
        return code if code > 0 else 128 - code
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    note = f"（CPU {cpu:.1f} 秒）" if os.environ.get("STEP_CPU") == "1" else ""
    print(f"    {label}：完成，用时 {time.monotonic() - started:.1f} 秒{note}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
