"""Printing for people: one line per fact, a status word first, errors on stderr."""

from __future__ import annotations

import typer

_STYLES = {
    "ok": typer.colors.GREEN,
    "warn": typer.colors.YELLOW,
    "skip": typer.colors.CYAN,
    "fail": typer.colors.RED,
}


def status(word: str, message: str) -> None:
    """Print `word  message` with the word coloured (colour only on a terminal)."""
    label = typer.style(f"{word:<5}", fg=_STYLES.get(word), bold=True)
    typer.echo(f"{label} {message}")


def info(message: str) -> None:
    typer.echo(message)


def error(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
