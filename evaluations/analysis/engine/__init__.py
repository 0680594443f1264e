"""Lecture-delivery analysis engine: pure Python, imports no Django and no app code.

`analyse(path, settings=..., pdf_path=..., sections=..., progress=...)` returns a JSON-ready dict or raises
`AnalysisError` (with a `code`) before producing anything."""

from .errors import AnalysisError
from .pipeline import VERSION, analyse, check_input
from .settings import AnalysisSettings

__all__ = ["VERSION", "AnalysisError", "AnalysisSettings", "analyse", "check_input"]
