"""Nested structures with Keras 3's ``tree`` semantics: lists, tuples and dicts nest (dicts in
sorted-key order, namedtuples as tuples of their own type), None is a leaf. Built on the
single-structure ``flatten`` / ``pack_like`` of ``symbolic.py``; these are the multi-structure
helpers that ``compile()`` and the training engine use to pair outputs with losses and metrics."""

from .symbolic import flatten, pack_like

__all__ = ["is_nested", "assert_same_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "lists_to_tuples"]


def is_nested(x):
    """Whether ``x`` is a list, tuple or dict (anything else is a leaf)."""
    return isinstance(x, (list, tuple, dict))


def _kind(x):
    if isinstance(x, dict):
        return dict
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple
    return list if isinstance(x, list) else type(x)


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def assert_same_structure(a, b):
    """Raise ValueError unless ``a`` and ``b`` nest alike (list vs tuple counts, as in optree)."""
    if not is_nested(a) and not is_nested(b):
        return
    if not (is_nested(a) and is_nested(b)) or _kind(a) is not _kind(b) or len(a) != len(b) or (
            isinstance(a, dict) and set(a) != set(b)):
        raise ValueError("Structures don't have the same nested structure.")
    for x, y in zip(_children(a), _children(b)):
        assert_same_structure(x, y)


def map_structure(fn, *structures):
    """``fn`` applied leaf by leaf over structures of the same nesting (the first's shape)."""
    first = structures[0]
    for other in structures[1:]:
        assert_same_structure(first, other)
    flat = [flatten(s) for s in structures]
    return pack_like(first, [fn(*leaves) for leaves in zip(*flat)])


def map_structure_up_to(shallow, fn, *structures):
    """``fn`` on the subtrees of ``structures`` found at the leaves of ``shallow``."""
    if not is_nested(shallow):
        return fn(*structures)
    for s in structures:
        if not is_nested(s) or _kind(s) is not _kind(shallow) or len(s) != len(shallow) or (
                isinstance(s, dict) and set(s) != set(shallow)):
            raise ValueError("Structures don't have the same nested structure.")
    if isinstance(shallow, dict):
        return {k: map_structure_up_to(shallow[k], fn, *[s[k] for s in structures])
                for k in shallow}
    items = [map_structure_up_to(sh, fn, *[s[i] for s in structures])
             for i, sh in enumerate(shallow)]
    return tuple(items) if isinstance(shallow, tuple) else items


def pack_sequence_as(structure, flat_sequence):
    """``structure`` with its leaves replaced, in flatten order, by ``flat_sequence``."""
    flat_sequence = list(flat_sequence)
    if len(flatten(structure)) != len(flat_sequence):
        raise ValueError(f"The target structure has {len(flatten(structure))} leaves but the "
                         f"flat sequence has {len(flat_sequence)} values.")
    return pack_like(structure, flat_sequence)


def lists_to_tuples(x):
    """``x`` with every list turned into a tuple (dicts keep their keys)."""
    if isinstance(x, dict):
        return {k: lists_to_tuples(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return tuple(lists_to_tuples(v) for v in x)
    return x
