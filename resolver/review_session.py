"""The interactive review loop of `resolver review OUT` on a terminal: one pair at a
time, a key per decision (a accept, r reject, s skip, n note, q quit), each decision
written to the decisions file at once so that quitting or a crash loses none.

The loop reads keys and lines and shows pairs through the callables it is given, so the
command line does the terminal work and tests drive it with a fake input stream.
"""

from collections.abc import Callable
from dataclasses import dataclass

PROMPT = "[a]ccept  [r]eject  [s]kip  [n]ote  [q]uit"
DECISIONS = {"a": "match", "r": "no_match"}
EOF_KEYS = {"", "\x04"}  # end of input, Ctrl-D


@dataclass
class SessionResult:
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    quit: bool = False


def review_session(pairs: list[dict],
                   read_key: Callable[[str], str],
                   read_line: Callable[[str], str],
                   show: Callable[[int, dict], None],
                   decide: Callable[[dict, str, str | None], None],
                   tell: Callable[[str], None]) -> SessionResult:
    """Walk the pairs in order. read_key(prompt) -> one key ("" at end of input);
    read_line(prompt) -> a line of text; show(i, pair) puts a pair on screen;
    decide(pair, "match" | "no_match", note) records it; tell(text) says something."""
    result = SessionResult()
    for i, pair in enumerate(pairs):
        show(i, pair)
        note = None
        while True:
            key = read_key(PROMPT)
            key = key if key in EOF_KEYS else key.strip().lower()[:1]
            if key in DECISIONS:
                decide(pair, DECISIONS[key], note)
                if key == "a":
                    result.accepted += 1
                else:
                    result.rejected += 1
                break
            if key == "s":
                result.skipped += 1
                break
            if key == "n":
                note = _read_note(read_line, tell) or note
            elif key == "q" or key in EOF_KEYS:
                result.quit = True
                return result
            else:
                tell(f"Press one of a, r, s, n or q ({PROMPT}).")
    return result


def _read_note(read_line: Callable[[str], str], tell: Callable[[str], None]) -> str | None:
    text = read_line("note (one line; Enter to keep none): ").rstrip("\r\n")
    if not text.isprintable():
        tell("A note is one line of printable text; not kept.")
        return None
    if text.strip():
        tell("Note kept for this pair's decision.")
    return text.strip() or None
