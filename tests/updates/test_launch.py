"""The start-up dispatch (app/updates/launch.py): real state files, real child processes.

Each "version" is a folder with an executable script standing in for the frozen program: it
records that it ran, then marks itself good (as the app does once its login window is shown),
or crashes, or exits cleanly without ever showing its window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.updates import launch

ROOT_DIR = Path(__file__).resolve().parents[2]
EXE = "hwc-spoke"

CHILD = """#!{python}
import os, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from app.updates import launch
here = Path(__file__).parent
with open(here.parent.parent / "ran.txt", "a") as out:
    trial = os.environ.get("HWC_SPOKE_TRIAL", "-")
    out.write(here.name + " " + trial + " " + " ".join(sys.argv[1:]) + "\\n")
behaviour = {behaviour!r}
if behaviour == "good":
    trial = os.environ.get("HWC_SPOKE_TRIAL")
    if trial:
        launch.mark_good(Path(os.environ["HWC_SPOKE_UPDATES_DIR"]), trial)
    sys.exit(0)
if behaviour == "crash":
    sys.exit(3)
sys.exit(0)  # "silent": exits without ever showing its login window
"""


def make_version(root: Path, version: str, behaviour: str = "good") -> Path:
    folder = launch.version_dir(root, version)
    folder.mkdir(parents=True)
    program = folder / EXE
    program.write_text(CHILD.format(python=sys.executable, root=str(ROOT_DIR), behaviour=behaviour))
    program.chmod(0o755)
    return folder


def ran(root: Path) -> list[str]:
    path = root / "ran.txt"
    return path.read_text().splitlines() if path.exists() else []


def dispatch(root: Path, argv: list[str] | None = None, installed: str = "1.0.0") -> int | None:
    return launch.dispatch(argv or [], root=root, installed=installed, exe_name=EXE)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "updates"
    r.mkdir()
    return r


def test_no_state_runs_the_installed_program(root: Path) -> None:
    assert dispatch(root) is None
    assert ran(root) == []


def test_a_staged_version_starts_as_a_trial_and_marks_itself_good(root: Path) -> None:
    make_version(root, "1.1.0", "good")
    launch.stage(root, "1.1.0")
    assert dispatch(root, ["--lang", "hi"]) == 0
    assert ran(root) == ["1.1.0 1.1.0 --lang hi"]
    state = launch.read_state(root)
    assert (state.current, state.trial, state.candidate, state.bad) == ("1.1.0", None, None, ())
    # The next start runs it as the good version: no trial any more.
    assert dispatch(root) == 0
    assert ran(root)[-1] == "1.1.0 - "


def test_a_trial_that_crashes_is_marked_bad_and_the_previous_version_runs(root: Path) -> None:
    make_version(root, "1.1.0", "good")
    make_version(root, "1.2.0", "crash")
    launch.write_state(root, launch.State(current="1.1.0", candidate="1.2.0"))
    assert dispatch(root) == 0
    assert ran(root) == ["1.2.0 1.2.0 ", "1.1.0 - "]
    state = launch.read_state(root)
    assert state.bad == ("1.2.0",)
    assert (state.current, state.candidate, state.trial) == ("1.1.0", None, None)
    assert "1.2.0 exited (3) before its login window" in (root / launch.LOG_FILE).read_text()
    # Never tried again, even when the updater stages it again.
    launch.stage(root, "1.2.0")
    assert dispatch(root) == 0
    assert ran(root)[-1] == "1.1.0 - "


def test_a_trial_that_never_shows_its_window_is_bad_and_the_installed_one_goes_on(
    root: Path,
) -> None:
    make_version(root, "1.1.0", "silent")
    launch.stage(root, "1.1.0")
    assert dispatch(root) is None  # nothing good is newer: the installed program goes on
    assert launch.read_state(root).bad == ("1.1.0",)


def test_a_trial_whose_start_never_came_back_is_marked_bad_at_the_next_start(root: Path) -> None:
    make_version(root, "1.1.0", "good")
    make_version(root, "1.2.0", "good")
    # The PC lost power while 1.2.0 was being tried: state.json still says "trial".
    launch.write_state(root, launch.State(current="1.1.0", trial="1.2.0", candidate="1.2.0"))
    assert dispatch(root) == 0
    assert ran(root) == ["1.1.0 - "]
    assert launch.read_state(root).bad == ("1.2.0",)


def test_commands_run_the_good_version_but_never_try_a_candidate(root: Path) -> None:
    make_version(root, "1.1.0", "good")
    make_version(root, "1.2.0", "good")
    launch.write_state(root, launch.State(current="1.1.0", candidate="1.2.0"))
    assert dispatch(root, ["doctor", "--json"]) == 0
    assert ran(root) == ["1.1.0 - doctor --json"]
    assert launch.read_state(root).candidate == "1.2.0"


@pytest.mark.parametrize(
    "content",
    ["{not json", json.dumps({"format": 99}), json.dumps({"format": 1, "current": "../../bin"})],
)
def test_a_corrupt_state_file_falls_back_to_the_installed_version(root: Path, content: str) -> None:
    make_version(root, "1.1.0", "good")
    (root / launch.STATE_FILE).write_text(content)
    assert dispatch(root) is None
    assert ran(root) == []
    assert "starting the installed version 1.0.0" in (root / launch.LOG_FILE).read_text()


def test_versions_not_newer_than_the_installed_one_or_missing_are_not_run(root: Path) -> None:
    make_version(root, "1.1.0", "good")
    launch.write_state(root, launch.State(current="1.1.0", candidate="2.0.0"))  # 2.0.0 absent
    assert dispatch(root, installed="1.1.0") is None  # apt installed 1.1.0 itself
    assert dispatch(root, installed="1.5.0") is None
    assert ran(root) == []


def test_the_command_list_matches_main_py() -> None:
    import main

    parser = main.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert set(sub.choices) == launch.COMMANDS  # type: ignore[attr-defined]


def run_main(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update({launch.ENV_ENABLE: "1", launch.ENV_ROOT: str(root)})
    env.pop(launch.ENV_LAUNCHED, None)
    return subprocess.run(
        [sys.executable, str(ROOT_DIR / "main.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT_DIR,
    )


def test_main_py_dispatches_before_anything_else(root: Path) -> None:
    make_version(root, "9.0.0", "good")
    launch.write_state(root, launch.State(current="9.0.0"))
    done = run_main(root, "doctor", "--offline")
    assert done.returncode == 0, done.stderr
    assert ran(root) == ["9.0.0 - doctor --offline"]


def test_main_py_with_a_corrupt_state_starts_the_installed_version(root: Path) -> None:
    (root / launch.STATE_FILE).write_text("\x00garbage")
    done = run_main(root, "--version")
    assert done.returncode == 0
    assert "HWC Spoke" in done.stdout
    assert "is not valid JSON" in done.stderr
    assert "starting the installed version" in done.stderr


def test_dispatch_at_start_never_raises(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("a bug in the dispatch")

    launch.write_state(root, launch.State(current="9.0.0"))
    monkeypatch.setenv(launch.ENV_ENABLE, "1")
    monkeypatch.setenv(launch.ENV_ROOT, str(root))
    monkeypatch.delenv(launch.ENV_LAUNCHED, raising=False)
    monkeypatch.setattr(launch, "dispatch", explode)
    assert launch.dispatch_at_start([]) is None  # the installed program goes on
    assert (
        "dispatch failed (RuntimeError: a bug in the dispatch)"
        in (root / launch.LOG_FILE).read_text()
    )


def test_a_started_version_never_dispatches_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_version(root, "9.0.0", "good")
    launch.write_state(root, launch.State(current="9.0.0"))
    monkeypatch.setenv(launch.ENV_ENABLE, "1")
    monkeypatch.setenv(launch.ENV_ROOT, str(root))
    monkeypatch.setenv(launch.ENV_LAUNCHED, "1")
    assert launch.dispatch_at_start([]) is None
    assert ran(root) == []
