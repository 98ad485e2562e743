"""Runs the reference SOAP's commands on a store until it is killed, acknowledging each committed one.

Started by ``test_store_crash.py`` as ``python store_crash_child.py URL``: prints the index of
each command once ``execute`` has returned for it, one per line, flushed at once.
"""

from __future__ import annotations

import sys

import store_world

from matchweek.store import Store


def main() -> None:
    url = sys.argv[1]
    reference = store_world.reference_run()
    with Store(url) as store:
        print("open", flush=True)
        for k, command in enumerate(reference.commands):
            store.execute(command, actor="crash-test")
            print(k, flush=True)


if __name__ == "__main__":
    main()
