package dev.descent.data;

/**
 * The order in which a {@link DataLoader} visits samples: a pure function of {@code (seed, epoch, n)}, computed on the
 * host with integer arithmetic only, so it is the same on every backend, thread count, JDK and machine.
 *
 * <p>Definition. Let {@code mix64} be SplitMix64's finaliser and {@code γ = 0x9E3779B97F4A7C15}. The generator state
 * starts at {@code s = mix64(mix64(seed) + epoch · γ)} (64-bit wrap-around arithmetic). Each draw advances
 * {@code s ← s + γ} and returns {@code r = mix64(s)}. The order is a Fisher–Yates shuffle of {@code 0, 1, …, n−1}:
 * for {@code i = n−1} down to 1, draw {@code r}, let {@code j = ((r >>> 32) · (i + 1)) >>> 32} (a uniform index in
 * {@code [0, i]} up to a bias below 2<sup>−32</sup>·n) and swap elements {@code i} and {@code j}.
 *
 * <p>Without shuffling the order is the identity. Epochs are counted from 1; epoch 0 is used by {@link DataSplit}, so
 * that a split and the training order drawn from one seed are independent.
 */
public final class EpochOrder {
    /** SplitMix64's increment, the golden ratio in 64-bit fixed point. */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;

    private EpochOrder() {
    }

    /** SplitMix64's output function (Stafford's variant 13). */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The generator's starting state for {@code (seed, epoch)}. */
    static long initialState(long seed, long epoch) {
        return mix64(mix64(seed) + epoch * GAMMA);
    }

    /**
     * Writes the order of epoch {@code epoch} into {@code order[0 .. n)}; allocates nothing.
     *
     * @param shuffle false gives the identity
     */
    public static void fill(long seed, long epoch, boolean shuffle, int[] order, int n) {
        if (n < 0 || n > order.length) {
            throw new IllegalArgumentException("n = " + n + " does not fit an order array of length " + order.length);
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (!shuffle) {
            return;
        }
        long s = initialState(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            s += GAMMA;
            long r = mix64(s);
            int j = (int) (((r >>> 32) * (i + 1)) >>> 32);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** A new array with the shuffled order of {@code 0 .. n−1} for {@code (seed, epoch)}. */
    public static int[] permutation(long seed, long epoch, int n) {
        int[] order = new int[n];
        fill(seed, epoch, true, order, n);
        return order;
    }
}
