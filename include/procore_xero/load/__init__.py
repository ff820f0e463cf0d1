"""Batched, idempotent writes of ``Outgoing`` records to Xero, recorded in ``id_map``."""

from procore_xero.load.report import LoadReport, TypeCounts
from procore_xero.load.xero_loader import load_to_xero

__all__ = ["LoadReport", "TypeCounts", "load_to_xero"]
