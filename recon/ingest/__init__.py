"""The ingestion boundary: partner settlement files and ledger exports to canonical rows.

Driven only by the YAML layout (`FileFormat`): a new CSV partner needs configuration, not code.
Every data row ends in exactly one of `records` (CANONICAL_SCHEMA, checked with CanonicalRecord)
or `quarantine` (QUARANTINE_SCHEMA), and every physical line of the file is accounted for
(`SourceFile`, recon.ingest.accounting); a file that cannot be read at all raises IngestError
naming the file and the problem. No figure is changed to make a row fit: a value that cannot be
taken as written (a sign in an unsigned column, debit and credit both filled, a net that is not
gross minus fee) quarantines its row.

- Lines are physical lines of the file, the header being line 1; a record whose quoted cell
  spans lines has the number of its first line. Parquet rows are numbered from 2 likewise.
- A quarantined row's `reason` names the column as headed in the file and the value (at most
  80 characters of it); several problems are joined with '; '. A ragged row, a blank line or a
  line of an over-long multi-line record gets that reason alone.
- Its `raw` is the record's text as in the file (decoded; lines of a multi-line record joined
  with '\n'); for Parquet, the configured cells rendered as text and joined with the delimiter.
- References, partner references and batch ids are quarantined over 1,000 characters or with
  control characters (tab and line feed excepted); values quoted in reasons and messages show
  control characters as \\xNN, so no file can drive the terminal or log viewer of who reads them.
- Amounts are exact: ASCII digits, below 10^15 minor units, fraction digits beyond the currency's
  exponent only when they are zeros, no floats (a Parquet float amount column is refused).
"""

from recon.ingest.api import IngestResult, SourceFile, read_ledger_file, read_partner_file

__all__ = ["IngestResult", "SourceFile", "read_ledger_file", "read_partner_file"]
