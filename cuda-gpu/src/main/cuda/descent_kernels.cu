// descent's own CUDA kernels: everything the CUDA backend runs besides cuBLAS's SGEMM.
//
// Compiled to PTX by cuda-gpu/build-ptx.sh (nvcc -ptx -arch=compute_75 -O3 -fmad=false) and committed as the resource
// dev/descent/cuda/descent_kernels.ptx, so users need no nvcc. The backend loads that PTX with cuModuleLoadData and
// launches these kernels with cuLaunchKernel; the enum dev.descent.cuda.Kernel lists every entry point it looks up, and
// tests check that the committed PTX names each of them and that it is what nvcc makes of this file.
//
// Conventions
// - Every kernel is extern "C" (unmangled entry names), takes element counts as long long and walks its range with a
//   grid-stride loop, so elementwise results never depend on the launch grid.
// - No fast math and -fmad=false: a*b + c is a rounded multiply followed by a rounded add, as in Java and as in torch's
//   scalar CPU kernels; sqrtf and '/' are IEEE round-to-nearest.
// - Reductions are deterministic: each block sums a fixed, strided subset of the elements per thread, then combines its
//   threads in a fixed shared-memory tree and writes one partial; a single-block final pass combines the partials in
//   the same fixed order. The grid is a function of the element count only (Launcher.reductionBlocks).
// - Losses write their value into lossOut[lossIndex] on the device, so a training step needs no host synchronisation.
// - Kernels that validate data (labels, gather indices) report the first violation into a small device status
//   record {code, row, value, bound} that the host reads at its next synchronisation point.
// - Optimizer updates follow torch.optim's float32 operation order (shared/PARITY.md); the host derives every scalar
//   in double and passes it rounded to float exactly where torch rounds it.

#include <math.h>

#define BLOCK 256
#define MAX_PARTIALS 1024

#define STATUS_LABEL_OUT_OF_RANGE 1
#define STATUS_GATHER_INDEX_OUT_OF_RANGE 2

#define GRID_STRIDE_LOOP(i, n)                                                                  \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n);            \
         i += (long long) gridDim.x * blockDim.x)

// ------------------------------------------------------------------------------------------------ helpers

__device__ __forceinline__ void report_status(int *status, int code, long long row, int value, int bound) {
    if (atomicCAS(status, 0, code) == 0) {
        status[1] = (int) row;
        status[2] = value;
        status[3] = bound;
    }
}

// Sum of v over the block's threads in a fixed tree order; requires blockDim.x == BLOCK. Result valid in thread 0.
__device__ __forceinline__ double block_sum(double v) {
    __shared__ double s[BLOCK];
    s[threadIdx.x] = v;
    __syncthreads();
    for (unsigned int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            s[threadIdx.x] += s[threadIdx.x + stride];
        }
        __syncthreads();
    }
    return s[0];
}

__device__ __forceinline__ float max_propagate_nan(float m, float v) {
    // m is the running maximum; once NaN it stays NaN.
    if (m != m) {
        return m;
    }
    return (v != v || v > m) ? v : m;
}

__device__ __forceinline__ float torch_maximum(float a, float b) {
    // torch.maximum: NaN if either is NaN.
    if (a != a) {
        return a;
    }
    if (b != b) {
        return b;
    }
    return a > b ? a : b;
}

extern "C" {

// ------------------------------------------------------------------------------------------------ elementwise

// y <- alpha * x + y
__global__ void axpy_f32(long long n, float alpha, const float *x, float *y) {
    GRID_STRIDE_LOOP(i, n) {
        y[i] = alpha * x[i] + y[i];
    }
}

// x <- alpha * x
__global__ void scale_f32(long long n, float alpha, float *x) {
    GRID_STRIDE_LOOP(i, n) {
        x[i] = alpha * x[i];
    }
}

// x <- bits (a float32 or int32 value given by its 32-bit pattern)
__global__ void fill_u32(long long n, unsigned int bits, unsigned int *x) {
    GRID_STRIDE_LOOP(i, n) {
        x[i] = bits;
    }
}

// out <- a * b (out may alias a or b)
__global__ void mul_f32(long long n, const float *a, const float *b, float *out) {
    GRID_STRIDE_LOOP(i, n) {
        out[i] = a[i] * b[i];
    }
}

// x <- min(max(x, lo), hi); NaN stays NaN
__global__ void clamp_f32(long long n, float lo, float hi, float *x) {
    GRID_STRIDE_LOOP(i, n) {
        float v = x[i];
        if (v == v) {
            v = v < lo ? lo : v;
            v = v > hi ? hi : v;
            x[i] = v;
        }
    }
}

// out <- max(x, 0); NaN stays NaN (out may alias x)
__global__ void relu_f32(long long n, const float *x, float *out) {
    GRID_STRIDE_LOOP(i, n) {
        float v = x[i];
        out[i] = (v > 0.0f || v != v) ? v : 0.0f;
    }
}

// gradIn <- gradOut * [activation > 0] (gradIn may alias gradOut)
__global__ void relu_backward_f32(long long n, const float *grad_out, const float *activation, float *grad_in) {
    GRID_STRIDE_LOOP(i, n) {
        grad_in[i] = activation[i] > 0.0f ? grad_out[i] : 0.0f;
    }
}

// ------------------------------------------------------------------------------------------------ reductions

// mode 0: sum x; 1: dot x.y; 2: sum x^2. One double partial per block into partials[blockIdx.x].
__global__ void reduce_partials_f64(long long n, int mode, const float *x, const float *y, double *partials) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(i, n) {
        double a = (double) x[i];
        if (mode == 0) {
            acc += a;
        } else if (mode == 1) {
            acc += a * (double) y[i];
        } else {
            acc += a * a;
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// out[0] <- sum of partials[0 .. count) in a fixed order; launched as one block of BLOCK threads.
__global__ void reduce_final_f64(int count, const double *partials, double *out) {
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += BLOCK) {
        acc += partials[i];
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        out[0] = total;
    }
}

// Largest |x| per block (NaN wins) into partials[blockIdx.x].
__global__ void maxabs_partials_f32(long long n, const float *x, float *partials) {
    __shared__ float s[BLOCK];
    float m = 0.0f;
    GRID_STRIDE_LOOP(i, n) {
        m = max_propagate_nan(m, fabsf(x[i]));
    }
    s[threadIdx.x] = m;
    __syncthreads();
    for (unsigned int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            s[threadIdx.x] = max_propagate_nan(s[threadIdx.x], s[threadIdx.x + stride]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = s[0];
    }
}

// out[0] <- max of partials[0 .. count) (NaN wins); one block of BLOCK threads.
__global__ void maxabs_final_f32(int count, const float *partials, float *out) {
    __shared__ float s[BLOCK];
    float m = 0.0f;
    for (int i = threadIdx.x; i < count; i += BLOCK) {
        m = max_propagate_nan(m, partials[i]);
    }
    s[threadIdx.x] = m;
    __syncthreads();
    for (unsigned int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            s[threadIdx.x] = max_propagate_nan(s[threadIdx.x], s[threadIdx.x + stride]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        out[0] = s[0];
    }
}

// ------------------------------------------------------------------------------------------------ rows

// dst[i, :] <- src[indices[offset + i], :] for i < rows; 32-bit elements (float32 or int32).
// An index outside [0, srcRows) is reported (code 2) and leaves the destination row unchanged.
__global__ void gather_rows_u32(long long rows, int cols, int src_rows, const unsigned int *src, const int *indices,
                                int offset, unsigned int *dst, int *status) {
    long long total = rows * (long long) cols;
    GRID_STRIDE_LOOP(e, total) {
        long long i = e / cols;
        int j = (int) (e - i * cols);
        int r = indices[offset + i];
        if (r < 0 || r >= src_rows) {
            if (j == 0) {
                report_status(status, STATUS_GATHER_INDEX_OUT_OF_RANGE, offset + i, r, src_rows);
            }
            continue;
        }
        dst[e] = src[(long long) r * cols + j];
    }
}

// out[i] <- first index of the maximum of row i (NaN counts as the maximum); one thread per row.
__global__ void argmax_rows_f32(long long rows, int cols, const float *x, int *out) {
    GRID_STRIDE_LOOP(i, rows) {
        const float *row = x + i * (long long) cols;
        float best = row[0];
        int at = 0;
        if (best == best) {
            for (int j = 1; j < cols; j++) {
                float v = row[j];
                if (v != v) {
                    at = j;
                    break;
                }
                if (v > best) {
                    best = v;
                    at = j;
                }
            }
        }
        out[i] = at;
    }
}

// x[i, :] <- x[i, :] + bias
__global__ void add_row_vector_f32(long long rows, int cols, float *x, const float *bias) {
    long long total = rows * (long long) cols;
    GRID_STRIDE_LOOP(e, total) {
        int j = (int) (e % cols);
        x[e] = x[e] + bias[j];
    }
}

// out[j] <- beta * out[j] + alpha * sum_i x[i, j]; the column sum is accumulated in double over rows in order.
// With beta == 0 the old contents of out are ignored. One thread per column (adjacent threads read adjacent columns).
__global__ void column_sums_f32(long long rows, int cols, float alpha, const float *x, float beta, float *out) {
    GRID_STRIDE_LOOP(j, (long long) cols) {
        double acc = 0.0;
        for (long long i = 0; i < rows; i++) {
            acc += (double) x[i * cols + j];
        }
        float s = (float) ((double) alpha * acc);
        out[j] = beta == 0.0f ? s : beta * out[j] + s;
    }
}

// ------------------------------------------------------------------------------------------------ fused losses

// Softmax cross-entropy, one thread per row: loss_i = lse_i - z[i, y_i] with a max-subtracted log-sum-exp; when grad
// is not null grad[i, j] = softmax(z_i)_j * w - [j == y_i] * w with w = 1 / normalizer, in the order torch's
// log_softmax/nll_loss backward rounds it. Per-block double partials of sum_i loss_i. grad may alias logits (each
// element is read before it is written).
__global__ void softmax_ce_f32(long long rows, int k, const float *logits, const int *labels, float *grad,
                               float scale, double *partials, int *status) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(i, rows) {
        const float *z = logits + i * (long long) k;
        int y = labels[i];
        if (y < 0 || y >= k) {
            report_status(status, STATUS_LABEL_OUT_OF_RANGE, i, y, k);
            continue;
        }
        float m = z[0];
        for (int j = 1; j < k; j++) {
            m = fmaxf(m, z[j]);
        }
        double s = 0.0;
        for (int j = 0; j < k; j++) {
            s += exp((double) (z[j] - m));
        }
        double lse = (double) m + log(s);
        acc += lse - (double) z[y];
        if (grad != 0) {
            float *g = grad + i * (long long) k;
            for (int j = 0; j < k; j++) {
                float p = (float) (exp((double) (z[j] - m)) / s);
                float pw = p * scale;
                g[j] = j == y ? pw - scale : pw;
            }
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// Binary cross-entropy with logits, per element: max(x, 0) - x t + log(1 + exp(-|x|));
// grad = (sigmoid(x) - t) / count, count = normalizer * cols (torch divides by numel).
__global__ void bce_logits_f32(long long n, const float *x, const float *t, float *grad, float count,
                               double *partials) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(i, n) {
        double xv = (double) x[i];
        double tv = (double) t[i];
        acc += (xv > 0.0 ? xv : 0.0) - xv * tv + log1p(exp(-fabs(xv)));
        if (grad != 0) {
            float sig = (float) (1.0 / (1.0 + exp(-xv)));
            grad[i] = (sig - t[i]) / count;
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// Mean squared error: loss sum (p - t)^2; grad = (p - t) * scale, scale = 2 / (normalizer * cols).
__global__ void mse_f32(long long n, const float *p, const float *t, float *grad, float scale, double *partials) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(i, n) {
        float d = p[i] - t[i];
        acc += (double) d * (double) d;
        if (grad != 0) {
            grad[i] = d * scale;
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// Mean absolute error: loss sum |p - t|; grad = sign(p - t) * scale (0 where equal), scale = 1 / (normalizer * cols).
__global__ void mae_f32(long long n, const float *p, const float *t, float *grad, float scale, double *partials) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(i, n) {
        float d = p[i] - t[i];
        acc += fabs((double) d);
        if (grad != 0) {
            float sign = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : (d == d ? 0.0f : d));
            grad[i] = sign * scale;
        }
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

// lossOut[lossIndex] <- (sum of partials[0 .. count) in a fixed order) / divisor; one block of BLOCK threads.
__global__ void loss_final_f32(int count, const double *partials, double divisor, float *loss_out, int loss_index) {
    double acc = 0.0;
    for (int i = threadIdx.x; i < count; i += BLOCK) {
        acc += partials[i];
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        loss_out[loss_index] = (float) (total / divisor);
    }
}

// ------------------------------------------------------------------------------------------------ optimizers

#define OPT_MAXIMIZE 1
#define OPT_WEIGHT_DECAY 2
#define OPT_MOMENTUM 4
#define OPT_NESTEROV 8
#define OPT_COPY_FIRST 16
#define OPT_DECOUPLED 32
#define OPT_AMSGRAD 64
#define OPT_CENTERED 128
#define OPT_RECTIFIED 256

// torch.optim.SGD (_single_tensor_sgd):
//   g = maximize ? -grad : grad;  g = g + wd * p                       (d_p.add(param, alpha=wd))
//   b = copyFirst ? g : b * mu + (1 - tau) * g                         (buf.mul_(mu).add_(d_p, alpha=1-tau))
//   g = nesterov ? g + mu * b : b;  p = p + (-lr) * g                  (param.add_(d_p, alpha=-lr))
__global__ void sgd_f32(long long n, float *param, const float *grad, float *buf, float neg_lr, float momentum,
                        float one_minus_dampening, float weight_decay, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        if (flags & OPT_MOMENTUM) {
            float b = (flags & OPT_COPY_FIRST) ? g : buf[i] * momentum + one_minus_dampening * g;
            buf[i] = b;
            g = (flags & OPT_NESTEROV) ? g + momentum * b : b;
        }
        param[i] = p + neg_lr * g;
    }
}

// torch.optim.Adam / AdamW (_single_tensor_adam(w)):
//   AdamW: p = p * (1 - lr*wd); Adam: g = g + wd * p
//   m = m * b1 + (1 - b1) * g;  v = v * b2 + ((1 - b2) * g) * g        (mul_ then add_ / addcmul_)
//   amsgrad: vmax = maximum(vmax, v), used in place of v
//   denom = sqrt(v) / sqrt(bc2) + eps;  p = p + ((-lr / bc1) * m) / denom   (param.addcdiv_(m, denom, value=-step))
__global__ void adam_f32(long long n, float *param, const float *grad, float *m, float *v, float *vmax, float beta1,
                         float one_minus_beta1, float beta2, float one_minus_beta2, float weight_decay,
                         float decay_factor, float neg_step_size, float bias_correction2_sqrt, float eps, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_DECOUPLED) {
            p = p * decay_factor;
        } else if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float mi = m[i] * beta1 + one_minus_beta1 * g;
        float vi = v[i] * beta2 + (one_minus_beta2 * g) * g;
        m[i] = mi;
        v[i] = vi;
        if (flags & OPT_AMSGRAD) {
            vi = torch_maximum(vmax[i], vi);
            vmax[i] = vi;
        }
        float denom = sqrtf(vi) / bias_correction2_sqrt + eps;
        param[i] = p + (neg_step_size * mi) / denom;
    }
}

// torch.optim.RMSprop (_single_tensor_rmsprop):
//   g = g + wd * p;  sq = sq * a + ((1 - a) * g) * g
//   centered: ga = ga * a + (1 - a) * g; avg = sqrt(sq + (-ga) * ga) + eps;  else avg = sqrt(sq) + eps
//   momentum: b = b * mu + g / avg; p = p + (-lr) * b;  else p = p + ((-lr) * g) / avg
__global__ void rmsprop_f32(long long n, float *param, const float *grad, float *square_avg, float *grad_avg,
                            float *buf, float alpha, float one_minus_alpha, float eps, float weight_decay,
                            float momentum, float neg_lr, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float sq = square_avg[i] * alpha + (one_minus_alpha * g) * g;
        square_avg[i] = sq;
        float avg;
        if (flags & OPT_CENTERED) {
            float ga = grad_avg[i] * alpha + one_minus_alpha * g;
            grad_avg[i] = ga;
            avg = sqrtf(sq + (-ga) * ga);
        } else {
            avg = sqrtf(sq);
        }
        avg = avg + eps;
        if (flags & OPT_MOMENTUM) {
            float b = buf[i] * momentum + g / avg;
            buf[i] = b;
            param[i] = p + neg_lr * b;
        } else {
            param[i] = p + (neg_lr * g) / avg;
        }
    }
}

// torch.optim.Adagrad (_single_tensor_adagrad), clr = lr / (1 + (step - 1) * lr_decay) from the host:
//   g = g + wd * p;  sum = sum + g * g;  p = p + ((-clr) * g) / (sqrt(sum) + eps)
__global__ void adagrad_f32(long long n, float *param, const float *grad, float *sum, float neg_clr, float eps,
                            float weight_decay, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float s = sum[i] + g * g;
        sum[i] = s;
        float denom = sqrtf(s) + eps;
        param[i] = p + (neg_clr * g) / denom;
    }
}

// torch.optim.NAdam (_single_tensor_nadam, torch 1.13); bc2 = 1 - b2^step and both step sizes from the host:
//   g = g + wd * p;  m = m * b1 + (1 - b1) * g;  v = v * b2 + ((1 - b2) * g) * g
//   denom = sqrt(v / bc2) + eps
//   p = p + (neg_grad_step * g) / denom;  p = p + (neg_momentum_step * m) / denom    (two addcdiv_)
__global__ void nadam_f32(long long n, float *param, const float *grad, float *m, float *v, float beta1,
                          float one_minus_beta1, float beta2, float one_minus_beta2, float weight_decay,
                          float bias_correction2, float eps, float neg_grad_step, float neg_momentum_step, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float mi = m[i] * beta1 + one_minus_beta1 * g;
        float vi = v[i] * beta2 + (one_minus_beta2 * g) * g;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi / bias_correction2) + eps;
        p = p + (neg_grad_step * g) / denom;
        param[i] = p + (neg_momentum_step * mi) / denom;
    }
}

// torch.optim.RAdam (_single_tensor_radam, torch 1.13); bc1, lr, sqrt(bc2) and rect from the host, and the flag
// OPT_RECTIFIED when rho_t > 5:
//   g = g + wd * p;  m = m * b1 + (1 - b1) * g;  v = v * b2 + ((1 - b2) * g) * g;  mc = m / bc1
//   rectified: p = p - ((mc * lr) * ((1 / (sqrt(v) + eps)) * sqrt_bc2)) * rect;  else p = p - mc * lr
__global__ void radam_f32(long long n, float *param, const float *grad, float *m, float *v, float beta1,
                          float one_minus_beta1, float beta2, float one_minus_beta2, float weight_decay,
                          float bias_correction1, float lr, float bias_correction2_sqrt, float rect, float eps,
                          int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float mi = m[i] * beta1 + one_minus_beta1 * g;
        float vi = v[i] * beta2 + (one_minus_beta2 * g) * g;
        m[i] = mi;
        v[i] = vi;
        float step = (mi / bias_correction1) * lr;
        if (flags & OPT_RECTIFIED) {
            float adaptive_lr = (1.0f / (sqrtf(vi) + eps)) * bias_correction2_sqrt;
            step = (step * adaptive_lr) * rect;
        }
        param[i] = p - step;
    }
}

// torch.optim.Adamax (_single_tensor_adamax, torch 1.13); clr = lr / (1 - b1^step) from the host:
//   g = g + wd * p;  m = m * b1 + (1 - b1) * g;  u = amax(u * b2, |g| + eps)  (NaN wins)
//   p = p + (-clr * m) / u
__global__ void adamax_f32(long long n, float *param, const float *grad, float *m, float *u, float beta1,
                           float one_minus_beta1, float beta2, float weight_decay, float eps, float neg_clr,
                           int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float mi = m[i] * beta1 + one_minus_beta1 * g;
        float ui = torch_maximum(u[i] * beta2, fabsf(g) + eps);
        m[i] = mi;
        u[i] = ui;
        param[i] = p + (neg_clr * mi) / ui;
    }
}

// torch.optim.Adadelta (_single_tensor_adadelta, torch 1.13):
//   g = g + wd * p;  sq = sq * rho + ((1 - rho) * g) * g
//   delta = (sqrt(acc + eps) / sqrt(sq + eps)) * g;  acc = acc * rho + ((1 - rho) * delta) * delta
//   p = p + (-lr) * delta
__global__ void adadelta_f32(long long n, float *param, const float *grad, float *square_avg, float *acc_delta,
                             float rho, float one_minus_rho, float eps, float weight_decay, float neg_lr, int flags) {
    GRID_STRIDE_LOOP(i, n) {
        float p = param[i];
        float g = grad[i];
        if (flags & OPT_MAXIMIZE) {
            g = -g;
        }
        if (flags & OPT_WEIGHT_DECAY) {
            g = g + weight_decay * p;
        }
        float sq = square_avg[i] * rho + (one_minus_rho * g) * g;
        square_avg[i] = sq;
        float acc = acc_delta[i];
        float delta = (sqrtf(acc + eps) / sqrtf(sq + eps)) * g;
        acc_delta[i] = acc * rho + (one_minus_rho * delta) * delta;
        param[i] = p + neg_lr * delta;
    }
}

}  // extern "C"
