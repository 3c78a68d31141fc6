"""Speed, latency and casing benchmarks. Not part of the library: they import it as a user would."""
