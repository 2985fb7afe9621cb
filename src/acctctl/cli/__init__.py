"""Typer commands: parse, call the service, render. No decisions here."""
