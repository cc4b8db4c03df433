/* Fused CPU kernels: the multi-tensor optimizer updates in one pass over memory.
 *
 * Compiled on first use with the system's C compiler (cpu_native.py); the NumPy twins in
 * optimizer_twins.py are the reference and the fallback. Each loop performs exactly the twin's
 * IEEE operations in the twin's order, and the build turns floating-point contraction off, so
 * results equal the twins bit for bit; only the 12 memory passes the twin makes become one.
 *
 * One signature for every update: (w, g, a, b, c, n, hyper, flag) with w the parameter, g its
 * gradient, a/b/c the slots (NULL when unused), n the element count, hyper the rule's
 * hyper-parameters in the parameter's dtype, and flag a switch of the rule (Nesterov).
 */
#include <math.h>
#include <stddef.h>

/* Adam: a = m, b = v, c = v_hat (AMSGrad) or NULL; hyper = alpha, 1-b1, 1-b2, epsilon, decay. */
#define DEFINE_ADAM(NAME, T, SQRT)                                                           \
    void NAME(T *w, const T *g, T *m, T *v, T *vh, ptrdiff_t n, const T *h, int flag) {       \
        const T alpha = h[0], omb1 = h[1], omb2 = h[2], eps = h[3], decay = h[4];            \
        (void)flag;                                                                          \
        for (ptrdiff_t i = 0; i < n; i++) {                                                  \
            T wi = w[i];                                                                     \
            if (decay != 0) wi = wi - wi * decay;                                            \
            const T gi = g[i];                                                               \
            const T mi = m[i] + (gi - m[i]) * omb1;                                          \
            T vi = v[i] + (gi * gi - v[i]) * omb2;                                           \
            m[i] = mi;                                                                       \
            v[i] = vi;                                                                       \
            if (vh) { /* NaN-propagating max, as np.maximum */                                \
                const T hi = vh[i];                                                          \
                if (hi > vi || hi != hi) vi = hi;                                            \
                vh[i] = vi;                                                                  \
            }                                                                                \
            w[i] = wi - (mi * alpha) / (SQRT(vi) + eps);                                     \
        }                                                                                    \
    }

/* SGD: a = momentum slot or NULL; hyper = lr, momentum, decay; flag = Nesterov. */
#define DEFINE_SGD(NAME, T)                                                                  \
    void NAME(T *w, const T *g, T *m, T *unused1, T *unused2, ptrdiff_t n, const T *h,       \
              int nesterov) {                                                                \
        const T lr = h[0], momentum = h[1], decay = h[2];                                    \
        (void)unused1;                                                                       \
        (void)unused2;                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                  \
            T wi = w[i];                                                                     \
            if (decay != 0) wi = wi - wi * decay;                                            \
            const T lr_g = g[i] * lr;                                                        \
            if (!m) {                                                                        \
                w[i] = wi - lr_g;                                                            \
                continue;                                                                    \
            }                                                                                \
            const T mi = m[i] * momentum - lr_g;                                             \
            m[i] = mi;                                                                       \
            w[i] = nesterov ? wi + (mi * momentum - lr_g) : wi + mi;                         \
        }                                                                                    \
    }

/* RMSprop: a = v, b = momentum slot or NULL, c = centered average or NULL;
 * hyper = lr, rho, 1-rho, momentum, epsilon, decay. */
#define DEFINE_RMSPROP(NAME, T, SQRT)                                                        \
    void NAME(T *w, const T *g, T *v, T *m, T *avg, ptrdiff_t n, const T *h, int flag) {     \
        const T lr = h[0], rho = h[1], omr = h[2], momentum = h[3], eps = h[4], decay = h[5]; \
        (void)flag;                                                                          \
        for (ptrdiff_t i = 0; i < n; i++) {                                                  \
            T wi = w[i];                                                                     \
            if (decay != 0) wi = wi - wi * decay;                                            \
            const T gi = g[i];                                                               \
            const T vi = v[i] * rho + (gi * gi) * omr;                                       \
            v[i] = vi;                                                                       \
            T den;                                                                           \
            if (avg) {                                                                       \
                const T ai = avg[i] * rho + gi * omr;                                        \
                avg[i] = ai;                                                                 \
                den = (vi - ai * ai) + eps;                                                  \
            } else {                                                                         \
                den = vi + eps;                                                              \
            }                                                                                \
            const T inc = (gi * lr) / SQRT(den);                                             \
            if (m) {                                                                         \
                const T mi = m[i] * momentum + inc;                                          \
                m[i] = mi;                                                                   \
                w[i] = wi - mi;                                                              \
            } else {                                                                         \
                w[i] = wi - inc;                                                             \
            }                                                                                \
        }                                                                                    \
    }

DEFINE_ADAM(adam_float32, float, sqrtf)
DEFINE_ADAM(adam_float64, double, sqrt)
DEFINE_SGD(sgd_float32, float)
DEFINE_SGD(sgd_float64, double)
DEFINE_RMSPROP(rmsprop_float32, float, sqrtf)
DEFINE_RMSPROP(rmsprop_float64, double, sqrt)
