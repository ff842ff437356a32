"""Seeded generator of realistic settlement and ledger files with their ground truth.

`generate(out_dir, rows, seed, partners, days, start_date)` writes a config, one settlement file
per partner per day (layouts rotate between signed major units with '.' decimals, debit/credit
columns with ',' decimals, and unsigned minor units with a CR/DR indicator), one ledger file per
day with every partner's entries, and truth.parquet: the outcome docs/matching.md gives each
record. Same seed, same bytes (with the pinned Polars); `rows` records per side per partner per
day, exactly (see plan for the scenario shares).

The truth is the contract's outcome, not a hope, because coincidences are excluded by
construction:
- References are unique per side (an order reference carries partner, date and a bijective
  number), except identical duplicate copies and a payment and its refund, which share one
  order reference but are further apart than any key tolerance and have different record types.
- Mangled references cannot equal any intact one (they lose the "ORD" prefix) and stay unique.
- Amounts meant inside a tolerance are inside it under every reading of the contract; amounts
  meant outside are beyond the widest key tolerance; date lags are chosen against the windows.
- Every record that can reach the no-key stage (no-key pairs, orphans, ambiguous twins) has an
  amount from a per-currency slot, slots spaced beyond twice the no-key tolerance and
  interleaved across days, so no two of them meet in any currency on any day unless intended:
  a no-key pair meets itself, ambiguous twins tie exactly with their own partner record.
- No-key tolerances are absolute (no percent), so slot spacing is a constant.

Two shapes span two days on purpose (plan: late_key, late_nokey): a tie left ambiguous on one
day is broken by a partner record that arrives the next day with the reference of one of the
tied ledger records, and a ledger-only record is met the next day without a key by a partner
record whose reference repeats within its own day. The truth of both days follows from the days
taken in order.
"""

from recon.synth.generate import GeneratedSet, generate

__all__ = ["GeneratedSet", "generate"]
