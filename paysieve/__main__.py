"""``python -m paysieve``: the command line."""

from paysieve.inference.cli import main

if __name__ == "__main__":
    main()
