"""The contract tests' fixtures: Procore's published contract; the session's sandbox, rate limits lifted."""

from __future__ import annotations

import pytest

from sandbox.process import SandboxProcess
from tests.contract.published import Contract, contract
from tools.extract_env import raise_limits


@pytest.fixture(scope="session")
def published() -> Contract:
    return contract()


@pytest.fixture
def unlimited(sandbox: SandboxProcess) -> SandboxProcess:
    """The sandbox reset to its seed with its rate limits lifted (a walk makes hundreds of calls)."""
    raise_limits(sandbox)
    return sandbox
