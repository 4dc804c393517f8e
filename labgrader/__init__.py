"""labgrader: release, self-check and grade the course's labs.

An instructor tool, kept apart from :mod:`normlib` so that a student's
``import normlib`` never pulls in grading code. The pieces, one concept each:

================  =============================================================
``lab``           a lab folder: ``lab.toml``, notebook, public and hidden tests
``release``       the student version of a lab (solutions out, leak check)
``labcheck``      the standalone self-check shipped next to the student notebook
``notebook``      reading a submitted ``.ipynb`` defensively
``protocol``      the JSON messages between grader and worker (arrays without pickle)
``launch``        how the untrusted worker process is started (sandboxed or not)
``sandbox``       its own uid, bubblewrap, prlimit; the image the worker sees
``worker``        the untrusted process that runs a submission's code
``proxy``         the ``student`` object hidden tests call; restarts dead workers
``plugin``        the pytest plugin: ``student`` fixture, points, outcomes
``checks``        shape-strict assertions for hidden tests
``runner``        grades one submission in a fresh trusted process
``gradebook``     the SQLite gradebook: current grades and history
``report``        grades.csv, student feedback, instructor details, Gradescope
``grade``         grades many submissions in parallel
``validate``      checks a lab end to end (solution full marks, student zero)
``cli``           the ``labgrader`` command
================  =============================================================

See ``docs/instructor-guide.md``.
"""

__version__ = "0.1.0"
