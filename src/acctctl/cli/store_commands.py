"""`acctctl store init|import|export|check|path`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from acctctl.cli.app import state
from acctctl.errors import AcctctlError, StoreError, UsageError
from acctctl.i18n import N_, _, format_number, ngettext
from acctctl.output import err, inert, out

app = typer.Typer(no_args_is_help=True)


@app.command("path")
def path_(ctx: typer.Context) -> None:
    """Print where the store is (password hidden), and whether it is a sandbox."""
    store = state(ctx).store()
    out(store.where())
    try:  # where it is, even when it cannot be opened: say sandbox only when known
        with store.read() as reader:
            sandbox = reader.sandbox()
    except AcctctlError:
        return
    if sandbox:
        err(_("A sandbox store: ACCTCTL_NOW dates its writes."))


@app.command("init")
def init(
    ctx: typer.Context,
    demo: bool = typer.Option(False, "--demo", help="Fill it with a sample account."),
    force: bool = typer.Option(False, "--force", help="Replace an existing store."),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Let ACCTCTL_NOW date its writes (implied by --demo)."
    ),
    exist_ok: bool = typer.Option(
        False, "--exist-ok", help="Do nothing (and succeed) when the store already exists."
    ),
) -> None:
    """Create an empty store, or one holding a sample account."""
    from acctctl import demo as demo_account
    from acctctl import service
    from acctctl.domain import Account, AccountDocument

    current = state(ctx)
    store = current.store()
    if exist_ok and not force and store.exists():
        err(_("The store already exists at {where}; left as it is.").format(where=store.where()))
        return
    context = current.context()
    if demo:
        document = demo_account.demo_document(context.today, context.now)
    else:
        document = AccountDocument(account=Account(csn="0000000000", name=_("New account")))
    service.replace_store(context, document, force=force, sandbox=sandbox or demo)
    err(
        (
            _("Sample account written to {where}.")
            if demo
            else _("Empty store created at {where}.")
        ).format(where=store.where())
    )


@app.command("import", short_help=N_("Load the whole account from a JSON document."))
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="An account document (JSON), or -."),
    force: bool = typer.Option(False, "--force", help="Replace an existing store."),
    sandbox: bool = typer.Option(False, "--sandbox", help="Let ACCTCTL_NOW date its writes."),
) -> None:
    """Load the whole account from a JSON document; validated first, nothing written if wrong."""
    from acctctl import service
    from acctctl.document_import import read_document
    from acctctl.document_input import opened_source, read_problem

    # Read as it is validated and written: 1,000,000 subscriptions in ~200 MB, not 1 GB.
    with opened_source(file) as (stream, name):
        document, tally = read_document(stream, name, lambda exc: read_problem(file, exc))
        service.replace_store(state(ctx).context(), document, force=force, sandbox=sandbox)
    sizes = (tally.subscriptions, tally.contracts, tally.partners)
    counts = (
        ngettext("{n} subscription", "{n} subscriptions", sizes[0]),
        ngettext("{n} contract", "{n} contracts", sizes[1]),
        ngettext("{n} partner", "{n} partners", sizes[2]),
    )
    err(
        _("Imported {subscriptions}, {contracts}, {partners}.").format(
            subscriptions=counts[0].format(n=format_number(sizes[0])),
            contracts=counts[1].format(n=format_number(sizes[1])),
            partners=counts[2].format(n=format_number(sizes[2])),
        )
    )


@app.command("export")
def export(
    ctx: typer.Context,
    output: str | None = typer.Option(None, "-o", "--output", metavar="FILE", help="Write here."),
) -> None:
    """Dump the whole account as a JSON document."""
    from acctctl.document_export import document_chunks
    from acctctl.output import safe_json

    current = state(ctx)
    if output is not None and output != "-":
        _refuse_the_store_itself(Path(output), current.settings().store)
    with current.store().read() as reader:
        # Written as the store's cursors are read: 1,000,000 subscriptions in ~30 MB.
        chunks = (safe_json(chunk) for chunk in document_chunks(reader.document_stream()))
        if output is None or output == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        from acctctl.store.files import write_atomically

        write_atomically(Path(output), (chunk.encode("utf-8") for chunk in chunks))


def _refuse_the_store_itself(output: Path, target: str) -> None:
    """``export -o`` naming the live store (or one of its side files), by any path or
    link: replacing it by its own JSON dump would destroy an SQLite store."""
    from acctctl.store import is_postgres
    from acctctl.store.files import same_file

    if is_postgres(target):
        return
    from acctctl.store.files import real_path

    store = real_path(Path(target).expanduser().absolute())
    sides = ("", "-wal", "-shm", "-journal", ".lock")
    if any(same_file(output, store.with_name(store.name + side)) for side in sides):
        raise UsageError(
            _("{file} is the store itself: export to another file.").format(file=output),
        )


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Verify the store's integrity, schema and the account's invariants."""
    from acctctl import service

    current = state(ctx)
    store = current.store()
    problems = store.check()
    if not problems:
        problems = service.check_invariants(current.context())
    if problems:
        for problem in problems:
            err(f"  ✗ {inert(problem)}")  # problems quote what the store holds
        raise StoreError(
            ngettext(
                "The store at {where} has {n} problem.",
                "The store at {where} has {n} problems.",
                len(problems),
            ).format(where=store.where(), n=format_number(len(problems)))
        )
    out(_("The store at {where} is healthy.").format(where=store.where()))
    count, head = service.history_head(current.context())
    err(
        ngettext(
            "History: {n} record, chain head {head}.",
            "History: {n} records, chain head {head}.",
            count,
        ).format(n=format_number(count), head=head)
    )


members_app = typer.Typer(
    no_args_is_help=True,
    help="Which PostgreSQL login is which account user (the store's owner manages them).",
)
app.add_typer(members_app, name="members")


@members_app.command("list")
def members_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every login mapped to an account user."""
    from acctctl.output import json_text
    from acctctl.service.members import list_members

    members = list_members(state(ctx).context())
    if as_json:
        out(json_text([{"login": m.login, "email": m.email} for m in members]))
        return
    for member in members:
        # The tab is the separator a script splits on: only the values are made inert.
        out(inert(member.login) + "\t" + inert(member.email))


@members_app.command("add")
def members_add(
    ctx: typer.Context,
    login: str = typer.Argument(..., help="A PostgreSQL login (role)."),
    email: str = typer.Argument(..., help="The account user it acts as."),
) -> None:
    """Map LOGIN to the account user EMAIL, and grant it what acctctl needs: read the
    store, submit and cancel changes, turn auto-renew on or off — nothing else."""
    from acctctl.service.members import add_member

    add_member(state(ctx).context(), login, email)
    err(_("{login} now acts as {email}.").format(login=inert(login), email=inert(email)))


@members_app.command("remove")
def members_remove(
    ctx: typer.Context,
    login: str = typer.Argument(..., help="A member's PostgreSQL login."),
) -> None:
    """Unmap LOGIN and take back what it was granted."""
    from acctctl.service.members import remove_member

    remove_member(state(ctx).context(), login)
    err(_("{login} is no longer a member.").format(login=inert(login)))
