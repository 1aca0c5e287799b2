"""The shared kernel every process imports: addresses, settings and their file, TLS
certificates, private files, masking personal data (in messages and in log lines) and the
slixmpp client helpers.

The bottom layer: it imports no other package of this repository (tests/test_import_contract.py).
"""
