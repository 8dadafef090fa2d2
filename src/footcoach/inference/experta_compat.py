"""Make experta importable on Python >= 3.10.

experta 1.9.4 (the last release) pins ``frozendict==1.2``, which still imports
``collections.Mapping``; those aliases were removed in Python 3.10.  Restoring
them before experta is imported lets a plain ``pip install`` work.
"""

import collections
import collections.abc

for _name in (
    "Mapping",
    "MutableMapping",
    "Sequence",
    "MutableSequence",
    "Iterable",
    "Hashable",
    "Callable",
    "Set",
    "MutableSet",
    "Iterator",
):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import experta  # noqa: E402,F401  (imported here so every caller gets the patched module)
