"""The run's process gives freed memory back to the system (newsetl.memory), in a real process
of its own: the measure is that process's resident set, not a mock of the allocator."""

from __future__ import annotations

import json
import subprocess
import sys

#: A heap with holes: 150 MB of 2 KB strings (glibc ``malloc``, not Python's small-object
#: allocator), every 50th kept, so that no free space reaches the top of the heap, which is
#: all that ``free`` returns on its own.
FRAGMENTED = """
import json
from newsetl.memory import give_back, rss_mb
kept = []
chunks = [bytes(2048) + str(i).encode() for i in range(75_000)]
kept = chunks[::50]
del chunks
held = rss_mb()
steps = give_back()
print(json.dumps({"held": held, "after": rss_mb(), "steps": steps, "kept": len(kept)}))
"""


def test_freed_memory_in_holes_of_the_heap_goes_back_to_the_system():
    out = subprocess.run(
        [sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(out.stdout)
    # ~150 MB freed inside the heap; free() alone kept it (the process still holds it)
    assert found["held"] - found["after"] > 100, found
    assert found["steps"]["malloc"] < found["steps"]["before"] - 100, found
