"""What the browser tests share: Chromium's launch arguments and the folder where screenshots go. The `page` fixture
that uses them lives in tests/conftest.py."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
