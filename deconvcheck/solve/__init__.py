"""`solve`: layer settings between two sizes, enumerated with the inference arithmetic."""
