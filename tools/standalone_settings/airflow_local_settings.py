"""``make airflow``'s Airflow local settings (tools/airflow_standalone.py puts this folder first on sys.path).

LocalExecutor forks each task from the scheduler, a Celery worker (make cluster) from its own process: with
Great Expectations and pandas imported there once, a task starts in about a second instead of paying their
import (5-7 s) every time. Third-party modules only, so
edits to this project's code still reach the next task. Then the project's own ``airflow_local_settings``
(the tenant pool policy, next on sys.path) is loaded and what it exports is exported from here unchanged.
"""

from __future__ import annotations

import sys
from importlib.machinery import PathFinder
from importlib.util import module_from_spec
from pathlib import Path
from types import ModuleType

if sys.argv[1:2] == ["scheduler"] or sys.argv[1:3] == ["celery", "worker"]:  # the processes tasks fork from
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401


def _shadowed() -> ModuleType | None:
    """The ``airflow_local_settings`` module this one hides on sys.path, loaded; None if there is none."""
    here = Path(__file__).resolve().parent
    rest = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
    spec = PathFinder.find_spec(__name__, rest)
    if spec is None or spec.loader is None:
        return None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_project = _shadowed()
__all__ = list(getattr(_project, "__all__", []))  # Airflow takes these names (policies, settings) only
globals().update({name: getattr(_project, name) for name in __all__})
