"""The ledgers as files: the workbook export, ledger imports, charts, and cells no spreadsheet evaluates."""
