"""Drivers: small trusted helpers that run inside the grading worker.

A driver receives ``student`` (the notebook's names, by attribute) and plain
arguments, exercises the student's code, and returns plain data (numbers,
lists, numpy arrays). Hidden tests call ``student.drive("name", ...)``; the
self-check calls the same function in the student's own kernel.
"""

import numpy as np


def prox_grad_trajectory(student, X, Y, lam, step, n_steps):
    """Apply the student's ``prox_grad_step`` ``n_steps`` times from W = 0; return the iterates."""
    W = np.zeros((np.shape(X)[1], np.shape(Y)[1]))
    iterates = []
    for _ in range(n_steps):
        W = student.prox_grad_step(W, X, Y, lam, step)
        iterates.append(np.array(W, dtype=float))
    return np.array(iterates)
