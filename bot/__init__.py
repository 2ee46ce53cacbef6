"""The messenger-free core: talks/, followup/, questions/, roster/, ledgers/, and config, clock, i18n, the command
line. Nothing here imports a messenger's code (tests/test_layout.py checks)."""
