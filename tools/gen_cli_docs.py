"""Write docs/cli.md from the program itself (Typer's `utils docs` generator).

`tests/test_docs.py` fails when the checked-in file differs: run this script after
changing a command, an option or a help text.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def reference() -> str:
    import typer
    from typer.cli import get_docs_for_click

    from acctctl.cli.app import app

    from acctctl.cli.usage import readable, summaries

    command = typer.main.get_command(app)
    readable(command)
    summaries(command)
    ctx = typer.Context(command)
    text = get_docs_for_click(
        obj=command, ctx=ctx, name="acctctl", title="acctctl command reference"
    )
    return text.strip() + "\n\n" + SCRIPTS.strip() + "\n"


# What scripts may rely on (SPEC §6, §8); written here, next to the reference it completes.
SCRIPTS = """
## Global options anywhere

`--store`, `--as` and `--lang` may come before or after the command:
`acctctl subs list --lang fr` is `acctctl --lang fr subs list`.

## Output for scripts

When standard output is not a terminal, tables are tab-separated text: **one header
line** of English column names, then one line per record. The text is the same in
every language and time zone (`LANG`, `--lang`, `TZ` change nothing): dates are ISO
8601 (`2027-09-30`), times ISO 8601 in UTC (`2026-11-26T10:30:00+00:00`), reasons are
rule codes (`auto-renew,expiring-soon`), yes/no words are `yes`, `on`, `off`.

`acctctl subs list`

| column | value |
|---|---|
| `ID` | subscription id |
| `Contract` | contract number; empty for the new buying model |
| `Product` | product name |
| `Seats` | a whole number |
| `Term end` | ISO date |
| `Days left` | whole number of days from today (negative once ended) |
| `Auto-renew` | `on` or `off` |
| `Partners` | partner names, separated by `, ` |
| `Pending change` | empty, or `CHANGE_ID CSN EFFECTIVE_AT` (space-separated) |
| `Can change partner` | `yes`, or the rule codes separated by `,` |

`acctctl partner history`

| column | value |
|---|---|
| `Change` | change id |
| `Contract` | contract number (or subscription id, new buying model) |
| `From` | the CSNs replaced, separated by `,` |
| `To` | the new partner's CSN |
| `By` | e-mail of who submitted it |
| `Submitted`, `Effective` | ISO 8601 times in UTC |
| `Status` | `pending`, `applied` or `cancelled` |

Cards are one-record tables in a pipe — the same header line, then one line:

`acctctl subs show ID`: the columns of `subs list`, then

| column | value |
|---|---|
| `Plan` | `standard`, `premium` or `enterprise`; empty when the export lacks it |
| `Agreement` | `standard`, `eba` or `eba-token-flex`; empty for the new buying model |
| `Manager` | the contract manager's e-mail; empty when the export lacks it |
| `Same contract` | the contract's other subscription ids, separated by `,` |
| `Unknown` | with `--from`: the facts the export lacks (`auto-renew`, `contract-manager`, `token-flex`), separated by `,` |

The rules' sentences are not printed (`--json` has them, in `reasons`).

`acctctl subs show CONTRACT_NUMBER`: `Contract`, `Agreement`, `Manager`, `Term end`,
`Days left`, `Auto-renew`, `Partners`, `Pending change`, `Can change partner` (as in
`subs list`), then `Subscriptions`: the contract's subscription ids, separated by `,`.

`acctctl partner lookup CSN`: `CSN`, `Name`, `City`, `Country` (ISO code), `Email`,
`Active` (`yes` or `no`).

`acctctl config show`: one line per setting under `Key`, `Value`, `Source`; the source
is `flag`, `environment` (with the variable, as `environment (LANG)`), `config` or
`default`.

`acctctl partner change … --yes` prints one line per subscription, without a header:
`ID<TAB>submitted<TAB>CHANGE_ID<TAB>EFFECTIVE_AT`, `ID<TAB>would-submit`,
`ID<TAB>unchanged<TAB>CHANGE_ID` (empty when the partner already holds the contract),
`ID<TAB>rejected<TAB>CODES` or `ID<TAB>error<TAB>CODE` (at a terminal, the status,
the reasons and the time read as a person would: words in the chosen language, local
time). The `Step N/8` progress lines
go to standard error (`--quiet` drops them). With `--json`, one JSON object per
subscription; an `error` result carries `code` (`malformed-id`, `malformed-csn`,
`unknown-subscription`, `unknown-partner`, `store-locked`…) and `message`.

`--json` exists on every command a script calls: `subs list`, `subs show`,
`subs auto-renew`, `partner lookup`, `partner change`, `partner history`,
`partner cancel` and `config show`.
"""


if __name__ == "__main__":
    DOCS.write_text(reference(), encoding="utf-8")
    sys.stderr.write(f"wrote {DOCS}\n")
