"""inference: facts and derivations, comparisons, the experta engine, decision and explanation.

Importing this package first makes experta importable (see :mod:`footcoach.inference.experta_compat`);
every module here that imports experta does so after this file has run, whatever the import order.
"""

from footcoach.inference import experta_compat as _experta_compat  # noqa: F401
