"""``python -m service.cli``: the aikg command line."""

from service.cli import main

main()
