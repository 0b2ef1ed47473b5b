"""Counting benchmarks, with pref_voting and pyrankvote side by side, in one run.

    python bench/counting_bench.py [--ballots 1000000] [--peer-ballots 100000] [--peer-timeout 300]

Prints, for generated party ballots (15 candidates, 5 seats, seed 1; see bench/gen_ballots.py):
* Scottish STV end to end from a BLT file (a fresh ``polity count`` process): wall time, peak RSS;
* the count alone from ballots already in memory (Scottish, ERS97, Meek, AV);
* Meek end to end;
* all 1,100 Scottish council contests (read + count), in total;
* RCTab's scale case (Minneapolis 2013 mayor x 13, 1,041,313 ballots, 36 candidates): alternative vote
  end to end, from the converted BLT (6,539 grouped lines) and from the same ballots one line each,
  checked round by round against RCTab's expected report;
* the peers on the same generator's first ``--peer-ballots`` ballots (they are far slower; each runs
  in its own process, killed after ``--peer-timeout`` seconds), with our times on the same ballots.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


from polity.counting import count, read_blt  # noqa: E402
from polity.counting.tests.reference_counts import compare_rctab, reference_dir  # noqa: E402
from polity.counting.tests.scottish_official import shared_data_dir  # noqa: E402


def rctab_scale(py: str, cli: list[str], tmp: Path) -> None:
    """RCTab's 1,041,313-ballot scale case, end to end, compared with RCTab's rounds."""
    folder = reference_dir() / "rctab"
    grouped = folder / "2013_minneapolis_mayor_scale.blt"
    expected = json.loads((folder / "2013_minneapolis_mayor_scale.expected.json").read_text())
    election = read_blt(grouped)
    one_each = tmp / "minneapolis_scale_one_line_per_ballot.blt"
    with one_each.open("w") as out:  # the same ballots as a ballot-per-line file, as a CVR export is
        out.write(f"{len(election.candidates)} 1\n")
        out.write(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)) + "\n")
        for weight, ranking in election.rankings():
            line = " ".join(["1", *(str(c + 1) for c in ranking), "0"]) + "\n"
            out.write(line * weight)
        out.write("0\n")
        out.writelines(f'"{name}"\n' for name in election.candidates)
    print(
        f"RCTab scale case: {election.ballot_count:,} ballots, {len(election.candidates)} candidates, "
        f"{len(election.weights):,} distinct rankings ({one_each.stat().st_size / 1e6:.1f} MB one per line)"
    )
    for label, path in (("grouped BLT (as converted)", grouped), ("one line per ballot", one_each)):
        wall, cpu, rss, out = timed_process([*cli, str(path), "--method", "av", "--format", "json"])
        elected = json.loads(out)["elected"]
        print(
            f"  av end to end, {label:27s} {wall:6.2f} s ({cpu:5.2f}), peak RSS {rss:4.0f} MB, elected {elected}"
        )
    wall, cpu = best_of(3, lambda: count(election, "av"))
    result = count(election, "av")
    comparison = compare_rctab(expected, result)
    rounds = len(expected["expected"]["results"])
    verdict = (
        "every tally equal"
        if not comparison.tally_differences and not comparison.unexplained
        else "DIFFERENT"
    )
    print(
        f"  av count alone: {wall:6.3f} s ({cpu:5.3f}), best of 3; {len(comparison.paired)} of {rounds} RCTab "
        f"rounds paired, {verdict}; RCTab's batch eliminations: {comparison.batches}"
    )


def timed_process(args: list[str], timeout: float | None = None) -> tuple[float, float, float, str]:
    """Run a child; return (wall seconds, CPU seconds, its peak RSS in MB, stdout).

    The child is started through ``/usr/bin/time`` when present, so that its peak RSS is its own
    (a plain fork would charge it with this process's pages). Raises TimeoutExpired.
    """
    timer = Path("/usr/bin/time")
    report = Path(tempfile.mkstemp(suffix=".time")[1])
    wrapped = [str(timer), "-f", "%e %U %S %M", "-o", str(report), *args] if timer.exists() else args
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(wrapped, capture_output=True, text=True, timeout=timeout, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if timer.exists():
        _, user, system, peak_kb = report.read_text().split()[-4:]
        cpu, peak = float(user) + float(system), int(peak_kb) / 1024
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        peak = after.ru_maxrss / 1024
    report.unlink()
    return wall, cpu, peak, done.stdout


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best CPU time over ``runs`` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return min(walls), min(cpus)


def peer(name: str, path: str) -> None:
    """Child-process entry: count ``path`` with a peer library, print JSON timings and winners."""
    election = read_blt(path)
    names = list(election.candidates)
    rankings = election.rankings()
    start = time.perf_counter()
    if name.startswith("pref_voting"):
        from pref_voting.profiles_with_ties import ProfileWithTies

        profile = ProfileWithTies(
            [{c: i + 1 for i, c in enumerate(r)} for _, r in rankings],
            rcounts=[w for w, _ in rankings],
            candidates=list(range(len(names))),
        )
        built = time.perf_counter()
        if name == "pref_voting_stv_scottish":
            from pref_voting.proportional_methods import stv_scottish

            winners = stv_scottish(profile, num_seats=election.seats)
        else:
            from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

            winners = instant_runoff_for_truncated_linear_orders(profile, hide_warnings=True)
        out = [names[c] for c in winners]
    else:
        import pyrankvote

        cands = [pyrankvote.Candidate(n) for n in names]
        ballots = [
            pyrankvote.Ballot(ranked_candidates=[cands[c] for c in r]) for w, r in rankings for _ in range(w)
        ]
        built = time.perf_counter()
        if name == "pyrankvote_stv":
            result = pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=election.seats)
        else:
            result = pyrankvote.instant_runoff_voting(cands, ballots)
        out = [c.name for c in result.get_winners()]
    end = time.perf_counter()
    print(json.dumps({"build": built - start, "count": end - built, "winners": sorted(out)}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--peer-ballots", type=int, default=100_000)
    parser.add_argument("--peer-timeout", type=float, default=300)
    parser.add_argument("--skip-peers", action="store_true", help="only our own figures")
    parser.add_argument("--only-rctab", action="store_true", help="only RCTab's scale case")
    parser.add_argument("--peer", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        peer(*args.peer)
        return

    py = sys.executable
    cli = [py, "-c", "import sys; from polity.counting.cli import main; sys.exit(main(sys.argv[1:]))"]
    if args.only_rctab:
        with tempfile.TemporaryDirectory() as tmp:
            rctab_scale(py, cli, Path(tmp))
        return
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "party.blt"
        small = Path(tmp) / "party_small.blt"
        gen = str(ROOT / "bench" / "gen_ballots.py")
        subprocess.run([py, gen, str(big), "--ballots", str(args.ballots), "--seed", "1"], check=True)
        subprocess.run([py, gen, str(small), "--ballots", str(args.peer_ballots), "--seed", "1"], check=True)
        print(
            f"Generated {args.ballots:,} ballots, 15 candidates, 5 seats, seed 1 "
            f"({big.stat().st_size / 1e6:.1f} MB BLT); times are wall clock (CPU in brackets)"
        )

        for method in ("stv-scottish", "stv-meek"):
            wall, cpu, rss, _ = timed_process([*cli, str(big), "--method", method, "--format", "json"])
            print(
                f"{method:14s} end to end from BLT (new process): {wall:6.2f} s ({cpu:5.2f}), peak RSS {rss:4.0f} MB"
            )

        start, start_cpu = time.perf_counter(), time.process_time()
        election = read_blt(big)
        print(
            f"read BLT in process:                         {time.perf_counter() - start:6.2f} s "
            f"({time.process_time() - start_cpu:5.2f}), {len(election.weights):,} distinct rankings"
        )
        for method in ("stv-scottish", "stv-ers97", "stv-meek", "av", "sv", "fptp"):
            seats = 1 if method in ("av", "sv") else None
            wall, cpu = best_of(3, lambda m=method, s=seats: count(election, m, seats=s))  # type: ignore[misc]
            print(f"{method:14s} count alone, ballots in memory:  {wall:6.3f} s ({cpu:5.3f}), best of 3")

        rctab_scale(py, cli, Path(tmp))

        files = sorted((shared_data_dir() / "blt").glob("*.blt"))
        start, start_cpu = time.perf_counter(), time.process_time()
        for path in files:
            count(read_blt(path), "stv-scottish")
        total, total_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(
            f"all {len(files):,} Scottish contests (read + Scottish STV): {total:6.2f} s ({total_cpu:5.2f})"
        )

        if args.skip_peers:
            return
        print(
            f"\nPeers on the first {args.peer_ballots:,} ballots (each in its own process, "
            f"timeout {args.peer_timeout:.0f} s; 'build' = making the peer's ballot objects):"
        )
        ours_small = read_blt(small)
        for ours_method, peer_name in (
            ("stv-scottish", "pref_voting_stv_scottish"),
            ("av", "pref_voting_instant_runoff"),
            ("stv-scottish", "pyrankvote_stv"),
            ("av", "pyrankvote_irv"),
        ):
            seats = 1 if ours_method == "av" else None
            ours = count(ours_small, ours_method, seats=seats)
            our_secs, _ = best_of(3, lambda m=ours_method, s=seats: count(ours_small, m, seats=s))  # type: ignore[misc]
            try:
                secs, _, _, out = timed_process(
                    [py, __file__, "--peer", peer_name, str(small)], args.peer_timeout
                )
                data = json.loads(out)
                same = "same winners" if data["winners"] == sorted(ours.elected) else "DIFFERENT winners"
                print(
                    f"  {peer_name:26s} build {data['build']:7.2f} s, count {data['count']:7.2f} s "
                    f"(process {secs:6.1f} s); ours ({ours_method}) {our_secs:.3f} s; {same}"
                )
            except subprocess.TimeoutExpired:
                print(
                    f"  {peer_name:26s} did not finish within {args.peer_timeout:.0f} s; ours {our_secs:.3f} s"
                )


if __name__ == "__main__":
    main()
