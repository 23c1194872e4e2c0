"""Stand-in for "python -m pip": appends its arguments (one JSON list per line) to
$FAKE_PIP_LOG, prints a line and exits with $FAKE_PIP_EXIT (default 0). Never uses the network."""

import json
import os
import sys

with open(os.environ["FAKE_PIP_LOG"], "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
print("fake pip: resolution impossible for the requested wheels")
sys.exit(int(os.environ.get("FAKE_PIP_EXIT", "0")))
