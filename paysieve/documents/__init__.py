"""Documents in and out: plain text, JSON Lines, HTML pages, and atomic output files."""
