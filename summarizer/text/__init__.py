"""Plain text tools that know nothing of models: sentence splitting, word tokens, input cleaning."""
