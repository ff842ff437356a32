"""The hostile corpus: every file of tests/hostile/corpus/, how it is built, its layout and outcome.

This table is the corpus's only description: `python tests/hostile/corpus_cases.py` writes the
files from it, and tests/hostile/test_corpus.py checks that the files on disk are exactly these
bytes before reading them. Layouts are the fixtures' partners and ledger (fixtures/recon.yaml),
plus variants of stripe_us: `stripe_multiline` (max_lines_per_record 3), `stripe_utf16`
(encoding utf-16) and `stripe_parquet` (the same columns as a Parquet file).

An outcome is `Refused(text, line)`: the reader raises one line containing `text` (and
`line N` when a line is given); or `Read(records, quarantined)`: that many canonical records,
and quarantined rows by line with a text their reason contains.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from ingest_support import ADYEN_HEADER, LEDGER_HEADER, PAYPAL_HEADER, STRIPE_HEADER

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Refused:
    text: str
    line: int | None = None


@dataclass(frozen=True)
class Read:
    records: int
    quarantined: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    file: str
    layout: str
    content: bytes
    outcome: Refused | Read
    why: str


def lines(*rows: str, end: str = "\n") -> bytes:
    return "".join(row + end for row in rows).encode()


def stripe(*cells: str) -> str:
    """A stripe_us row from its cells, defaults for those not given (reference ORD-1, 49.99 USD)."""
    row = ["txn_1", "ORD-1", "po_1", "charge", "usd", "4999", "175", "2026-11-02", "2026-11-04"]
    return ",".join([*cells, *row[len(cells) :]])


GOOD = stripe()
GOOD_2 = stripe("txn_2", "ORD-2", "po_1", "charge", "usd", "1000", "30")
ADYEN_GOOD = "psp1;ORD-1;Settled;EUR;;100,00;0,50;1;2026-11-02 10:00:00"
PAYPAL_GOOD = "\t".join(["SB", "TX1", "INV-1", "T0006", "2026/11/02", "CR", "1,234.56", "GBP", "0.50"])
LEDGER_GOOD = "E1,2026-11-02,2026-11-02,STRIPE,ORD-1,SALE,USD,49.99,C"


def with_amount(amount: str) -> bytes:
    return lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usd", amount))


def adyen(*rows: str) -> bytes:
    return lines(ADYEN_HEADER, ADYEN_GOOD.replace("psp1", "psp0").replace("ORD-1", "ORD-0"), *rows)


def paypal(*rows: str) -> bytes:
    return lines(PAYPAL_HEADER, PAYPAL_GOOD.replace("TX1", "TX0"), *rows)


def ledger(*rows: str) -> bytes:
    return lines(LEDGER_HEADER, LEDGER_GOOD.replace("E1,", "E0,"), *rows)


STRIPE_COLUMNS = STRIPE_HEADER.split(",")


def parquet(columns: dict[str, pa.Array]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink, compression="none")
    return sink.getvalue()


def stripe_table(**overrides: pa.Array) -> bytes:
    """Two stripe_us rows as Parquet, string columns unless overridden."""
    rows = [GOOD.split(","), GOOD_2.split(",")]
    columns = {name: pa.array([row[i] for row in rows]) for i, name in enumerate(STRIPE_COLUMNS)}
    return parquet({**columns, **overrides})


GOOD_PARQUET = stripe_table()
MEGABYTE = "R" * 1_048_576

CASES: tuple[Case, ...] = (
    # Whole-file problems: refused in one line.
    Case("empty.csv", "stripe_us", b"", Refused("file is empty (0 bytes)"), "0-byte file"),
    Case("bom_only.csv", "stripe_us", b"\xef\xbb\xbf", Refused("no header line (file is blank)"), "BOM only"),
    Case("whitespace_only.csv", "stripe_us", b"  \n\t\n \r\n", Refused("no header line"), "only whitespace"),
    Case("header_only.csv", "stripe_us", lines(STRIPE_HEADER), Refused("no data rows (header only)"), ""),
    Case(
        "header_only_no_newline.csv",
        "stripe_us",
        STRIPE_HEADER.encode(),
        Refused("no data rows (header only)"),
        "header without a final newline",
    ),
    Case(
        "gzip_as_csv.csv",
        "stripe_us",
        gzip.compress(lines(STRIPE_HEADER, GOOD), mtime=0),
        Refused("is gzip-compressed, not text"),
        "gzip bytes under a .csv name",
    ),
    Case(
        "parquet_as_csv.csv",
        "stripe_us",
        GOOD_PARQUET,
        Refused("is a Parquet file, not text"),
        "Parquet bytes under a .csv name",
    ),
    Case(
        "invalid_utf8.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD).replace(b"ORD-1", b"ORD-\xff"),
        Refused("line 2 is not valid utf-8: byte 0xff", 2),
        "a byte that is not UTF-8",
    ),
    Case(
        "latin1.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, GOOD_2.replace("ORD-2", "CAFÉ")).replace("É".encode(), b"\xc9"),
        Refused("line 3 is not valid utf-8", 3),
        "Latin-1 bytes in a UTF-8 layout",
    ),
    Case(
        "utf16.csv",
        "stripe_us",
        "".join(f"{row}\n" for row in (STRIPE_HEADER, GOOD)).encode("utf-16"),
        Refused("is UTF-16 (it starts with a UTF-16 byte-order mark); set format.encoding: utf-16"),
        "UTF-16 with BOM in a UTF-8 layout",
    ),
    Case(
        "utf16_configured.csv",
        "stripe_utf16",
        "".join(f"{row}\r\n" for row in (STRIPE_HEADER, GOOD, GOOD_2)).encode("utf-16"),
        Read(2),
        "UTF-16 where the layout says so",
    ),
    Case(
        "duplicated_header.csv",
        "stripe_us",
        lines(STRIPE_HEADER + ",currency", GOOD + ",usd"),
        Refused("header names column 'currency' (2 times); expected once", 1),
        "a configured column twice",
    ),
    Case(
        "duplicated_unused_header.csv",
        "stripe_us",
        lines(STRIPE_HEADER + ",note,note", GOOD + ",a,b", GOOD_2 + ",c,d"),
        Read(2),
        "an unconfigured column twice is not ours to judge",
    ),
    Case(
        "missing_column.csv",
        "stripe_us",
        lines(STRIPE_HEADER.replace(",fee,", ",commission,"), GOOD),
        Refused("missing columns 'fee'"),
        "",
    ),
    Case(
        "header_escape_sequences.csv",
        "stripe_us",
        lines(STRIPE_HEADER.replace(",fee,", ",\x1b[2J\x1b]0;pwned\x07fee,"), GOOD),
        Refused("missing columns 'fee'; found"),
        "terminal escape sequences in a header are not echoed raw",
    ),
    Case(
        "wrong_delimiter.csv",
        "stripe_us",
        lines(STRIPE_HEADER.replace(",", ";"), GOOD.replace(",", ";")),
        Refused("(expected ',' delimited; found ';')"),
        "",
    ),
    Case(
        "unclosed_quote.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, stripe("txn_2", '"ORD-2'), GOOD_2),
        Refused("line 3: quote opened here never closes", 3),
        "",
    ),
    Case(
        "truncated_mid_row.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD) + b"txn_2,ORD-2,po_1,cha",
        Refused("line 3: file is truncated", 3),
        "cut off mid-row, no final newline",
    ),
    Case(
        "long_header_missing.csv",
        "stripe_us",
        lines("x" * 200_000, GOOD),
        Refused("line 1: cannot read the header: field larger than field limit"),
        "a 200 kB header is not echoed",
    ),
    # Row-level problems: quarantined with their reason, the other rows kept.
    Case(
        "ragged_short.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, "txn_2,ORD-2,po_1,charge,usd,1000,30,2026-11-02"),
        Read(1, {3: "row has 8 fields, the header has 9"}),
        "",
    ),
    Case(
        "ragged_long.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, GOOD_2 + ",extra,extra,extra"),
        Read(1, {3: "row has 12 fields, the header has 9"}),
        "",
    ),
    Case(
        "over_long_row.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, GOOD_2 + ",x" * 5000),
        Read(1, {3: "row has 5009 fields, the header has 9"}),
        "5,009 fields",
    ),
    Case(
        "trailing_delimiter.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD + ",", GOOD_2),
        Read(1, {2: "row has 10 fields"}),
        "",
    ),
    Case(
        "embedded_newline.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, stripe("txn_2", '"ORD\n2"', "po_1", "charge", "usd", "1000"), GOOD_2),
        Read(2, {3: "quoted cell opened on line 3 runs over 2 lines", 4: "runs over 2 lines"}),
        "newline in a quoted cell, layout allows one line",
    ),
    Case(
        "embedded_newline_allowed.csv",
        "stripe_multiline",
        lines(STRIPE_HEADER, stripe("txn_2", '"ORD\n2"', "po_1", "charge", "usd", "1000"), GOOD),
        Read(2),
        "newline in a quoted cell, layout allows three lines",
    ),
    Case(
        "embedded_quotes.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", '"ORD ""1"", a,b"'), GOOD_2),
        Read(2),
        "doubled quotes and delimiters inside a quoted cell",
    ),
    Case(
        "stray_quote_mid_cell.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", 'ORD"1'), GOOD_2),
        Read(1, {2: "quote inside an unquoted cell"}),
        "a quote inside an unquoted cell: parsers disagree, so the row is quarantined",
    ),
    Case(
        "quote_then_text.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", '"ORD"-1'), GOOD_2),
        Read(1, {2: "quote inside an unquoted cell"}),
        "text after a closing quote",
    ),
    Case(
        "blank_line_inside.csv",
        "stripe_us",
        lines("", STRIPE_HEADER, GOOD, "", GOOD_2, "", ""),
        Read(2, {4: "blank line"}),
        "blank lines before the header and at the end are not rows",
    ),
    Case(
        "only_delimiters.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, ",,,,,,,,"),
        Read(1, {3: "currency is empty"}),
        "a row of empty cells",
    ),
    Case(
        "mixed_line_endings.csv",
        "stripe_us",
        (STRIPE_HEADER + "\r\n" + GOOD + "\n" + GOOD_2 + "\r\n").encode(),
        Read(2),
        "CRLF and LF in one file",
    ),
    Case(
        "lone_cr_among_lf.csv",
        "stripe_us",
        (STRIPE_HEADER + "\n" + GOOD + "\r" + GOOD_2 + "\n").encode(),
        Read(0, {2: "row has 17 fields"}),
        "a lone CR in an LF file is not a line end: the two rows are one ragged line",
    ),
    Case(
        "cr_only.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD, GOOD_2, end="\r"),
        Read(2),
        "old Mac line ends",
    ),
    Case("no_final_newline.csv", "stripe_us", lines(STRIPE_HEADER, GOOD) + GOOD_2.encode(), Read(2), ""),
    Case(
        "nul_bytes.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", "ORD\x00-1"), GOOD_2),
        Read(1, {2: "payment_metadata[order_id] has control characters"}),
        "NUL byte in a reference",
    ),
    Case(
        "control_characters.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", "ORD-1\x1b[31m\x08"), GOOD_2),
        Read(1, {2: "has control characters"}),
        "escape sequence and backspace in a reference",
    ),
    Case(
        "control_in_currency.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", "ORD-1", "po_1", "charge", "u\x1bd"), GOOD_2),
        Read(1, {2: "unknown currency 'u\\x1bd'"}),
        "escape in a currency is shown escaped",
    ),
    Case(
        "formula_reference.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", "=cmd|' /C calc'!A0"), stripe("txn_2", "@SUM(1+1)"), GOOD_2),
        Read(3),
        "formula-looking references are data: kept as text, never evaluated",
    ),
    Case(
        "markdown_reference.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", '"a | b | c [x](http://e.test) <b>*_`"'), GOOD_2),
        Read(2),
        "Markdown and HTML in a reference are data",
    ),
    Case(
        "sql_and_path_reference.csv",
        "stripe_us",
        lines(
            STRIPE_HEADER, stripe("txn_1", "'; DROP TABLE matches; --"), stripe("txn_2", "../../etc/passwd")
        ),
        Read(2),
        "SQL and path text in references are data",
    ),
    Case(
        "very_long_field.csv",
        "stripe_us",
        lines(STRIPE_HEADER, stripe("txn_1", MEGABYTE), GOOD_2),
        Read(1, {2: "payment_metadata[order_id] is longer than 1000 characters"}),
        "a 1 MB reference",
    ),
    Case(
        "amount_20_digits.csv",
        "stripe_us",
        with_amount("12345678901234567890"),
        Read(1, {3: "too large"}),
        "",
    ),
    Case("amount_at_limit.csv", "stripe_us", with_amount("999999999999999"), Read(2), "largest amount taken"),
    Case(
        "amount_over_limit.csv", "stripe_us", with_amount("-1000000000000000"), Read(1, {3: "too large"}), ""
    ),
    Case(
        "amount_exponent.csv",
        "stripe_us",
        with_amount("1e5"),
        Read(1, {3: "'1e5' is not a valid amount"}),
        "",
    ),
    Case(
        "amount_thousands_in_minor.csv",
        "stripe_us",
        with_amount('"4,999"'),
        Read(1, {3: "'4,999' is not a valid amount"}),
        "",
    ),
    Case("amount_decimal_in_minor.csv", "stripe_us", with_amount("49.99"), Read(1, {3: "not a valid"}), ""),
    Case("amount_negative_zero.csv", "stripe_us", with_amount("-0"), Read(2), "negative zero is zero"),
    Case("amount_plus_sign.csv", "stripe_us", with_amount("+4999"), Read(2), ""),
    Case("amount_padded.csv", "stripe_us", with_amount("  4999 "), Read(2), "spaces around a cell"),
    Case("amount_inner_space.csv", "stripe_us", with_amount("49 99"), Read(1, {3: "not a valid"}), ""),
    Case("amount_double_sign.csv", "stripe_us", with_amount("--4999"), Read(1, {3: "not a valid"}), ""),
    Case("amount_unicode_minus.csv", "stripe_us", with_amount("\u22124999"), Read(1, {3: "not a valid"}), ""),
    Case("amount_arabic_digits.csv", "stripe_us", with_amount("٤٩٩٩"), Read(1, {3: "non-ASCII digits"}), ""),
    Case("amount_nan.csv", "stripe_us", with_amount("NaN"), Read(1, {3: "'NaN' is not a valid amount"}), ""),
    Case("amount_infinity.csv", "stripe_us", with_amount("-inf"), Read(1, {3: "not a valid"}), ""),
    Case("amount_hex.csv", "stripe_us", with_amount("0x1F"), Read(1, {3: "not a valid"}), ""),
    Case("amount_leading_zeros.csv", "stripe_us", with_amount("0004999"), Read(2), ""),
    Case("amount_excel_error.csv", "stripe_us", with_amount("#VALUE!"), Read(1, {3: "not a valid"}), ""),
    Case(
        "fee_too_large.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usd", "1", "9" * 19)),
        Read(1, {3: "fee '9999999999999999999' is too large"}),
        "",
    ),
    Case(
        "currency_unknown.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "xyz")),
        Read(1, {3: "unknown currency 'xyz'"}),
        "",
    ),
    Case(
        "currency_metal.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "xau")),
        Read(1, {3: "unknown currency 'xau'"}),
        "gold has no minor unit",
    ),
    Case(
        "currency_four_letters.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usdd")),
        Read(1, {3: "unknown currency 'usdd'"}),
        "",
    ),
    Case(
        "currency_non_ascii.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usð")),
        Read(1, {3: "'usð' is not three ASCII letters"}),
        "",
    ),
    Case(
        "currency_empty.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "")),
        Read(1, {3: "currency is empty"}),
        "",
    ),
    Case(
        "date_impossible.csv",
        "stripe_us",
        lines(
            STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usd", "1", "0", "2026-02-30")
        ),
        Read(1, {3: "created_date '2026-02-30' does not match date format '%Y-%m-%d'"}),
        "",
    ),
    Case(
        "date_year_one.csv",
        "stripe_us",
        lines(
            STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "charge", "usd", "1", "0", "0001-01-01")
        ),
        Read(1, {3: "created_date 0001-01-01 is outside the plausible dates"}),
        "",
    ),
    Case(
        "date_month_13.csv",
        "stripe_us",
        lines(
            STRIPE_HEADER,
            GOOD_2,
            stripe("txn_1", "ORD-1", "po_1", "charge", "usd", "1", "0", "2026-11-02", "2026-13-01"),
        ),
        Read(1, {3: "available_on '2026-13-01' does not match"}),
        "",
    ),
    Case(
        "record_type_unknown.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "CHARGE")),
        Read(1, {3: "unknown record type 'CHARGE'"}),
        "record types are case-sensitive",
    ),
    Case(
        "several_problems.csv",
        "stripe_us",
        lines(STRIPE_HEADER, GOOD_2, stripe("txn_1", "ORD-1", "po_1", "nope", "usd", "1e5", "0", "x")),
        Read(1, {3: "unknown record type 'nope'; gross '1e5' is not a valid amount"}),
        "",
    ),
    Case("duplicate_rows.csv", "stripe_us", lines(STRIPE_HEADER, GOOD, GOOD), Read(2), "both kept"),
    # adyen_eu: ';', ',' decimals, '.' thousands, debit/credit columns, Amsterdam time.
    Case("adyen_thousands_ok.csv", "adyen_eu", adyen(ADYEN_GOOD.replace("100,00", "1.000,00")), Read(2), ""),
    Case(
        "adyen_thousands_misplaced.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "1.00,00")),
        Read(1, {3: "'1.00,00' is not a valid amount"}),
        "",
    ),
    Case(
        "adyen_dot_decimal.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "100.50")),
        Read(1, {3: "'100.50' is not a valid amount"}),
        "a '.' decimal where the layout says ','",
    ),
    Case(
        "adyen_grouping_only.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "1.000.000")),
        Read(2),
        "thousands without decimals: 1,000,000 EUR",
    ),
    Case(
        "adyen_debit_and_credit.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace(";;100,00", ";5,00;100,00")),
        Read(1, {3: "are both filled"}),
        "",
    ),
    Case(
        "adyen_negative_credit.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "-100,00")),
        Read(1, {3: "negative amount '-100,00' in unsigned column 'Gross Credit (GC)'"}),
        "",
    ),
    Case(
        "adyen_negative_zero.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "-0,00")),
        Read(1, {3: "negative amount '-0,00' in unsigned column"}),
        "a sign in an unsigned column, even on zero",
    ),
    Case(
        "adyen_too_many_decimals.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("100,00", "100,001")),
        Read(1, {3: "has 3 decimals, EUR allows 2"}),
        "",
    ),
    Case(
        "adyen_jpy_decimals.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace(";EUR;", ";JPY;").replace("0,50", "0").replace("100,00", "100,50")),
        Read(1, {3: "has 2 decimals, JPY allows 0"}),
        "",
    ),
    Case(
        "adyen_kwd.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace(";EUR;", ";KWD;").replace("100,00", "1,234").replace("0,50", "0,005")),
        Read(2),
        "three decimals in KWD",
    ),
    Case(
        "adyen_dst_gap.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace("2026-11-02 10:00:00", "2026-03-29 02:30:00")),
        Read(1, {3: "does not exist in Europe/Amsterdam"}),
        "a time skipped by the spring change",
    ),
    Case(
        "adyen_lowercase_currency.csv",
        "adyen_eu",
        adyen(ADYEN_GOOD.replace(";EUR;", ";eur;")),
        Read(2),
        "lowercase codes are the same currency",
    ),
    # paypal_gb: tabs, ',' thousands, CR/DR indicator.
    Case(
        "paypal_thousands_misplaced.csv",
        "paypal_gb",
        paypal(PAYPAL_GOOD.replace("1,234.56", "12,34.56")),
        Read(1, {3: "'12,34.56' is not a valid amount"}),
        "",
    ),
    Case(
        "paypal_exponent.csv",
        "paypal_gb",
        paypal(PAYPAL_GOOD.replace("1,234.56", "1.5E3")),
        Read(1, {3: "'1.5E3' is not a valid amount"}),
        "",
    ),
    Case(
        "paypal_huge.csv",
        "paypal_gb",
        paypal(PAYPAL_GOOD.replace("1,234.56", "12,345,678,901,234,567,890.00")),
        Read(1, {3: "too large"}),
        "20 digits with grouping",
    ),
    Case(
        "paypal_indicator_unknown.csv",
        "paypal_gb",
        paypal(PAYPAL_GOOD.replace("\tCR\t", "\tXX\t")),
        Read(1, {3: "'XX'"}),
        "",
    ),
    Case(
        "paypal_spaces_not_tabs.csv",
        "paypal_gb",
        lines(PAYPAL_HEADER.replace("\t", "    "), PAYPAL_GOOD.replace("\t", "    ")),
        Refused("missing columns"),
        "",
    ),
    # ledger: ',' major units, D/C indicator, partner routing.
    Case(
        "ledger_unknown_partner.csv",
        "ledger",
        ledger(LEDGER_GOOD.replace("STRIPE", "NOPE")),
        Read(1, {3: "unknown partner code 'NOPE'"}),
        "",
    ),
    Case(
        "ledger_lowercase_partner.csv",
        "ledger",
        ledger(LEDGER_GOOD.replace("STRIPE", "stripe")),
        Read(1, {3: "unknown partner code 'stripe'"}),
        "partner codes are exact",
    ),
    Case(
        "ledger_lowercase_currency.csv",
        "ledger",
        ledger(LEDGER_GOOD.replace(",USD,", ",usd,")),
        Read(2),
        "",
    ),
    Case(
        "ledger_formula.csv",
        "ledger",
        ledger(LEDGER_GOOD.replace("ORD-1", '"=HYPERLINK(""http://e.test"")"')),
        Read(2),
        "",
    ),
    Case(
        "ledger_missing_entry_id.csv",
        "ledger",
        lines(LEDGER_HEADER.replace("entry_id", "id"), LEDGER_GOOD),
        Refused("missing columns 'entry_id'"),
        "",
    ),
    # stripe_parquet: the stripe_us columns in a Parquet file.
    Case("good.parquet", "stripe_parquet", GOOD_PARQUET, Read(2), "baseline"),
    Case("empty.parquet", "stripe_parquet", b"", Refused("file is empty (0 bytes)"), ""),
    Case(
        "truncated.parquet",
        "stripe_parquet",
        GOOD_PARQUET[: len(GOOD_PARQUET) // 2],
        Refused("cannot read as Parquet"),
        "",
    ),
    Case(
        "csv_as_parquet.parquet",
        "stripe_parquet",
        lines(STRIPE_HEADER, GOOD),
        Refused("cannot read as Parquet"),
        "",
    ),
    Case(
        "float_amount.parquet",
        "stripe_parquet",
        stripe_table(gross=pa.array([49.99, 10.0])),
        Refused("column 'gross' is Float64; amounts must not be floats"),
        "a Parquet file with wrong types",
    ),
    Case(
        "int_amount.parquet",
        "stripe_parquet",
        stripe_table(gross=pa.array([4999, -1000], pa.int64())),
        Read(2),
        "integer amounts are exact",
    ),
    Case(
        "int_dates.parquet",
        "stripe_parquet",
        stripe_table(created_date=pa.array([20261102, 20261102])),
        Read(0, {2: "does not match date format", 3: "does not match date format"}),
        "dates as integers",
    ),
    Case(
        "struct_currency.parquet",
        "stripe_parquet",
        stripe_table(currency=pa.array([{"code": "usd"}, {"code": "usd"}])),
        Refused("column 'currency' is"),
        "a nested column where text is expected",
    ),
    Case(
        "list_reference.parquet",
        "stripe_parquet",
        stripe_table(**{"payment_metadata[order_id]": pa.array([["ORD-1"], ["ORD-2"]])}),
        Refused("column 'payment_metadata[order_id]' is"),
        "",
    ),
    Case(
        "null_currency.parquet",
        "stripe_parquet",
        stripe_table(currency=pa.array([None, "usd"], pa.string())),
        Read(1, {2: "currency is empty"}),
        "",
    ),
    Case(
        "no_rows.parquet",
        "stripe_parquet",
        parquet({name: pa.array([], pa.string()) for name in STRIPE_COLUMNS}),
        Refused("no data rows"),
        "",
    ),
    Case(
        "missing_column.parquet",
        "stripe_parquet",
        parquet({name: pa.array(["x"]) for name in STRIPE_COLUMNS if name != "fee"}),
        Refused("missing columns 'fee'"),
        "",
    ),
    Case(
        "binary_reference.parquet",
        "stripe_parquet",
        stripe_table(**{"payment_metadata[order_id]": pa.array([b"ORD-\xff", b"ORD-2"])}),
        Refused("column 'payment_metadata[order_id]' is"),
        "bytes that are not text",
    ),
)


def write_corpus() -> None:
    """Write every case's file (the corpus is committed; run this after changing a case)."""
    CORPUS.mkdir(exist_ok=True)
    for case in CASES:
        (CORPUS / case.file).write_bytes(case.content)


if __name__ == "__main__":
    write_corpus()
