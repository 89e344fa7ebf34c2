"""The HTTP API: publish build updates and workspace events, read the event log."""
