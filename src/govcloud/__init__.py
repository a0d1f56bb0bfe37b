"""govcloud: infrastructure as code for a 1+N provincial e-government cloud."""

__version__ = "0.1.0"
