"""Pieces both emulators share: the sandbox clock, rate-limit windows, fault injection, admin routes."""
