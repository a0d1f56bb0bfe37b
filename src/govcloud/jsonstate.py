"""Reading a state file (JSON with a typed schema) as bad input when it is broken: the file, the
line or field, and the fix; None when the file is not there yet."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Location, ModelError
from .problems import pydantic_problem
from .yamlpaths import line_of

M = TypeVar("M", bound=BaseModel)


def read_json_state(path: Path, model: type[M], fix: str,
                    user_path: Callable[[tuple], Iterable[str]] = lambda loc: (str(p) for p in loc)) -> M | None:
    """``model`` read from ``path``; ModelError (exit 2) naming the line or the field and ``fix``."""
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(f"not UTF-8 text (byte {exc.start})", location=Location(path), fix=fix) from None
    try:
        return model.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ModelError(f"not valid JSON: {exc.msg}", location=Location(path, exc.lineno), fix=fix) from None
    except ValidationError as exc:
        problem = pydantic_problem(exc.errors()[0], file=path)
        # JSON is YAML: the YAML locator finds the field's line (its parent's, for a missing one).
        raise ModelError(problem.message, location=Location(path, line_of(text, problem.path),
                                                            ".".join(user_path(problem.path))), fix=fix) from None
