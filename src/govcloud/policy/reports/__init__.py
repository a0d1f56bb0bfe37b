"""Findings rendered for people (table, Markdown) and for tools (JSON, SARIF 2.1.0, JUnit XML, GitLab code quality)."""

from .codequality import to_codequality
from .json_report import to_json
from .junit import to_junit
from .markdown import rules_markdown
from .sarif import to_sarif
from .table import print_findings, print_rules

__all__ = ["print_findings", "print_rules", "rules_markdown", "to_codequality", "to_json", "to_junit", "to_sarif"]
