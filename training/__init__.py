"""Training runs: labelled data, the hand-written corpus, fitting and evaluation."""
