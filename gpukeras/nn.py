"""``tf.nn``: activations, softmax, normalisation helpers, dropout and the cross-entropy losses."""

from .ops.elementwise import sigmoid, tanh  # noqa: F401
from .ops.cross_entropy import (sigmoid_cross_entropy_with_logits,  # noqa: F401
                                softmax_cross_entropy_with_logits,
                                sparse_softmax_cross_entropy_with_logits)
from .ops.nn import (bias_add, dropout, elu, gelu, hard_sigmoid, l2_normalize, leaky_relu,  # noqa: F401
                     log_softmax, moments, relu, relu6, selu, silu, softmax, softplus, softsign,
                     swish)
