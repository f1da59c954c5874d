"""Greetings for the Neovim test."""


def greet(name: str) -> str:
    """Return a friendly greeting for name."""
    return "Hello, " + name + "!"
