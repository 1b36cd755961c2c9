"""Console helpers shared by every `urbsim` command: output, one-line errors, progress bars."""
from __future__ import annotations

from typing import Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

console = Console()
err = Console(stderr=True)


def fail(problems: list[str] | str, code: int = 2) -> None:
    """Print one line per problem on stderr and exit with `code` (2: bad input)."""
    for line in [problems] if isinstance(problems, str) else problems:
        err.print(f"[red]error:[/red] {escape(line)}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeRemainingColumn(), console=err, transient=True)


def run_alone(register: Callable[[typer.Typer], None], help: str, no_args_is_help: bool = False) -> None:
    """Run one command module's commands as an app of their own (`python -m urbsim.cmd_...`)."""
    app = typer.Typer(add_completion=False, no_args_is_help=no_args_is_help, help=help)
    register(app)
    app(prog_name="urbsim")
