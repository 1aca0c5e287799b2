"""Provisioning: centre accounts, centre rooms and their credentials, over standard XMPP."""
