"""Drivers: small trusted helpers that run inside the grading worker.

A driver receives ``student`` (the notebook's names, by attribute) and plain
arguments, exercises the student's code, and returns plain data (numbers,
lists, numpy arrays). Hidden tests call ``student.drive("name", ...)``; the
self-check calls the same function in the student's own kernel.
"""

import numpy as np


def ista_trajectory(student, X, y, alpha, step, n_steps):
    """Apply the student's ``ista_step`` ``n_steps`` times from w = 0; return the iterates."""
    w = np.zeros(np.shape(X)[1])
    iterates = []
    for _ in range(n_steps):
        w = student.ista_step(w, X, y, alpha, step)
        iterates.append(np.array(w, dtype=float))
    return np.array(iterates)
