"""What every command of the CLI says on the terminal: results on stdout, a mistake as one `error:` line on stderr
with exit status 2. One place, so `shopflow`, `shopflow employee`, `shopflow staff` and the operations commands
answer alike."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

err = Console(stderr=True)
out = Console()


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def say(message: str) -> None:
    out.print(message, highlight=False, soft_wrap=True)
