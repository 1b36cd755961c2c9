"""Profile one run with pyinstrument (a dev dependency): the functions with the most time of
their own, then the call tree. Used for docs/performance.md.

    python -m experiments.bench_profile [--scale 1.0] [--top 5] [--no-cache] [--tree]

`--no-cache` synthesizes the population instead of reading it from the population cache,
so the build is measured as a first run would see it.
"""
from __future__ import annotations

import argparse
import os
import sys

from pathlib import Path

from sim import load_scenario, run, with_overrides

DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "tieling_reform_2020.yaml"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--no-cache", action="store_true", help="synthesize the population (no population cache)")
    ap.add_argument("--tree", action="store_true", help="also print the call tree")
    args = ap.parse_args(argv)
    if args.no_cache:
        os.environ["URBSIM_POPULATION_CACHE"] = "off"
    from pyinstrument import Profiler
    
    sc = with_overrides(load_scenario(args.scenario), {"scale": args.scale})
    profiler = Profiler(interval=0.002)
    profiler.start()
    run(sc)
    profiler.stop()
    session = profiler.last_session
    print(f"{sc.name} at scale {args.scale:g}: {session.duration:.1f} s wall, {session.cpu_time:.1f} s CPU")
    print(f"top {args.top} by own time (seconds, function, file; numpy's C code counts for its caller):")
    for seconds, name in own_time(session.root_frame())[: args.top]:
        print(f"  {seconds:7.3f}  {name}")
    if args.tree:
        print(profiler.output_text(unicode=False, color=False))


def own_time(root) -> list[tuple[float, str]]:
    """Seconds spent in each function itself (not in the Python functions it calls), summed over
    the call tree, largest first. pyinstrument's flat view lumps its synthetic `[self]` frames
    together under one name; here they count for the function they belong to."""
    totals: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        if frame.is_synthetic:
            continue
        name = f"{frame.class_name + '.' if frame.class_name else ''}{frame.function}  {frame.file_path_short}"
        totals[name] = totals.get(name, 0.0) + frame.total_self_time
        stack.extend(frame.children)
    return sorted(((t, n) for n, t in totals.items()), reverse=True)


if __name__ == "__main__":
    sys.exit(main())
