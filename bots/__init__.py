"""The triage bot: a Thai NLP brain (pure functions) and the XMPP component for intake."""
