"""A workload driver and a provisioner that only write down what they were asked to do, one line
per call in a journal file (so calls made by a process that was killed are counted too)."""

from __future__ import annotations

from pathlib import Path

from govcloud.migration.schema import WaveEntry


class JournalDriver:
    def __init__(self, journal: Path, fail_at: str | None = None) -> None:
        self.journal = journal
        self.fail_at = fail_at

    def _note(self, step: str, entry: WaveEntry) -> dict:
        with self.journal.open("a") as handle:
            handle.write(f"{entry.code} {step}\n")
        if step == self.fail_at:
            raise RuntimeError(f"{step} failed on purpose")
        return {"step": step}

    def provision(self, entry):
        return self._note("provision", entry)

    def replicate(self, entry):
        return self._note("replicate", entry)

    def test(self, entry):
        return self._note("test", entry)

    def cutover(self, entry):
        return self._note("cutover", entry)

    def finalize(self, entry):
        return self._note("finalize", entry)

    def rollback(self, entry, from_phase):
        return {**self._note("rollback", entry), "from": from_phase}


class NoteProvisioner:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def provision(self, entry):
        self.calls.append(entry.code)
        return {"provisioner": "note"}


def journal_lines(journal: Path) -> list[str]:
    return journal.read_text().splitlines() if journal.is_file() else []
