package dev.descent.it.model;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.AdamOptions;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.optim.SgdOptions;

import java.util.List;
import java.util.Random;

/**
 * Shared helpers of the model and trainer integration tests: the CPU backend, synthetic data sets, optimizers, and an
 * independent double-precision reference of the dense models and losses (the oracle of the gradient checks).
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The CPU backend with all cores. */
    public static Backend cpu() {
        return Backends.select("cpu", BackendOptions.defaults()).backend();
    }

    /** The CPU backend with {@code threads} workers. */
    public static Backend cpu(int threads) {
        return Backends.select("cpu", BackendOptions.threads(threads)).backend();
    }

    public static Optimizer sgd(List<Parameter> params, double lr) {
        return Optimizers.create("sgd", SgdOptions.defaults().withLr(lr), params);
    }

    public static Optimizer adam(List<Parameter> params, double lr) {
        return Optimizers.create("adam", AdamOptions.defaults().withLr(lr), params);
    }

    /** Gaussian blobs: {@code k} class centres at distance ~{@code spread}, unit-variance noise times {@code noise}. */
    public static Dataset blobs(int n, int d, int k, double spread, double noise, long seed) {
        Random rnd = new Random(seed);
        double[][] centres = new double[k][d];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                centres[c][j] = rnd.nextGaussian() * spread;
            }
        }
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % k;
            y[i] = c;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (centres[c][j] + noise * rnd.nextGaussian());
            }
        }
        return Dataset.classification("blobs", x, n, d, y, k);
    }

    /**
     * Raw pixel-like data as in the lecture: values 0..255 (integers), each class a random prototype image plus noise.
     */
    public static Dataset pixels(int n, int d, int k, long seed) {
        Random rnd = new Random(seed);
        float[][] proto = new float[k][d];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                proto[c][j] = rnd.nextInt(256);
            }
        }
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(k);
            y[i] = c;
            for (int j = 0; j < d; j++) {
                double v = proto[c][j] + 60 * rnd.nextGaussian();
                x[i * d + j] = (float) Math.rint(Math.min(255, Math.max(0, v)));
            }
        }
        return Dataset.classification("pixels", x, n, d, y, k);
    }

    /** y = x·W + b (+ noise), x ~ N(0, 1); W is [d, outputs] row-major. */
    public static Dataset linear(int n, int d, float[] w, float[] b, double noise, long seed) {
        int outputs = b.length;
        Random rnd = new Random(seed);
        float[] x = new float[n * d];
        float[] t = new float[n * outputs];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) rnd.nextGaussian();
            }
            for (int o = 0; o < outputs; o++) {
                double s = b[o];
                for (int j = 0; j < d; j++) {
                    s += x[i * d + j] * w[j * outputs + o];
                }
                t[i * outputs + o] = (float) (s + noise * rnd.nextGaussian());
            }
        }
        return Dataset.regression("linear", x, n, d, t, outputs);
    }

    /** A batch from host arrays (labels or targets null), uploaded to {@code backend}. */
    public static Batch batch(Backend backend, float[] x, int rows, int cols, int[] labels, float[] targets,
            int globalSize) {
        Tensor f = backend.upload(x, rows, cols);
        Tensor l = labels == null ? null : backend.uploadInt(labels, rows);
        Tensor t = targets == null ? null : backend.upload(targets, rows, targets.length / rows);
        return new Batch(f, l, t, rows, globalSize, 0);
    }

    // ------------------------------------------------------------------ double-precision reference

    /** The model's parameter values, downloaded. */
    public static float[][] parameterValues(Model model) {
        List<Parameter> ps = model.parameters();
        float[][] v = new float[ps.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = model.backend().download(ps.get(i).value());
        }
        return v;
    }

    /** The model's gradients, downloaded. */
    public static float[][] gradientValues(Model model) {
        List<Parameter> ps = model.parameters();
        float[][] v = new float[ps.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = model.backend().download(ps.get(i).grad());
        }
        return v;
    }

    /**
     * Outputs of a dense ReLU stack in double: per layer {@code z = a·W + b} (W [in, out] row-major), ReLU between
     * layers. {@code params} lists W (and b when {@code bias}) per layer, as the models order them.
     */
    public static double[][] forward(ModelSpec spec, double[][] params, float[] x, int rows) {
        int[] widths = spec.widths();
        double[][] a = new double[rows][];
        for (int i = 0; i < rows; i++) {
            a[i] = new double[widths[0]];
            for (int j = 0; j < widths[0]; j++) {
                a[i][j] = x[i * widths[0] + j];
            }
        }
        int p = 0;
        for (int l = 0; l < widths.length - 1; l++) {
            double[] w = params[p++];
            double[] b = spec.bias() ? params[p++] : null;
            int in = widths[l];
            int out = widths[l + 1];
            double[][] z = new double[rows][out];
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < out; o++) {
                    double s = b == null ? 0 : b[o];
                    for (int j = 0; j < in; j++) {
                        s += a[i][j] * w[j * out + o];
                    }
                    z[i][o] = l < widths.length - 2 ? Math.max(s, 0) : s;
                }
            }
            a = z;
        }
        return a;
    }

    /** torch's mean-reduced loss in double; labels for ce, targets [rows, cols] otherwise. */
    public static double loss(Loss loss, double[][] out, int[] labels, float[] targets, int normalizer) {
        int rows = out.length;
        int cols = out[0].length;
        double s = 0;
        for (int i = 0; i < rows; i++) {
            if (loss == Loss.CROSS_ENTROPY) {
                double m = Double.NEGATIVE_INFINITY;
                for (double v : out[i]) {
                    m = Math.max(m, v);
                }
                double e = 0;
                for (double v : out[i]) {
                    e += Math.exp(v - m);
                }
                s += m + Math.log(e) - out[i][labels[i]];
                continue;
            }
            for (int c = 0; c < cols; c++) {
                double p = out[i][c];
                double t = targets != null ? targets[i * cols + c] : labels[i];
                s += switch (loss) {
                    case BINARY_CROSS_ENTROPY -> Math.max(p, 0) - p * t + Math.log1p(Math.exp(-Math.abs(p)));
                    case MSE -> (p - t) * (p - t);
                    case MAE -> Math.abs(p - t);
                    default -> throw new AssertionError();
                };
            }
        }
        return loss == Loss.CROSS_ENTROPY ? s / normalizer : s / ((double) normalizer * cols);
    }

    /** Widens float parameters to double. */
    public static double[][] widen(float[][] v) {
        double[][] d = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            d[i] = new double[v[i].length];
            for (int j = 0; j < v[i].length; j++) {
                d[i][j] = v[i][j];
            }
        }
        return d;
    }
}
