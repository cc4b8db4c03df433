/* Fused CPU kernels: the multi-tensor optimizer updates (all but Ftrl, whose powers stay with
 * NumPy) and bias + piecewise-linear activation forward and backward, each in one pass over
 * memory.
 *
 * Compiled on first use with the system's C compiler (cpu_native.py); the NumPy twins
 * (optimizer_twins.py, twins.py) are the reference and the fallback. Each loop performs
 * exactly the twin's IEEE operations in the twin's order, and the build turns floating-point
 * contraction off, so results equal the twins bit for bit; only the twin's memory passes
 * (twelve for Adam, two or three for an activation) and temporaries become one pass.
 *
 * One signature for every optimizer update: (w, g, a, b, c, n, hyper, flag) with w the
 * parameter, g its gradient, a/b/c the slots (NULL when unused), n the element count, hyper the
 * rule's hyper-parameters in the parameter's dtype, and flag a switch of the rule (Nesterov).
 */
#include <math.h>
#include <stddef.h>

/* np.maximum / np.minimum: NaN propagates, and equal values (-0.0 vs 0.0) give the second
 * operand, as NumPy's loops do. Functions, so nested uses evaluate each operand once. */
static inline float max_float(float a, float b) { return (a > b || a != a) ? a : b; }
static inline float min_float(float a, float b) { return (a < b || a != a) ? a : b; }
static inline double max_double(double a, double b) { return (a > b || a != a) ? a : b; }
static inline double min_double(double a, double b) { return (a < b || a != a) ? a : b; }
static inline float sqrt_float(float x) { return sqrtf(x); }
static inline double sqrt_double(double x) { return sqrt(x); }

/* Adam: a = m, b = v, c = v_hat (AMSGrad) or NULL; hyper = alpha, 1-b1, 1-b2, epsilon, decay. */
#define DEFINE_ADAM(NAME, T)                                                                  \
    void NAME(T *w, const T *g, T *m, T *v, T *vh, ptrdiff_t n, const T *h, int flag) {       \
        const T alpha = h[0], omb1 = h[1], omb2 = h[2], eps = h[3], decay = h[4];             \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            T wi = w[i];                                                                      \
            if (decay != 0) wi = wi - wi * decay;                                             \
            const T gi = g[i];                                                                \
            const T mi = m[i] + (gi - m[i]) * omb1;                                           \
            T vi = v[i] + (gi * gi - v[i]) * omb2;                                            \
            m[i] = mi;                                                                        \
            v[i] = vi;                                                                        \
            if (vh) { /* NaN-propagating max, as np.maximum */                                \
                const T hi = vh[i];                                                           \
                if (hi > vi || hi != hi) vi = hi;                                             \
                vh[i] = vi;                                                                   \
            }                                                                                 \
            w[i] = wi - (mi * alpha) / (sqrt_##T(vi) + eps);                                  \
        }                                                                                     \
    }

/* SGD: a = momentum slot or NULL; hyper = lr, momentum, decay; flag = Nesterov. */
#define DEFINE_SGD(NAME, T)                                                                   \
    void NAME(T *w, const T *g, T *m, T *unused1, T *unused2, ptrdiff_t n, const T *h,        \
              int nesterov) {                                                                 \
        const T lr = h[0], momentum = h[1], decay = h[2];                                     \
        (void)unused1;                                                                        \
        (void)unused2;                                                                        \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            T wi = w[i];                                                                      \
            if (decay != 0) wi = wi - wi * decay;                                             \
            const T lr_g = g[i] * lr;                                                         \
            if (!m) {                                                                         \
                w[i] = wi - lr_g;                                                             \
                continue;                                                                     \
            }                                                                                 \
            const T mi = m[i] * momentum - lr_g;                                              \
            m[i] = mi;                                                                        \
            w[i] = nesterov ? wi + (mi * momentum - lr_g) : wi + mi;                          \
        }                                                                                     \
    }

/* RMSprop: a = v, b = momentum slot or NULL, c = centered average or NULL;
 * hyper = lr, rho, 1-rho, momentum, epsilon, decay. */
#define DEFINE_RMSPROP(NAME, T)                                                               \
    void NAME(T *w, const T *g, T *v, T *m, T *avg, ptrdiff_t n, const T *h, int flag) {      \
        const T lr = h[0], rho = h[1], omr = h[2], momentum = h[3], eps = h[4], decay = h[5]; \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            T wi = w[i];                                                                      \
            if (decay != 0) wi = wi - wi * decay;                                             \
            const T gi = g[i];                                                                \
            const T vi = v[i] * rho + (gi * gi) * omr;                                        \
            v[i] = vi;                                                                        \
            T den;                                                                            \
            if (avg) {                                                                        \
                const T ai = avg[i] * rho + gi * omr;                                         \
                avg[i] = ai;                                                                  \
                den = (vi - ai * ai) + eps;                                                   \
            } else {                                                                          \
                den = vi + eps;                                                               \
            }                                                                                 \
            const T inc = (gi * lr) / sqrt_##T(den);                                          \
            if (m) {                                                                          \
                const T mi = m[i] * momentum + inc;                                           \
                m[i] = mi;                                                                    \
                w[i] = wi - mi;                                                               \
            } else {                                                                          \
                w[i] = wi - inc;                                                              \
            }                                                                                 \
        }                                                                                     \
    }

/* Adagrad: a = accumulator; hyper = lr, epsilon. */
#define DEFINE_ADAGRAD(NAME, T)                                                               \
    void NAME(T *w, const T *g, T *acc, T *unused1, T *unused2, ptrdiff_t n, const T *h,      \
              int flag) {                                                                     \
        const T lr = h[0], eps = h[1];                                                        \
        (void)unused1;                                                                        \
        (void)unused2;                                                                        \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            const T gi = g[i];                                                                \
            const T ai = acc[i] + gi * gi;                                                    \
            acc[i] = ai;                                                                      \
            w[i] = w[i] - (gi * lr) / sqrt_##T(ai + eps);                                     \
        }                                                                                     \
    }

/* Adamax: a = m, b = u; hyper = lr, 1-b1, b2, epsilon, 1-b1^t. */
#define DEFINE_ADAMAX(NAME, T)                                                                \
    void NAME(T *w, const T *g, T *m, T *u, T *unused, ptrdiff_t n, const T *h, int flag) {   \
        const T lr = h[0], omb1 = h[1], b2 = h[2], eps = h[3], omb1p = h[4];                  \
        (void)unused;                                                                         \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            const T gi = g[i];                                                                \
            const T mi = m[i] + (gi - m[i]) * omb1;                                           \
            const T ui = max_##T(u[i] * b2, gi < 0 ? -gi : gi);                               \
            m[i] = mi;                                                                        \
            u[i] = ui;                                                                        \
            w[i] = w[i] - (mi * lr) / ((ui + eps) * omb1p);                                   \
        }                                                                                     \
    }

/* Lion: a = m; hyper = lr, b1, 1-b1, b2, 1-b2 (np.sign: NaN and +-0 stay as they are). */
#define DEFINE_LION(NAME, T)                                                                  \
    void NAME(T *w, const T *g, T *m, T *unused1, T *unused2, ptrdiff_t n, const T *h,        \
              int flag) {                                                                     \
        const T lr = h[0], b1 = h[1], omb1 = h[2], b2 = h[3], omb2 = h[4];                    \
        (void)unused1;                                                                        \
        (void)unused2;                                                                        \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            const T gi = g[i], mi = m[i];                                                     \
            const T t = mi * b1 + gi * omb1;                                                  \
            const T sign = t > 0 ? (T)1 : (t < 0 ? (T)-1 : t);                                \
            w[i] = w[i] - sign * lr;                                                          \
            m[i] = mi * b2 + gi * omb2;                                                       \
        }                                                                                     \
    }

/* Nadam: a = m, b = v; hyper = lr, 1-b1, 1-b2, u_{t+1}, 1-u_t, 1-prod_t, 1-prod_{t+1}, 1-b2^t,
 * epsilon. */
#define DEFINE_NADAM(NAME, T)                                                                 \
    void NAME(T *w, const T *g, T *m, T *v, T *unused, ptrdiff_t n, const T *h, int flag) {   \
        const T lr = h[0], omb1 = h[1], omb2 = h[2], u_t_1 = h[3], om_u_t = h[4];             \
        const T om_up_t = h[5], om_up_t_1 = h[6], om_b2p = h[7], eps = h[8];                  \
        (void)unused;                                                                         \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            const T gi = g[i];                                                                \
            const T mi = m[i] + (gi - m[i]) * omb1;                                           \
            const T vi = v[i] + (gi * gi - v[i]) * omb2;                                      \
            m[i] = mi;                                                                        \
            v[i] = vi;                                                                        \
            const T m_hat = (mi * u_t_1) / om_up_t_1 + (gi * om_u_t) / om_up_t;               \
            w[i] = w[i] - (m_hat * lr) / (sqrt_##T(vi / om_b2p) + eps);                       \
        }                                                                                     \
    }

/* Adadelta: a = accumulated gradients, b = accumulated deltas; hyper = lr, rho, 1-rho, eps. */
#define DEFINE_ADADELTA(NAME, T)                                                              \
    void NAME(T *w, const T *g, T *ag, T *ad, T *unused, ptrdiff_t n, const T *h, int flag) { \
        const T lr = h[0], rho = h[1], omr = h[2], eps = h[3];                                \
        (void)unused;                                                                         \
        (void)flag;                                                                           \
        for (ptrdiff_t i = 0; i < n; i++) {                                                   \
            const T gi = g[i];                                                                \
            const T agi = ag[i] * rho + (gi * gi) * omr;                                      \
            const T adi = ad[i];                                                              \
            const T delta = -((sqrt_##T(adi + eps) * gi) / sqrt_##T(agi + eps));              \
            ag[i] = agi;                                                                      \
            ad[i] = adi * rho + (delta * delta) * omr;                                        \
            w[i] = w[i] + delta * lr;                                                         \
        }                                                                                     \
    }

/* Each kernel for float32 and float64 arrays: <name>_float32, <name>_float64. */
#define FOR_FLOAT_TYPES(DEFINE, NAME) DEFINE(NAME##_float32, float) DEFINE(NAME##_float64, double)

FOR_FLOAT_TYPES(DEFINE_ADAM, adam)
FOR_FLOAT_TYPES(DEFINE_SGD, sgd)
FOR_FLOAT_TYPES(DEFINE_RMSPROP, rmsprop)
FOR_FLOAT_TYPES(DEFINE_ADAGRAD, adagrad)
FOR_FLOAT_TYPES(DEFINE_LION, lion)
FOR_FLOAT_TYPES(DEFINE_NADAM, nadam)
FOR_FLOAT_TYPES(DEFINE_ADADELTA, adadelta)
FOR_FLOAT_TYPES(DEFINE_ADAMAX, adamax)

/* Piecewise-linear activations (kind): 0 linear, 1 relu, 2 relu6, 3 leaky_relu (slope alpha,
 * used only when nonzero, as in the twin). Each kind gets its own loop so that it vectorizes. */
#define RELU(T, t) max_##T(t, (T)0)
#define RELU6(T, t) min_##T(max_##T(t, (T)0), (T)6)
#define LEAKY(T, t) (max_##T(t, (T)0) + alpha * min_##T(t, (T)0))

#define FOR_ROWS(T, EXPR)                                                                     \
    for (ptrdiff_t r = 0; r < rows; r++) {                                                    \
        const T *xr = x + r * cols;                                                           \
        T *yr = y + r * cols;                                                                 \
        for (ptrdiff_t c = 0; c < cols; c++) {                                                \
            const T t = xr[c] + bias[c];                                                      \
            yr[c] = EXPR;                                                                     \
        }                                                                                     \
    }

/* y = act(x + bias) over a (rows, cols) row-major x, bias along the last axis. */
#define DEFINE_BIAS_ACT(NAME, T)                                                              \
    void NAME(const T *x, const T *bias, T *y, ptrdiff_t rows, ptrdiff_t cols, int kind,      \
              T alpha) {                                                                      \
        if (kind == 1 || (kind == 3 && alpha == 0)) {                                         \
            FOR_ROWS(T, RELU(T, t))                                                           \
        } else if (kind == 2) {                                                               \
            FOR_ROWS(T, RELU6(T, t))                                                          \
        } else if (kind == 3) {                                                               \
            FOR_ROWS(T, LEAKY(T, t))                                                          \
        } else {                                                                              \
            FOR_ROWS(T, t)                                                                    \
        }                                                                                     \
    }

/* dx = g * act'(x) for kinds 1-3, with x the forward input or, for these kinds, its output
 * (same sign pattern): relu g*(x>0), relu6 g*(0<x<6), leaky g*m + (g*alpha)*!m. */
#define DEFINE_ACT_GRAD(NAME, T)                                                              \
    void NAME(const T *g, const T *x, T *dx, ptrdiff_t n, int kind, T alpha) {                \
        if (kind == 1) {                                                                      \
            for (ptrdiff_t i = 0; i < n; i++) dx[i] = g[i] * (T)(x[i] > 0);                   \
        } else if (kind == 2) {                                                               \
            for (ptrdiff_t i = 0; i < n; i++) dx[i] = g[i] * (T)(x[i] > 0 && x[i] < 6);       \
        } else {                                                                              \
            for (ptrdiff_t i = 0; i < n; i++) {                                               \
                const T m = (T)(x[i] > 0);                                                    \
                dx[i] = g[i] * m + (g[i] * alpha) * ((T)1 - m);                               \
            }                                                                                 \
        }                                                                                     \
    }

FOR_FLOAT_TYPES(DEFINE_BIAS_ACT, bias_act)
FOR_FLOAT_TYPES(DEFINE_ACT_GRAD, act_grad)
