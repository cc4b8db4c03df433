"""NumPy twins of the fused GPU kernels: the CPU implementation and the GPU tests' reference.

Every function here has the signature of the CUDA kernel of the same name (``gpu.py``); the
NumPy backend answers ``kernel(name)`` with ``getattr(twins, name)``. Twins take and return raw
NumPy arrays (never Tensors), keep the input's dtype (float16 is computed in float32), are
vectorised, and are written so that no input, however large, raises an overflow or invalid
RuntimeWarning: exponentials only ever see non-positive arguments and powers see clipped ones.

Activation names (``act``): relu, relu6, leaky_relu (slope ``alpha``), elu (``alpha``), selu,
gelu (exact, erf-based), gelu_tanh (tanh approximation), silu, softplus, softsign, sigmoid,
hard_sigmoid (Keras 3: ``relu6(x + 3) / 6``; Keras 2 used ``clip(0.2 x + 0.5, 0, 1)``), tanh,
linear.
"""

import math

import numpy as np

__all__ = ["matmul", "activation_forward", "activation_backward", "bias_activation_forward",
           "softmax_forward", "softmax_backward", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy", "erf"]

ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu",
               "softplus", "softsign", "sigmoid", "hard_sigmoid", "tanh", "linear")

_ALIASES = {"swish": "silu"}
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715
# Beyond |x| = 20 the tanh-GELU gate is exactly 0 or 1 in float64, so clipping there is exact.
_GELU_CLIP = 20.0
# Beyond |x| = 40 the normal density (and Phi(-x)) underflows to 0 in float64.
_PDF_CLIP = 40.0
# Beyond |x| = 800 sigmoid is exactly 0 or 1 in float64.
_SIGMOID_ZERO = 800.0



def matmul(a, b):
    """``a @ b`` (BLAS); the GPU's version calls cuBLAS itself."""
    return np.matmul(a, b)

def _compute_dtype(x, what):
    """The float dtype a twin computes in: float16 -> float32, float32/float64 unchanged."""
    if x.dtype.kind != "f":
        raise TypeError(f"{what}: expected a floating-point array, got dtype {x.dtype}")
    return np.float32 if x.dtype.itemsize < 4 else x.dtype


def _select(mask, a, b):
    """``where(mask, a, b)`` for finite float arrays a and b, as arithmetic: np.where is several
    times slower on unpredictable masks, and a * 1 + b * 0 is exactly a."""
    return a * mask + b * ~mask


def _sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp only sees -|x| (in place: temporaries cost)."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    m = x >= 0
    out = e * ~m
    out += m                   # e for x < 0, 1 for x >= 0
    e += 1.0
    out /= e
    return out


def _softplus(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), exact for large |x|."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# -- erf / erfc (W. J. Cody, "Rational Chebyshev approximations for the error function", 1969) ---
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_ERF_SPLIT = 0.46875
# erfc(x) underflows to 0 in float64 beyond x ~ 26.6; clipping the large branch at 30 is exact.
_ERFC_CLIP = 30.0
_RSQRT_PI = 0.5641895835477562869480794515607725858440


def _ratio(t, num, den):
    """Cody's rational function of t, by Horner's rule in place (temporaries are costly):
    ((num[-1] t + num[0]) t + ... + num[n-1]) / ((t + den[0]) t + ... + den[n-1]), n = len(den)."""
    n = len(den)
    top = t * num[-1]
    bottom = t.copy()
    for i in range(n - 1):
        top += num[i]
        top *= t
        bottom += den[i]
        bottom *= t
    top += num[n - 1]
    bottom += den[n - 1]
    top /= bottom
    return top


def _erf_small(y):
    """erf(y) for |y| <= 0.46875: y * P(y^2) / Q(y^2)."""
    r = _ratio(y * y, _ERF_A, _ERF_B)
    r *= y
    return r


def _exp_neg_square(y):
    """exp(-y^2) with Cody's argument split, so the rounding of y^2 is not magnified."""
    head = y * 16.0
    np.trunc(head, out=head)
    head /= 16.0
    tail = y - head
    tail *= y + head          # y^2 = head^2 + tail, head^2 exact
    head *= head
    np.negative(head, out=head)
    np.exp(head, out=head)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    head *= tail
    return head


def _erfc_positive(y):
    """erfc(y) for y >= 0.46875 (two rational approximations, split at 4)."""
    r = _ratio(np.minimum(y, 4.0), _ERF_C, _ERF_D)
    large = y > 4.0
    if large.any():
        r = _select(large, _erfc_large(y), r)
    r *= _exp_neg_square(np.minimum(y, _ERFC_CLIP))
    return r


def _erfc_large(y):
    """erfc(y) * exp(y^2) for y > 4 (asymptotic rational form in 1 / y^2)."""
    yl = np.clip(y, 4.0, _ERFC_CLIP)
    z = 1.0 / (yl * yl)
    r = _ratio(z, _ERF_P, _ERF_Q)
    r *= z
    np.subtract(_RSQRT_PI, r, out=r)
    r /= yl
    return r


def _erf_parts(x):
    """(small, ax, erfc(|x|)) shared by erf and erfc; x is a float array in its compute dtype."""
    ax = np.abs(x)
    small = ax <= _ERF_SPLIT
    tail = _erfc_positive(np.maximum(ax, _ERF_SPLIT))
    return small, ax, tail


def erf(x):
    """The error function, elementwise, accurate to float64 rounding (Cody's algorithm)."""
    x = np.asarray(x)
    ct = _compute_dtype(x, "erf")
    xc = x.astype(ct, copy=False)
    small, ax, tail = _erf_parts(xc)
    big = np.copysign(1.0 - tail, xc)
    out = _select(small, _erf_small(np.clip(xc, -_ERF_SPLIT, _ERF_SPLIT)), big)
    return out.astype(x.dtype, copy=False)


def erfc(x):
    """1 - erf(x), accurate in the tails too (a helper of the twins, not a GPU kernel)."""
    x = np.asarray(x)
    ct = _compute_dtype(x, "erfc")
    xc = x.astype(ct, copy=False)
    small, ax, tail = _erf_parts(xc)
    big = _select(xc < 0, 2.0 - tail, tail)
    out = _select(small, 1.0 - _erf_small(np.clip(xc, -_ERF_SPLIT, _ERF_SPLIT)), big)
    return out.astype(x.dtype, copy=False)


def _normal_cdf(x):
    """Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails."""
    return 0.5 * erfc(x * -_SQRT1_2)


def _normal_pdf(x):
    xc = np.clip(x, -_PDF_CLIP, _PDF_CLIP)
    return np.exp(-0.5 * xc * xc) * _INV_SQRT_2PI


# -- activations ---------------------------------------------------------------------------------
def _gelu_tanh_gate(x):
    """(clipped x, sigmoid(2u)) for u = sqrt(2/pi) (x + 0.044715 x^3): 0.5 (1 + tanh u)."""
    xc = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
    u = _GELU_C * (xc + _GELU_K * xc * xc * xc)
    return xc, _sigmoid(2.0 * u)


def _forward(act, x, alpha):
    if act == "relu":
        return np.maximum(x, 0)
    if act == "relu6":
        return np.minimum(np.maximum(x, 0), 6)
    if act == "leaky_relu":  # max(x, 0) + alpha min(x, 0): one of the terms is exactly 0
        return np.maximum(x, 0) + alpha * np.minimum(x, 0) if alpha else np.maximum(x, 0)
    if act == "elu":
        return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))
    if act == "selu":
        with np.errstate(over="ignore"):  # scale * x beyond the float range is inf, rightly
            return SELU_SCALE * (np.maximum(x, 0) + SELU_ALPHA * np.expm1(np.minimum(x, 0)))
    if act == "gelu":  # Phi(x) is exactly 0 below -40, so clipping x there keeps -inf finite
        return np.maximum(x, -_PDF_CLIP) * _normal_cdf(x)
    if act == "gelu_tanh":
        xm = np.maximum(x, -_GELU_CLIP)
        return xm * _gelu_tanh_gate(xm)[1]
    if act == "silu":
        return np.maximum(x, -_SIGMOID_ZERO) * _sigmoid(x)
    if act == "softplus":
        return _softplus(x)
    if act == "softsign":
        big = np.finfo(x.dtype).max
        xc = np.clip(x, -big, big)
        return xc / (1 + np.abs(xc))
    if act == "sigmoid":
        return _sigmoid(x)
    if act == "hard_sigmoid":
        return np.clip(x + 3, 0, 6) / 6
    if act == "tanh":
        return np.tanh(x)
    if act == "linear":
        return x
    raise ValueError(f"unknown activation {act!r}; expected one of {', '.join(ACTIVATIONS)}")


def _backward(act, g, x, y, alpha):
    if act == "relu":  # g * mask, as TensorFlow's ReluGrad
        return g * (x > 0)
    if act == "relu6":
        return g * ((x > 0) & (x < 6))
    if act == "leaky_relu":
        m = x > 0
        return g * m + (g * alpha) * ~m
    if act == "elu":  # TensorFlow's EluGrad: the negative branch where the output is negative
        neg = x < 0
        return g * ~neg + (g * (np.minimum(y, 0) + alpha)) * neg
    if act == "selu":
        neg = x < 0
        return (g * SELU_SCALE) * ~neg + (g * (np.minimum(y, 0) + SELU_SCALE * SELU_ALPHA)) * neg
    if act == "gelu":
        xc = np.clip(x, -_PDF_CLIP, _PDF_CLIP)
        return g * (_normal_cdf(x) + xc * _normal_pdf(xc))
    if act == "gelu_tanh":
        xc, s = _gelu_tanh_gate(x)
        du = 2.0 * _GELU_C * (1 + 3 * _GELU_K * xc * xc)
        return g * (s + xc * s * (1 - s) * du)
    if act == "silu":
        xc = np.clip(x, -_SIGMOID_ZERO, _SIGMOID_ZERO)
        s = _sigmoid(xc)
        return g * (s * (1 + xc * (1 - s)))
    if act == "softplus":
        return g * _sigmoid(x)
    if act == "softsign":
        d = 1 + np.abs(x)
        return g / d / d
    if act == "sigmoid":
        return g * (y * (1 - y))
    if act == "hard_sigmoid":
        return g * ((x > -3) & (x < 3)) / 6
    if act == "tanh":
        return g * (1 - y * y)
    if act == "linear":
        return g
    raise ValueError(f"unknown activation {act!r}; expected one of {', '.join(ACTIVATIONS)}")


def activation_forward(act, x, alpha=0.0):
    """y = act(x) elementwise (relu and relu6 also accept integer arrays)."""
    act = _ALIASES.get(act, act)
    x = np.asarray(x)
    if x.dtype.kind in "iu" and act in ("relu", "relu6", "linear"):
        return _forward(act, x, alpha)
    ct = _compute_dtype(x, f"activation_forward({act!r})")
    y = _forward(act, x.astype(ct, copy=False), float(alpha))
    return np.asarray(y).astype(x.dtype, copy=False)


def _backward_from_y(act, g, y, alpha):
    """g * act'(x) from the output alone, for the activations whose derivative allows it."""
    if act in ("relu", "relu6", "leaky_relu", "elu", "selu", "hard_sigmoid") and not (
            act in ("leaky_relu", "elu") and alpha < 0):
        # y has the sign of x (hard_sigmoid: its linear piece is 0 < y < 1).
        return _backward(act, g, _X_FROM_Y[act](y), y, alpha)
    if act == "softplus":  # sigmoid(x) = 1 - exp(-softplus(x))
        return g * -np.expm1(-y)
    if act == "softsign":  # 1 / (1 + |x|)^2 = (1 - |y|)^2
        return g * np.square(1 - np.abs(y))
    if act in ("sigmoid", "tanh", "linear"):
        return _backward(act, g, None, y, alpha)
    raise ValueError(f"activation_backward: the gradient of {act!r} needs the forward input x")


# Stand-ins for x with the sign pattern the masks in _backward test (only used without x).
_X_FROM_Y = {"relu": lambda y: y, "relu6": lambda y: y,
             "leaky_relu": lambda y: y, "elu": lambda y: y, "selu": lambda y: y,
             "hard_sigmoid": lambda y: np.where(y <= 0, -3, np.where(y >= 1, 3, 0))}


def activation_backward(act, g, x, y, alpha=0.0):
    """dx = g * act'(x), from the upstream gradient ``g``, the input ``x`` and the output ``y``.

    Either ``x`` or ``y`` may be None where the derivative can be had from the other (gelu,
    gelu_tanh and silu need ``x``), as in the GPU kernel.
    """
    act = _ALIASES.get(act, act)
    g = np.asarray(g)
    ct = _compute_dtype(g, f"activation_backward({act!r})")
    gc = g.astype(ct, copy=False)
    x = None if x is None else np.asarray(x).astype(ct, copy=False)
    y = None if y is None else np.asarray(y).astype(ct, copy=False)
    if x is None and y is None:
        raise ValueError("activation_backward: needs the forward input x or output y, got neither")
    if x is None:
        dx = _backward_from_y(act, gc, y, float(alpha))
    else:
        if y is None and act in ("elu", "selu", "sigmoid", "tanh"):
            y = _forward(act, x, float(alpha))
        dx = _backward(act, gc, x, y, float(alpha))
    return np.asarray(dx).astype(g.dtype, copy=False)


def bias_activation_forward(act, x, bias, alpha=0.0):
    """y = act(x + bias), with the 1-D ``bias`` added along the last axis."""
    x, bias = np.asarray(x), np.asarray(bias)
    if bias.ndim != 1 or x.ndim < 1 or bias.shape[0] != x.shape[-1]:
        raise ValueError(f"bias_activation_forward: bias of shape {bias.shape} does not match the "
                         f"last axis of x of shape {x.shape}")
    return activation_forward(act, x + bias.astype(x.dtype, copy=False), alpha)


# -- softmax and cross-entropy ----------------------------------------------------------------
# x - max(x) overflows to -inf only when a row spans more than the float range (exp gives the
# right 0 then); a row that is entirely -inf gives nan as in TensorFlow. Neither is an error.
_EDGE_CASES = dict(over="ignore", divide="ignore", invalid="ignore")


def _log_softmax(x):
    """log_softmax along the last axis in x's dtype."""
    m = np.max(x, axis=-1, keepdims=True)
    with np.errstate(**_EDGE_CASES):
        z = x - np.where(np.isfinite(m), m, 0)
        return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def softmax_forward(x, log=False):
    """softmax (or log_softmax when ``log``) along the last axis, max-shifted for stability."""
    x = np.asarray(x)
    ct = _compute_dtype(x, "softmax_forward")
    xc = x.astype(ct, copy=False)
    if log:
        y = _log_softmax(xc)
    else:
        m = np.max(xc, axis=-1, keepdims=True)
        with np.errstate(**_EDGE_CASES):
            e = np.exp(xc - np.where(np.isfinite(m), m, 0))
            y = e / np.sum(e, axis=-1, keepdims=True)
    return y.astype(x.dtype, copy=False)


def softmax_backward(g, y, log=False):
    """dx for softmax (``y * (g - sum(g y))``) or log_softmax (``g - exp(y) sum(g)``)."""
    g, y = np.asarray(g), np.asarray(y)
    ct = _compute_dtype(g, "softmax_backward")
    gc, yc = g.astype(ct, copy=False), y.astype(ct, copy=False)
    if log:
        dx = gc - np.exp(yc) * np.sum(gc, axis=-1, keepdims=True)
    else:
        dx = yc * (gc - np.sum(gc * yc, axis=-1, keepdims=True))
    return dx.astype(g.dtype, copy=False)


def softmax_cross_entropy(logits, labels):
    """(loss, dlogits): -sum(labels * log_softmax(logits)) per row and softmax - labels."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if labels.shape != logits.shape:
        raise ValueError(f"softmax_cross_entropy: labels of shape {labels.shape} must have the "
                         f"shape of logits, {logits.shape}")
    ct = _compute_dtype(logits, "softmax_cross_entropy")
    lsm = _log_softmax(logits.astype(ct, copy=False))
    lab = labels.astype(ct, copy=False)
    # 0 * log(0) counts as 0: a class with zero probability adds nothing even at -inf logits.
    loss = 0 - np.sum(lab * np.where(lab == 0, 0, lsm), axis=-1)  # 0 - s: no -0.0 losses
    dlogits = np.exp(lsm) - lab
    return loss.astype(logits.dtype, copy=False), dlogits.astype(logits.dtype, copy=False)


def sparse_softmax_cross_entropy(logits, labels):
    """(loss, dlogits) for integer class ``labels``: -log_softmax[label] and softmax - onehot."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"sparse_softmax_cross_entropy: labels must be integers, got "
                        f"{labels.dtype}")
    if logits.ndim < 1 or labels.shape != logits.shape[:-1]:
        raise ValueError(f"sparse_softmax_cross_entropy: labels of shape {labels.shape} must have "
                         f"the shape of logits {logits.shape} without its last axis")
    classes = logits.shape[-1]
    if labels.size:
        lo, hi = labels.min(), labels.max()
        if lo < 0 or hi >= classes:
            bad = lo if lo < 0 else hi
            raise ValueError(f"Received a label value of {bad} which is outside the valid range "
                             f"of [0, {classes})")
    ct = _compute_dtype(logits, "sparse_softmax_cross_entropy")
    lsm = _log_softmax(logits.astype(ct, copy=False))
    dlogits = np.exp(lsm)
    if labels.size:   # rows of (n, classes) views, indexed by (row, label) pairs
        rows, picked = np.arange(labels.size), labels.reshape(-1)
        loss = (0 - lsm.reshape(-1, classes)[rows, picked]).reshape(labels.shape)
        dlogits.reshape(-1, classes)[rows, picked] -= 1
    else:
        loss = np.zeros(labels.shape, lsm.dtype)
    return loss.astype(logits.dtype, copy=False), dlogits.astype(logits.dtype, copy=False)
