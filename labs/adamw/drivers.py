"""Drivers: small trusted helpers that run inside the grading worker.

A driver receives ``student`` (the notebook's names, by attribute) and plain
arguments, exercises the student's code, and returns plain data (numbers,
lists, numpy arrays). Hidden tests call ``student.drive("name", ...)``; the
self-check calls the same function in the student's own kernel.
"""

import numpy as np


def _run(student, w0, grads, options):
    optimizer = student.Adam(**options)
    params = np.array(w0, dtype=float)
    iterates = []
    for gradient in grads:
        params = optimizer.step(params, np.array(gradient, dtype=float))
        iterates.append(np.array(params, dtype=float))
    return optimizer, np.array(iterates)


def adam_trajectory(student, w0, grads, **options):
    """Build the student's ``Adam(**options)`` and feed it ``grads[0], grads[1], ...``.

    Returns a dict: ``iterates`` (shape ``(len(grads), d)``, the parameters after
    each step) and the optimizer's final state ``m``, ``v`` and ``t``.
    """
    optimizer, iterates = _run(student, w0, grads, options)
    return {"iterates": iterates, "m": np.array(optimizer.m, dtype=float),
            "v": np.array(optimizer.v, dtype=float), "t": int(optimizer.t)}


def adam_shrinkage(student, w0, grads, **options):
    """Run the student's ``Adam(**options)`` on ``grads``; return its ``effective_shrinkage``."""
    optimizer, _ = _run(student, w0, grads, options)
    return np.array(student.effective_shrinkage(optimizer), dtype=float)
