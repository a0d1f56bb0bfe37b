"""Edits of a copy of an environment, as the bad-input corpus and the accepted shapes write them:
``replace`` (one [old, new] pair or a list of them; each first occurrence), ``append``, ``whole_file``,
``whole_file_latin1``, ``rename: [from, to]``, ``copy: [from, to]``, ``fresh: true`` (no ledger),
``edits`` (several at once)."""

from __future__ import annotations

import shutil
from pathlib import Path


def apply_edits(case: dict, env: Path) -> None:
    for part in case.get("edits", []):  # several files edited at once
        apply_edits(part, env)
    if "rename" in case:
        (env / case["rename"][0]).rename(env / case["rename"][1])
    if "copy" in case:
        shutil.copyfile(env / case["copy"][0], env / case["copy"][1])
    if case.get("fresh"):
        (env / "ipam-ledger.yaml").unlink()
    if "edit" not in case:
        return
    file = env / case["edit"]
    if "whole_file" in case:
        file.write_text(case["whole_file"], encoding="utf-8")
        return
    if "whole_file_latin1" in case:
        file.write_bytes(case["whole_file_latin1"].encode("latin-1"))
        return
    text = file.read_text(encoding="utf-8")
    replacements = case.get("replace", [])
    for old, new in [replacements] if replacements and isinstance(replacements[0], str) else replacements:
        assert old in text, f"case {case['id']}: {old!r} not in {file.name}; update the case"
        text = text.replace(old, new, 1)
    file.write_text(text + case.get("append", ""), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
