package dev.descent.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * What the stream is doing besides running operations directly: a {@link CudaBackend#captureGraph} capture in
 * progress (and what it recorded that a replay must honour), or a training step being recorded by {@link StepGraphs}.
 * Every part that queues work asks it, none of them owns it.
 */
final class StreamState {
    private boolean capturing;
    private boolean capturedStatusKernel;
    private final List<DeviceTensor> capturedIntWrites = new ArrayList<>();
    /** Non-null while a training step is recorded or patched: it takes every operation. */
    private StepGraphs recorder;

    /** Whether {@link CudaBackend#captureGraph} is capturing. */
    boolean capturing() {
        return capturing;
    }

    /**
     * Before an operation a graph cannot hold (it allocates, frees, copies from Java memory or synchronises): refused
     * while a graph is captured; inside a recorded training step it ends the recording, and the step runs directly.
     */
    void refuseInGraph(String op) {
        if (capturing) {
            throw new IllegalStateException(op + ": not allowed while a CUDA graph is being captured (it allocates, "
                    + "frees, copies from Java memory or synchronises); do it before captureGraph or between replays");
        }
        interruptRecording();
    }

    /** Ends a training step's recording, if one is in progress (its operations so far are issued directly). */
    void interruptRecording() {
        if (recorder != null) {
            recorder.interrupt();
        }
    }

    /** The step recorder that takes every operation now, or null. */
    StepGraphs recorder() {
        return recorder;
    }

    void startRecording(StepGraphs steps) {
        recorder = steps;
    }

    void stopRecording() {
        recorder = null;
    }

    /** A {@link CudaBackend#captureGraph} capture begins: nothing recorded yet. */
    void beginCapture() {
        capturing = true;
        capturedStatusKernel = false;
        capturedIntWrites.clear();
    }

    void endCapture() {
        capturing = false;
    }

    /** A kernel that reports into the device status record was captured. */
    void statusKernelCaptured() {
        capturedStatusKernel = true;
    }

    /** Whether the last capture holds a kernel that reports into the device status record. */
    boolean capturedStatusKernel() {
        return capturedStatusKernel;
    }

    /** A kernel wrote an int32 tensor: its contents are no longer known on the host (and a graph must say so). */
    void deviceWroteInt(DeviceTensor t) {
        t.known(null);
        if (capturing) {
            capturedIntWrites.add(t);
        }
    }

    /** The int32 tensors the last capture's kernels write (their host-known contents go stale at each replay). */
    DeviceTensor[] capturedIntWrites() {
        return capturedIntWrites.toArray(new DeviceTensor[0]);
    }
}
