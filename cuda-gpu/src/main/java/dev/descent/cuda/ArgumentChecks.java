package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The CUDA side of the argument checks: what {@link OpChecks}, shared by every backend, cannot do by itself. Each
 * tensor check first refuses a closed backend ({@link OpChecks#open}) and makes the backend's context current on the
 * calling thread ({@link DeviceContext#enter(String)}), as every operation must before it touches the device; then
 * it is {@link OpChecks#owned}, {@link OpChecks#float32} or {@link OpChecks#int32} with {@link DeviceTensor}. A
 * tensor belongs to this backend when its {@link DeviceTensor#memory} is this backend's: {@link DeviceTensor#backend()}
 * is that memory's {@link DeviceMemory#owner()}, the facade, which is what the shared check compares (one memory per
 * backend, so the two tests agree). Everything else (shapes, array ranges, the indices and labels the host knows,
 * scalars) the operations check with {@link OpChecks} directly, in the order the CPU backend does; what only the
 * device can check (labels and gather indices the host does not know) the kernels report through
 * {@link DeviceStatus}.
 */
final class ArgumentChecks {
    private final DeviceContext context;
    private final Backend owner;

    ArgumentChecks(DeviceContext context, DeviceMemory memory) {
        this.context = context;
        this.owner = memory.owner();
    }

    /** {@code t} as a live tensor of this backend, any dtype; enters the context first. */
    DeviceTensor own(Tensor t, String op, String name) {
        context.enter(op);
        return OpChecks.owned(owner, DeviceTensor.class, t, op, name);
    }

    /** {@link #own} and float32. */
    DeviceTensor f32(Tensor t, String op, String name) {
        context.enter(op);
        return OpChecks.float32(owner, DeviceTensor.class, t, op, name);
    }

    /** {@link #own} and int32. */
    DeviceTensor i32(Tensor t, String op, String name) {
        context.enter(op);
        return OpChecks.int32(owner, DeviceTensor.class, t, op, name);
    }

    /** {@link #f32} unless {@code t} is null (an optional tensor such as a loss's gradient). */
    DeviceTensor f32OrNull(Tensor t, String op, String name) {
        return t == null ? null : f32(t, op, name);
    }
}
