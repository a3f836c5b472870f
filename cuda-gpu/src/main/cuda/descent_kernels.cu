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

// ================================================================================================ autodiff
//
// The operations reverse-mode differentiation records (Backend.unary ... Backend.copyBlock). Elementwise formulas
// follow torch 1.13's float32 ones (UnaryOp, BinaryOp); every transcendental function is evaluated in double and
// rounded once to float (there is no single-precision library call, whose fma.rn.f32 would break the rounding rule
// above), so results agree with Java's (float) Math.exp(x) and friends.
//
// Backward operations add into an accumulator: acc <- beta * acc + v rounded once (as fma), where beta == 0 ignores
// the old contents (NaN in them does not propagate). Reductions accumulate in double and never use atomics; each has
// a fixed tree that depends on the shapes only:
// - along each row: one block per row, its threads stride over the row, then the shared-memory tree (block_sum);
// - down each column: one block per tile of TILE columns; the LANES thread groups of a tile take every LANES-th row,
//   then a tree over the lanes;
// - over everything: per-block partials (grid Launcher.reductionBlocks(n)) and one single-block final pass.
// Maxima carry their index: the first maximum of a line wins, NaN counts as larger than everything (the first NaN).

#define TILE 32
#define LANES (BLOCK / TILE)

#define STATUS_GATHER_COLUMNS_LABEL 3
#define STATUS_SCATTER_COLUMNS_LABEL 4

// UnaryOp, BinaryOp and ReduceOp as the backend passes them (the code() methods of ElementwiseOps, BroadcastOps and
// AxisReductions).
#define U_NEG 0
#define U_EXP 1
#define U_LOG 2
#define U_LOG1P 3
#define U_SQRT 4
#define U_ABS 5
#define U_SIN 6
#define U_COS 7
#define U_TANH 8
#define U_SIGMOID 9
#define U_RELU 10
#define U_SOFTPLUS 11
#define U_POW 12

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4

#define R_SUM 0
#define R_MEAN 1
#define R_MAX 2

// fma(beta, acc, v): beta * acc + v rounded once to float, from double arithmetic (the PTX must hold no fma.rn.f32).
// beta * acc is exact in double; the sum's rounding error (TwoSum) turns its double rounding into rounding to odd,
// which then rounds to float exactly as one rounding of the exact value would (53 >= 24 + 2 bits).
__device__ __forceinline__ float fma_rounded_once(float beta, float acc, float v) {
    double p = (double) beta * (double) acc;
    double s = p + (double) v;
    double t = s - p;
    double e = (p - (s - t)) + ((double) v - t);  // p + v == s + e exactly; NaN when s is not finite
    if (e != 0.0 && e == e) {
        long long bits = __double_as_longlong(s);
        if ((e < 0.0) == (s > 0.0)) {
            bits -= 1;  // s is one double ulp beyond p + v: step toward zero
        }
        s = __longlong_as_double(bits | 1);  // inexact: the sticky bit
    }
    return (float) s;
}

// acc <- beta * acc + v, rounded once (Backend's accumulation rule); beta == 0 ignores acc (NaN in it does not show).
__device__ __forceinline__ float accumulate(float beta, float acc, float v) {
    return beta == 0.0f ? v : fma_rounded_once(beta, acc, v);
}

// x^p as torch 1.13's pow(tensor, scalar) computes it: the exponents it special-cases exactly, else pow in double.
__device__ __forceinline__ float pow_scalar(float x, double p) {
    if (p == 2.0) {
        return x * x;
    }
    if (p == 3.0) {
        return x * x * x;
    }
    if (p == 0.5) {
        return sqrtf(x);
    }
    if (p == -0.5) {
        return 1.0f / sqrtf(x);
    }
    if (p == -1.0) {
        return 1.0f / x;
    }
    if (p == -2.0) {
        return 1.0f / (x * x);
    }
    if (p == 1.0) {
        return x;
    }
    if (p == 0.0) {
        return 1.0f;
    }
    return (float) pow((double) x, p);
}

// tanh in double through expm1, rounded to float: libdevice's tanh scales by ex2.approx.ftz.f32, which the PTX must
// not hold. |x| > 20 is +-1 in double already.
__device__ __forceinline__ float tanh_f32(float x) {
    double a = fabs((double) x);
    double t = a > 20.0 ? 1.0 : expm1(2.0 * a) / (expm1(2.0 * a) + 2.0);
    return (float) copysign(t, (double) x);
}

__device__ __forceinline__ float unary_forward(int op, float p, float x) {
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return (float) exp((double) x);
        case U_LOG: return (float) log((double) x);
        case U_LOG1P: return (float) log1p((double) x);
        case U_SQRT: return sqrtf(x);
        case U_ABS: return fabsf(x);
        case U_SIN: return (float) sin((double) x);
        case U_COS: return (float) cos((double) x);
        case U_TANH: return tanh_f32(x);
        case U_SIGMOID: return 1.0f / (1.0f + (float) exp((double) -x));
        case U_RELU: return (x > 0.0f || x != x) ? x : 0.0f;
        case U_SOFTPLUS: return x > 20.0f ? x : (float) log1p((double) (float) exp((double) x));
        default: return pow_scalar(x, (double) p);  // U_POW
    }
}

// The gradient g * op'(x) from the input x and the output y (torch 1.13's derivatives.yaml formulas).
__device__ __forceinline__ float unary_gradient(int op, float p, float x, float y, float g) {
    switch (op) {
        case U_NEG: return -g;
        case U_EXP: return g * y;
        case U_LOG: return g / x;
        case U_LOG1P: return g / (x + 1.0f);
        case U_SQRT: return g / (2.0f * y);
        case U_ABS: return g * (float) ((x > 0.0f) - (x < 0.0f));  // sign: 0 at 0 (and at NaN, as torch's)
        case U_SIN: return g * (float) cos((double) x);
        case U_COS: return g * -(float) sin((double) x);
        case U_TANH: return g * (1.0f - y * y);
        case U_SIGMOID: return (g * (1.0f - y)) * y;
        case U_RELU: return y > 0.0f ? g : 0.0f;
        case U_SOFTPLUS: {
            if (x > 20.0f) {
                return g;
            }
            float z = (float) exp((double) x);
            return (g * z) / (z + 1.0f);
        }
        default:  // U_POW
            return p == 0.0f ? 0.0f : g * (p * pow_scalar(x, (double) p - 1.0));
    }
}

__device__ __forceinline__ float binary_forward(int op, float a, float b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        default: return (float) pow((double) a, (double) b);  // B_POW
    }
}

// g * d(a op b)/d(a) (arg 0) or d/d(b) (arg 1), y = a op b.
__device__ __forceinline__ float binary_gradient(int op, int arg, float a, float b, float y, float g) {
    switch (op) {
        case B_ADD: return g;
        case B_SUB: return arg == 0 ? g : -g;
        case B_MUL: return arg == 0 ? g * b : g * a;
        case B_DIV: return arg == 0 ? g / b : -g * ((a / b) / b);
        default:  // B_POW
            if (arg == 0) {
                return b == 0.0f ? 0.0f : g * (b * (float) pow((double) a, (double) (b - 1.0f)));
            }
            return (a == 0.0f && b >= 0.0f) ? 0.0f : g * (y * (float) log((double) a));
    }
}

// An operand of a broadcasting operation: element (i, j) of the output reads x[i * rs + j * cs], with rs == 0 for
// one row and cs == 0 for one column.
struct Operand {
    const float *x;
    int rs;
    int cs;
    __device__ __forceinline__ float at(long long i, int j) const { return x[i * rs + (long long) j * cs]; }
};

// The elements a reduction reads: x itself.
struct Plain {
    const float *x;
    int cols;
    __device__ __forceinline__ float operator()(long long i, int j) const { return x[i * cols + j]; }
};

// The elements binaryBackward reduces: gradOut times the operation's derivative, at each output element.
struct BinaryGradient {
    int op;
    int arg;
    int cols;
    Operand a;
    Operand b;
    const float *y;
    const float *g;
    __device__ __forceinline__ float operator()(long long i, int j) const {
        long long e = i * cols + j;
        return binary_gradient(op, arg, a.at(i, j), b.at(i, j), y[e], g[e]);
    }
};

// block_sum for kernels that call it in a loop: every thread has read the result before the array is reused. (The
// other block helpers below end the same way, so a loop over rows or tiles needs no barrier of its own.)
__device__ __forceinline__ double block_sum_again(double v) {
    double total = block_sum(v);
    __syncthreads();
    return total;
}

// Whether (v, i) comes before (bv, bi) as a maximum: NaN first, then the larger value, then the smaller index; an
// index < 0 is no element.
__device__ __forceinline__ bool max_before(float v, long long i, float bv, long long bi) {
    if (i < 0) {
        return false;
    }
    if (bi < 0) {
        return true;
    }
    bool vn = v != v;
    bool bn = bv != bv;
    if (vn || bn) {
        return vn && (!bn || i < bi);
    }
    return v > bv || (v == bv && i < bi);
}

// The first maximum over the block's candidates (v, i): its index, and its value in *value; the same in every thread.
__device__ __forceinline__ long long block_argmax(float v, long long i, float *value) {
    __shared__ float sv[BLOCK];
    __shared__ long long si[BLOCK];
    sv[threadIdx.x] = v;
    si[threadIdx.x] = i;
    __syncthreads();
    for (unsigned int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride && max_before(sv[threadIdx.x + stride], si[threadIdx.x + stride], sv[threadIdx.x],
                                               si[threadIdx.x])) {
            sv[threadIdx.x] = sv[threadIdx.x + stride];
            si[threadIdx.x] = si[threadIdx.x + stride];
        }
        __syncthreads();
    }
    long long at = si[0];
    *value = sv[0];
    __syncthreads();
    return at;
}

// The index (column) of the first maximum of row i of x [rows, cols], cols > 0; the same in every thread.
__device__ __forceinline__ int row_argmax(const float *x, long long i, int cols) {
    const float *row = x + i * cols;
    float best = 0.0f;
    long long at = -1;
    for (int j = threadIdx.x; j < cols; j += BLOCK) {
        if (max_before(row[j], j, best, at)) {
            best = row[j];
            at = j;
        }
    }
    return (int) block_argmax(best, at, &best);
}

// Per column j of a tile (c = threadIdx.x % TILE), the index (row) of the first maximum of column j of x [rows, cols],
// rows > 0; valid for every thread of the column after the call. Columns past the end give -1.
__device__ __forceinline__ long long tile_argmax(const float *x, long long rows, int cols, long long j) {
    __shared__ float sv[BLOCK];
    __shared__ long long si[BLOCK];
    int c = threadIdx.x % TILE;
    int lane = threadIdx.x / TILE;
    float best = 0.0f;
    long long at = -1;
    if (j < cols) {
        for (long long i = lane; i < rows; i += LANES) {
            float v = x[i * cols + j];
            if (max_before(v, i, best, at)) {
                best = v;
                at = i;
            }
        }
    }
    sv[threadIdx.x] = best;
    si[threadIdx.x] = at;
    __syncthreads();
    for (int stride = LANES / 2; stride > 0; stride >>= 1) {
        int t = threadIdx.x;
        if (lane < stride && max_before(sv[t + stride * TILE], si[t + stride * TILE], sv[t], si[t])) {
            sv[t] = sv[t + stride * TILE];
            si[t] = si[t + stride * TILE];
        }
        __syncthreads();
    }
    long long result = si[c];
    __syncthreads();
    return result;
}

// out[i] <- accumulate(beta, out[i], sum_j f(i, j) / divisor) for each row i: one block per row.
template <class F>
__device__ __forceinline__ void sum_rows(long long rows, int cols, F f, double divisor, float beta, float *out) {
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        double acc = 0.0;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            acc += (double) f(i, j);
        }
        double total = block_sum_again(acc);
        if (threadIdx.x == 0) {
            out[i] = accumulate(beta, out[i], (float) (total / divisor));
        }
    }
}

// out[j] <- accumulate(beta, out[j], sum_i f(i, j) / divisor) for each column j: one block per tile of columns.
template <class F>
__device__ __forceinline__ void sum_columns(long long rows, int cols, F f, double divisor, float beta, float *out) {
    __shared__ double s[BLOCK];
    int c = threadIdx.x % TILE;
    int lane = threadIdx.x / TILE;
    for (long long tile = blockIdx.x; tile * TILE < cols; tile += gridDim.x) {
        long long j = tile * TILE + c;
        double acc = 0.0;
        if (j < cols) {
            for (long long i = lane; i < rows; i += LANES) {
                acc += (double) f(i, (int) j);
            }
        }
        s[threadIdx.x] = acc;
        __syncthreads();
        for (int stride = LANES / 2; stride > 0; stride >>= 1) {
            if (lane < stride) {
                s[threadIdx.x] += s[threadIdx.x + stride * TILE];
            }
            __syncthreads();
        }
        if (lane == 0 && j < cols) {
            out[j] = accumulate(beta, out[j], (float) (s[c] / divisor));
        }
        __syncthreads();
    }
}

// partials[blockIdx.x] <- this block's share of sum f(i, j) over the rows x cols elements (finished by
// reduce_all_final_f32).
template <class F>
__device__ __forceinline__ void sum_partials(long long rows, int cols, F f, double *partials) {
    double acc = 0.0;
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long i = e / cols;
        acc += (double) f(i, (int) (e - i * cols));
    }
    double total = block_sum(acc);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = total;
    }
}

extern "C" {

// ------------------------------------------------------------------------------------------------ elementwise

// out <- op(x) (out may alias x)
__global__ void unary_f32(long long n, int op, float p, const float *x, float *out) {
    GRID_STRIDE_LOOP(i, n) {
        out[i] = unary_forward(op, p, x[i]);
    }
}

// grad_in <- accumulate(beta, grad_in, g * op'(x)) from x and y = op(x) (grad_in may alias g)
__global__ void unary_backward_f32(long long n, int op, float p, const float *x, const float *y, const float *g,
                                   float beta, float *grad_in) {
    GRID_STRIDE_LOOP(i, n) {
        grad_in[i] = accumulate(beta, grad_in[i], unary_gradient(op, p, x[i], y[i], g[i]));
    }
}

// out[i, j] <- a op b, each operand broadcast by its strides (out may alias an operand of its shape)
__global__ void binary_f32(long long rows, int cols, int op, const float *a, int a_rs, int a_cs, const float *b,
                           int b_rs, int b_cs, float *out) {
    Operand oa = {a, a_rs, a_cs};
    Operand ob = {b, b_rs, b_cs};
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long i = e / cols;
        int j = (int) (e - i * cols);
        out[e] = binary_forward(op, oa.at(i, j), ob.at(i, j));
    }
}

// The gradient of binary_f32 for operand arg (0: a, 1: b): grad <- accumulate(beta, grad, the sum of g * d(a op b)
// over what the operand was broadcast along). mode 0: grad has out's shape (elementwise, grad may alias g); 1: grad
// is one column, summed along each row (one block per row); 2: grad is one row, summed down each column (one block
// per tile of columns); 3: grad is one element: per-block partials here, then reduce_all_final_f32.
__global__ void binary_backward_f32(long long rows, int cols, int op, int arg, const float *a, int a_rs, int a_cs,
                                    const float *b, int b_rs, int b_cs, const float *y, const float *g, float beta,
                                    float *grad, int mode, double *partials) {
    BinaryGradient f = {op, arg, cols, {a, a_rs, a_cs}, {b, b_rs, b_cs}, y, g};
    if (mode == 0) {
        GRID_STRIDE_LOOP(e, rows * cols) {
            long long i = e / cols;
            grad[e] = accumulate(beta, grad[e], f(i, (int) (e - i * cols)));
        }
    } else if (mode == 1) {
        sum_rows(rows, cols, f, 1.0, beta, grad);
    } else if (mode == 2) {
        sum_columns(rows, cols, f, 1.0, beta, grad);
    } else {
        sum_partials(rows, cols, f, partials);
    }
}

// ------------------------------------------------------------------------------------------------ reductions

// out[i] <- op over row i of x [rows, cols] (SUM, MEAN = sum / cols, MAX = the first maximum); one block per row.
__global__ void reduce_rows_f32(long long rows, int cols, int op, const float *x, float *out) {
    if (op != R_MAX) {
        sum_rows(rows, cols, Plain{x, cols}, op == R_MEAN ? (double) cols : 1.0, 0.0f, out);
        return;
    }
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        int at = row_argmax(x, i, cols);
        if (threadIdx.x == 0) {
            out[i] = x[i * cols + at];
        }
    }
}

// out[j] <- op down column j of x [rows, cols]; one block per tile of TILE columns.
__global__ void reduce_columns_f32(long long rows, int cols, int op, const float *x, float *out) {
    if (op != R_MAX) {
        sum_columns(rows, cols, Plain{x, cols}, op == R_MEAN ? (double) rows : 1.0, 0.0f, out);
        return;
    }
    int c = threadIdx.x % TILE;
    for (long long tile = blockIdx.x; tile * TILE < cols; tile += gridDim.x) {
        long long j = tile * TILE + c;
        long long at = tile_argmax(x, rows, cols, j);
        if (threadIdx.x < TILE && j < cols) {
            out[j] = x[at * cols + j];
        }
    }
}

// Per-block partials of op over all n elements of x: SUM and MEAN their sums in partials[block]; MAX the first
// maximum's value in partials[block] and its index in partials[MAX_PARTIALS + block] (-1: none).
__global__ void reduce_all_partials_f32(long long n, int op, const float *x, double *partials) {
    if (op != R_MAX) {
        sum_partials(n, 1, Plain{x, 1}, partials);
        return;
    }
    float best = 0.0f;
    long long at = -1;
    GRID_STRIDE_LOOP(i, n) {
        if (max_before(x[i], i, best, at)) {
            best = x[i];
            at = i;
        }
    }
    long long first = block_argmax(best, at, &best);
    if (threadIdx.x == 0) {
        partials[blockIdx.x] = (double) best;
        partials[MAX_PARTIALS + blockIdx.x] = (double) first;
    }
}

// Combines count partials of reduce_all_partials_f32 (or binary_backward_f32's mode 3) in a fixed order; one block.
// SUM, MEAN: out[0] <- accumulate(beta, out[0], total / divisor). MAX: out[0] <- the maximum (when out is not null)
// and index[0] <- its index (when index is not null).
__global__ void reduce_all_final_f32(int count, int op, const double *partials, double divisor, float beta,
                                     float *out, long long *index) {
    if (op != R_MAX) {
        double acc = 0.0;
        for (int i = threadIdx.x; i < count; i += BLOCK) {
            acc += partials[i];
        }
        double total = block_sum(acc);
        if (threadIdx.x == 0) {
            out[0] = accumulate(beta, out[0], (float) (total / divisor));
        }
        return;
    }
    float best = 0.0f;
    long long at = -1;
    for (int i = threadIdx.x; i < count; i += BLOCK) {
        float v = (float) partials[i];
        long long k = (long long) partials[MAX_PARTIALS + i];
        if (max_before(v, k, best, at)) {
            best = v;
            at = k;
        }
    }
    long long first = block_argmax(best, at, &best);
    if (threadIdx.x == 0) {
        if (out != 0) {
            out[0] = best;
        }
        if (index != 0) {
            index[0] = first;
        }
    }
}

// The gradient of a SUM or MEAN reduction: grad_in[i, j] <- accumulate(beta, grad_in[i, j], g[line] / divisor),
// line 0 (axis -1), j (axis 0: one per column) or i (axis 1: one per row); divisor 1 for SUM.
__global__ void reduce_backward_f32(long long rows, int cols, int axis, const float *g, float divisor, float beta,
                                    float *grad_in) {
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long i = e / cols;
        long long line = axis < 0 ? 0 : axis == 0 ? e - i * cols : i;
        grad_in[e] = accumulate(beta, grad_in[e], g[line] / divisor);
    }
}

// The gradient of MAX along each row: g[i] goes to the first maximum of row i of x, 0 to the others; one block per
// row.
__global__ void max_backward_rows_f32(long long rows, int cols, const float *x, const float *g, float beta,
                                      float *grad_in) {
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        int at = row_argmax(x, i, cols);
        float *row = grad_in + i * cols;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            row[j] = accumulate(beta, row[j], j == at ? g[i] : 0.0f);
        }
    }
}

// The gradient of MAX down each column: g[j] goes to the first maximum of column j of x; one block per tile.
__global__ void max_backward_columns_f32(long long rows, int cols, const float *x, const float *g, float beta,
                                         float *grad_in) {
    int c = threadIdx.x % TILE;
    int lane = threadIdx.x / TILE;
    for (long long tile = blockIdx.x; tile * TILE < cols; tile += gridDim.x) {
        long long j = tile * TILE + c;
        long long at = tile_argmax(x, rows, cols, j);
        if (j < cols) {
            for (long long i = lane; i < rows; i += LANES) {
                long long e = i * cols + j;
                grad_in[e] = accumulate(beta, grad_in[e], i == at ? g[j] : 0.0f);
            }
        }
    }
}

// The gradient of MAX over everything: g[0] goes to element index[0] (from reduce_all_final_f32).
__global__ void max_backward_all_f32(long long n, const long long *index, const float *g, float beta,
                                     float *grad_in) {
    long long at = index[0];
    GRID_STRIDE_LOOP(i, n) {
        grad_in[i] = accumulate(beta, grad_in[i], i == at ? g[0] : 0.0f);
    }
}

// ------------------------------------------------------------------------------------------------ rows

// Softmax (log == 0) or log-softmax of each row, max-subtracted; x - m, the exponentials and their sum in double,
// each output rounded once. One block per row. out may alias x: a thread writes only the elements it read, after the
// row's sums.
__global__ void softmax_rows_f32(long long rows, int cols, const float *x, float *out, int log_softmax) {
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        const float *row = x + i * cols;
        double m = (double) row[row_argmax(x, i, cols)];
        double acc = 0.0;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            acc += exp((double) row[j] - m);
        }
        double s = block_sum_again(acc);
        double log_s = log(s);
        float *o = out + i * cols;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            double d = (double) row[j] - m;
            o[j] = log_softmax ? (float) (d - log_s) : (float) (exp(d) / s);
        }
    }
}

// The gradient of softmax_rows_f32 from its output y: softmax y * (g - sum_j g y), log-softmax g - exp(y) * sum_j g,
// each sum in double and rounded to float; grad_in <- accumulate(beta, grad_in, that). One block per row; grad_in
// may alias g.
__global__ void softmax_rows_backward_f32(long long rows, int cols, const float *y, const float *g, int log_softmax,
                                          float beta, float *grad_in) {
    for (long long i = blockIdx.x; i < rows; i += gridDim.x) {
        const float *yr = y + i * cols;
        const float *gr = g + i * cols;
        double acc = 0.0;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            acc += log_softmax ? (double) gr[j] : (double) gr[j] * (double) yr[j];
        }
        float s = (float) block_sum_again(acc);
        float *gi = grad_in + i * cols;
        for (int j = threadIdx.x; j < cols; j += BLOCK) {
            float v = log_softmax ? gr[j] - (float) exp((double) yr[j]) * s : yr[j] * (gr[j] - s);
            gi[j] = accumulate(beta, gi[j], v);
        }
    }
}

// out[i] <- x[i, labels[i]]; a label outside [0, cols) is reported (code 3) and leaves out[i] unchanged.
__global__ void gather_columns_f32(long long rows, int cols, const float *x, const int *labels, float *out,
                                   int *status) {
    GRID_STRIDE_LOOP(i, rows) {
        int y = labels[i];
        if (y < 0 || y >= cols) {
            report_status(status, STATUS_GATHER_COLUMNS_LABEL, i, y, cols);
            continue;
        }
        out[i] = x[i * cols + y];
    }
}

// grad_in[i, j] <- accumulate(beta, grad_in[i, j], j == labels[i] ? g[i] : 0), one thread per element: each element
// gets at most one addition, so no atomics. A bad label is reported (code 4); its row is only scaled.
__global__ void scatter_add_columns_f32(long long rows, int cols, const float *g, const int *labels, float beta,
                                        float *grad_in, int *status) {
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long i = e / cols;
        int j = (int) (e - i * cols);
        int y = labels[i];
        if ((y < 0 || y >= cols) && j == 0) {
            report_status(status, STATUS_SCATTER_COLUMNS_LABEL, i, y, cols);
        }
        grad_in[e] = accumulate(beta, grad_in[e], j == y ? g[i] : 0.0f);
    }
}

// ------------------------------------------------------------------------------------------------ blocks

// out [cols, rows] <- accumulate(beta, out, x^T) for x [rows, cols]; one thread per element of out.
__global__ void transpose_f32(long long rows, int cols, const float *x, float beta, float *out) {
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long r = e / rows;  // a row of out: a column of x
        long long c = e - r * rows;
        out[e] = accumulate(beta, out[e], x[c * cols + r]);
    }
}

// dst[i * dst_ld + j] <- accumulate(beta, dst, src[i * src_ld + j]) for a rows x cols block (pointers at the block's
// first element). 32-bit elements: float32, or int32 (is_int) where beta == 0 copies and any other beta gives
// (int) (beta * dst) + src.
__global__ void copy_block_u32(long long rows, int cols, const unsigned int *src, int src_ld, unsigned int *dst,
                               int dst_ld, float beta, int is_int) {
    GRID_STRIDE_LOOP(e, rows * cols) {
        long long i = e / cols;
        int j = (int) (e - i * cols);
        unsigned int s = src[i * src_ld + j];
        unsigned int *d = dst + i * dst_ld + j;
        if (beta == 0.0f) {
            *d = s;
        } else if (is_int) {
            *d = (unsigned int) (int) ((double) beta * (double) (int) *d) + s;
        } else {
            float v = accumulate(beta, __uint_as_float(*d), __uint_as_float(s));
            *d = __float_as_uint(v);
        }
    }
}

}  // extern "C"
