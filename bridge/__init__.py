"""The case relay: case addresses ↔ citizens and centre rooms."""
