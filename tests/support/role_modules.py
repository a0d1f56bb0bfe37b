"""A stand-in for AnsibleModule, for unit tests of the roles' node modules: it records the
commands a module runs and answers them from a script."""

from __future__ import annotations


class Failed(Exception):
    """What fail_json raised; its text is the module's message."""


class FakeModule:
    """Answers ``run_command`` from ``answers`` (first matching argv prefix wins) and records calls."""

    def __init__(self, params: dict, answers: dict[tuple, tuple[int, str, str]] | None = None,
                 check_mode: bool = False) -> None:
        self.params = params
        self.answers = answers or {}
        self.check_mode = check_mode
        self.commands: list[list[str]] = []

    def run_command(self, argv):
        self.commands.append(list(argv))
        for prefix, answer in self.answers.items():
            if tuple(argv[:len(prefix)]) == prefix:
                return answer
        return 0, "", ""

    def fail_json(self, **kwargs):
        raise Failed(kwargs["msg"])
