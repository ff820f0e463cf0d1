"""Great Expectations validation of the transformed frames and how failures become exceptions.

``validate`` runs an object's suite (``rules.OBJECT_RULES``) on its frame before any write;
``hold_failures`` queues what failed; ``save_results`` keeps the results for the data team.
"""

from procore_xero.validation.hold import hold_failures
from procore_xero.validation.outcome import Failure, ValidationOutcome
from procore_xero.validation.results_file import save_results
from procore_xero.validation.rules import OBJECT_RULES
from procore_xero.validation.validate import ValidationError, validate

__all__ = [
    "OBJECT_RULES",
    "Failure",
    "ValidationError",
    "ValidationOutcome",
    "hold_failures",
    "save_results",
    "validate",
]
