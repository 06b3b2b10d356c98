"""medrecon: reconciles medication lists between Cambio Cosmic and Pascal."""

__version__ = "0.1.0"
