"""Read and write BLT ballot files (the format of OpenSTV, eSTV and the Scottish councils' data).

Layout::

    <candidates> <seats>
    [-<withdrawn> ...]              optional line(s) of negative candidate numbers
    <weight> <c1> <c2> ... 0        one line per ballot (or per group of identical ballots)
    0                               end of ballots
    "Name" or Name                  one per candidate, quoted or not
    "Title"                         optional; a trailing newline is optional too

Lines starting with ``#`` are comments. Reading is built for size: identical ballot lines are
grouped as bytes before any parsing, so a million ballot lines cost a dictionary look-up each and
only the distinct lines are parsed.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from polity.counting.election import (
    MAX_TOTAL_WEIGHT,
    RANK_DTYPE,
    Election,
    EqualRanking,
    IntArray,
    RankArray,
    pack_rankings,
)
from polity.counting.errors import BallotFileError

_BOM = b"\xef\xbb\xbf"
_TERMINATOR = re.compile(rb"^[ \t]*0[ \t]*$", re.MULTILINE)
_ALTERNATIVE = re.compile(r"#\s*ALTERNATIVE NAME \d+:(.*)$", re.IGNORECASE)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.|"")*)"')  # backslash escapes, or doubled quotes as in CSV


def read_blt(path: str | Path) -> Election:
    """Read a BLT file. Raises :class:`BallotFileError` naming the line at fault."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BallotFileError(str(path), None, f"cannot read file: {exc.strerror}") from exc
    return parse_blt(data, source=str(path))


def parse_blt(data: bytes, *, source: str = "<blt>") -> Election:
    """Parse BLT content given as bytes."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b",\n" in data:  # some exporters end every line with a comma
        data = re.sub(rb",[ \t]*$", b"", data, flags=re.MULTILINE)
    pos, line_no = 0, 0
    header: list[bytes] | None = None
    while pos < len(data):
        end = _line_end(data, pos)
        line_no += 1
        tokens = data[pos:end].split(b"#", 1)[0].split()
        pos = end + 1
        if tokens:
            header = tokens
            break
    if header is None:
        raise BallotFileError(source, None, "empty file")
    n_candidates, seats = _header(header, source, line_no)

    withdrawn: set[int] = set()
    options = _Options(n_candidates, source)
    while pos < len(data):
        end = _line_end(data, pos)
        text = data[pos:end].split(b"#", 1)[0].strip()
        tokens = text.split()
        if tokens and text.startswith(b"["):
            line_no += 1
            pos = end + 1
            options.read(text, line_no)
            continue
        if tokens and not tokens[0].startswith(b"-"):
            break
        line_no += 1
        pos = end + 1
        for token in tokens:
            number = _int(token, source, line_no, "withdrawn candidate")
            if not -n_candidates <= number <= -1:
                raise BallotFileError(source, line_no, f"withdrawn candidate {-number} is not a candidate")
            withdrawn.add(-number - 1)
    withdrawn |= options.withdrawn()

    found = data.find(b"\n0\n", pos - 1) if pos else -1
    if found >= 0:
        stop = found + 1
    else:
        match = _TERMINATOR.search(data, pos)
        if match is None:
            raise BallotFileError(source, None, "no '0' line ends the ballots")
        stop = match.start()
    first_ballot_line = line_no + 1
    block = data[pos:stop]
    lines = block.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    copies = Counter(lines)
    tail_line = first_ballot_line + len(lines)  # line number of the "0" terminator
    del block, lines
    packed = None if options.nicks else _pack_fast(copies, n_candidates)
    equal: dict[EqualRanking, int] = {}
    if packed is None:  # something unusual or wrong: parse line by line for an exact message
        lines = data[pos:stop].split(b"\n")
        grouped, equal = _group_ballots(lines, copies, n_candidates, source, first_ballot_line, options.nicks)
        packed = pack_rankings(list(grouped), list(grouped.values()))
        total = sum(grouped.values()) + sum(equal.values())
        if total > MAX_TOTAL_WEIGHT:
            raise _past_the_limit(lines, source, first_ballot_line)
    del copies
    names, title = _names(data[_line_end(data, stop) + 1 :], n_candidates, source, tail_line + 1)
    ranks, weights = packed
    if int(weights.sum()) + sum(equal.values()) == 0:
        raise BallotFileError(source, first_ballot_line, "no ballots")
    return Election(
        tuple(names),
        seats,
        ranks,
        weights,
        frozenset(withdrawn),
        title,
        tuple((weight, groups) for groups, weight in equal.items()),
        options.tie_order(),
    )


class _Options:
    """droop's and OpenSTV's bracketed lines between the header and the ballots: ``[nick a b c]``
    (short names used on the ballot lines), ``[withdrawn 2 c]`` and ``[tie c a b]`` (a published
    tie-breaking order, most favoured first). ``[droop ...]`` (droop's own count options) and any
    other bracketed line are refused by name: their rules are not ours, so counting on would mislead."""

    def __init__(self, n_candidates: int, source: str) -> None:
        self.n = n_candidates
        self.source = source
        self.nicks: dict[bytes, int] = {}
        self._withdrawn: list[tuple[int, list[bytes]]] = []
        self._tie: tuple[int, list[bytes]] | None = None

    def read(self, text: bytes, line: int) -> None:
        shown = text.decode("utf-8", "replace")
        if not text.endswith(b"]"):
            raise BallotFileError(self.source, line, f"unterminated option line {shown!r}: no closing ']'")
        words = text[1:-1].split()
        keyword = words[0].decode("utf-8", "replace").lower() if words else ""
        if keyword == "nick":
            nicks = words[1:]
            if len(nicks) != self.n or len(set(nicks)) != len(nicks):
                raise BallotFileError(
                    self.source, line, f"[nick] must give {self.n} different nicknames, one per candidate"
                )
            self.nicks = {nick: i for i, nick in enumerate(nicks)}
        elif keyword == "withdrawn":
            self._withdrawn.append((line, words[1:]))
        elif keyword == "tie":
            self._tie = (line, words[1:])
        elif keyword == "droop":
            raise BallotFileError(
                self.source,
                line,
                f"droop options line {shown!r} is not supported: choose the method and options "
                "for the count (polity count --method ...) and remove the line",
            )
        else:
            raise BallotFileError(
                self.source,
                line,
                f"unknown option line [{keyword}]: only [nick], [withdrawn] and [tie] are read",
            )

    def candidate(self, token: bytes, line: int, what: str) -> int:
        if token in self.nicks:
            return self.nicks[token]
        try:
            number = int(token)
        except ValueError:
            shown = token.decode("utf-8", "replace")
            raise BallotFileError(self.source, line, f"{what}: {shown!r} is not a candidate") from None
        if not 1 <= number <= self.n:
            raise BallotFileError(self.source, line, f"{what}: {number} is not a candidate")
        return number - 1

    def withdrawn(self) -> set[int]:
        return {self.candidate(t, line, "[withdrawn]") for line, tokens in self._withdrawn for t in tokens}

    def tie_order(self) -> tuple[int, ...]:
        if self._tie is None:
            return ()
        line, tokens = self._tie
        order = [self.candidate(t, line, "[tie]") for t in tokens]
        if sorted(order) != list(range(self.n)):
            raise BallotFileError(self.source, line, f"[tie] must list each of the {self.n} candidates once")
        return tuple(order)


def _past_the_limit(lines: list[bytes], source: str, first_line: int) -> BallotFileError:
    """Name the ballot line at which the total weight passes what the arithmetic holds."""
    total = 0
    for offset, raw in enumerate(lines):
        tokens = raw.split(b"#", 1)[0].split()
        if tokens and tokens[0].startswith(b"("):
            tokens = tokens[1:]
        if tokens:
            total += int(tokens[0])
            if total > MAX_TOTAL_WEIGHT:
                return BallotFileError(
                    source,
                    first_line + offset,
                    f"the ballots up to this line weigh {total:,}, more than the {MAX_TOTAL_WEIGHT:,} "
                    "the exact arithmetic of a count holds",
                )
    return BallotFileError(source, None, "too many ballots")  # pragma: no cover - the caller checked


def write_blt(election: Election, path: str | Path | None = None) -> str:
    """Render an election as BLT text; write it to ``path`` when given."""
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(f"-{c + 1}" for c in sorted(election.withdrawn)))
    if election.tie_order:
        out.append("[tie " + " ".join(str(c + 1) for c in election.tie_order) + "]")
    for weight, ranking in election.rankings():
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    for weight, groups in election.equal_ballots:
        out.append(" ".join([str(weight), *("=".join(str(c + 1) for c in g) for g in groups), "0"]))
    out.append("0")
    out.extend(_quote(name) for name in election.candidates)
    out.append(_quote(election.title))
    text = "\n".join(out) + "\n"
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _line_end(data: bytes, pos: int) -> int:
    end = data.find(b"\n", pos)
    return len(data) if end < 0 else end


def _int(token: bytes, source: str, line: int, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        shown = token.decode("utf-8", "replace")
        raise BallotFileError(source, line, f"bad {what} {shown!r}: not a whole number") from None


def _header(tokens: list[bytes], source: str, line: int) -> tuple[int, int]:
    if len(tokens) != 2:
        raise BallotFileError(source, line, "first line must give the number of candidates and of seats")
    n_candidates = _int(tokens[0], source, line, "number of candidates")
    seats = _int(tokens[1], source, line, "number of seats")
    if n_candidates < 1:
        raise BallotFileError(source, line, f"wrong counts: {n_candidates} candidates")
    if not 1 <= seats <= n_candidates:
        raise BallotFileError(source, line, f"wrong counts: {seats} seats for {n_candidates} candidates")
    return n_candidates, seats


def _pack_fast(copies: Counter[bytes], n_candidates: int) -> tuple[RankArray, IntArray] | None:
    """Parse the distinct ballot lines with numpy; ``None`` when a line is not plain
    ``weight c1 ... 0`` with single spaces or breaks a rule (the careful path then reports it)."""
    keys = list(copies)
    if not keys or keys[-1] == b"":
        return None
    joined = b"\n".join(keys)
    raw = np.frombuffer(joined, dtype=np.uint8)
    line_starts = np.concatenate(([0], np.flatnonzero(raw == 10) + 1))
    sizes = np.add.reduceat(raw == 32, line_starts, dtype=np.int64) + 1  # tokens per line, if single-spaced
    del raw, line_starts
    try:
        flat = np.fromstring(joined, dtype=np.int64, sep=" ")
    except ValueError:
        return None
    del joined
    if flat.size != int(sizes.sum()) or (sizes < 2).any():
        return None
    ends = np.cumsum(sizes)
    starts = ends - sizes
    if (flat[ends - 1] != 0).any() or (flat[starts] < 0).any() or (flat[starts] > MAX_TOTAL_WEIGHT).any():
        return None
    weights = flat[starts] * np.fromiter(copies.values(), dtype=np.int64, count=len(keys))
    if sum(weights.tolist()) > MAX_TOTAL_WEIGHT:  # exact Python sum: the careful path names the line
        return None
    lengths = sizes - 2
    width = max(int(lengths.max()), 1)
    mask = np.ones(flat.size, dtype=np.bool_)
    mask[starts] = False
    mask[ends - 1] = False
    wide = flat[mask]
    del flat, mask
    if wide.size and (wide.min() < 1 or wide.max() > n_candidates):
        return None
    prefs = (wide - 1).astype(RANK_DTYPE)
    del wide
    ranks = np.full((len(keys), width), -1, dtype=RANK_DTYPE)
    ranks[np.arange(width) < lengths[:, None]] = prefs  # row-major fill matches line order
    del prefs
    ordered = np.sort(ranks, axis=1)
    if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)).any():
        return None  # a repeated candidate
    del ordered
    keep = weights > 0
    if not keep.all():
        ranks, weights = ranks[keep], weights[keep]
    # lines differing only in weight (or spacing) hold the same ranking: merge them
    coeffs = np.random.default_rng(20070042).integers(1, 2**62, size=width, dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        probe = np.sort(((ranks + 1) * coeffs).sum(axis=1))  # a wrap-around row hash
    if (probe[1:] == probe[:-1]).any():
        ranks, inverse = np.unique(ranks, axis=0, return_inverse=True)
        weights = np.bincount(inverse.reshape(-1), weights=weights, minlength=len(ranks)).astype(np.int64)
    return ranks, weights


def _group_ballots(
    lines: list[bytes],
    copies_of: Counter[bytes],
    n_candidates: int,
    source: str,
    first_line: int,
    nicks: dict[bytes, int] | None = None,
) -> tuple[dict[tuple[int, ...], int], dict[EqualRanking, int]]:
    """Parse each distinct line once, checking everything and naming the first bad line. Rankings
    with equal preferences (``2=3``) are returned apart."""
    grouped: dict[tuple[int, ...], int] = {}
    equal: dict[EqualRanking, int] = {}
    nicks = nicks or {}
    for raw, copies in copies_of.items():
        line = raw.split(b"#", 1)[0] if b"#" in raw else raw
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0].startswith(b"("):  # an optional ballot id, as OpenSTV writes
            tokens = tokens[1:]

        def fail(message: str, raw: bytes = raw) -> BallotFileError:
            return BallotFileError(source, first_line + lines.index(raw), message)

        if not tokens:
            raise fail("ballot line has no weight")
        try:
            weight = int(tokens[0])
        except ValueError:
            shown = tokens[0].decode("utf-8", "replace")
            if shown.startswith("["):
                raise fail(f"option line {shown}...] must come before the ballots") from None
            raise fail(f"bad weight {shown!r}: not a whole number") from None
        if weight < 0:
            raise fail(f"bad weight {weight}: negative")
        if weight > MAX_TOTAL_WEIGHT:
            raise fail(
                f"bad weight {weight:,}: more than the {MAX_TOTAL_WEIGHT:,} the exact arithmetic holds"
            )
        if tokens[-1] != b"0" or len(tokens) < 2:
            raise fail("ballot line must end with 0")
        groups: list[tuple[int, ...]] = []
        for token in tokens[1:-1]:
            group: list[int] = []
            for part in token.split(b"="):
                if part in nicks:
                    group.append(nicks[part])
                    continue
                try:
                    c = int(part) - 1
                except ValueError:
                    raise fail(
                        f"bad preference {part.decode('utf-8', 'replace')!r}: not a candidate"
                    ) from None
                if not 0 <= c < n_candidates:
                    raise fail(f"unknown candidate {c + 1} (there are {n_candidates})")
                group.append(c)
            groups.append(tuple(group))
        flat = [c for group in groups for c in group]
        if len(set(flat)) != len(flat):
            repeated = next(c for c in flat if flat.count(c) > 1)
            raise fail(f"repeated candidate {repeated + 1}")
        if not weight:
            continue
        if all(len(group) == 1 for group in groups):
            ranking = tuple(flat)
            grouped[ranking] = grouped.get(ranking, 0) + weight * copies
        else:
            key = tuple(groups)
            equal[key] = equal.get(key, 0) + weight * copies
    return grouped, equal


def _names(tail: bytes, n_candidates: int, source: str, first_line: int) -> tuple[list[str], str]:
    try:
        text = tail.decode("utf-8")
    except UnicodeDecodeError:
        text = tail.decode("latin-1")
    lines = [(first_line + offset, raw.strip()) for offset, raw in enumerate(text.split("\n")) if raw.strip()]
    alternatives = [
        (line_no, m.group(1).strip()) for line_no, line in lines if (m := _ALTERNATIVE.match(line))
    ]
    lines = [(line_no, line) for line_no, line in lines if not line.startswith("#")]
    split = [
        [_unescape(f) for f in _QUOTED.findall(line)] if line.startswith('"') else [line] for _, line in lines
    ]
    for (line_no, _), found in zip(lines, split, strict=True):
        if not found:
            raise BallotFileError(source, line_no, "unterminated quoted name")
    items: list[tuple[int, str]] = []
    if sum(len(f) for f in split) in (n_candidates, n_candidates + 1) or len(lines) not in (
        n_candidates,
        n_candidates + 1,
    ):
        items = [(line_no, name) for (line_no, _), found in zip(lines, split, strict=True) for name in found]
    else:  # one name per line, with extra quoted fields (e.g. the party)
        for (line_no, _), found in zip(lines, split, strict=True):
            extra = ", ".join(f for f in found[1:] if f)
            items.append((line_no, f"{found[0]} ({extra})" if extra else found[0]))
    if len(items) < n_candidates and len(alternatives) == n_candidates:
        # names given only as "# ALTERNATIVE NAME k: ..." comments, then the title
        items = alternatives + items
    if len(items) < n_candidates:
        raise BallotFileError(
            source, None, f"wrong counts: {n_candidates} candidates declared, {len(items)} names given"
        )
    if len(items) > n_candidates + 1:
        line, extra = items[n_candidates + 1]
        raise BallotFileError(source, line, f"wrong counts: unexpected text after the title: {extra!r}")
    names = [name for _, name in items[:n_candidates]]
    if len(set(names)) != len(names):
        line, dup = next(item for item in items if names.count(item[1]) > 1)
        raise BallotFileError(source, line, f"candidate name {dup!r} given twice")
    title = items[n_candidates][1] if len(items) > n_candidates else ""
    return names, title


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace('""', '"')).strip()
