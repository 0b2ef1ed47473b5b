"""Seeded generator of realistic party ballots, written as BLT (one line per ballot).

Voters support a party (bloc sizes skewed like a council ward), rank their party's candidates
first in an order driven by each candidate's personal appeal, then drift to allied parties, and
stop early: half the ballots give 4 preferences or fewer. With 1,000,000 ballots and 15 candidates this gives
a few hundred thousand distinct rankings, like real counts.

    python bench/gen_ballots.py OUT.blt [--ballots N] [--candidates 15] [--seats 5] [--seed 1]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

PARTIES = ["Red", "Blue", "Green", "Orange", "Purple"]


def generate(ballots: int, candidates: int = 15, seed: int = 1) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return (names, rankings as an (N, candidates) array of indices, ranking lengths)."""
    rng = np.random.default_rng(seed)
    n_parties = min(len(PARTIES), candidates)
    party_of = np.arange(candidates) % n_parties
    names = [f"{PARTIES[p]} {i // n_parties + 1}" for i, p in enumerate(party_of)]
    share = rng.dirichlet(np.full(n_parties, 2.0))
    voter_party = rng.choice(n_parties, size=ballots, p=share)
    # how much a supporter of party a likes party b (self-affinity high, some alliances)
    affinity = rng.normal(0.0, 1.0, size=(n_parties, n_parties))
    np.fill_diagonal(affinity, 6.0)
    appeal = rng.normal(0.0, 0.7, size=candidates)
    noise = rng.gumbel(size=(ballots, candidates)).astype(np.float32)
    scores = affinity[voter_party][:, party_of] + appeal + noise
    order = np.argsort(-scores, axis=1).astype(np.int16)
    lengths = np.minimum(rng.geometric(0.15, size=ballots), candidates)
    return names, order, lengths


def write_blt(path: Path, names: list[str], order: np.ndarray, lengths: np.ndarray, seats: int) -> None:
    """Write one BLT line per ballot (weight 1), as a count would receive them."""
    rows = order.tolist()
    with path.open("w", encoding="ascii") as fh:
        fh.write(f"{len(names)} {seats}\n")
        lines = []
        for row, length in zip(rows, lengths.tolist(), strict=True):
            lines.append("1 " + " ".join(str(c + 1) for c in row[:length]) + " 0\n")
            if len(lines) >= 100_000:
                fh.writelines(lines)
                lines.clear()
        fh.writelines(lines)
        fh.write("0\n")
        fh.writelines(f'"{name}"\n' for name in names)
        fh.write('"Generated party ballots"')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--candidates", type=int, default=15)
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names, order, lengths = generate(args.ballots, args.candidates, args.seed)
    write_blt(args.out, names, order, lengths, args.seats)


if __name__ == "__main__":
    main()
