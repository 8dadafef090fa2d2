"""governance: what a rule change would change (replay), what-if and nearest progress for one runner."""
