"""Peak memory of this process alone.

``getrusage(...).ru_maxrss`` is not it: Linux carries the high-water mark across fork and exec, so a
tool started by a parent that held the generated tables would report the parent's peak. VmHWM in
/proc/self/status belongs to this process's own address space, which exec starts afresh.
"""


def peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")
