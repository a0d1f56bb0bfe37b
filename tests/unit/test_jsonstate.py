"""A broken JSON state file is bad input naming the file, the line, the field and the fix."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from govcloud.errors import ModelError
from govcloud.jsonstate import read_json_state


class Use(BaseModel):
    limit: int
    used: int = Field(ge=0)


class Record(BaseModel):
    env: str
    uses: dict[str, Use] = {}


def broken(tmp_path, text: str | bytes) -> ModelError:
    path = tmp_path / "record.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ModelError) as error:
        read_json_state(path, Record, "correct it")
    assert error.value.exit_code == 2 and error.value.fix == "correct it"
    return error.value


def test_a_field_out_of_range_is_named_with_its_line(tmp_path):
    error = broken(tmp_path, '{\n  "env": "lab",\n  "uses": {\n    "cores": {"limit": 4,\n      "used": -3}\n  }\n}\n')
    assert (error.location.line, error.location.field) == (5, "uses.cores.used")


def test_a_missing_field_points_at_the_mapping_that_lacks_it(tmp_path):
    error = broken(tmp_path, '{\n  "env": "lab",\n  "uses": {\n    "ram": {"used": 1}\n  }\n}\n')
    assert (error.location.line, error.location.field) == (4, "uses.ram.limit")


def test_broken_json_names_its_line(tmp_path):
    assert broken(tmp_path, '{\n  "env": "lab",\n  "uses": {,}\n}\n').location.line == 3


def test_a_file_that_is_not_text_is_bad_input_not_a_traceback(tmp_path):
    error = broken(tmp_path, b'{"env": "\xff\xfe"}')
    assert "UTF-8" in error.message and error.location.file == tmp_path / "record.json"


def test_an_absent_file_is_not_there_yet(tmp_path):
    assert read_json_state(tmp_path / "none.json", Record, "correct it") is None
