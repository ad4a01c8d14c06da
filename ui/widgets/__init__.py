"""Widgets and panels of the main window."""
