"""python -m newsbot.storage stop [DATA_DIR]: stop the embedded database daemon of DATA_DIR."""

from __future__ import annotations

import sys

from newsbot.storage.embedded import stop_embedded_server


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "stop":
        folder = argv[1] if len(argv) > 1 else "./data"
        print("stopped" if stop_embedded_server(folder) else f"no embedded database running for {folder}")
        return 0
    print("usage: python -m newsbot.storage stop [DATA_DIR]", file=sys.stderr)
    return 2


sys.exit(main(sys.argv[1:]))
