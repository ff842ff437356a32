"""The ingestion boundary: partner settlement files and ledger exports to canonical rows.

Driven only by the YAML layout (`FileFormat`): a new CSV partner needs configuration, not code.
Rows that cannot be normalised are quarantined with a reason, never dropped; a file that cannot
be read at all raises IngestError naming the file and the problem.
"""

from recon.ingest.api import IngestResult, SourceFile, read_ledger_file, read_partner_file

__all__ = ["IngestResult", "SourceFile", "read_ledger_file", "read_partner_file"]
