"""Guards on what the model writes: names and numbers the article lacks, instructions planted in it."""
