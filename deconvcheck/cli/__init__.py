"""The command line: parses arguments, calls the core, picks a reporter. Nothing else lives here."""
