package dev.descent.it.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;

/**
 * A host test backend whose vector operations round exactly as torch 1.13 does on the CPU for the short vectors of
 * the golden problems: {@code axpy} is torch's {@code add_(x, alpha)} (one fused multiply-add per element),
 * {@code scale} one float32 multiply, and {@code dot} accumulates float32 products in float32 in element order, as the
 * BLAS {@code sdot} torch calls does for vectors this short (checked against torch: it matches {@code torch.dot} on
 * two-element vectors every time, where a double accumulation rounded once matches in about two cases out of three).
 * The real backends accumulate a dot product in double, the only place where {@link dev.descent.optim.Lbfgs} can
 * differ from torch; on this backend LBFGS must reproduce torch bit for bit.
 *
 * <p>It implements the memory operations and those reductions and updates; anything else is refused. It is a
 * {@link Proxy}, so that operations added to {@link Backend} later need nothing here.
 */
final class TorchRounding {
    private TorchRounding() {
    }

    /** A new backend of this kind. */
    static Backend backend() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                new Handler());
    }

    private static final class HostTensor implements Tensor {
        final Backend owner;
        final float[] data;
        final int[] shape;
        boolean closed;

        HostTensor(Backend owner, int[] shape) {
            this.owner = owner;
            this.shape = shape.clone();
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            this.data = new float[Math.toIntExact(n)];
        }

        @Override
        public Backend backend() {
            return owner;
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public int rows() {
            return shape[0];
        }

        @Override
        public int cols() {
            return shape.length == 1 ? 1 : shape[1];
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class Handler implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method m, Object[] a) throws Throwable {
            Backend self = (Backend) proxy;
            switch (m.getName()) {
                case "name":
                    return "torch-rounding";
                case "description":
                    return "host test backend with torch's CPU rounding";
                case "threads":
                    return 1;
                case "toString":
                    return "torch-rounding test backend";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == a[0];
                case "synchronize", "close":
                    return null;
                case "allocate":
                    return new HostTensor(self, (int[]) a[0]);
                case "upload":
                    if (a.length == 2) {
                        HostTensor t = new HostTensor(self, (int[]) a[1]);
                        System.arraycopy((float[]) a[0], 0, t.data, 0, t.data.length);
                        return t;
                    }
                    HostTensor dst = t(a[2]);
                    System.arraycopy((float[]) a[0], (int) a[1], dst.data, 0, dst.data.length);
                    return null;
                case "download":
                    if (a.length == 3) {
                        HostTensor src = t(a[0]);
                        System.arraycopy(src.data, 0, (float[]) a[1], (int) a[2], src.data.length);
                        return null;
                    }
                    break;
                case "get":
                    return t(a[0]).data[Math.toIntExact((long) a[1])];
                case "axpy": {
                    float alpha = (float) a[0];
                    float[] x = t(a[1]).data;
                    float[] y = t(a[2]).data;
                    for (int i = 0; i < y.length; i++) {
                        y[i] = Math.fma(alpha, x[i], y[i]);
                    }
                    return null;
                }
                case "scale": {
                    float alpha = (float) a[0];
                    float[] x = t(a[1]).data;
                    for (int i = 0; i < x.length; i++) {
                        x[i] = alpha * x[i];
                    }
                    return null;
                }
                case "fill":
                    Arrays.fill(t(a[0]).data, (float) a[1]);
                    return null;
                case "copy":
                    System.arraycopy(t(a[0]).data, 0, t(a[1]).data, 0, t(a[1]).data.length);
                    return null;
                case "dot": {
                    float[] x = t(a[0]).data;
                    float[] y = t(a[1]).data;
                    float s = 0f;
                    for (int i = 0; i < x.length; i++) {
                        s += x[i] * y[i];
                    }
                    return (double) s;
                }
                case "maxAbs": {
                    float mx = 0f;
                    for (float v : t(a[0]).data) {
                        if (Float.isNaN(v)) {
                            return Float.NaN;
                        }
                        mx = Math.max(mx, Math.abs(v));
                    }
                    return mx;
                }
                case "allFinite": {
                    for (float v : t(a[0]).data) {
                        if (!Float.isFinite(v)) {
                            return false;
                        }
                    }
                    return true;
                }
                default:
                    break;
            }
            if (m.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, m, a);
            }
            throw new UnsupportedOperationException("torch-rounding test backend: " + m.getName());
        }

        private static HostTensor t(Object x) {
            HostTensor h = (HostTensor) x;
            if (h.closed) {
                throw new IllegalStateException("closed tensor");
            }
            return h;
        }
    }
}
