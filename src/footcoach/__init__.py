"""footcoach: a rule-based coach for runners' ankle and foot strengthening (decision support)."""

__version__ = "0.1.0"
