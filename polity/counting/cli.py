"""``polity count FILE --method ...``: count a BLT or CSV ballot file and print the result."""

from __future__ import annotations

import argparse
import sys

from polity.counting.ballot_files import read_ballot_file
from polity.counting.errors import BallotFileError, CountError
from polity.counting.methods import METHODS, count
from polity.counting.render_json import render_json
from polity.counting.render_svg import render_svg
from polity.counting.render_text import render_text

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns 0, or 2 for a bad file or impossible count (message on stderr)."""
    args = build_parser().parse_args(argv)
    try:
        election = read_ballot_file(args.file, seats=args.seats)
        result = count(election, args.method, seats=args.seats, seed=args.seed)
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
