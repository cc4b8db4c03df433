// Multi-tensor optimizer updates: ONE launch updates every parameter (and its slots) of a list of
// tensors of one dtype, in place. The classic multi-tensor-apply layout:
//   ptrs   : a device table of 8-byte addresses, K lists of n tensors one after another
//            (params, grads, then the optimizer's slots), built once per list by the loader;
//   meta   : int64 [sizes(n), block_starts(n + 1)]: block_starts is the prefix sum of each
//            tensor's chunk count (ceil(size / GK_OPT_CHUNK)); a block finds its tensor by a
//            binary search of it and its chunk is (block - block_starts[t]);
//   hyper  : the per-step hyper-parameters in device memory (float for 16-bit storage), so a
//            step never bakes host scalars into the launch (CUDA-graph friendly).
// Blocks stride over the chunk space (grid-stride), threads over a chunk's elements. Math is in
// the accumulation type and mirrors the optimizers' update rules operation by operation.
// NumPy twins: gpukeras/kernels/optimizer_twins.py (<name>_multi_update for adam, sgd, rmsprop,
// adagrad, adamax, lion, nadam, adadelta, ftrl).
// Entry-point names must match gpukeras/kernels/gpu.py.
#include "gk_common.cuh"

#define GK_OPT_CHUNK 4096

__device__ __forceinline__ float gk_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double gk_sqrt(double x) { return sqrt(x); }

// The tensor that chunk-block b belongs to: the largest t with block_starts[t] <= b (empty
// tensors have no blocks and are skipped because a later tensor starts at the same block).
__device__ __forceinline__ int gk_opt_tensor(const long long* __restrict__ block_starts, int n,
                                             long long b) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (block_starts[mid] <= b) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

template <class T>
__device__ __forceinline__ T* gk_opt_ptr(const unsigned long long* __restrict__ ptrs, int list,
                                         int n, int t) {
    return reinterpret_cast<T*>(ptrs[(long long)list * n + t]);
}

// Adam / AdamW (AMSGrad when amsgrad != 0). Lists: 0 params, 1 grads, 2 m, 3 v, 4 v_hat.
// hyper: alpha = lr sqrt(1 - b2^t) / (1 - b1^t), 1 - b1, 1 - b2, epsilon, decay (w -= decay w
// first, skipped when 0).
template <class T>
__device__ __forceinline__ void adam_multi(const unsigned long long* __restrict__ ptrs,
                                           const long long* __restrict__ meta, int n,
                                           const typename io<T>::acc* __restrict__ hyper,
                                           int amsgrad) {
    typedef typename io<T>::acc C;
    const long long* sizes = meta;
    const long long* starts = meta + n;
    const long long nblocks = starts[n];
    const C alpha = hyper[0], omb1 = hyper[1], omb2 = hyper[2], eps = hyper[3], decay = hyper[4];
    for (long long b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int t = gk_opt_tensor(starts, n, b);
        const long long begin = (b - starts[t]) * GK_OPT_CHUNK;
        const long long end = begin + GK_OPT_CHUNK < sizes[t] ? begin + GK_OPT_CHUNK : sizes[t];
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* m = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* v = gk_opt_ptr<T>(ptrs, 3, n, t);
        T* vh = gk_opt_ptr<T>(ptrs, amsgrad ? 4 : 3, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            C wi = io<T>::ld(w[i]);
            if (decay != C(0)) wi = wi - wi * decay;
            C mi = io<T>::ld(m[i]);
            C vi = io<T>::ld(v[i]);
            mi = mi + (gi - mi) * omb1;
            vi = vi + (gi * gi - vi) * omb2;
            m[i] = io<T>::st(mi);
            v[i] = io<T>::st(vi);
            if (amsgrad) {
                const C old = io<T>::ld(vh[i]);
                vi = old > vi ? old : vi;  // max(v_hat, v); NaN in v propagates
                vh[i] = io<T>::st(vi);
            }
            w[i] = io<T>::st(wi - (mi * alpha) / (gk_sqrt(vi) + eps));
        }
    }
}

// SGD, with momentum when momentum != 0 (then list 2 is the momentum slot), Nesterov when
// nesterov != 0. Lists: 0 params, 1 grads, 2 momentum. hyper: lr, momentum, decay.
template <class T>
__device__ __forceinline__ void sgd_multi(const unsigned long long* __restrict__ ptrs,
                                          const long long* __restrict__ meta, int n,
                                          const typename io<T>::acc* __restrict__ hyper,
                                          int use_momentum, int nesterov) {
    typedef typename io<T>::acc C;
    const long long* sizes = meta;
    const long long* starts = meta + n;
    const long long nblocks = starts[n];
    const C lr = hyper[0], mom = hyper[1], decay = hyper[2];
    for (long long b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int t = gk_opt_tensor(starts, n, b);
        const long long begin = (b - starts[t]) * GK_OPT_CHUNK;
        const long long end = begin + GK_OPT_CHUNK < sizes[t] ? begin + GK_OPT_CHUNK : sizes[t];
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* m = gk_opt_ptr<T>(ptrs, use_momentum ? 2 : 0, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            C wi = io<T>::ld(w[i]);
            if (decay != C(0)) wi = wi - wi * decay;
            const C lr_g = io<T>::ld(g[i]) * lr;
            if (use_momentum) {
                const C mi = io<T>::ld(m[i]) * mom - lr_g;
                m[i] = io<T>::st(mi);
                wi = nesterov ? wi + (mi * mom - lr_g) : wi + mi;
            } else {
                wi = wi - lr_g;
            }
            w[i] = io<T>::st(wi);
        }
    }
}

// RMSprop. Lists: 0 params, 1 grads, 2 velocity, then 3 momentum (use_momentum), then the
// average gradient (centered). hyper: lr, rho, 1 - rho, momentum, epsilon, decay.
template <class T>
__device__ __forceinline__ void rmsprop_multi(const unsigned long long* __restrict__ ptrs,
                                              const long long* __restrict__ meta, int n,
                                              const typename io<T>::acc* __restrict__ hyper,
                                              int use_momentum, int centered) {
    typedef typename io<T>::acc C;
    const long long* sizes = meta;
    const long long* starts = meta + n;
    const long long nblocks = starts[n];
    const C lr = hyper[0], rho = hyper[1], omr = hyper[2], mom = hyper[3], eps = hyper[4];
    const C decay = hyper[5];
    for (long long b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int t = gk_opt_tensor(starts, n, b);
        const long long begin = (b - starts[t]) * GK_OPT_CHUNK;
        const long long end = begin + GK_OPT_CHUNK < sizes[t] ? begin + GK_OPT_CHUNK : sizes[t];
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* v = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* m = gk_opt_ptr<T>(ptrs, use_momentum ? 3 : 2, n, t);
        T* a = gk_opt_ptr<T>(ptrs, centered ? 3 + use_momentum : 2, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            C wi = io<T>::ld(w[i]);
            if (decay != C(0)) wi = wi - wi * decay;
            const C gi = io<T>::ld(g[i]);
            const C vi = rho * io<T>::ld(v[i]) + omr * (gi * gi);
            v[i] = io<T>::st(vi);
            C den;
            if (centered) {
                const C ai = rho * io<T>::ld(a[i]) + omr * gi;
                a[i] = io<T>::st(ai);
                den = (vi - ai * ai) + eps;
            } else {
                den = vi + eps;
            }
            const C inc = (lr * gi) / gk_sqrt(den);
            if (use_momentum) {
                const C mi = mom * io<T>::ld(m[i]) + inc;
                m[i] = io<T>::st(mi);
                wi = wi - mi;
            } else {
                wi = wi - inc;
            }
            w[i] = io<T>::st(wi);
        }
    }
}

// ---- the other optimizers: one driver, a per-element rule each ------------------------------
// The driver walks this block's chunks (as above), loads w, g and the SLOTS slot values of an
// element in the accumulation type, lets rule(w, g, s) update w and s in place, and stores them
// back (16-bit storage is rounded once per stored value, like the twins).
template <class T, int SLOTS, class Rule>
__device__ __forceinline__ void gk_opt_apply(const unsigned long long* __restrict__ ptrs,
                                             const long long* __restrict__ meta, int n,
                                             Rule rule) {
    typedef typename io<T>::acc C;
    const long long* sizes = meta;
    const long long* starts = meta + n;
    const long long nblocks = starts[n];
    for (long long b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int t = gk_opt_tensor(starts, n, b);
        const long long begin = (b - starts[t]) * GK_OPT_CHUNK;
        const long long end = begin + GK_OPT_CHUNK < sizes[t] ? begin + GK_OPT_CHUNK : sizes[t];
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* slot[SLOTS];
        for (int k = 0; k < SLOTS; k++) slot[k] = gk_opt_ptr<T>(ptrs, 2 + k, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            C wi = io<T>::ld(w[i]);
            C s[SLOTS];
            for (int k = 0; k < SLOTS; k++) s[k] = io<T>::ld(slot[k][i]);
            rule(wi, io<T>::ld(g[i]), s);
            for (int k = 0; k < SLOTS; k++) slot[k][i] = io<T>::st(s[k]);
            w[i] = io<T>::st(wi);
        }
    }
}

// NaN-propagating max / min with NumPy's choice between equal values (the second operand).
template <class C>
__device__ __forceinline__ C gk_np_max(C a, C b) { return (a > b || a != a) ? a : b; }
template <class C>
__device__ __forceinline__ C gk_np_min(C a, C b) { return (a < b || a != a) ? a : b; }
__device__ __forceinline__ float gk_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double gk_pow(double x, double y) { return pow(x, y); }

// The kernels' common head: their arguments, and C the accumulation type.
#define GK_OPT_RULE(NAME)                                                                     \
    template <class T>                                                                         \
    __device__ __forceinline__ void NAME##_multi(const unsigned long long* __restrict__ ptrs,  \
                                                 const long long* __restrict__ meta, int n,    \
                                                 const typename io<T>::acc* __restrict__ hyper)

// Adagrad. Slots: accumulator. hyper: lr, epsilon.
GK_OPT_RULE(adagrad) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], eps = hyper[1];
    gk_opt_apply<T, 1>(ptrs, meta, n, [&](C& w, C g, C* s) {
        s[0] = s[0] + g * g;
        w = w - (g * lr) / gk_sqrt(s[0] + eps);
    });
}

// Adamax. Slots: m, u. hyper: lr, 1-b1, b2, epsilon, 1-b1^t.
GK_OPT_RULE(adamax) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], omb1 = hyper[1], b2 = hyper[2], eps = hyper[3], omb1p = hyper[4];
    gk_opt_apply<T, 2>(ptrs, meta, n, [&](C& w, C g, C* s) {
        s[0] = s[0] + (g - s[0]) * omb1;
        s[1] = gk_np_max(s[1] * b2, g < C(0) ? -g : g);
        w = w - (s[0] * lr) / ((s[1] + eps) * omb1p);
    });
}

// Lion. Slots: m. hyper: lr, b1, 1-b1, b2, 1-b2 (np.sign: NaN and +-0 stay as they are).
GK_OPT_RULE(lion) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], b1 = hyper[1], omb1 = hyper[2], b2 = hyper[3], omb2 = hyper[4];
    gk_opt_apply<T, 1>(ptrs, meta, n, [&](C& w, C g, C* s) {
        const C x = s[0] * b1 + g * omb1;
        w = w - (x > C(0) ? C(1) : (x < C(0) ? C(-1) : x)) * lr;
        s[0] = s[0] * b2 + g * omb2;
    });
}

// Nadam. Slots: m, v. hyper: lr, 1-b1, 1-b2, u_{t+1}, 1-u_t, 1-prod_t, 1-prod_{t+1}, 1-b2^t,
// epsilon.
GK_OPT_RULE(nadam) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], omb1 = hyper[1], omb2 = hyper[2], u_t_1 = hyper[3];
    const C om_u_t = hyper[4], om_up_t = hyper[5], om_up_t_1 = hyper[6], om_b2p = hyper[7];
    const C eps = hyper[8];
    gk_opt_apply<T, 2>(ptrs, meta, n, [&](C& w, C g, C* s) {
        s[0] = s[0] + (g - s[0]) * omb1;
        s[1] = s[1] + (g * g - s[1]) * omb2;
        const C m_hat = (s[0] * u_t_1) / om_up_t_1 + (g * om_u_t) / om_up_t;
        w = w - (m_hat * lr) / (gk_sqrt(s[1] / om_b2p) + eps);
    });
}

// Adadelta. Slots: accumulated gradients, accumulated deltas. hyper: lr, rho, 1-rho, epsilon.
GK_OPT_RULE(adadelta) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], rho = hyper[1], omr = hyper[2], eps = hyper[3];
    gk_opt_apply<T, 2>(ptrs, meta, n, [&](C& w, C g, C* s) {
        s[0] = s[0] * rho + (g * g) * omr;
        const C delta = -((gk_sqrt(s[1] + eps) * g) / gk_sqrt(s[0] + eps));
        s[1] = s[1] * rho + (delta * delta) * omr;
        w = w + delta * lr;
    });
}

// FTRL-proximal. Slots: accumulator, linear.
// hyper: lr, -lr_power, 2 l2_shrinkage, 2 l2 (+ beta / lr), l1, -l1.
GK_OPT_RULE(ftrl) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], p = hyper[1], l2s = hyper[2], l2 = hyper[3], l1 = hyper[4];
    const C neg_l1 = hyper[5];
    gk_opt_apply<T, 2>(ptrs, meta, n, [&](C& w, C g, C* s) {
        const C grad = g + w * l2s;
        const C accum = s[0] + g * g;
        const C power = gk_pow(accum, p);
        s[1] = s[1] + (grad - ((power - gk_pow(s[0], p)) / lr) * w);
        s[0] = accum;
        w = (gk_np_min(gk_np_max(s[1], neg_l1), l1) - s[1]) / (power / lr + l2);
    });
}

// ---- entry points (see activations.cu for why plain extern "C" names) -----------------------
// An optimizer whose kernel takes (ptrs, meta, n, hyper) and nothing else.
#define GK_OPTIM_PLAIN_ENTRY(NAME, T, TN)                                                     \
    extern "C" __global__ void NAME##_multi_update_##TN(                                      \
        const unsigned long long* __restrict__ ptrs, const long long* __restrict__ meta,      \
        int n, const io<T>::acc* __restrict__ hyper) {                                        \
        NAME##_multi<T>(ptrs, meta, n, hyper);                                                 \
    }

#define GK_OPTIM_ENTRY_POINTS(T, TN)                                                          \
    extern "C" __global__ void adam_multi_update_##TN(                                        \
        const unsigned long long* __restrict__ ptrs, const long long* __restrict__ meta,      \
        int n, const io<T>::acc* __restrict__ hyper, int amsgrad) {                           \
        adam_multi<T>(ptrs, meta, n, hyper, amsgrad);                                          \
    }                                                                                          \
    extern "C" __global__ void sgd_multi_update_##TN(                                         \
        const unsigned long long* __restrict__ ptrs, const long long* __restrict__ meta,      \
        int n, const io<T>::acc* __restrict__ hyper, int use_momentum, int nesterov) {        \
        sgd_multi<T>(ptrs, meta, n, hyper, use_momentum, nesterov);                            \
    }                                                                                          \
    extern "C" __global__ void rmsprop_multi_update_##TN(                                     \
        const unsigned long long* __restrict__ ptrs, const long long* __restrict__ meta,      \
        int n, const io<T>::acc* __restrict__ hyper, int use_momentum, int centered) {        \
        rmsprop_multi<T>(ptrs, meta, n, hyper, use_momentum, centered);                        \
    }                                                                                          \
    GK_OPTIM_PLAIN_ENTRY(adagrad, T, TN)                                                       \
    GK_OPTIM_PLAIN_ENTRY(adamax, T, TN)                                                        \
    GK_OPTIM_PLAIN_ENTRY(lion, T, TN)                                                          \
    GK_OPTIM_PLAIN_ENTRY(nadam, T, TN)                                                         \
    GK_OPTIM_PLAIN_ENTRY(adadelta, T, TN)                                                      \
    GK_OPTIM_PLAIN_ENTRY(ftrl, T, TN)

#if !defined(GK_SELECT_DTYPES) || defined(GK_WITH_float32)
GK_OPTIM_ENTRY_POINTS(float, float32)
#endif
#if !defined(GK_SELECT_DTYPES) || defined(GK_WITH_float64)
GK_OPTIM_ENTRY_POINTS(double, float64)
#endif
#if !defined(GK_SELECT_DTYPES) || defined(GK_WITH_float16)
GK_OPTIM_ENTRY_POINTS(gk_half, float16)
#endif
#if !defined(GK_SELECT_DTYPES) || defined(GK_WITH_bfloat16)
GK_OPTIM_ENTRY_POINTS(gk_bfloat16, bfloat16)
#endif
