package dev.descent.it.train;

import dev.descent.dist.Communicator;
import dev.descent.dist.CommunicatorException;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process stand-in for MPI: {@code size} threads, one rank each, exchanging arrays through a barrier. Sums are
 * taken in rank order, so every rank gets bit-identical results (as MPI's allreduce does).
 */
final class ThreadCommunicator implements Communicator {
    private final Group group;
    private final int rank;

    private ThreadCommunicator(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /** The communicators of one group, index = rank. */
    static ThreadCommunicator[] group(int size) {
        Group g = new Group(size);
        ThreadCommunicator[] c = new ThreadCommunicator[size];
        for (int r = 0; r < size; r++) {
            c[r] = new ThreadCommunicator(g, r);
        }
        return c;
    }

    private static final class Group {
        final int size;
        final CyclicBarrier barrier;
        final Object[] arrays;
        final int[] offsets;

        Group(int size) {
            this.size = size;
            this.barrier = new CyclicBarrier(size);
            this.arrays = new Object[size];
            this.offsets = new int[size];
        }

        void await() {
            try {
                barrier.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new CommunicatorException("thread communicator: a rank did not arrive", e);
            }
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.size;
    }

    @Override
    public void broadcast(float[] buf, int offset, int length, int root) {
        group.arrays[rank] = buf;
        group.offsets[rank] = offset;
        group.await();
        if (rank != root) {
            System.arraycopy((float[]) group.arrays[root], group.offsets[root], buf, offset, length);
        }
        group.await();
    }

    @Override
    public void allreduceSum(float[] buf, int offset, int length) {
        group.arrays[rank] = buf;
        group.offsets[rank] = offset;
        group.await();
        float[] sum = new float[length];
        for (int r = 0; r < group.size; r++) {
            float[] a = (float[]) group.arrays[r];
            int o = group.offsets[r];
            for (int i = 0; i < length; i++) {
                sum[i] = r == 0 ? a[o + i] : sum[i] + a[o + i];
            }
        }
        group.await();
        System.arraycopy(sum, 0, buf, offset, length);
    }

    @Override
    public void allreduceSum(double[] buf, int offset, int length) {
        group.arrays[rank] = buf;
        group.offsets[rank] = offset;
        group.await();
        double[] sum = new double[length];
        for (int r = 0; r < group.size; r++) {
            double[] a = (double[]) group.arrays[r];
            int o = group.offsets[r];
            for (int i = 0; i < length; i++) {
                sum[i] = r == 0 ? a[o + i] : sum[i] + a[o + i];
            }
        }
        group.await();
        System.arraycopy(sum, 0, buf, offset, length);
    }

    @Override
    public void barrier() {
        group.await();
    }

    @Override
    public void abort(int code) {
        group.barrier.reset();
        throw new CommunicatorException("abort(" + code + ")");
    }

    @Override
    public String description() {
        return "threads, rank " + rank + " of " + group.size;
    }

    @Override
    public void close() {
    }
}
