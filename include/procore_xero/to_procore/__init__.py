"""Xero -> Procore: the direction-specific half of its steps."""
