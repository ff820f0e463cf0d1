"""Procore -> Xero: the direction-specific half of its steps."""
