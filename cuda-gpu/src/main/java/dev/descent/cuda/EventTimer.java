package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@link CudaBackend#time}: device milliseconds between two CUDA events recorded on the stream around some work. */
final class EventTimer {
    private final DeviceContext context;
    private final StreamState state;
    private final DeviceStatus status;
    private final MemorySegment out;
    private final MemorySegment ms;

    EventTimer(DeviceContext context, StreamState state, DeviceStatus status, Arena arena) {
        this.context = context;
        this.state = state;
        this.status = status;
        this.out = arena.allocate(ADDRESS);
        this.ms = arena.allocate(JAVA_FLOAT);
    }

    /** Milliseconds the device spends on what {@code work} queues; synchronises. */
    float time(Runnable work) {
        context.enter();
        state.refuseInGraph("time");
        MemorySegment start = null;
        MemorySegment end = null;
        try {
            start = createEvent();
            end = createEvent();
            CudaCalls.check(cuda_runtime_h.cudaEventRecord(start, context.stream()), "cudaEventRecord");
            work.run();
            context.enter();
            CudaCalls.check(cuda_runtime_h.cudaEventRecord(end, context.stream()), "cudaEventRecord");
            CudaCalls.check(cuda_runtime_h.cudaEventSynchronize(end), "cudaEventSynchronize");
            CudaCalls.check(cuda_runtime_h.cudaEventElapsedTime(ms, start, end), "cudaEventElapsedTime");
            float elapsed = ms.get(JAVA_FLOAT, 0);
            status.sync("time");
            return elapsed;
        } finally {
            if (start != null) {
                cuda_runtime_h.cudaEventDestroy(start);
            }
            if (end != null) {
                cuda_runtime_h.cudaEventDestroy(end);
            }
        }
    }

    private MemorySegment createEvent() {
        CudaCalls.check(cuda_runtime_h.cudaEventCreate(out), "cudaEventCreate");
        return out.get(ADDRESS, 0);
    }
}
