"""Layer types: declared arguments plus two pure functions, `output_shape` and `param_count`."""
