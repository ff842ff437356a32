"""Batch reconciliation of partner settlement files against the internal ledger."""
