"""The ``paygate`` entry point: one sub-command group per module of this package.

A new command group is a module with ``register(commands)`` (adds its sub-parser and sets ``run``
on it, a function of the parsed arguments returning the exit code) and one line in
``COMMAND_GROUPS``. Modules import what only their command needs inside ``run``, so ``paygate dlq
redrive`` never loads the runtime.
"""

from __future__ import annotations

import argparse
from types import ModuleType

from paygate_cli import deploy_watch, dlq, local, merchants, streams, vault

COMMAND_GROUPS: tuple[ModuleType, ...] = (local, merchants, dlq, streams, deploy_watch, vault)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="paygate", description="paygate developer commands")
    commands = root.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
