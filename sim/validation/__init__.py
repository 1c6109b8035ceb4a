"""Validation of the baseline: stylized facts, comparative statics, cost checks, parameter table.

``replicate`` runs seeded replications in parallel; ``facts`` turns each into
the measurements of DOMAIN.md s4; ``statics`` runs paired experiments for the
causal claims of DOMAIN.md s3; ``report`` prints and writes the results;
``params`` lists every schema field for docs/MODEL.md. The command is
:mod:`sim.validate`.
"""
