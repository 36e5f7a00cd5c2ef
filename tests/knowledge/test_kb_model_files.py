"""The shipped embedding model files are verified by sha256; a wrong or missing file is a clear
error, one line from the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.kernel.errors import ModelFileError
from knowledge import models
from knowledge.models import TOKENIZER_PATH, TOKENIZER_SHA256, model_files, verify


def test_shipped_files_verify() -> None:
    files = model_files()
    assert files.model.name == "model.onnx" and files.tokenizer == TOKENIZER_PATH


def test_tampered_tokenizer_names_file_and_hashes(tmp_path: Path) -> None:
    copy = tmp_path / "tokenizer.json"
    shutil.copyfile(TOKENIZER_PATH, copy)
    with copy.open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(ModelFileError) as err:
        verify(copy, TOKENIZER_SHA256, "embedding tokenizer")
    message = str(err.value)
    assert str(copy) in message and TOKENIZER_SHA256 in message and "reinstall" in message


def test_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="embedding model missing"):
        verify(tmp_path / "model.onnx", models.MODEL_SHA256, "embedding model")


def test_cli_reports_a_corrupt_tokenizer_in_one_line(tmp_path: Path) -> None:
    """A corrupt shipped tokenizer stops `triage kb ingest` with one line and exit code 1 (the
    files are verified when a text is first embedded: an empty knowledge base never loads them)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "disk.md").write_text("# Disk full\n\nFree space on the volume.\n")
    script = (
        "import knowledge.models as m, pathlib, sys\n"
        f"m.TOKENIZER_PATH = pathlib.Path({str(tmp_path / 'bad.json')!r})\n"
        "m.TOKENIZER_PATH.write_text('{}')\n"
        "from agent.cli.main import main\n"
        f"sys.argv = ['triage', '--home', {str(tmp_path / 'home')!r}, 'kb', 'ingest', "
        f"{str(docs)!r}]\n"
        "main()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith("error: embedding tokenizer corrupt")
