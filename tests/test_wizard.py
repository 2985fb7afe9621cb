"""The wizard in-process: real questionary prompts fed by prompt_toolkit's pipe input.

Every key the administrator would press is sent up front; prompt_toolkit keeps what
one question does not read for the next. The pipe is closed after the keys, so a
missing key ends the walk with CancelledError instead of a hang — which is why the
cancellation tests also check which question was asked last. Each test runs under a
timeout all the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from acctctl import service
from acctctl.demo import (
    BIM_NANTES,
    BUREAU_NUMERIQUE,
    CADPRO,
    CLAIRE,
    ELIGIBLE_CONTRACT,
)
from acctctl.domain import Change
from acctctl.errors import CancelledError, NotAllowedError
from acctctl.flow import Request
from acctctl.service import Context
from acctctl.wizard import run_change_wizard
from acctctl.wizard.prompts import Option, QuestionaryPrompter, Validator
from conftest import demo_context

NOW = "2026-11-26T09:30:00Z"
ENTER = "\r"
DOWN = "\x1b[B"
CTRL_C = "\x03"
CTRL_U = "\x15"  # clears a prefilled answer
ESC = "\x1b"

T = TypeVar("T")


@dataclass
class Recorder(QuestionaryPrompter):
    """The real prompts, remembering what was asked and which options were offered."""

    asked: list[str] = field(default_factory=list)
    offered: dict[str, list[Option[Any]]] = field(default_factory=dict)
    # Keys to type only once a question is on screen (a lone Esc is only recognised
    # when the question reading it sees no key follow it).
    later: dict[str, str] = field(default_factory=dict)
    pipe: Any = None

    def _asking(self, message: str) -> None:
        self.asked.append(message)
        if message in self.later:
            self.pipe.send_text(self.later.pop(message))

    def select(
        self,
        message: str,
        options: Sequence[Option[T]],
        default: T | None = None,
        *,
        flag: str = "",
    ) -> T:
        self._asking(message)
        self.offered[message] = list(options)
        return super().select(message, options, default)

    def text(
        self, message: str, default: str = "", validate: Validator | None = None, *, flag: str = ""
    ) -> str:
        self._asking(message)
        return super().text(message, default, validate)

    def confirm(self, message: str, default: bool = False, *, flag: str = "") -> bool:
        self._asking(message)
        return super().confirm(message, default)


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """A SQLite store holding the demo account, nobody signed in, at a fixed now."""
    monkeypatch.setenv("ACCTCTL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ACCTCTL_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    for var in ("ACCTCTL_STORE", "ACCTCTL_USER", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    context = demo_context(tmp_path / "account.db", None)
    yield context
    context.store.close()


def walk(
    ctx: Context,
    keys: str,
    *,
    prompter: Recorder | None = None,
    ids: Sequence[str] = (),
    csn: str | None = None,
    replace_all: bool = False,
    dry_run: bool = False,
    close: bool = True,
) -> int:
    """Run the wizard on ``keys``. ``close=False`` keeps the pipe open after them, for the
    cancellation tests: were the cancelling key ignored, the test would time out rather
    than pass on the end of input."""
    prompter = prompter or Recorder()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        prompter.pipe = pipe
        pipe.send_text(keys)
        if close:
            pipe.close()
        return run_change_wizard(
            ctx, Request(list(ids) or None, csn, replace_all, dry_run), prompter
        )


def changes(ctx: Context) -> list[Change]:
    with ctx.store.read() as reader:
        return reader.changes()


def step_headings(text: str) -> list[int]:
    return [int(line.split()[1][0]) for line in text.splitlines() if line.startswith("Step ")]


# Enter at every question: Claire (before step 1), the notice's partner, the first
# subscription, "Update reseller information", Find, "Yes: Next", Submit.
FULL_WALK = ENTER * 8  # the last one: Done at step 8


@pytest.mark.timeout(60)
def test_full_walk_from_nothing_submits_the_change(
    ctx: Context, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    assert walk(ctx, FULL_WALK, prompter=recorder) == 0

    [change] = changes(ctx)
    assert (change.contract, change.to, change.by, change.status) == (
        ELIGIBLE_CONTRACT,
        BUREAU_NUMERIQUE,
        CLAIRE,
        "pending",
    )
    assert change.from_ == (CADPRO,)
    assert change.effective_at == ctx.now + ctx.propagation
    out = capsys.readouterr().out
    assert step_headings(out) == [1, 2, 3, 4, 5, 6, 7, 8]
    step1 = recorder.offered["New partner's account number:"]
    assert step1[0].title == "From the email of 20 Nov: Bureau Numérique Paris, 5550002222"
    assert step1[-1].title == "Type another account number"
    assert "72000000002" in out and "72000000003" in out  # the review lists every moved sub
    assert change.id in out.split("Step 8/8")[1]
    assert "2026-11-26 10:30 UTC" in out.split("Step 8/8")[1]
    pending = service.show_subscription(ctx, "72000000002").view.pending
    assert pending is not None and pending.id == change.id
    assert recorder.asked[-1] == "Close the confirmation window:"


@pytest.mark.parametrize("key", [CTRL_C, ESC], ids=["ctrl-c", "esc"])
@pytest.mark.timeout(60)
def test_ctrl_c_and_esc_cancel(ctx: Context, key: str) -> None:
    recorder = Recorder(later={"Actions:": key})
    with pytest.raises(CancelledError) as cancelled:
        walk(ctx, ENTER * 3, prompter=recorder, close=False)

    assert cancelled.value.exit_code == 130
    assert recorder.asked[-1] == "Actions:"
    assert changes(ctx) == []


@pytest.mark.timeout(60)
def test_unknown_identity_is_not_allowed(ctx: Context) -> None:
    with pytest.raises(NotAllowedError):
        walk(replace(ctx, actor="nobody@elsewhere.example"), ENTER)


@dataclass
class Competitor(Recorder):
    """Another administrator submits a change while this one reads the review."""

    ctx: Context | None = None

    def confirm(self, message: str, default: bool = False) -> bool:
        answer = super().confirm(message, default)
        if message == "Submit?" and self.ctx is not None:
            partner = service.lookup_partner(self.ctx, BIM_NANTES)
            service.change_partner(self.ctx, "72000000002", partner)
        return answer


@pytest.mark.parametrize(
    ("keys", "expected"), [("y", True), ("n", False), (ENTER, True)], ids=["y", "n", "enter"]
)
@pytest.mark.timeout(60)
def test_confirm_at_a_terminal(keys: str, expected: bool) -> None:
    from acctctl.wizard.prompts import confirm

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        assert confirm("Withdraw change CHG-000001?", default=True) is expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [("oui" + ENTER, True), ("o" + ENTER, True), ("y" + ENTER, True), ("non" + ENTER, False)],
    ids=["oui", "o", "y", "non"],
)
@pytest.mark.timeout(60)
def test_confirm_in_french_takes_a_typed_word(keys: str, expected: bool) -> None:
    """In French the confirm prompt is the catalog's (O/n) question: a typed word then
    Enter; what follows the answer is left for the next question, not swallowed."""
    from acctctl import i18n
    from acctctl.wizard.prompts import confirm

    i18n.set_language("fr")
    try:
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            pipe.send_text(keys + "n" + ENTER)
            assert confirm("Retirer la modification ?", default=False) is expected
            assert confirm("Encore ?", default=True) is False
    finally:
        i18n.set_language("en")


@pytest.mark.timeout(60)
def test_confirm_in_french_esc_cancels() -> None:
    from acctctl import i18n

    i18n.set_language("fr")
    try:
        prompter = Recorder(later={"Retirer ?": ESC})
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            prompter.pipe = pipe
            with pytest.raises(CancelledError):
                prompter.confirm("Retirer ?")
    finally:
        i18n.set_language("en")


@pytest.mark.timeout(60)
def test_confirm_ctrl_c_raises_cancelled() -> None:
    from acctctl.wizard.prompts import confirm

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(CTRL_C)
        with pytest.raises(CancelledError):
            confirm("Withdraw change CHG-000001?")


def test_listing_as_json_imports_no_prompt_library(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from acctctl.cli.app import main\n"
        "rc = main(['subs', 'list', '--json'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('questionary', 'prompt_toolkit'))\n"
        "print(rc, heavy, file=sys.stderr)\n"
    )
    env = {
        "ACCTCTL_HOME": str(tmp_path),
        "ACCTCTL_NOW": NOW,
        "ACCTCTL_USER": CLAIRE,
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(
        [sys.executable, "-m", "acctctl", "store", "init", "--demo"],
        env=env,
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"
