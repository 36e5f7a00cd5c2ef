"""docs/configuration.md is generated from the pydantic models and kept up to date."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from agent.cli.main import app
from agent.config.org import OrgConfig
from agent.config.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_reference_is_up_to_date() -> None:
    result = CliRunner().invoke(app, ["config", "docs"])
    assert result.exit_code == 0, result.output
    assert DOC.read_text(encoding="utf-8") == result.output, (
        "docs/configuration.md is stale: run `triage config docs > docs/configuration.md`")


def test_reference_lists_every_section_key_and_variable() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in OrgConfig.model_fields:
        assert f"| `{name}` |" in text
    for name, field in OrgConfig.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and hasattr(model, "model_fields"):
            for key in model.model_fields:
                assert f"| `{key}` |" in text, f"{name}.{key} missing"
    for field in Settings.model_fields.values():
        env = [c for c in field.validation_alias.choices if isinstance(c, str) and c.isupper()]
        assert f"`{env[0]}`" in text
