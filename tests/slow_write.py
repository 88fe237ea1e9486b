"""Run the clausegen command line with a pause before each output file is renamed into place.

`python slow_write.py SECONDS ARGS...`: the writer sleeps SECONDS between writing its temporary
file and renaming it, so a test can kill or interrupt the process inside that window. The pause
is patched in here, in the test's own process, so that product code carries no test hook.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    seconds, args = float(sys.argv[1]), sys.argv[2:]
    real_replace = os.replace

    def slow_replace(src, dst, *rest, **kw):
        if str(src).endswith(".tmp"):  # clausegen.outputs.write_atomic's temporary file
            time.sleep(seconds)
        return real_replace(src, dst, *rest, **kw)

    os.replace = slow_replace
    from clausegen.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
