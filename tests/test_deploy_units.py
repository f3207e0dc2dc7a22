"""The systemd units in deploy/systemd/ are valid for systemd itself (systemd-analyze verify)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "deploy" / "systemd"
VENV = "/srv/ondernemen/venv"

pytestmark = pytest.mark.skipif(
    not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed"
)


def test_the_units_verify_without_a_warning(tmp_path):
    # The units name the deployed virtualenv; here it is this one.
    for unit in UNITS.iterdir():
        text = unit.read_text().replace(VENV, str(Path(sys.prefix)))
        (tmp_path / unit.name).write_text(text)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert {
        "ondernemen-web.socket",
        "ondernemen-web.service",
        "ondernemen-worker.service",
        "ondernemen-backup.service",
        "ondernemen-backup.timer",
    } <= set(names)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(f"./{name}" for name in names)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "" and result.stdout.strip() == "", result.stderr
