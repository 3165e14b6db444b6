"""Every quarantine reason code the parsers write is registered in
``temoin.core.intake.errors.QUARANTINE_REASONS`` (which the apps translate: see
tests/app/intake/test_quarantine_messages.py), and the exception tree's codes are listed."""

from __future__ import annotations

import ast
from pathlib import Path

from temoin.core.intake import errors

REPO = Path(__file__).resolve().parents[3]
# every module that may build a QuarantinedRow: the core's parsers and the intake app
# (whose importer quarantines over-long ids)
SOURCES = [*sorted((REPO / "temoin" / "core" / "intake").rglob("*.py")),
           *sorted((REPO / "temoin" / "intake").glob("*.py"))]
PROBLEM_CLASSES = {"_Problem", "_RowProblem"}  # (field, reason_code, detail)


def _literal_reason_codes(path: Path) -> set[tuple[str, int, str | None]]:
    """(file, line, code) of each reason code given to a problem or a QuarantinedRow;
    ``None`` when it is not a literal (only ``problem.reason_code`` is allowed)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in PROBLEM_CLASSES:
            argument = node.args[1] if len(node.args) > 1 else None
        elif name == "QuarantinedRow":
            argument = node.args[3] if len(node.args) > 3 else next(
                (k.value for k in node.keywords if k.arg == "reason_code"), None)
        else:
            continue
        if isinstance(argument, ast.Constant):
            found.add((path.name, node.lineno, str(argument.value)))
        elif isinstance(argument, ast.Attribute) and argument.attr == "reason_code":
            continue  # a problem's code, itself checked where the problem is raised
        else:
            found.add((path.name, node.lineno, None))
    return found


def test_every_reason_code_written_by_a_parser_is_registered() -> None:
    found = set().union(*(_literal_reason_codes(path) for path in SOURCES))
    unregistered = sorted((f, line, code) for f, line, code in found
                          if code not in errors.QUARANTINE_REASONS)
    assert unregistered == []
    used = {code for _, _, code in found}
    assert used == set(errors.QUARANTINE_REASONS)  # no registered code is left unused


def test_error_codes_walk_the_whole_tree() -> None:
    assert errors.error_codes() == {
        "intake_error", "file_unreadable", "file_format", "empty_file", "encoding",
        "profile_invalid", "submission_invalid", "manifest_invalid", "decryption_failed",
        "attachment_missing", "signature_mismatch", "authorization_invalid"}
    assert not errors.error_codes() & set(errors.QUARANTINE_REASONS)
