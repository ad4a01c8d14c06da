"""Hostile-input tests: a mutation campaign over SOR files, run through the CLI."""
