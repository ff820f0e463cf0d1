"""The rules validation runs, as it reads them: each object's suite is declared with the object
(``procore_xero.objects``), in the vocabulary of ``procore_xero.objects.rules``."""

from procore_xero.objects import OBJECT_RULES
from procore_xero.objects.rules import ObjectRules, Rule, Setting

__all__ = ["OBJECT_RULES", "ObjectRules", "Rule", "Setting"]
