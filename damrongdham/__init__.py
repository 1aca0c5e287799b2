"""Damrongdham Chat: the stack runner and the `damrongdham` command line."""
