"""The paysieve model: features, the fitted scorer, and its persistence.

``__version__`` is the paysieve release (``pyproject.toml`` reads it from here); model files
record it, and loading compares it without querying the installed package metadata.
"""

__version__ = "0.7.0"
