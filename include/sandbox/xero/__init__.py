"""Emulator of Xero's Accounting API (``/api.xro/2.0``) and its identity service (token, connections)."""
