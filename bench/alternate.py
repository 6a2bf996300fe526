#!/usr/bin/env python3
"""Times commands in alternation, for a change measured beside the build
before it in the same minutes (docs/PERFORMANCE.md, twelfth round).

    bench/alternate.py ROUNDS NAME=COMMAND NAME=COMMAND ...

Each round runs every command once, in a random order. Prints each
command's median and, for each pair of commands in the order given
(1st and 2nd, 3rd and 4th, ...), the median of the differences and of the
ratios within a round: an add beside its sled floor, for instance. A
command is split as a shell would split it (no pipes or redirections); it
must exit with 0. The time includes Python's own start of each process,
so ratios come out lower than hyperfine's."""
import random
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = [a.split("=", 1) for a in sys.argv[2:]]
    times = {name: [] for name, _ in commands}
    for _ in range(rounds):
        order = list(commands)
        random.shuffle(order)
        for name, command in order:
            start = time.perf_counter()
            subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, check=True)
            times[name].append((time.perf_counter() - start) * 1000)
    for name, _ in commands:
        print(f"{name:12} median {statistics.median(times[name]):.3f} ms")
    names = [name for name, _ in commands]
    for a, b in zip(names[0::2], names[1::2]):
        gaps = [x - y for x, y in zip(times[a], times[b])]
        ratios = [x / y for x, y in zip(times[a], times[b])]
        print(f"{a} - {b}: median gap {statistics.median(gaps):.3f} ms, median ratio {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
