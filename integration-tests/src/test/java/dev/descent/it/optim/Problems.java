package dev.descent.it.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.Parameter;
import java.util.List;

/** The two golden problems on a backend; each fills its parameters' gradients and returns the loss. */
final class Problems {
    private Problems() {
    }

    interface Problem extends AutoCloseable {
        List<Parameter> parameters();

        /** Loss at the current parameters; gradients of the loss (or of its negation) into the grad tensors. */
        double lossAndGrad(boolean negate);

        @Override
        void close();
    }

    /**
     * The lecture's Rosenbrock R = (1 − w1)² + 10(w2 − w1²)², value and gradient from the library's own objective
     * {@link dev.descent.objective.Rosenbrock#lecture()}, which reproduces the float32 operations of torch autograd
     * that make_golden_optim.py runs ({@code loss = (1 - w[0])**2 + 10*(w[1] - w[0]**2)**2; loss.backward()}).
     */
    static final class Rosenbrock implements Problem {
        private final dev.descent.objective.Rosenbrock objective = dev.descent.objective.Rosenbrock.lecture();
        private final Backend b;
        private final Parameter w;
        private final float[] host = new float[2];
        private final float[] grad = new float[2];

        Rosenbrock(Backend b, float w1, float w2) {
            this.b = b;
            this.w = new Parameter("w", b.upload(new float[] {w1, w2}, 2), b.allocate(2));
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(w);
        }

        @Override
        public double lossAndGrad(boolean negate) {
            b.download(w.value(), host, 0);
            double r = objective.valueAndGradient(host, grad);
            if (negate) {
                grad[0] = -grad[0];
                grad[1] = -grad[1];
            }
            b.upload(grad, 0, w.grad());
            return r;
        }

        @Override
        public void close() {
            w.value().close();
            w.grad().close();
        }
    }

    /**
     * The linear L = Σ a_i w_i over one tensor w (no minimum), in float32 as torch's {@code (a * w).sum()} for two
     * elements: fl(fl(a1 w1) + fl(a2 w2)); the gradient is a, exactly.
     */
    static final class Linear implements Problem {
        private final Backend b;
        private final Parameter w;
        private final float[] a;
        private final float[] host;

        Linear(Backend b, float[] a, float[] init) {
            this.b = b;
            this.a = a.clone();
            this.host = new float[a.length];
            this.w = new Parameter("w", b.upload(init.clone(), init.length), b.allocate(init.length));
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(w);
        }

        @Override
        public double lossAndGrad(boolean negate) {
            b.download(w.value(), host, 0);
            float loss = 0f;
            for (int i = 0; i < a.length; i++) {
                loss += a[i] * host[i];
            }
            float[] g = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                g[i] = negate ? -a[i] : a[i];
            }
            b.upload(g, 0, w.grad());
            return negate ? -loss : loss;
        }

        @Override
        public void close() {
            w.value().close();
            w.grad().close();
        }
    }

    /**
     * L = Σ ½ c (w − t)² over two tensors u [37] and v [5]; gradient c·(w − t) in float32 (d = w − t, g = c·d), the
     * loss summed in double in element order, exactly as make_golden_optim.py.
     */
    static final class Quadratic implements Problem {
        private final Backend b;
        private final List<Parameter> params;
        private final float[][] target;
        private final float[][] curvature;
        private final float[][] host;

        Quadratic(Backend b, Golden g) {
            this.b = b;
            String[] names = {"u", "v"};
            params = new java.util.ArrayList<>();
            target = new float[2][];
            curvature = new float[2][];
            host = new float[2][];
            for (int k = 0; k < 2; k++) {
                float[] init = row(g, "init", names[k]);
                target[k] = row(g, "target", names[k]);
                curvature[k] = row(g, "curvature", names[k]);
                host[k] = new float[init.length];
                params.add(new Parameter(names[k], b.upload(init, init.length), b.allocate(init.length)));
            }
        }

        private static float[] row(Golden g, String key, String name) {
            for (String[] r : g.header.get(key)) {
                if (r[0].equals(name)) {
                    return Golden.floats(java.util.Arrays.copyOfRange(r, 1, r.length));
                }
            }
            throw new IllegalStateException("no " + key + " " + name);
        }

        @Override
        public List<Parameter> parameters() {
            return params;
        }

        @Override
        public double lossAndGrad(boolean negate) {
            double total = 0;
            for (int k = 0; k < 2; k++) {
                float[] w = host[k];
                b.download(params.get(k).value(), w, 0);
                for (int i = 0; i < w.length; i++) {
                    float d = w[i] - target[k][i];
                    float c = curvature[k][i];
                    total += 0.5 * c * d * d;
                    float grad = c * d;
                    w[i] = negate ? -grad : grad;
                }
                b.upload(w, 0, params.get(k).grad());
            }
            return total;
        }

        @Override
        public void close() {
            for (Parameter p : params) {
                p.value().close();
                p.grad().close();
            }
        }
    }

    /** Softmax regression: logits = X·W + b, mean cross-entropy, gradients by the backend's fused loss and GEMM. */
    static final class Softmax implements Problem {
        private final Backend b;
        private final int n;
        private final Tensor x;
        private final Tensor labels;
        private final Tensor logits;
        private final Tensor gradLogits;
        private final Tensor lossOut;
        private final Parameter weights;
        private final Parameter bias;

        Softmax(Backend b, float[] xs, int[] ys, int n, int features, int classes) {
            this.b = b;
            this.n = n;
            x = b.upload(xs, n, features);
            labels = b.uploadInt(ys, n);
            logits = b.allocate(n, classes);
            gradLogits = b.allocate(n, classes);
            lossOut = b.allocate(1);
            weights = new Parameter("W", b.allocate(features, classes), b.allocate(features, classes));
            bias = new Parameter("b", b.allocate(classes), b.allocate(classes));
        }

        static Softmax fromGolden(Backend b, Golden g) {
            String[] xh = g.header.get("x").get(0);
            String[] yh = g.header.get("y").get(0);
            int n = Integer.parseInt(xh[0]);
            int f = Integer.parseInt(xh[1]);
            float[] xs = Golden.floats(java.util.Arrays.copyOfRange(xh, 2, xh.length));
            int[] ys = new int[n];
            int classes = 0;
            for (int i = 0; i < n; i++) {
                ys[i] = Integer.parseInt(yh[i + 1]);
                classes = Math.max(classes, ys[i] + 1);
            }
            String[] wShape = g.header.get("param_shape").get(0);
            return new Softmax(b, xs, ys, n, f, Integer.parseInt(wShape[2]));
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(weights, bias);
        }

        @Override
        public double lossAndGrad(boolean negate) {
            b.gemm(false, false, 1f, x, weights.value(), 0f, logits);
            b.addRowVector(logits, bias.value());
            b.softmaxCrossEntropy(logits, labels, gradLogits, n, lossOut, 0);
            b.gemm(true, false, 1f, x, gradLogits, 0f, weights.grad());
            b.columnSums(1f, gradLogits, 0f, bias.grad());
            if (negate) {
                b.scale(-1f, weights.grad());
                b.scale(-1f, bias.grad());
            }
            return b.get(lossOut, 0);
        }

        @Override
        public void close() {
            for (Tensor t : List.of(x, labels, logits, gradLogits, lossOut, weights.value(), weights.grad(),
                    bias.value(), bias.grad())) {
                t.close();
            }
        }
    }
}
