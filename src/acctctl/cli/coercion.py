"""Options and arguments without Pydantic: 50–70 ms off every command's start-up.

Typer 0.29 coerces each non-flag parameter through a Pydantic ``TypeAdapter``, built
the first time a value — even an absent one — is processed. For the only kinds of
parameters acctctl has (``str``, ``str | None``, ``list[str]``, ``bool``), that
coercion returns the strings and booleans Click already parsed; but importing Pydantic
and building the adapters costs more than the whole `subs list --json` of the sample
account. ``skip_pydantic`` gives those parameters a coercion that returns the values
as they are, and hands anything else (bytes, a string for a flag) to Typer's own.

This reaches into Typer's internals (``_TyperParameter._runtime_param``,
``typer._coercion``): if they change, ``skip_pydantic`` does nothing and every
parameter keeps Typer's coercion, so behaviour never depends on it — only speed.
``bench/run`` reports whether Pydantic is imported.
"""

from __future__ import annotations

from typing import Any

import typer

try:
    from typer._click import Context as ClickContext
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer.core import _TyperParameter
except ImportError:  # another Typer: keep its coercion
    RuntimeParam = None  # type: ignore[assignment,misc]


if RuntimeParam is not None:

    class _Plain(RuntimeParam):
        """``str``, ``list[str]`` or ``bool``: the values Click parsed, as they are.
        (Not a dataclass of its own: making one costs half a millisecond.)"""

        def _coerce_value(self, value: Any, param: _TyperParameter, ctx: ClickContext) -> Any:
            if self.annotation is str or self.annotation is bool:
                if type(value) is self.annotation:
                    return value
            elif isinstance(value, list | tuple) and all(type(item) is str for item in value):
                return list(value)
            typer_own = build_runtime_param(
                TypeDescriptor(self.annotation, self.parameter_info, file_annotation=None)
            )
            return typer_own._coerce_value(value, param, ctx)


def _plain(descriptor: Any) -> bool:
    """A ``str``, ``list[str]`` or ``bool`` parameter with nothing for Pydantic to check."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None:
        return False
    if info.min is not None or info.max is not None:
        return False
    annotation = descriptor.annotation
    return bool(annotation is str or annotation is bool or annotation == list[str])


def _give_plain_coercion(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if (
        isinstance(param, _TyperParameter)
        and getattr(param, "_runtime_param", "missing") is None
        and descriptor is not None
        and _plain(descriptor)
    ):
        param._runtime_param = _Plain(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
        )


def skip_pydantic(command: Any) -> None:
    """Give every plain parameter of ``command`` and its subcommands a
    Pydantic-free coercion (see the module's docstring)."""
    if RuntimeParam is None:
        return
    commands = [command]
    while commands:
        current = commands.pop()
        for param in getattr(current, "params", ()):
            _give_plain_coercion(param)
        # `--help` is made on first use, from the context's help option names.
        make_help_option = getattr(current, "get_help_option", None)
        if make_help_option is not None:
            current.get_help_option = _plain_help(make_help_option)
        commands.extend(getattr(current, "commands", {}).values())


def _plain_help(make_help_option: Any) -> Any:
    def get_help_option(ctx: typer.Context) -> Any:
        option = make_help_option(ctx)
        _give_plain_coercion(option)
        return option

    return get_help_option
