"""Helpers used by app.py."""


def greet(name):
    """Return a friendly greeting for name."""
    return "hello " + name


class Counter:
    """Counts things."""

    def __init__(self):
        self.value = 0

    def increment(self):
        """Add one to the count."""
        self.value += 1

    def reset(self):
        """Start again from zero."""
        self.value = 0
