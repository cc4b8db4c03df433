"""The nested-structure helpers of compile() and the training engine (gpukeras.keras.tree)
against real Keras 3's ``keras.tree`` on the structures Keras models pass around."""

import collections

import pytest

from gpukeras.keras import tree
from gpukeras.keras.symbolic import flatten

K = pytest.importorskip("keras")

Pair = collections.namedtuple("Pair", "a b")

STRUCTURES = [
    1,
    None,
    [1, 2, 3],
    (1, [2, 3], {"b": 4, "a": 5}),
    {"out_2": [1, 2], "out_1": (3, None)},
    Pair(1, [2, {"z": 3, "y": 4}]),
]


@pytest.mark.parametrize("structure", STRUCTURES, ids=str)
def test_flatten_pack_and_map_follow_keras(structure):
    assert flatten(structure) == K.tree.flatten(structure)
    leaves = [f"v{i}" for i in range(len(flatten(structure)))]
    assert tree.pack_sequence_as(structure, leaves) == K.tree.pack_sequence_as(structure, leaves)
    double = (lambda x: None if x is None else 2 * x)
    assert tree.map_structure(double, structure) == K.tree.map_structure(double, structure)
    assert tree.is_nested(structure) == K.tree.is_nested(structure)
    assert tree.lists_to_tuples(structure) == K.tree.lists_to_tuples(structure)


def test_map_structure_pairs_leaves_of_several_structures():
    a, b = {"x": [1, 2], "y": 3}, {"x": [10, 20], "y": 30}
    assert tree.map_structure(lambda p, q: p + q, a, b) == K.tree.map_structure(
        lambda p, q: p + q, a, b) == {"x": [11, 22], "y": 33}


@pytest.mark.parametrize("a, b", [([1, 2], (1, 2)), ([1, 2], [1, 2, 3]), ({"a": 1}, {"b": 1}),
                                  ([1, [2]], [1, 2])])
def test_different_structures_raise_as_in_keras(a, b):
    with pytest.raises(ValueError):
        K.tree.assert_same_structure(a, b)
    with pytest.raises(ValueError, match="same nested structure"):
        tree.assert_same_structure(a, b)


def test_map_structure_up_to_stops_at_the_shallow_leaves():
    shallow, deep = [1, (2, 3)], [[1, 2], ([3], {"k": 4})]
    assert tree.map_structure_up_to(shallow, len, deep) == K.tree.map_structure_up_to(
        shallow, len, deep) == [2, (1, 1)]
    with pytest.raises(ValueError, match="same nested structure"):
        tree.map_structure_up_to([1, 2], len, [[1]])


def test_pack_sequence_as_counts_leaves():
    with pytest.raises(ValueError, match="2 leaves but the flat sequence has 3"):
        tree.pack_sequence_as([1, 2], [1, 2, 3])
