"""`check`: restoration analysis, skip connections traced to their cause, design rules."""
