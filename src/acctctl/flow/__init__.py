"""The partner change flow: one runner over the eight steps, asked through a Prompter."""

from __future__ import annotations

from acctctl.flow.display import Display
from acctctl.flow.prompter import Option, Prompter, ScriptedPrompter, Validator
from acctctl.flow.runner import Request, Runner, run_change

__all__ = [
    "Display",
    "Option",
    "Prompter",
    "Request",
    "Runner",
    "ScriptedPrompter",
    "Validator",
    "run_change",
]
