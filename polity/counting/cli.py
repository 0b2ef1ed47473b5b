"""``polity count FILE --method ...``: count a BLT or CSV ballot file and print the result."""

from __future__ import annotations

import argparse
import sys

from polity.counting.ballot_files import read_ballot_file
from polity.counting.constraint_options import (
    candidate_list,
    parse_at_least,
    parse_reserve,
    read_constraints_file,
)
from polity.counting.constraints import GroupMinimum
from polity.counting.election import Election
from polity.counting.errors import BallotFileError, CountError
from polity.counting.methods import METHODS, count
from polity.counting.render_json import render_json
from polity.counting.render_svg import render_svg
from polity.counting.render_text import render_text
from polity.counting.ties import TIE_MODES, TieBreak

RENDERERS = {"text": render_text, "json": render_json, "svg": render_svg}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polity count",
        description="Count ranked ballots (BLT, or CSV by extension) by a published rule.",
    )
    parser.add_argument("file", help="ballot file: .blt (or any other name) for BLT, .csv for ranked CSV")
    parser.add_argument("--method", required=True, choices=list(METHODS), help="counting rule")
    parser.add_argument("--seats", type=int, default=None, help="seats to fill (default: the file's)")
    parser.add_argument("--format", choices=list(RENDERERS), default="text", help="output format")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for any lot, fixed and published before the count (default 0)",
    )
    parser.add_argument(
        "--reserve",
        action="append",
        default=[],
        metavar="GROUP:CANDIDATES",
        help="a reserved seat: at least one of CANDIDATES (numbers in ballot order, or names, comma "
        "separated) is elected, e.g. 'BAME:3,7'; repeat for several",
    )
    parser.add_argument(
        "--at-least",
        action="append",
        default=[],
        metavar="GROUP:N:CANDIDATES",
        help="a group minimum: at least N of CANDIDATES are elected, e.g. 'women:4:1,2,5,8'; repeat for several",
    )
    parser.add_argument(
        "--constraints",
        default=None,
        metavar="FILE",
        help="a TOML file of group minimums: [[group]] tables with label, minimum and members",
    )
    parser.add_argument(
        "--ties",
        choices=TIE_MODES,
        default=None,
        help="how ties left after the rule's look-back are decided: lot (default, with --seed), "
        "candidate-order (earlier on the ballot paper favoured) or permutation (--tie-order, or the "
        "file's [tie] line)",
    )
    parser.add_argument(
        "--tie-order",
        default=None,
        metavar="CANDIDATES",
        help="the published permutation for --ties permutation: every candidate, most favoured first",
    )
    return parser


def tie_rule(args: argparse.Namespace, election: Election) -> TieBreak | None:
    """The tie-break the options ask for (``None``: the default lot)."""
    mode = args.ties or ("permutation" if args.tie_order else None)
    if mode is None:
        return None
    if mode != "permutation":
        if args.tie_order:
            raise CountError("--tie-order goes with --ties permutation")
        return TieBreak(mode)
    if args.tie_order:
        order = candidate_list(args.tie_order, election.candidates, "--tie-order")
    elif election.tie_order:
        order = tuple(election.candidates[c] for c in election.tie_order)
    else:
        raise CountError("--ties permutation needs --tie-order, or a [tie ...] line in the ballot file")
    return TieBreak("permutation", order)


def constraints_of(args: argparse.Namespace, election: Election) -> list[GroupMinimum]:
    rules = [parse_reserve(text, election.candidates) for text in args.reserve]
    rules += [parse_at_least(text, election.candidates) for text in args.at_least]
    if args.constraints:
        rules += read_constraints_file(args.constraints, election.candidates)
    labels = [rule.label for rule in rules]
    if len(set(labels)) != len(labels):
        raise CountError("a group is named twice in the constraints")
    return rules


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns 0, or 2 for a bad file or impossible count (message on stderr)."""
    args = build_parser().parse_args(argv)
    try:
        election = read_ballot_file(args.file, seats=args.seats)
        result = count(
            election,
            args.method,
            seats=args.seats,
            seed=args.seed,
            constraints=constraints_of(args, election),
            ties=tie_rule(args, election),
        )
    except BallotFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CountError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(RENDERERS[args.format](result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
