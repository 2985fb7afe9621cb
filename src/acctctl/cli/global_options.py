"""Global options anywhere on the line (SPEC §8): ``--store``, ``--as`` and ``--lang``
after the command are moved before it, where Click reads a group's options."""

from __future__ import annotations

from typing import Any

# The root's options that take a value (a value never names a group or command).
ROOT_OPTIONS_WITH_VALUE = ("--store", "--as", "--lang")


def _value_options(command: Any) -> set[str]:
    """The options of ``command`` that take a value (their value is never a global option)."""
    names: set[str] = set()
    for param in getattr(command, "params", ()):
        option = getattr(param, "param_type_name", "") == "option"
        if option and not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def hoist_global_options(args: list[str], root: Any) -> list[str]:
    """``args`` with ``--store``, ``--as`` and ``--lang`` moved before the command when they
    follow it (SPEC §8: global options anywhere, as `gh` takes its flags): Click only reads
    a group's options before its subcommand. An option's value and anything after ``--``
    stay where they are."""
    hoisted: list[str] = []
    kept: list[str] = []
    command = root
    takes_value = _value_options(root)
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            kept.extend(args[index:])
            break
        name = arg.partition("=")[0] if arg.startswith("--") else arg
        if command is not root and name in ROOT_OPTIONS_WITH_VALUE:
            width = 1 if "=" in arg else 2
            hoisted.extend(args[index : index + width])
            index += width
            continue
        if arg.startswith("-") and name in takes_value and "=" not in arg:
            kept.extend(args[index : index + 2])
            index += 2
            continue
        subcommands = getattr(command, "commands", None)
        if not arg.startswith("-") and subcommands and arg in subcommands:
            command = subcommands[arg]
            takes_value = _value_options(command)
        kept.append(arg)
        index += 1
    return hoisted + kept
