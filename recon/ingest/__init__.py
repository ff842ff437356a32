"""The ingestion boundary: partner settlement files and ledger exports to canonical rows.

Driven only by the YAML layout (`FileFormat`): a new CSV partner needs configuration, not code.
Every data row ends in exactly one of `records` (CANONICAL_SCHEMA, checked with CanonicalRecord)
or `quarantine` (QUARANTINE_SCHEMA); a file that cannot be read at all raises IngestError
naming the file and the problem.

- Lines are physical lines of the file, the header being line 1; a record whose quoted cell
  spans lines has the number of its first line. Parquet rows are numbered from 2 likewise.
- A quarantined row's `reason` names the column as headed in the file and the value; several
  problems are joined with '; '. A ragged row or a blank line gets that reason alone.
- Its `raw` is the record's text as in the file (decoded; lines of a multi-line record joined
  with '\n'); for Parquet, the configured cells rendered as text and joined with the delimiter.
- Amounts are exact: at most 18 digits of minor units, fraction digits beyond the currency's
  exponent only when they are zeros, no floats (a Parquet float amount column is refused).
"""

from recon.ingest.api import IngestResult, SourceFile, read_ledger_file, read_partner_file

__all__ = ["IngestResult", "SourceFile", "read_ledger_file", "read_partner_file"]
