package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.dist.Communicator;
import dev.descent.optim.Parameter;

import java.util.List;

/** The allreduce implementation: one host buffer, one collective per step. */
final class AllreduceSynchronizer implements GradientSynchronizer {
    private final Parameter[] parameters;
    private final int[] offsets;
    private final float[] buffer;
    private final Communicator communicator;
    private final Backend backend;

    AllreduceSynchronizer(List<Parameter> parameters, Communicator communicator) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("no parameters to synchronize");
        }
        this.parameters = parameters.toArray(new Parameter[0]);
        this.communicator = communicator;
        this.backend = this.parameters[0].grad().backend();
        this.offsets = new int[this.parameters.length];
        int off = 0;
        for (int i = 0; i < this.parameters.length; i++) {
            offsets[i] = off;
            off += (int) this.parameters[i].grad().size();
        }
        this.buffer = new float[totalSize(parameters)];
    }

    static int totalSize(List<Parameter> parameters) {
        long total = 0;
        for (Parameter p : parameters) {
            total += p.value().size();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(total + " parameters are too many for one host buffer");
        }
        return (int) total;
    }

    @Override
    public void synchronize() {
        for (int i = 0; i < parameters.length; i++) {
            backend.download(parameters[i].grad(), buffer, offsets[i]);
        }
        communicator.allreduceSum(buffer, 0, buffer.length);
        for (int i = 0; i < parameters.length; i++) {
            backend.upload(buffer, offsets[i], parameters[i].grad());
        }
    }
}
