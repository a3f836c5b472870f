package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.dist.Communicator;
import dev.descent.optim.Parameter;

import java.util.List;
import java.util.Objects;

/**
 * Combines the gradients of the processes of a data-parallel run. The trainer calls {@link #synchronize()} after the
 * model has written its gradients and before {@code optimizer.step()}.
 *
 * <p><b>Scheme.</b> Every process computes its loss and gradients over its shard of the batch but divides by the
 * <em>global</em> batch size ({@link dev.descent.data.Batch#globalSize()}). Its gradient is therefore its share of
 * the global mean's sum, and a plain allreduce-<b>sum</b> gives every process the gradient of the global batch's mean
 * loss; there is no division by the number of processes (and an uneven split, even an empty shard, stays exact).
 * {@link #allreduce} packs all gradients into one preallocated host array (one download per tensor into its offset),
 * performs one {@code allreduceSum}, and uploads the result back, so a step costs one collective. With one process
 * nothing is done at all.
 */
@FunctionalInterface
public interface GradientSynchronizer {

    /** Makes every process's gradients the global ones. */
    void synchronize();

    /** Leaves gradients as they are (one process). */
    static GradientSynchronizer none() {
        return () -> { };
    }

    /**
     * Allreduce-sum of all gradients through one host buffer; {@link #none()} when {@code communicator.size() == 1}.
     */
    static GradientSynchronizer allreduce(List<Parameter> parameters, Communicator communicator) {
        Objects.requireNonNull(communicator, "communicator");
        if (communicator.size() == 1) {
            return none();
        }
        return new AllreduceSynchronizer(parameters, communicator);
    }

    /**
     * Copies {@code root}'s parameter values to every process (so that all start from rank 0's initialisation).
     * Does nothing with one process.
     */
    static void broadcastParameters(List<Parameter> parameters, Communicator communicator, int root) {
        if (communicator.size() == 1 || parameters.isEmpty()) {
            return;
        }
        Backend backend = parameters.get(0).value().backend();
        int total = AllreduceSynchronizer.totalSize(parameters);
        float[] buf = new float[total];
        int off = 0;
        for (Parameter p : parameters) {
            backend.download(p.value(), buf, off);
            off += (int) p.value().size();
        }
        communicator.broadcast(buf, 0, total, root);
        off = 0;
        for (Parameter p : parameters) {
            backend.upload(buf, off, p.value());
            off += (int) p.value().size();
        }
    }
}
