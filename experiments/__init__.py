"""One-off studies that the docs cite, each with its command in its docstring."""
