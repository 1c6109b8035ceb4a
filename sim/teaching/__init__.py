"""Teaching scenarios: lesson packs, the measures their questions are answered with,
running a pack, and the timeline of notable events shown in reports.

The command-line entry point is :mod:`sim.teach` (``baimo-teach``); reports are
built by :mod:`sim.report` and firm stories told by :mod:`sim.explain`.
"""
