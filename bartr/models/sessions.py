"""Placeholder until the sessions tables land."""
