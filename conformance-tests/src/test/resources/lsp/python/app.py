"""A small program an editor opens: names defined in util.py and in generated.py (host-only)."""
from util import Counter, greet
from generated import build_id


def main():
    counter = Counter()
    counter.increment()
    print(greet("world"), counter.value, build_id())
    return undefined_helper()
