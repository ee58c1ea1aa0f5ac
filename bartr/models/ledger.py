"""Placeholder until the ledger tables land."""
