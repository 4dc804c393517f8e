"""Drivers: small trusted helpers that run inside the grading worker.

A driver receives ``student`` (the notebook's names, by attribute) and plain
arguments, exercises the student's code, and returns plain data (numbers,
lists, numpy arrays). Hidden tests call ``student.drive("name", ...)``; the
self-check calls the same function in the student's own kernel.
"""

import numpy as np


def sgd_trajectory(student, w0, grads, lr, momentum=0.0, weight_decay=0.0, decoupled=False):
    """Feed the student's ``sgd_step`` the gradients ``grads[0], grads[1], ...`` in turn,
    threading the buffer from one step to the next (``None`` before the first step).

    Returns ``(iterates, buffers)``: two arrays of shape ``(len(grads), d)``, the
    parameters and the momentum buffer after each step.
    """
    params = np.array(w0, dtype=float)
    state = None  # no momentum buffer before the first step
    iterates, buffers = [], []
    for g in grads:
        params, state = student.sgd_step(params, np.array(g, dtype=float), state, lr,
                                         momentum=momentum, weight_decay=weight_decay,
                                         decoupled=decoupled)
        iterates.append(np.array(params, dtype=float))
        buffers.append(np.array(state, dtype=float))
    return np.array(iterates), np.array(buffers)
