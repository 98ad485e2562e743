"""``python -m matchweek``: the same as the ``matchweek`` command."""

from matchweek.cli import main

main()
