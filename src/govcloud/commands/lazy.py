"""The root command group, loading each command module only when one of its commands runs.

`govcloud validate` needs the model and the address plan, not the engine, Ansible, the labs or
the report: importing every command module cost more than the validation itself. The root's
help lists the summaries given here (also set as each loaded command's short help, so the listing
is the same whether a command was loaded or not), and `govcloud --help` imports no command module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click
import typer
import typer.main
from typer.core import TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command or group: the module under ``govcloud.commands`` whose ``register``
    adds it, and the summary the root's help shows for it."""

    module: str
    summary: str


class LazyGroup(TyperGroup):
    """A Typer root group whose commands are listed from a table and imported when resolved."""

    table: dict[str, LazyCommand] = {}  # set by :func:`lazy_group_class`

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *(name for name in self.table if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.table:
            if getattr(self, "_listing", False):
                return click.Command(cmd_name, help=self.table[cmd_name].summary)
            self.load(self.table[cmd_name].module)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing the commands asks for each one: answer from the table instead of importing.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def load(self, module_name: str) -> None:
        """Import one command module and add every command its ``register`` declares."""
        module = importlib.import_module(f"{__package__}.{module_name}")
        holder = typer.Typer()
        module.register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            if name in self.table:  # one summary for the root's listing: the table's
                command.short_help = self.table[name].summary
            self.add_command(command, name)

    def load_all(self) -> None:
        for module_name in dict.fromkeys(entry.module for entry in self.table.values()):
            self.load(module_name)


def lazy_group_class(table: dict[str, LazyCommand]) -> type[LazyGroup]:
    """A :class:`LazyGroup` over ``table`` (Typer builds the group from the class it is given)."""
    return type("GovcloudGroup", (LazyGroup,), {"table": dict(table)})
