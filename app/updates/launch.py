"""The start-up dispatch: which installed version of the program runs (docs/UPDATES.md).

The program in ``/opt/hwc-spoke`` or ``Program Files`` cannot rewrite itself while it runs,
and the clinic user may not write there. Updates are therefore unpacked side by side into a
folder the user owns, ``<updates>/versions/<X.Y.Z>/``, and ``<updates>/state.json`` says which
of them to run:

- ``candidate``: staged by the updater, verified, never started yet;
- ``trial``: started once and not yet known to work;
- ``current``: started and reached its login window (marked good), ``previous`` the good one
  before it; ``bad``: versions that failed their trial, never started again.

Every start of the installed program runs ``dispatch_at_start`` first. A GUI start runs the
candidate as a trial (``HWC_SPOKE_TRIAL`` in its environment); the trial marks itself good
once its login window is shown (``mark_good``). A trial that exits without having done so is
marked bad and the version before it runs at once; a trial whose start never came back (the
PC lost power) is marked bad by the next start. Otherwise the newest good version newer than
the installed one runs; else the installed program goes on itself, which is also the answer
to anything unexpected here (an unreadable state file, a missing folder): this code runs
before every start of every clinic PC, so it uses the standard library only and never raises.

Only a frozen program dispatches (``sys.frozen``), or any when ``HWC_SPOKE_UPDATES=1`` (tests).
A program started by the dispatch has ``HWC_SPOKE_LAUNCHED=1`` and never dispatches again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

APP_DIR_NAME = "hwc-spoke"
STATE_FILE = "state.json"
VERSIONS_DIR = "versions"
LOG_FILE = "launch.log"
STATE_FORMAT = 1

ENV_ENABLE = "HWC_SPOKE_UPDATES"  # "1": dispatch although not frozen (tests)
ENV_ROOT = "HWC_SPOKE_UPDATES_DIR"  # the updates folder (default: beside the clinic data)
ENV_LAUNCHED = "HWC_SPOKE_LAUNCHED"  # set for a program the dispatch started
ENV_TRIAL = "HWC_SPOKE_TRIAL"  # the version a trial start is trying

_VERSION = re.compile(r"(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})")

# A start with one of these words is a command for field IT, not the app's window: it runs the
# newest good version but never tries a candidate (a trial is judged by its login window).
# tests/updates/test_launch.py checks the list against main.py's parser.
COMMANDS = frozenset(
    {
        "seed",
        "simulate",
        "enrol",
        "provision",
        "sync",
        "verify-rx",
        "audit",
        "backup",
        "backup-verify",
        "restore",
        "doctor",
        "support-bundle",
        "hub",
    }
)
NOT_A_WINDOW = frozenset({"--version", "--help", "-h", "--screenshot", "--startup-probe"})


def parse_version(text: object) -> tuple[int, int, int] | None:
    """``X.Y.Z`` as a tuple to compare; None for anything else (never trusted, never run)."""
    if not isinstance(text, str):
        return None
    match = _VERSION.fullmatch(text)
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


@dataclass(frozen=True)
class State:
    current: str | None = None
    previous: str | None = None
    candidate: str | None = None
    trial: str | None = None
    bad: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "current": self.current,
            "previous": self.previous,
            "candidate": self.candidate,
            "trial": self.trial,
            "bad": list(self.bad),
        }


class StateError(Exception):
    """state.json exists but cannot be used."""


def default_root() -> Path | None:
    """The updates folder: ``HWC_SPOKE_UPDATES_DIR``, else ``updates`` in the per-user data
    folder (the clinic data's parent folder, never inside its database or blobs)."""
    chosen = os.environ.get(ENV_ROOT)
    if chosen:
        return Path(chosen).expanduser()
    try:
        from platformdirs import user_data_dir
    except ImportError:  # a broken install still starts (the installed version)
        return None
    return Path(user_data_dir(APP_DIR_NAME, appauthor=False)) / "updates"


def read_state(root: Path) -> State:
    """The state; an empty one when there is no file. StateError when it is unreadable."""
    path = root / STATE_FILE
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return State()
    except OSError as exc:
        raise StateError(f"{path} cannot be read: {exc}") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise StateError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StateError(f"{path} is not a state file of format {STATE_FORMAT}")

    def version(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if parse_version(value) is None:
            raise StateError(f"{path}: {key} is not a version: {value!r}")
        return str(value)

    bad = data.get("bad", [])
    if not isinstance(bad, list) or any(parse_version(v) is None for v in bad):
        raise StateError(f"{path}: bad is not a list of versions")
    return State(
        current=version("current"),
        previous=version("previous"),
        candidate=version("candidate"),
        trial=version("trial"),
        bad=tuple(str(v) for v in bad),
    )


def write_state(root: Path, state: State) -> None:
    """Replace state.json atomically (a power cut leaves the old file or the new one)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / STATE_FILE
    tmp = path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(state.to_json(), out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def version_dir(root: Path, version: str) -> Path:
    return root / VERSIONS_DIR / version


def program_in(folder: Path, name: str) -> Path | None:
    """The program to start in a version's folder: the one named like the running one
    (``hwc-spoke`` / ``hwc-spoke.exe`` / ``hwc-spoke-cli.exe``), if it is there."""
    candidate = folder / name
    return candidate if candidate.is_file() else None


def stage(root: Path, version: str) -> State:
    """The updater unpacked ``version`` into its folder: try it at the next start."""
    state = read_state(root)
    if version in state.bad:
        return state
    new = replace(state, candidate=version)
    write_state(root, new)
    return new


def mark_good(root: Path, version: str) -> bool:
    """Called by a trial start once its login window is shown: it becomes ``current``."""
    state = read_state(root)
    if state.trial != version:
        return False
    previous = state.current if state.current != version else state.previous
    write_state(
        root,
        replace(
            state,
            current=version,
            previous=previous,
            trial=None,
            candidate=None if state.candidate == version else state.candidate,
        ),
    )
    return True


def clear_bad(root: Path) -> State:
    """Field IT's way back after a fixed release: bad versions may be tried again."""
    state = replace(read_state(root), bad=())
    write_state(root, state)
    return state


@dataclass(frozen=True)
class Choice:
    """What to start: ``version`` from ``program`` (None: the installed program goes on)."""

    version: str | None
    program: Path | None
    trial: bool = False


def _newer(version: str | None, than: str) -> bool:
    mine, other = parse_version(version), parse_version(than)
    return mine is not None and other is not None and mine > other


def choose(root: Path, state: State, installed: str, exe_name: str, *, window: bool) -> Choice:
    """Pure decision (no writes): the candidate as a trial (window starts only), else the
    newest good version newer than the installed one, else the installed program."""
    if window and state.candidate and state.candidate not in state.bad:
        program = program_in(version_dir(root, state.candidate), exe_name)
        if program is not None and _newer(state.candidate, installed):
            return Choice(state.candidate, program, trial=True)
    for version in (state.current, state.previous):
        if version and version not in state.bad and _newer(version, installed):
            program = program_in(version_dir(root, version), exe_name)
            if program is not None:
                return Choice(version, program)
    return Choice(None, None)


def is_window_start(argv: Sequence[str]) -> bool:
    return not any(word in COMMANDS or word in NOT_A_WINDOW for word in argv)


class _Log:
    """Lines to stderr and to ``launch.log`` in the updates folder: the app's own log is not
    set up yet, and field IT look for why a version was skipped."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def __call__(self, message: str) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} hwc-spoke launcher: {message}"
        with contextlib.suppress(Exception):
            print(line, file=sys.stderr, flush=True)
        if self.root is not None:
            with (
                contextlib.suppress(OSError),
                open(self.root / LOG_FILE, "a", encoding="utf-8") as out,
            ):
                out.write(line + "\n")


Runner = Callable[[list[str], dict[str, str]], int]


def _run(command: list[str], env: dict[str, str]) -> int:
    return subprocess.call(command, env=env)


def dispatch(
    argv: Sequence[str],
    *,
    root: Path,
    installed: str,
    exe_name: str,
    run: Runner = _run,
) -> int | None:
    """Start the version ``state.json`` chooses and return its exit status, or None when the
    installed program should go on. See the module docstring for the rules."""
    say = _Log(root)
    try:
        state = read_state(root)
    except StateError as exc:
        say(f"{exc}; starting the installed version {installed}")
        return None
    if state.trial:
        # The last start tried it and never came back to judge it: power cut, killed, hung.
        say(f"version {state.trial} did not finish its trial start; marked bad")
        state = replace(state, trial=None, bad=(*state.bad, state.trial))
        write_state(root, state)
    window = is_window_start(argv)
    while True:
        choice = choose(root, state, installed, exe_name, window=window)
        if choice.version is None or choice.program is None:
            return None
        env = dict(os.environ)
        env[ENV_LAUNCHED] = "1"
        env[ENV_ROOT] = str(root)
        env.pop(ENV_TRIAL, None)
        if choice.trial:
            env[ENV_TRIAL] = choice.version
            state = replace(state, trial=choice.version)
            write_state(root, state)
            say(f"trying version {choice.version} (installed {installed})")
        code = run([str(choice.program), *argv], env)
        if not choice.trial:
            return code
        state = read_state(root)
        if state.trial != choice.version:
            return code  # it marked itself good
        say(
            f"version {choice.version} exited ({code}) before its login window was shown; "
            "marked bad, starting the version before it"
        )
        state = replace(
            state,
            trial=None,
            candidate=None if state.candidate == choice.version else state.candidate,
            bad=(*state.bad, choice.version),
        )
        write_state(root, state)
        window = False  # never a second trial in one start


def dispatch_at_start(argv: Sequence[str]) -> int | None:
    """main.py's first call: None lets the installed program go on. Never raises."""
    if os.environ.get(ENV_LAUNCHED) == "1":
        return None
    if not (getattr(sys, "frozen", False) or os.environ.get(ENV_ENABLE) == "1"):
        return None
    root: Path | None = None
    try:
        root = default_root()
        if root is None or not (root / STATE_FILE).exists():
            return None
        from app import __version__

        if getattr(sys, "frozen", False):
            exe_name = Path(sys.executable).name  # hwc-spoke(.exe) or hwc-spoke-cli.exe
        else:  # tests: the version folders hold stand-ins named like the frozen program
            exe_name = "hwc-spoke.exe" if sys.platform == "win32" else "hwc-spoke"
        return dispatch(argv, root=root, installed=__version__, exe_name=exe_name)
    except Exception as exc:  # whatever happens here, the installed program must start
        _Log(root)(f"dispatch failed ({type(exc).__name__}: {exc}); starting the installed one")
        return None
