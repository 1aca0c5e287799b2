"""The bench and chaos harness: `damrongdham bench` and `damrongdham chaos` run
`python -m devtools`, which starts whole stacks (`damrongdham up`) and measures them.

The top layer, next to the command line: nothing in the runtime imports it
(tests/test_import_contract.py).
"""
