"""A child process given the CPU share Lambda gives a function of the template's memory (Linux).

Lambda allocates CPU in proportion to memory, one vCPU at 1,769 MB; the authorizer runs with the
``MemorySize`` of template.yaml (512 MB: 0.29 of a core). A cold start is CPU-bound, so its time,
and how much of a network round trip it hides, depend on that share. Here the child runs in a
cgroup whose CFS bandwidth quota gives it that share of one core (``cpu.cfs_quota_us`` over a
10 ms ``cpu.cfs_period_us`` in cgroup v1's ``cpu`` controller, or ``cpu.max`` in cgroup v2).
Lambda does not publish how it enforces the share; a quota is the kernel's own way of enforcing
one. It needs root and a writable cgroup file system; where there is none the figure is not
measured and the report says why.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cfnlint.decode.cfn_yaml import loads

REPO_ROOT = Path(__file__).resolve().parent.parent
MB_PER_VCPU = 1769  # Lambda: "at 1,769 MB, a function has the equivalent of one vCPU"
PERIOD_US = 10_000
CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified"))


def template_memory_mb(template: Path = REPO_ROOT / "template.yaml") -> int:
    """The authorizer function's MemorySize in template.yaml."""
    resources = loads(template.read_text())["Resources"]
    return int(resources["AuthorizerFunction"]["Properties"]["MemorySize"])


@dataclass(frozen=True)
class CpuShare:
    memory_mb: int
    fraction: float  # of one core
    enter: Callable[[], None] | None  # for subprocess's preexec_fn: moves the child into the cgroup
    unavailable: str | None  # why not, when enter is None


def _v1_group(quota_us: int) -> Path:
    group = CGROUP_V1_CPU / f"scopegate-bench-{uuid.uuid4().hex[:8]}"
    group.mkdir()
    try:
        (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(quota_us))
    except OSError:
        os.rmdir(group)
        raise
    return group


def _v2_group(quota_us: int) -> Path:
    for root in CGROUP_V2:
        control = root / "cgroup.subtree_control"
        if control.exists() and "cpu" in control.read_text().split():
            group = root / f"scopegate-bench-{uuid.uuid4().hex[:8]}"
            group.mkdir()
            try:
                (group / "cpu.max").write_text(f"{quota_us} {PERIOD_US}")
            except OSError:
                os.rmdir(group)
                raise
            return group
    raise OSError("no cgroup v2 hierarchy with the cpu controller enabled")


@contextmanager
def lambda_cpu_share(memory_mb: int | None = None) -> Iterator[CpuShare]:
    """A cgroup giving ``memory_mb`` MB's share of one core (the template's by default)."""
    memory_mb = memory_mb or template_memory_mb()
    fraction = min(1.0, memory_mb / MB_PER_VCPU)
    quota_us = max(1000, round(PERIOD_US * fraction))
    group: Path | None = None
    why = None
    enter: Callable[[], None] | None = None
    try:
        group = _v1_group(quota_us) if (CGROUP_V1_CPU / "cpu.cfs_quota_us").exists() else _v2_group(quota_us)
        procs = str(group / ("tasks" if (group / "tasks").exists() else "cgroup.procs"))

        def enter() -> None:
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))

        subprocess.run([sys.executable, "-S", "-c", "pass"], preexec_fn=enter, check=True)  # can a child join it?
    except (OSError, subprocess.SubprocessError) as error:
        enter, why = None, f"no CPU quota can be set here ({type(error).__name__}: {error})"
    try:
        yield CpuShare(memory_mb, fraction, enter, why)
    finally:
        if group is not None:
            os.rmdir(group)  # its children have exited: an empty cgroup is removed with rmdir
