"""The paysieve model: features, the fitted scorer, and its persistence."""
