"""One item model per view, each a thin adapter over register queries."""
