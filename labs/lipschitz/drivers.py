"""Drivers: small trusted helpers that run inside the grading worker.

A driver receives ``student`` (the notebook's names, by attribute) and plain
arguments, exercises the student's code, and returns plain data (numbers,
lists, numpy arrays). Hidden tests call ``student.drive("name", ...)``; the
self-check calls the same function in the student's own kernel.
"""

import numpy as np


def warm_started_sigmas(student, W, v0, n_steps):
    """Call ``power_iteration(W, n_iter=1, v0=v)`` ``n_steps`` times, each time restarting from
    the previous ``v``; return the ``sigma`` of every call."""
    v, sigmas = np.asarray(v0, dtype=float), []
    for _ in range(n_steps):
        sigma, _, v = student.power_iteration(W, n_iter=1, v0=v)
        sigmas.append(float(sigma))
    return np.array(sigmas)
