"""The operator CLI is its own package (infra/paygate_cli) beside the runtime: localcloud never imports
it, the ``paygate`` script runs it, and every command group is one module that registers itself."""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import paygate_cli
import pytest
from paygate_cli.main import COMMAND_GROUPS, parser

from tests.helpers import ROOT

LOCALCLOUD = ROOT / "infra" / "localcloud"
COMMANDS = {"local", "merchants", "dlq", "streams", "deploy-watch", "vault"}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``from . import x`` inside localcloud counts as localcloud.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"localcloud.{base}".rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted(LOCALCLOUD.rglob("*.py")), ids=lambda p: p.name)
def test_the_runtime_imports_nothing_of_the_cli(path: Path) -> None:
    # Given a module of the embedded runtime
    # When its imports are read
    imported = _imported_modules(path)
    # Then none of them is the CLI, neither the package nor a cli module inside localcloud
    cli = sorted(m for m in imported if m.split(".")[0] == "paygate_cli" or m.startswith("localcloud.cli"))
    assert cli == [], f"{path.name} imports the CLI: {cli}"


def test_the_paygate_script_and_the_package_list_name_the_cli_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["paygate"] == "paygate_cli.main:main"
    assert "paygate_cli*" in project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert Path(paygate_cli.__file__).parent == ROOT / "infra" / "paygate_cli"


def test_every_command_group_is_one_module_that_registers_itself() -> None:
    # Given the parser the entry point builds from COMMAND_GROUPS
    commands = next(a for a in parser()._actions if a.dest == "command")
    # Then each group is a module of the package, and each command runs its own module's code
    assert set(commands.choices) == COMMANDS
    assert all(group.__name__.startswith("paygate_cli.") for group in COMMAND_GROUPS)
    for name, sub in commands.choices.items():
        runs = [sub.get_default("run")]
        for action in sub._actions:  # a group of sub-commands (merchants create, dlq redrive...)
            if isinstance(action, argparse._SubParsersAction):
                runs += [choice.get_default("run") for choice in action.choices.values()]
        modules = {run.__module__ for run in runs if run is not None}
        assert len(modules) == 1 and modules <= {g.__name__ for g in COMMAND_GROUPS}, (name, modules)


def test_the_operator_commands_start_without_loading_the_runtime() -> None:
    # Given a fresh interpreter that parses every operator command's arguments
    probe = (
        "import sys\n"
        "from paygate_cli.main import parser\n"
        "for argv in (['dlq', 'redrive'], ['streams', 'replay'], ['deploy-watch', '--', 'true'],\n"
        "             ['merchants', 'create', '--name', 'a', '--email', 'a@example.com'],\n"
        "             ['vault', 'rotate']):\n"
        "    parser().parse_args(argv)\n"
        "heavy = ('localcloud', 'moto', 'samtranslator')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )
    # Then neither the runtime nor moto (its engine) was imported
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_python_dash_m_paygate_cli_is_the_paygate_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "paygate_cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: paygate ")
    assert all(command in done.stdout for command in COMMANDS)
