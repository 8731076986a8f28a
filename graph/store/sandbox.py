"""Fence a process in: no network sockets, and a memory budget.

pyoxigraph's engine fetches over HTTP for ``SERVICE`` and ``LOAD``, and offers no switch to stop
it. So the processes that evaluate SPARQL are fenced in by the kernel, whatever the text says:
:func:`forbid_network` installs a seccomp filter under which ``socket()`` fails for every family
but ``AF_UNIX`` (the worker's pipe to its server). No address is ever connected to, so no error
can tell an open port from a closed one. :func:`limit_memory` caps the address space a process
may add, so a query that grows without end fails its own allocation and ends there, instead of
growing the server.

Both are Linux-only; elsewhere :func:`forbid_network` returns False and the check of
:mod:`graph.sparql.guard` is the only fence, and :func:`limit_memory` does nothing.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct

__all__ = ["forbid_network", "limit_memory"]

# Linux ABI values (linux/filter.h, linux/seccomp.h, linux/audit.h, asm/unistd.h).
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_AF_UNIX = 1
#: machine -> (audit architecture, number of socket(2), first number of the x32 ABI or None)
_ARCHES = {"x86_64": (0xC000003E, 41, 0x40000000), "aarch64": (0xC00000B7, 198, None)}


def _filter_program(arch: int, socket_nr: int, x32: int | None) -> bytes:
    """The BPF program: socket(2) with a family other than AF_UNIX fails with EACCES, and so
    does any call made through another ABI (which could name socket by another number)."""
    deny = _RET_ERRNO | errno.EACCES
    steps = [
        (_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, deny),
        (_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
    ]
    if x32 is not None:
        steps += [(_JGE_K, 0, 1, x32), (_RET_K, 0, 0, deny)]
    steps += [
        (_JEQ_K, 1, 0, socket_nr),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_LD_ABS_W, 0, 0, 16),  # seccomp_data.args[0], low half: the address family
        (_JEQ_K, 0, 1, _AF_UNIX),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("=HBBI", *step) for step in steps)


def forbid_network() -> bool:
    """From now on, this process and its children cannot open a network socket: ``socket()``
    fails with EACCES for any family but ``AF_UNIX``. Irreversible. False where the kernel or
    machine offers no seccomp filter here (then nothing changed).

    Call it in a process of its own (a forked worker, a server process once it listens): it
    holds for every thread started afterwards.
    """
    arch = _ARCHES.get(platform.machine())
    if arch is None or not os.path.exists("/proc/self/status"):
        return False
    program = _filter_program(*arch)
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))

    class _Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Program(len(program) // 8, ctypes.addressof(buffer))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    status: int = libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
    return status == 0


def limit_memory(budget: int) -> None:
    """Let this process map at most ``budget`` more bytes than it maps now (``RLIMIT_AS``): past
    that an allocation fails (Python raises MemoryError; the Rust engine aborts the process).

    A forked worker shares its parent's pages, which count as mapped already: the budget is
    what the worker may add, whatever the size of the server it came from. Without Linux's
    ``/proc`` (where the mapped size is read) nothing changes.
    """
    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    resource.setrlimit(resource.RLIMIT_AS, (mapped + budget, mapped + budget))
