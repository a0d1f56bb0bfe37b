"""Runbooks: one wave rendered as Markdown (for review and the night itself) and as HTML.

The Markdown comes from a Jinja2 template; the HTML is that same Markdown rendered by markdown-it-py,
so the two never disagree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt

from .schema import MigrationWave

HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body {{ font-family: sans-serif; max-width: 75em; margin: 2em auto; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #999; padding: 0.2em 0.5em; }}</style>
</head>
<body>
{body}</body>
</html>
"""


@dataclass(frozen=True)
class Runbook:
    wave: MigrationWave
    markdown: str
    html: str

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.wave.wave:04d}-{self.wave.slug}"
        md_path, html_path = folder / f"{stem}.md", folder / f"{stem}.html"
        md_path.write_text(self.markdown, encoding="utf-8")
        html_path.write_text(self.html, encoding="utf-8")
        return md_path, html_path


def duration(seconds: int) -> str:
    """``90`` -> ``1 min 30 s``; whole days, hours and minutes read faster than seconds."""
    if seconds == 0:
        return "0 s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("govcloud.migration", "templates"), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=False, lstrip_blocks=False, autoescape=False)
    env.filters["duration"] = duration
    env.filters["cell"] = _cell
    return env


def render_markdown(wave: MigrationWave, env_name: str) -> str:
    nodes = sorted({n for e in wave.systems for n in (e.target_node, e.dr.node) if n})
    owners = sorted({e.owners.business for e in wave.systems})
    groups = sorted({e.group for e in wave.systems if e.group})
    text = _environment().get_template("runbook.md.j2").render(
        wave=wave, env=env_name, nodes=nodes, business_owners=owners, groups=groups)
    return _tidy(text)


def _tidy(text: str) -> str:
    # Template control lines leave runs of blank lines; Markdown needs at most one.
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def render_html(markdown: str, title: str) -> str:
    # Raw HTML in the Markdown (from a wave file) is escaped, never passed through.
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return HTML_PAGE.format(title=html.escape(title), body=body)


def render_runbook(wave: MigrationWave, env_name: str) -> Runbook:
    markdown = render_markdown(wave, env_name)
    return Runbook(wave, markdown, render_html(markdown, f"Runbook: wave {wave.wave} ({wave.slug}) of {env_name}"))
