"""Capture the wizard's eight screens from the real program, for the guide.

Runs `acctctl partner change` in a detached tmux session (a real terminal emulator,
80×50, no colour) on a fresh demo account at a fixed "now", answers each step as an
administrator would, and writes what each step's screen shows to
``docs/screens/step-N.txt``, so the pictures in docs/guide.md are the program's own.
A second walk, on the contract with two partners, captures the review's warning
(``step-7-several-partners.txt``).

    python tools/capture_wizard.py            # needs tmux

Each step is captured while its question is still open, so menus show their choices;
step 2 once its table is drawn, step 8 when the program has ended.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-26T09:30:00Z"
WIDTH, HEIGHT = 80, 50  # the width most terminals open at (issue 11)
SOCKET = f"acctctl-capture-{os.getpid()}"  # a private tmux server, never the user's own
SESSION = "wizard"
DONE = "[acctctl exited "
QUIET_CHANGE = ("--csn", "5550002222", "--yes", "--quiet")


class Tmux:
    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.env = env
        self.run("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", SESSION, command)
        self.run("set-option", "-t", SESSION, "history-limit", "10000")

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", SOCKET, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    def screen(self) -> str:
        """Everything drawn so far (scrollback included), trailing blanks removed."""
        text = self.run("capture-pane", "-p", "-S", "-", "-t", SESSION)
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"

    def wait(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                time.sleep(0.3)  # let the question finish drawing
                return self.screen()
            time.sleep(0.1)
        raise SystemExit(f"capture_wizard: timed out waiting for {text!r}:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", SESSION, *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], env=self.env, capture_output=True)


def section(screen: str, number: int) -> str:
    """From the last `Step N/8` (or `Étape N/8`) heading to the next heading (or the end)."""
    word = "Step" if f"Step {number}/8 — " in screen else "Étape"
    start = screen.rindex(f"{word} {number}/8 — ")
    start = screen.rindex("\n", 0, start) + 1 if "\n" in screen[:start] else 0
    following = re.search(r"^.*(Step|Étape) \d/8 — ", screen[start + 1 :], re.MULTILINE)
    end = start + 1 + following.start() if following else len(screen)
    return screen[start:end].split(DONE)[0].strip("\n") + "\n"


Answer = tuple[int | None, str, list[str]]


def walk(env: dict[str, str], args: str, answers: list[Answer]) -> dict[int, str]:
    """Run `acctctl partner change ARGS`. ``answers``: (step to capture, text to wait for,
    keys to send then). Returns the captured steps' screens, step 8 at the end, and the
    whole walk as 0."""
    command = (
        f"{shlex_join([sys.executable, '-m', 'acctctl'])} partner change {args}; "
        f"echo '{DONE}'$?']'; sleep 120"
    )
    tmux = Tmux(command, env)
    shots: dict[int, str] = {}
    try:
        for number, waited, keys in answers:
            screen = tmux.wait(waited)
            if number is not None:
                shots[number] = section(screen, number)
            if keys:
                tmux.keys(*keys)
        screen = tmux.wait(DONE)
        if "Step 8/8 — " in screen:
            shots[8] = section(screen, 8)
        shots[0] = screen.split(DONE)[0].rstrip("\n") + "\n"
    finally:
        tmux.close()
    return shots


def shlex_join(parts: list[str]) -> str:
    import shlex

    return shlex.join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    options = parser.parse_args()
    if shutil.which("tmux") is None:
        print("capture_wizard: tmux is needed", file=sys.stderr)
        return 2
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="acctctl-capture-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCTCTL_", "TMUX"))}
        env.update(ACCTCTL_HOME=home, ACCTCTL_NOW=NOW, NO_COLOR="1", LANG="C.UTF-8")
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")

        def fresh_account() -> None:
            subprocess.run(
                [sys.executable, "-m", "acctctl", "store", "init", "--demo", "--force"],
                env={**env, "ACCTCTL_USER": "claire@dupont.example"},
                check=True,
                capture_output=True,
                timeout=60,
            )

        fresh_account()
        # Menus are captured while open, so they show their choices; step 2 once its
        # table is drawn (when step 3 asks).
        shots = walk(
            env,
            "",
            [
                (None, "Who is signing in?", ["Enter"]),
                (1, "New partner's account number:", ["Enter"]),
                (2, "Select a subscription:", []),
                (3, "Select a subscription:", ["Enter"]),
                (4, "Actions:", ["Enter"]),
                (5, "Enter another account number", ["Enter"]),
                (6, "Is this the right partner?", ["Enter"]),
                (7, "Submit?", ["Enter"]),
                (8, "Close the confirmation window:", ["Enter"]),  # Done
            ],
        )
        for number in range(1, 9):
            (options.out / f"step-{number}.txt").write_text(shots[number], encoding="utf-8")
        (options.out / "walk.txt").write_text(shots[0], encoding="utf-8")

        fresh_account()
        several = walk(
            {**env, "ACCTCTL_USER": "claire@dupont.example"},
            "72000000008 --csn 5550002222",
            [
                (None, "Actions:", ["Enter"]),
                (None, "Enter another account number", ["Enter"]),
                (None, "Is this the right partner?", ["Enter"]),
                (None, "Replace all 2 partners", ["y"]),
                (7, "Submit?", ["Escape"]),
            ],
        )
        (options.out / "step-7-several-partners.txt").write_text(several[7], encoding="utf-8")

        # Back: at step 6, Back returns to step 5 (its menu captured on the way back).
        fresh_account()
        back = walk(
            {**env, "ACCTCTL_USER": "claire@dupont.example"},
            "72000000001 --csn 5550002222",
            [
                (None, "Actions:", ["Enter"]),
                (None, "Enter another account number", ["Enter"]),
                (None, "Is this the right partner?", ["Down", "Down", "Enter"]),
                (None, "right partner? Back", ["Escape"]),
            ],
        )
        (options.out / "back-to-step-5.txt").write_text(back[0], encoding="utf-8")

        # A pending change: step 3 marks the row, and its Actions offer to cancel it.
        fresh_account()
        subprocess.run(
            [sys.executable, "-m", "acctctl", "partner", "change", "72000000001", *QUIET_CHANGE],
            env={**env, "ACCTCTL_USER": "claire@dupont.example"},
            check=True,
            capture_output=True,
            timeout=60,
        )
        pending = walk(
            {**env, "ACCTCTL_USER": "claire@dupont.example"},
            "--csn 5550004444",
            [
                # The cursor starts on the first row that can change (72000000008):
                # up to the first row, whose change is pending.
                (3, "Select a subscription:", [*["Up"] * 7, "Enter"]),
                (4, "Actions:", ["Escape"]),
            ],
        )
        (options.out / "pending-step-3.txt").write_text(pending[3], encoding="utf-8")
        (options.out / "pending-step-4.txt").write_text(pending[4], encoding="utf-8")

        # In French: the whole walk, step 8 captured with its Terminer button.
        fresh_account()
        french = walk(
            {**env, "ACCTCTL_USER": "claire@dupont.example"},
            "--lang fr",
            [
                (None, "Numéro de compte du nouveau partenaire", ["Enter"]),
                (None, "Sélectionnez un abonnement", ["Enter"]),
                (None, "Actions", ["Enter"]),
                (None, "Rechercher", ["Enter"]),
                (None, "Est-ce le bon partenaire", ["Enter"]),
                (None, "Soumettre", ["Enter"]),
                (8, "Fermer la fenêtre de confirmation", ["Enter"]),
            ],
        )
        (options.out / "fr-step-8.txt").write_text(french[8], encoding="utf-8")
    for path in sorted(options.out.glob("*.txt")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
