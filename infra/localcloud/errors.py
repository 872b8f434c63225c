"""Errors localcloud raises at start-up, before anything runs."""

from __future__ import annotations


class TemplateError(Exception):
    """The template asks for something localcloud cannot run; names the resource (or section)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
