"""Readers for each SOR download format; each returns a `register.RawData`."""
