"""Errors raised by the synthetic scenario generator.

Exception tree::

    ScenarioError                 code = "scenario_error"
    ├── SettingsError             code = "scenario_settings_invalid"  (lists every bad field)
    ├── GazetteerError            code = "scenario_gazetteer_error"
    └── ScenarioWriterError       code = "scenario_writer_error"
"""

from __future__ import annotations

__all__ = ["GazetteerError", "ScenarioError", "ScenarioWriterError", "SettingsError"]


class ScenarioError(Exception):
    """Base class of every scenario error."""

    code = "scenario_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SettingsError(ScenarioError):
    """One or more settings are invalid; ``problems`` maps field name -> reason."""

    code = "scenario_settings_invalid"

    def __init__(self, problems: dict[str, str]) -> None:
        details = "; ".join(f"{name}: {reason}" for name, reason in sorted(problems.items()))
        super().__init__(f"invalid ScenarioSettings: {details}")
        self.problems = dict(problems)


class GazetteerError(ScenarioError):
    """The gazetteer file exists but cannot be read or has no usable place."""

    code = "scenario_gazetteer_error"


class ScenarioWriterError(ScenarioError):
    """The writer was asked for an unknown format or cannot write its directory."""

    code = "scenario_writer_error"
