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

// ---- the other optimizers: one loop skeleton, a per-element body each ----------------------
// f(t, begin, end): this block's share of tensor t is elements [begin, end); threads stride it.
template <class F>
__device__ __forceinline__ void gk_opt_for_chunks(const long long* __restrict__ meta, int n, F f) {
    const long long* sizes = meta;
    const long long* starts = meta + n;
    const long long nblocks = starts[n];
    for (long long b = blockIdx.x; b < nblocks; b += gridDim.x) {
        const int t = gk_opt_tensor(starts, n, b);
        const long long begin = (b - starts[t]) * GK_OPT_CHUNK;
        const long long end = begin + GK_OPT_CHUNK < sizes[t] ? begin + GK_OPT_CHUNK : sizes[t];
        f(t, begin, end);
    }
}

// NaN-propagating max / min with NumPy's choice between equal values (the second operand).
template <class C>
__device__ __forceinline__ C gk_np_max(C a, C b) { return (a > b || a != a) ? a : b; }
template <class C>
__device__ __forceinline__ C gk_np_min(C a, C b) { return (a < b || a != a) ? a : b; }
template <class C>
__device__ __forceinline__ C gk_sign(C x) { return x > C(0) ? C(1) : (x < C(0) ? C(-1) : x); }

// Adagrad. Lists: 0 params, 1 grads, 2 accumulators. hyper: lr, epsilon.
template <class T>
__device__ __forceinline__ void adagrad_multi(const unsigned long long* __restrict__ ptrs,
                                              const long long* __restrict__ meta, int n,
                                              const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], eps = hyper[1];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* acc = gk_opt_ptr<T>(ptrs, 2, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            const C ai = io<T>::ld(acc[i]) + gi * gi;
            acc[i] = io<T>::st(ai);
            w[i] = io<T>::st(io<T>::ld(w[i]) - (gi * lr) / gk_sqrt(ai + eps));
        }
    });
}

// Adamax. Lists: 0 params, 1 grads, 2 m, 3 u. hyper: lr, 1-b1, b2, epsilon, 1-b1^t.
template <class T>
__device__ __forceinline__ void adamax_multi(const unsigned long long* __restrict__ ptrs,
                                             const long long* __restrict__ meta, int n,
                                             const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], omb1 = hyper[1], b2 = hyper[2], eps = hyper[3], omb1p = hyper[4];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* m = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* u = gk_opt_ptr<T>(ptrs, 3, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            C mi = io<T>::ld(m[i]);
            mi = mi + (gi - mi) * omb1;
            const C ui = gk_np_max(io<T>::ld(u[i]) * b2, gi < C(0) ? -gi : gi);
            m[i] = io<T>::st(mi);
            u[i] = io<T>::st(ui);
            w[i] = io<T>::st(io<T>::ld(w[i]) - (mi * lr) / ((ui + eps) * omb1p));
        }
    });
}

// Lion. Lists: 0 params, 1 grads, 2 m. hyper: lr, b1, 1-b1, b2, 1-b2.
template <class T>
__device__ __forceinline__ void lion_multi(const unsigned long long* __restrict__ ptrs,
                                           const long long* __restrict__ meta, int n,
                                           const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], b1 = hyper[1], omb1 = hyper[2], b2 = hyper[3], omb2 = hyper[4];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* m = gk_opt_ptr<T>(ptrs, 2, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            const C mi = io<T>::ld(m[i]);
            w[i] = io<T>::st(io<T>::ld(w[i]) - gk_sign(mi * b1 + gi * omb1) * lr);
            m[i] = io<T>::st(mi * b2 + gi * omb2);
        }
    });
}

// Nadam. Lists: 0 params, 1 grads, 2 m, 3 v. hyper: lr, 1-b1, 1-b2, u_{t+1}, 1-u_t,
// 1-prod_t, 1-prod_{t+1}, 1-b2^t, epsilon.
template <class T>
__device__ __forceinline__ void nadam_multi(const unsigned long long* __restrict__ ptrs,
                                            const long long* __restrict__ meta, int n,
                                            const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], omb1 = hyper[1], omb2 = hyper[2], u_t_1 = hyper[3];
    const C om_u_t = hyper[4], om_up_t = hyper[5], om_up_t_1 = hyper[6], om_b2p = hyper[7];
    const C eps = hyper[8];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* m = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* v = gk_opt_ptr<T>(ptrs, 3, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            C mi = io<T>::ld(m[i]);
            C vi = io<T>::ld(v[i]);
            mi = mi + (gi - mi) * omb1;
            vi = vi + (gi * gi - vi) * omb2;
            m[i] = io<T>::st(mi);
            v[i] = io<T>::st(vi);
            const C m_hat = (mi * u_t_1) / om_up_t_1 + (gi * om_u_t) / om_up_t;
            w[i] = io<T>::st(io<T>::ld(w[i]) - (m_hat * lr) / (gk_sqrt(vi / om_b2p) + eps));
        }
    });
}

// Adadelta. Lists: 0 params, 1 grads, 2 accumulated grads, 3 accumulated deltas.
// hyper: lr, rho, 1-rho, epsilon.
template <class T>
__device__ __forceinline__ void adadelta_multi(const unsigned long long* __restrict__ ptrs,
                                               const long long* __restrict__ meta, int n,
                                               const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], rho = hyper[1], omr = hyper[2], eps = hyper[3];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* ag = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* ad = gk_opt_ptr<T>(ptrs, 3, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            const C agi = io<T>::ld(ag[i]) * rho + (gi * gi) * omr;
            const C adi = io<T>::ld(ad[i]);
            const C delta = -((gk_sqrt(adi + eps) * gi) / gk_sqrt(agi + eps));
            ag[i] = io<T>::st(agi);
            ad[i] = io<T>::st(adi * rho + (delta * delta) * omr);
            w[i] = io<T>::st(io<T>::ld(w[i]) + delta * lr);
        }
    });
}

__device__ __forceinline__ float gk_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double gk_pow(double x, double y) { return pow(x, y); }

// FTRL-proximal. Lists: 0 params, 1 grads, 2 accumulators, 3 linears.
// hyper: lr, -lr_power, 2 l2_shrinkage, 2 l2 (+ beta / lr), l1, -l1.
template <class T>
__device__ __forceinline__ void ftrl_multi(const unsigned long long* __restrict__ ptrs,
                                           const long long* __restrict__ meta, int n,
                                           const typename io<T>::acc* __restrict__ hyper) {
    typedef typename io<T>::acc C;
    const C lr = hyper[0], p = hyper[1], l2s = hyper[2], l2 = hyper[3], l1 = hyper[4];
    const C neg_l1 = hyper[5];
    gk_opt_for_chunks(meta, n, [&](int t, long long begin, long long end) {
        T* w = gk_opt_ptr<T>(ptrs, 0, n, t);
        const T* g = gk_opt_ptr<T>(ptrs, 1, n, t);
        T* acc = gk_opt_ptr<T>(ptrs, 2, n, t);
        T* lin = gk_opt_ptr<T>(ptrs, 3, n, t);
        for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) {
            const C gi = io<T>::ld(g[i]);
            const C wi = io<T>::ld(w[i]);
            const C ai = io<T>::ld(acc[i]);
            const C grad = gi + wi * l2s;
            const C new_ai = ai + gi * gi;
            const C power = gk_pow(new_ai, p);
            const C li = io<T>::ld(lin[i]) + (grad - ((power - gk_pow(ai, p)) / lr) * wi);
            acc[i] = io<T>::st(new_ai);
            lin[i] = io<T>::st(li);
            w[i] = io<T>::st((gk_np_min(gk_np_max(li, neg_l1), l1) - li) / (power / lr + l2));
        }
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
