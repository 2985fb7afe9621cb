"""Interrupted bulk runs tell the truth (issue 14, item 2).

`partner change -` stopped by SIGINT or SIGTERM, by a reader that goes away, or
started with standard output or input closed: one sentence on stderr saying how
many changes were written (never "nothing was written" when something was), the
exit code a shell would show (130, 143, 141) or 2, and a store holding exactly the
changes reported. The real program runs as a process fed one id at a time, so each
test knows what was written before it acts; that a signal arriving during a change
waits for it is shown in-process with real signals on ``BulkRun``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from acctctl.cli.interruption import BulkRun, Interrupted
from acctctl.store.sqlite import SqliteStore
from real_program import (
    ACCTCTL,
    CLAIRE,
    PROCESS_TIMEOUT,
    assert_clean_failure,
    environment,
    many_contracts,
    partner_csn,
    subscription_id,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "account.db"
    SqliteStore(path).replace(many_contracts(6), force=False, sandbox=True)
    return environment(tmp_path / "home", str(path), user=CLAIRE)


def changes_in(env: dict[str, str]) -> list[str]:
    with SqliteStore(Path(env["ACCTCTL_STORE"])).read() as reader:
        return [c.id for c in reader.changes()]


def bulk(env: dict[str, str], **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ACCTCTL, "partner", "change", "-", "--csn", partner_csn(1), "--yes", "--json"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, bufsize=1, **kw,  # type: ignore[call-overload]
    )  # fmt: skip


def feed(process: subprocess.Popen[str], n: int) -> dict[str, object]:
    """Send one id; the result line it gives."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(subscription_id(n) + "\n")
    process.stdin.flush()
    result: dict[str, object] = json.loads(process.stdout.readline())
    return result


@pytest.mark.parametrize(
    ("signal_number", "code", "name"),
    [(signal.SIGINT, 130, "Ctrl-C (SIGINT)"), (signal.SIGTERM, 143, "SIGTERM")],
    ids=["SIGINT", "SIGTERM"],
)
def test_a_signal_stops_the_run_and_says_what_was_written(
    env: dict[str, str], signal_number: int, code: int, name: str
) -> None:
    process = bulk(env)
    written = [feed(process, n)["change"] for n in range(2)]  # now waiting for the next id
    process.send_signal(signal_number)
    _out, err = process.communicate(timeout=PROCESS_TIMEOUT)

    ids = [c["id"] for c in written]  # type: ignore[index]
    assert process.returncode == code, err
    assert f"Interrupted by {name}: 2 changes were written ({', '.join(ids)})" in err
    assert "nothing was written" not in err and "Traceback" not in err
    assert changes_in(env) == ids


def test_a_reader_that_goes_away_stops_the_run_with_141(env: dict[str, str]) -> None:
    process = bulk(env)
    first = feed(process, 0)["change"]
    assert process.stdout is not None and process.stdin is not None
    process.stdout.close()  # `| head -1` has its line and exits
    process.stdin.write(subscription_id(1) + "\n" + subscription_id(2) + "\n")
    process.stdin.close()
    err = process.stderr.read() if process.stderr else ""
    process.wait(timeout=PROCESS_TIMEOUT)

    assert process.returncode == 141, err
    # Ids that came together are one transaction (group commit): the message names what
    # the store holds, all of it written before the run stopped.
    held = changes_in(env)
    assert held[0] == first["id"] and len(held) >= 2  # type: ignore[index]
    assert f"The reader of standard output went away: {len(held)} changes were written" in err
    assert ", ".join(held) in err
    assert "Traceback" not in err and "Exception ignored" not in err


def test_a_closed_standard_output_is_one_sentence_and_nothing_written(
    env: dict[str, str],
) -> None:
    done = subprocess.run(
        [*ACCTCTL, "partner", "change", "-", "--csn", partner_csn(1), "--yes"],
        env=env, input=subscription_id(0) + "\n", stderr=subprocess.PIPE, text=True,
        timeout=PROCESS_TIMEOUT, preexec_fn=lambda: os.close(1),  # `>&-`
    )  # fmt: skip
    assert_clean_failure(done, 2)
    assert "Standard output is closed (>&-)" in done.stderr
    assert changes_in(env) == []


def test_a_closed_standard_input_is_one_sentence_and_nothing_written(
    env: dict[str, str],
) -> None:
    done = subprocess.run(
        [*ACCTCTL, "partner", "change", "-", "--csn", partner_csn(1), "--yes"],
        env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT,
        preexec_fn=lambda: os.close(0),  # `<&-`
    )  # fmt: skip
    assert_clean_failure(done, 2)
    assert "`-` reads standard input, but it is closed." in done.stderr
    assert changes_in(env) == []


def test_a_signal_during_a_change_waits_for_it() -> None:
    """In-process, real signals: one raised while a change is in progress is held."""
    done: list[str] = []
    with pytest.raises(Interrupted) as stopped, BulkRun() as run:
        for sub_id in run.each(["A", "B", "C"]):
            os.kill(os.getpid(), signal.SIGINT)  # arrives mid-change: held
            done.append(sub_id)  # the change in progress finishes
            run.written(f"CHG-{sub_id}")
    assert done == ["A"]
    assert stopped.value.exit_code == 130
    assert stopped.value.message == (
        "Interrupted by Ctrl-C (SIGINT): 1 change was written (CHG-A) before the run stopped."
    )
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored
