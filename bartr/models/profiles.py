"""Placeholder until the profiles tables land."""
