// Written by hand in the layout jextract 22 generates (jextract is not installable on descent's build machines);
// native-bindings/jextract/generate.sh regenerates this file from cuda_runtime_api.h where jextract is installed.
// Differences from jextract's output, each marked HAND-WRITTEN below: SYMBOL_LOOKUP comes from CudaLibraries (the
// loader that keeps dlopen's error text and knows CUDA's install locations), findOrThrow accepts alternative names
// (CUDA exports some functions as name_v2), and C_SIZE_T names size_t. Only the functions descent uses are bound.
package dev.descent.cuda.bindings.gen;

// HAND-WRITTEN (difference 1, the loader): jextract imports nothing of descent's.
import dev.descent.cuda.bindings.CudaLibraries;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The CUDA runtime API ({@code libcudart}, {@code cuda_runtime_api.h}): devices, memory, copies, streams, events,
 * graph capture and error names.
 *
 * <p>Static wrappers return the library's status code unchanged; check it with
 * {@link dev.descent.cuda.bindings.CudaErrors}.
 */
@SuppressWarnings({"unused", "restricted"})
public class cuda_runtime_h {

    cuda_runtime_h() {
        // Should not be called directly
    }

    static final Arena LIBRARY_ARENA = Arena.global();
    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
        String traceArgs = Arrays.stream(args)
                .map(Object::toString)
                .collect(Collectors.joining(", "));
        System.out.printf("%s(%s)\n", name, traceArgs);
    }

    // HAND-WRITTEN: jextract emits a single name; CUDA exports some functions under name_v2, so try each in turn.
    static MemorySegment findOrThrow(String... symbols) {
        for (String symbol : symbols) {
            var found = SYMBOL_LOOKUP.find(symbol);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new UnsatisfiedLinkError("unresolved symbol: " + String.join(" / ", symbols) + " in "
                + CudaLibraries.cudart().location());
    }

    // HAND-WRITTEN: jextract emits SymbolLookup.libraryLookup(System.mapLibraryName(...), LIBRARY_ARENA).
    static final SymbolLookup SYMBOL_LOOKUP = CudaLibraries.cudart().lookup();

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    // HAND-WRITTEN: jextract maps size_t to C_LONG on Linux x86-64; this alias only names it.
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    // typedef struct CUstream_st *cudaStream_t; and the other opaque handle types
    public static final AddressLayout cudaStream_t = cuda_runtime_h.C_POINTER;
    public static final AddressLayout cudaEvent_t = cuda_runtime_h.C_POINTER;
    public static final AddressLayout cudaGraph_t = cuda_runtime_h.C_POINTER;
    public static final AddressLayout cudaGraphExec_t = cuda_runtime_h.C_POINTER;
    public static final ValueLayout.OfInt cudaError_t = cuda_runtime_h.C_INT;

    private static final int cudaSuccess = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cudaError.cudaSuccess = 0
     * }
     */
    public static int cudaSuccess() {
        return cudaSuccess;
    }

    private static final int cudaErrorMemoryAllocation = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cudaError.cudaErrorMemoryAllocation = 2
     * }
     */
    public static int cudaErrorMemoryAllocation() {
        return cudaErrorMemoryAllocation;
    }

    private static final int cudaErrorInsufficientDriver = (int)35L;
    /**
     * {@snippet lang=c :
     * enum cudaError.cudaErrorInsufficientDriver = 35
     * }
     */
    public static int cudaErrorInsufficientDriver() {
        return cudaErrorInsufficientDriver;
    }

    private static final int cudaErrorNoDevice = (int)100L;
    /**
     * {@snippet lang=c :
     * enum cudaError.cudaErrorNoDevice = 100
     * }
     */
    public static int cudaErrorNoDevice() {
        return cudaErrorNoDevice;
    }

    private static final int cudaErrorGraphExecUpdateFailure = (int)910L;
    /**
     * {@snippet lang=c :
     * enum cudaError.cudaErrorGraphExecUpdateFailure = 910
     * }
     */
    public static int cudaErrorGraphExecUpdateFailure() {
        return cudaErrorGraphExecUpdateFailure;
    }

    private static final int cudaMemcpyHostToHost = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cudaMemcpyKind.cudaMemcpyHostToHost = 0
     * }
     */
    public static int cudaMemcpyHostToHost() {
        return cudaMemcpyHostToHost;
    }

    private static final int cudaMemcpyHostToDevice = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cudaMemcpyKind.cudaMemcpyHostToDevice = 1
     * }
     */
    public static int cudaMemcpyHostToDevice() {
        return cudaMemcpyHostToDevice;
    }

    private static final int cudaMemcpyDeviceToHost = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cudaMemcpyKind.cudaMemcpyDeviceToHost = 2
     * }
     */
    public static int cudaMemcpyDeviceToHost() {
        return cudaMemcpyDeviceToHost;
    }

    private static final int cudaMemcpyDeviceToDevice = (int)3L;
    /**
     * {@snippet lang=c :
     * enum cudaMemcpyKind.cudaMemcpyDeviceToDevice = 3
     * }
     */
    public static int cudaMemcpyDeviceToDevice() {
        return cudaMemcpyDeviceToDevice;
    }

    private static final int cudaMemcpyDefault = (int)4L;
    /**
     * {@snippet lang=c :
     * enum cudaMemcpyKind.cudaMemcpyDefault = 4
     * }
     */
    public static int cudaMemcpyDefault() {
        return cudaMemcpyDefault;
    }

    private static final int cudaDevAttrMaxThreadsPerBlock = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cudaDeviceAttr.cudaDevAttrMaxThreadsPerBlock = 1
     * }
     */
    public static int cudaDevAttrMaxThreadsPerBlock() {
        return cudaDevAttrMaxThreadsPerBlock;
    }

    private static final int cudaDevAttrMultiProcessorCount = (int)16L;
    /**
     * {@snippet lang=c :
     * enum cudaDeviceAttr.cudaDevAttrMultiProcessorCount = 16
     * }
     */
    public static int cudaDevAttrMultiProcessorCount() {
        return cudaDevAttrMultiProcessorCount;
    }

    private static final int cudaDevAttrUnifiedAddressing = (int)41L;
    /**
     * {@snippet lang=c :
     * enum cudaDeviceAttr.cudaDevAttrUnifiedAddressing = 41
     * }
     */
    public static int cudaDevAttrUnifiedAddressing() {
        return cudaDevAttrUnifiedAddressing;
    }

    private static final int cudaDevAttrComputeCapabilityMajor = (int)75L;
    /**
     * {@snippet lang=c :
     * enum cudaDeviceAttr.cudaDevAttrComputeCapabilityMajor = 75
     * }
     */
    public static int cudaDevAttrComputeCapabilityMajor() {
        return cudaDevAttrComputeCapabilityMajor;
    }

    private static final int cudaDevAttrComputeCapabilityMinor = (int)76L;
    /**
     * {@snippet lang=c :
     * enum cudaDeviceAttr.cudaDevAttrComputeCapabilityMinor = 76
     * }
     */
    public static int cudaDevAttrComputeCapabilityMinor() {
        return cudaDevAttrComputeCapabilityMinor;
    }

    private static final int cudaStreamCaptureModeGlobal = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureMode.cudaStreamCaptureModeGlobal = 0
     * }
     */
    public static int cudaStreamCaptureModeGlobal() {
        return cudaStreamCaptureModeGlobal;
    }

    private static final int cudaStreamCaptureModeThreadLocal = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureMode.cudaStreamCaptureModeThreadLocal = 1
     * }
     */
    public static int cudaStreamCaptureModeThreadLocal() {
        return cudaStreamCaptureModeThreadLocal;
    }

    private static final int cudaStreamCaptureModeRelaxed = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureMode.cudaStreamCaptureModeRelaxed = 2
     * }
     */
    public static int cudaStreamCaptureModeRelaxed() {
        return cudaStreamCaptureModeRelaxed;
    }

    private static final int cudaStreamCaptureStatusNone = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureStatus.cudaStreamCaptureStatusNone = 0
     * }
     */
    public static int cudaStreamCaptureStatusNone() {
        return cudaStreamCaptureStatusNone;
    }

    private static final int cudaStreamCaptureStatusActive = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureStatus.cudaStreamCaptureStatusActive = 1
     * }
     */
    public static int cudaStreamCaptureStatusActive() {
        return cudaStreamCaptureStatusActive;
    }

    private static final int cudaStreamCaptureStatusInvalidated = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cudaStreamCaptureStatus.cudaStreamCaptureStatusInvalidated = 2
     * }
     */
    public static int cudaStreamCaptureStatusInvalidated() {
        return cudaStreamCaptureStatusInvalidated;
    }

    private static final int cudaStreamDefault = (int)0L;
    /**
     * {@snippet lang=c :
     * #define cudaStreamDefault 0x00
     * }
     */
    public static int cudaStreamDefault() {
        return cudaStreamDefault;
    }

    private static final int cudaStreamNonBlocking = (int)1L;
    /**
     * {@snippet lang=c :
     * #define cudaStreamNonBlocking 0x01
     * }
     */
    public static int cudaStreamNonBlocking() {
        return cudaStreamNonBlocking;
    }

    private static final int cudaEventDefault = (int)0L;
    /**
     * {@snippet lang=c :
     * #define cudaEventDefault 0x00
     * }
     */
    public static int cudaEventDefault() {
        return cudaEventDefault;
    }

    private static final int cudaEventBlockingSync = (int)1L;
    /**
     * {@snippet lang=c :
     * #define cudaEventBlockingSync 0x01
     * }
     */
    public static int cudaEventBlockingSync() {
        return cudaEventBlockingSync;
    }

    private static final int cudaEventDisableTiming = (int)2L;
    /**
     * {@snippet lang=c :
     * #define cudaEventDisableTiming 0x02
     * }
     */
    public static int cudaEventDisableTiming() {
        return cudaEventDisableTiming;
    }

    private static class cudaGetErrorName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGetErrorName");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *cudaGetErrorName(cudaError_t error)
     * }
     */
    public static FunctionDescriptor cudaGetErrorName$descriptor() {
        return cudaGetErrorName.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *cudaGetErrorName(cudaError_t error)
     * }
     */
    public static MethodHandle cudaGetErrorName$handle() {
        return cudaGetErrorName.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *cudaGetErrorName(cudaError_t error)
     * }
     */
    public static MemorySegment cudaGetErrorName$address() {
        return cudaGetErrorName.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *cudaGetErrorName(cudaError_t error)
     * }
     */
    public static MemorySegment cudaGetErrorName(int error) {
        var mh$ = cudaGetErrorName.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGetErrorName", error);
            }
            return (MemorySegment) mh$.invokeExact(error);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGetErrorString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGetErrorString");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *cudaGetErrorString(cudaError_t error)
     * }
     */
    public static FunctionDescriptor cudaGetErrorString$descriptor() {
        return cudaGetErrorString.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *cudaGetErrorString(cudaError_t error)
     * }
     */
    public static MethodHandle cudaGetErrorString$handle() {
        return cudaGetErrorString.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *cudaGetErrorString(cudaError_t error)
     * }
     */
    public static MemorySegment cudaGetErrorString$address() {
        return cudaGetErrorString.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *cudaGetErrorString(cudaError_t error)
     * }
     */
    public static MemorySegment cudaGetErrorString(int error) {
        var mh$ = cudaGetErrorString.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGetErrorString", error);
            }
            return (MemorySegment) mh$.invokeExact(error);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGetLastError {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGetLastError");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGetLastError(void)
     * }
     */
    public static FunctionDescriptor cudaGetLastError$descriptor() {
        return cudaGetLastError.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGetLastError(void)
     * }
     */
    public static MethodHandle cudaGetLastError$handle() {
        return cudaGetLastError.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGetLastError(void)
     * }
     */
    public static MemorySegment cudaGetLastError$address() {
        return cudaGetLastError.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGetLastError(void)
     * }
     */
    public static int cudaGetLastError() {
        var mh$ = cudaGetLastError.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGetLastError");
            }
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaDriverGetVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaDriverGetVersion");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaDriverGetVersion(int *driverVersion)
     * }
     */
    public static FunctionDescriptor cudaDriverGetVersion$descriptor() {
        return cudaDriverGetVersion.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaDriverGetVersion(int *driverVersion)
     * }
     */
    public static MethodHandle cudaDriverGetVersion$handle() {
        return cudaDriverGetVersion.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaDriverGetVersion(int *driverVersion)
     * }
     */
    public static MemorySegment cudaDriverGetVersion$address() {
        return cudaDriverGetVersion.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaDriverGetVersion(int *driverVersion)
     * }
     */
    public static int cudaDriverGetVersion(MemorySegment driverVersion) {
        var mh$ = cudaDriverGetVersion.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaDriverGetVersion", driverVersion);
            }
            return (int) mh$.invokeExact(driverVersion);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaRuntimeGetVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaRuntimeGetVersion");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
     * }
     */
    public static FunctionDescriptor cudaRuntimeGetVersion$descriptor() {
        return cudaRuntimeGetVersion.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
     * }
     */
    public static MethodHandle cudaRuntimeGetVersion$handle() {
        return cudaRuntimeGetVersion.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
     * }
     */
    public static MemorySegment cudaRuntimeGetVersion$address() {
        return cudaRuntimeGetVersion.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
     * }
     */
    public static int cudaRuntimeGetVersion(MemorySegment runtimeVersion) {
        var mh$ = cudaRuntimeGetVersion.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaRuntimeGetVersion", runtimeVersion);
            }
            return (int) mh$.invokeExact(runtimeVersion);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGetDeviceCount {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGetDeviceCount");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDeviceCount(int *count)
     * }
     */
    public static FunctionDescriptor cudaGetDeviceCount$descriptor() {
        return cudaGetDeviceCount.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDeviceCount(int *count)
     * }
     */
    public static MethodHandle cudaGetDeviceCount$handle() {
        return cudaGetDeviceCount.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDeviceCount(int *count)
     * }
     */
    public static MemorySegment cudaGetDeviceCount$address() {
        return cudaGetDeviceCount.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGetDeviceCount(int *count)
     * }
     */
    public static int cudaGetDeviceCount(MemorySegment count) {
        var mh$ = cudaGetDeviceCount.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGetDeviceCount", count);
            }
            return (int) mh$.invokeExact(count);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaDeviceGetAttribute {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaDeviceGetAttribute");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
     * }
     */
    public static FunctionDescriptor cudaDeviceGetAttribute$descriptor() {
        return cudaDeviceGetAttribute.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
     * }
     */
    public static MethodHandle cudaDeviceGetAttribute$handle() {
        return cudaDeviceGetAttribute.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
     * }
     */
    public static MemorySegment cudaDeviceGetAttribute$address() {
        return cudaDeviceGetAttribute.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
     * }
     */
    public static int cudaDeviceGetAttribute(MemorySegment value, int attr, int device) {
        var mh$ = cudaDeviceGetAttribute.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaDeviceGetAttribute", value, attr, device);
            }
            return (int) mh$.invokeExact(value, attr, device);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaSetDevice {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaSetDevice");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaSetDevice(int device)
     * }
     */
    public static FunctionDescriptor cudaSetDevice$descriptor() {
        return cudaSetDevice.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaSetDevice(int device)
     * }
     */
    public static MethodHandle cudaSetDevice$handle() {
        return cudaSetDevice.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaSetDevice(int device)
     * }
     */
    public static MemorySegment cudaSetDevice$address() {
        return cudaSetDevice.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaSetDevice(int device)
     * }
     */
    public static int cudaSetDevice(int device) {
        var mh$ = cudaSetDevice.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaSetDevice", device);
            }
            return (int) mh$.invokeExact(device);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGetDevice {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGetDevice");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDevice(int *device)
     * }
     */
    public static FunctionDescriptor cudaGetDevice$descriptor() {
        return cudaGetDevice.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDevice(int *device)
     * }
     */
    public static MethodHandle cudaGetDevice$handle() {
        return cudaGetDevice.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGetDevice(int *device)
     * }
     */
    public static MemorySegment cudaGetDevice$address() {
        return cudaGetDevice.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGetDevice(int *device)
     * }
     */
    public static int cudaGetDevice(MemorySegment device) {
        var mh$ = cudaGetDevice.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGetDevice", device);
            }
            return (int) mh$.invokeExact(device);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaDeviceSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaDeviceSynchronize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceSynchronize(void)
     * }
     */
    public static FunctionDescriptor cudaDeviceSynchronize$descriptor() {
        return cudaDeviceSynchronize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceSynchronize(void)
     * }
     */
    public static MethodHandle cudaDeviceSynchronize$handle() {
        return cudaDeviceSynchronize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaDeviceSynchronize(void)
     * }
     */
    public static MemorySegment cudaDeviceSynchronize$address() {
        return cudaDeviceSynchronize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaDeviceSynchronize(void)
     * }
     */
    public static int cudaDeviceSynchronize() {
        var mh$ = cudaDeviceSynchronize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaDeviceSynchronize");
            }
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMemGetInfo {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMemGetInfo");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
     * }
     */
    public static FunctionDescriptor cudaMemGetInfo$descriptor() {
        return cudaMemGetInfo.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
     * }
     */
    public static MethodHandle cudaMemGetInfo$handle() {
        return cudaMemGetInfo.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
     * }
     */
    public static MemorySegment cudaMemGetInfo$address() {
        return cudaMemGetInfo.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
     * }
     */
    public static int cudaMemGetInfo(MemorySegment free, MemorySegment total) {
        var mh$ = cudaMemGetInfo.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMemGetInfo", free, total);
            }
            return (int) mh$.invokeExact(free, total);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMalloc {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_LONG
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMalloc");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMalloc(void **devPtr, size_t size)
     * }
     */
    public static FunctionDescriptor cudaMalloc$descriptor() {
        return cudaMalloc.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMalloc(void **devPtr, size_t size)
     * }
     */
    public static MethodHandle cudaMalloc$handle() {
        return cudaMalloc.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMalloc(void **devPtr, size_t size)
     * }
     */
    public static MemorySegment cudaMalloc$address() {
        return cudaMalloc.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMalloc(void **devPtr, size_t size)
     * }
     */
    public static int cudaMalloc(MemorySegment devPtr, long size) {
        var mh$ = cudaMalloc.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMalloc", devPtr, size);
            }
            return (int) mh$.invokeExact(devPtr, size);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaFree {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaFree");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaFree(void *devPtr)
     * }
     */
    public static FunctionDescriptor cudaFree$descriptor() {
        return cudaFree.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaFree(void *devPtr)
     * }
     */
    public static MethodHandle cudaFree$handle() {
        return cudaFree.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaFree(void *devPtr)
     * }
     */
    public static MemorySegment cudaFree$address() {
        return cudaFree.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaFree(void *devPtr)
     * }
     */
    public static int cudaFree(MemorySegment devPtr) {
        var mh$ = cudaFree.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaFree", devPtr);
            }
            return (int) mh$.invokeExact(devPtr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMallocHost {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_LONG
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMallocHost");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMallocHost(void **ptr, size_t size)
     * }
     */
    public static FunctionDescriptor cudaMallocHost$descriptor() {
        return cudaMallocHost.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMallocHost(void **ptr, size_t size)
     * }
     */
    public static MethodHandle cudaMallocHost$handle() {
        return cudaMallocHost.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMallocHost(void **ptr, size_t size)
     * }
     */
    public static MemorySegment cudaMallocHost$address() {
        return cudaMallocHost.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMallocHost(void **ptr, size_t size)
     * }
     */
    public static int cudaMallocHost(MemorySegment ptr, long size) {
        var mh$ = cudaMallocHost.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMallocHost", ptr, size);
            }
            return (int) mh$.invokeExact(ptr, size);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaFreeHost {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaFreeHost");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaFreeHost(void *ptr)
     * }
     */
    public static FunctionDescriptor cudaFreeHost$descriptor() {
        return cudaFreeHost.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaFreeHost(void *ptr)
     * }
     */
    public static MethodHandle cudaFreeHost$handle() {
        return cudaFreeHost.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaFreeHost(void *ptr)
     * }
     */
    public static MemorySegment cudaFreeHost$address() {
        return cudaFreeHost.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaFreeHost(void *ptr)
     * }
     */
    public static int cudaFreeHost(MemorySegment ptr) {
        var mh$ = cudaFreeHost.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaFreeHost", ptr);
            }
            return (int) mh$.invokeExact(ptr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMemcpy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_LONG,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMemcpy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
     * }
     */
    public static FunctionDescriptor cudaMemcpy$descriptor() {
        return cudaMemcpy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
     * }
     */
    public static MethodHandle cudaMemcpy$handle() {
        return cudaMemcpy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
     * }
     */
    public static MemorySegment cudaMemcpy$address() {
        return cudaMemcpy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
     * }
     */
    public static int cudaMemcpy(MemorySegment dst, MemorySegment src, long count, int kind) {
        var mh$ = cudaMemcpy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMemcpy", dst, src, count, kind);
            }
            return (int) mh$.invokeExact(dst, src, count, kind);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMemcpyAsync {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_LONG,
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMemcpyAsync");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpyAsync(
     *     void *dst,
     *     const void *src,
     *     size_t count,
     *     enum cudaMemcpyKind kind,
     *     cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaMemcpyAsync$descriptor() {
        return cudaMemcpyAsync.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpyAsync(
     *     void *dst,
     *     const void *src,
     *     size_t count,
     *     enum cudaMemcpyKind kind,
     *     cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaMemcpyAsync$handle() {
        return cudaMemcpyAsync.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMemcpyAsync(
     *     void *dst,
     *     const void *src,
     *     size_t count,
     *     enum cudaMemcpyKind kind,
     *     cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaMemcpyAsync$address() {
        return cudaMemcpyAsync.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMemcpyAsync(
     *     void *dst,
     *     const void *src,
     *     size_t count,
     *     enum cudaMemcpyKind kind,
     *     cudaStream_t stream)
     * }
     */
    public static int cudaMemcpyAsync(MemorySegment dst, MemorySegment src, long count, int kind,
            MemorySegment stream) {
        var mh$ = cudaMemcpyAsync.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMemcpyAsync", dst, src, count, kind, stream);
            }
            return (int) mh$.invokeExact(dst, src, count, kind, stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMemset {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_LONG
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMemset");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMemset(void *devPtr, int value, size_t count)
     * }
     */
    public static FunctionDescriptor cudaMemset$descriptor() {
        return cudaMemset.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMemset(void *devPtr, int value, size_t count)
     * }
     */
    public static MethodHandle cudaMemset$handle() {
        return cudaMemset.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMemset(void *devPtr, int value, size_t count)
     * }
     */
    public static MemorySegment cudaMemset$address() {
        return cudaMemset.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMemset(void *devPtr, int value, size_t count)
     * }
     */
    public static int cudaMemset(MemorySegment devPtr, int value, long count) {
        var mh$ = cudaMemset.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMemset", devPtr, value, count);
            }
            return (int) mh$.invokeExact(devPtr, value, count);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaMemsetAsync {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_LONG,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaMemsetAsync");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaMemsetAsync$descriptor() {
        return cudaMemsetAsync.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaMemsetAsync$handle() {
        return cudaMemsetAsync.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaMemsetAsync$address() {
        return cudaMemsetAsync.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
     * }
     */
    public static int cudaMemsetAsync(MemorySegment devPtr, int value, long count, MemorySegment stream) {
        var mh$ = cudaMemsetAsync.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaMemsetAsync", devPtr, value, count, stream);
            }
            return (int) mh$.invokeExact(devPtr, value, count, stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamCreate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamCreate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreate(cudaStream_t *pStream)
     * }
     */
    public static FunctionDescriptor cudaStreamCreate$descriptor() {
        return cudaStreamCreate.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreate(cudaStream_t *pStream)
     * }
     */
    public static MethodHandle cudaStreamCreate$handle() {
        return cudaStreamCreate.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreate(cudaStream_t *pStream)
     * }
     */
    public static MemorySegment cudaStreamCreate$address() {
        return cudaStreamCreate.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreate(cudaStream_t *pStream)
     * }
     */
    public static int cudaStreamCreate(MemorySegment pStream) {
        var mh$ = cudaStreamCreate.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamCreate", pStream);
            }
            return (int) mh$.invokeExact(pStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamCreateWithFlags {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamCreateWithFlags");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
     * }
     */
    public static FunctionDescriptor cudaStreamCreateWithFlags$descriptor() {
        return cudaStreamCreateWithFlags.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
     * }
     */
    public static MethodHandle cudaStreamCreateWithFlags$handle() {
        return cudaStreamCreateWithFlags.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
     * }
     */
    public static MemorySegment cudaStreamCreateWithFlags$address() {
        return cudaStreamCreateWithFlags.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
     * }
     */
    public static int cudaStreamCreateWithFlags(MemorySegment pStream, int flags) {
        var mh$ = cudaStreamCreateWithFlags.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamCreateWithFlags", pStream, flags);
            }
            return (int) mh$.invokeExact(pStream, flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamDestroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamDestroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamDestroy(cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaStreamDestroy$descriptor() {
        return cudaStreamDestroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamDestroy(cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaStreamDestroy$handle() {
        return cudaStreamDestroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamDestroy(cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaStreamDestroy$address() {
        return cudaStreamDestroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamDestroy(cudaStream_t stream)
     * }
     */
    public static int cudaStreamDestroy(MemorySegment stream) {
        var mh$ = cudaStreamDestroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamDestroy", stream);
            }
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamSynchronize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamSynchronize(cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaStreamSynchronize$descriptor() {
        return cudaStreamSynchronize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamSynchronize(cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaStreamSynchronize$handle() {
        return cudaStreamSynchronize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamSynchronize(cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaStreamSynchronize$address() {
        return cudaStreamSynchronize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamSynchronize(cudaStream_t stream)
     * }
     */
    public static int cudaStreamSynchronize(MemorySegment stream) {
        var mh$ = cudaStreamSynchronize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamSynchronize", stream);
            }
            return (int) mh$.invokeExact(stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventCreate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventCreate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreate(cudaEvent_t *event)
     * }
     */
    public static FunctionDescriptor cudaEventCreate$descriptor() {
        return cudaEventCreate.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreate(cudaEvent_t *event)
     * }
     */
    public static MethodHandle cudaEventCreate$handle() {
        return cudaEventCreate.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreate(cudaEvent_t *event)
     * }
     */
    public static MemorySegment cudaEventCreate$address() {
        return cudaEventCreate.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventCreate(cudaEvent_t *event)
     * }
     */
    public static int cudaEventCreate(MemorySegment event) {
        var mh$ = cudaEventCreate.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventCreate", event);
            }
            return (int) mh$.invokeExact(event);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventCreateWithFlags {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventCreateWithFlags");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
     * }
     */
    public static FunctionDescriptor cudaEventCreateWithFlags$descriptor() {
        return cudaEventCreateWithFlags.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
     * }
     */
    public static MethodHandle cudaEventCreateWithFlags$handle() {
        return cudaEventCreateWithFlags.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
     * }
     */
    public static MemorySegment cudaEventCreateWithFlags$address() {
        return cudaEventCreateWithFlags.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags)
     * }
     */
    public static int cudaEventCreateWithFlags(MemorySegment event, int flags) {
        var mh$ = cudaEventCreateWithFlags.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventCreateWithFlags", event, flags);
            }
            return (int) mh$.invokeExact(event, flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventRecord {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventRecord");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaEventRecord$descriptor() {
        return cudaEventRecord.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaEventRecord$handle() {
        return cudaEventRecord.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaEventRecord$address() {
        return cudaEventRecord.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
     * }
     */
    public static int cudaEventRecord(MemorySegment event, MemorySegment stream) {
        var mh$ = cudaEventRecord.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventRecord", event, stream);
            }
            return (int) mh$.invokeExact(event, stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventSynchronize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventSynchronize(cudaEvent_t event)
     * }
     */
    public static FunctionDescriptor cudaEventSynchronize$descriptor() {
        return cudaEventSynchronize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventSynchronize(cudaEvent_t event)
     * }
     */
    public static MethodHandle cudaEventSynchronize$handle() {
        return cudaEventSynchronize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventSynchronize(cudaEvent_t event)
     * }
     */
    public static MemorySegment cudaEventSynchronize$address() {
        return cudaEventSynchronize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventSynchronize(cudaEvent_t event)
     * }
     */
    public static int cudaEventSynchronize(MemorySegment event) {
        var mh$ = cudaEventSynchronize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventSynchronize", event);
            }
            return (int) mh$.invokeExact(event);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventElapsedTime {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventElapsedTime");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
     * }
     */
    public static FunctionDescriptor cudaEventElapsedTime$descriptor() {
        return cudaEventElapsedTime.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
     * }
     */
    public static MethodHandle cudaEventElapsedTime$handle() {
        return cudaEventElapsedTime.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
     * }
     */
    public static MemorySegment cudaEventElapsedTime$address() {
        return cudaEventElapsedTime.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
     * }
     */
    public static int cudaEventElapsedTime(MemorySegment ms, MemorySegment start, MemorySegment end) {
        var mh$ = cudaEventElapsedTime.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventElapsedTime", ms, start, end);
            }
            return (int) mh$.invokeExact(ms, start, end);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaEventDestroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaEventDestroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaEventDestroy(cudaEvent_t event)
     * }
     */
    public static FunctionDescriptor cudaEventDestroy$descriptor() {
        return cudaEventDestroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaEventDestroy(cudaEvent_t event)
     * }
     */
    public static MethodHandle cudaEventDestroy$handle() {
        return cudaEventDestroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaEventDestroy(cudaEvent_t event)
     * }
     */
    public static MemorySegment cudaEventDestroy$address() {
        return cudaEventDestroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaEventDestroy(cudaEvent_t event)
     * }
     */
    public static int cudaEventDestroy(MemorySegment event) {
        var mh$ = cudaEventDestroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaEventDestroy", event);
            }
            return (int) mh$.invokeExact(event);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamBeginCapture {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamBeginCapture");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)
     * }
     */
    public static FunctionDescriptor cudaStreamBeginCapture$descriptor() {
        return cudaStreamBeginCapture.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)
     * }
     */
    public static MethodHandle cudaStreamBeginCapture$handle() {
        return cudaStreamBeginCapture.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)
     * }
     */
    public static MemorySegment cudaStreamBeginCapture$address() {
        return cudaStreamBeginCapture.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamBeginCapture(cudaStream_t stream, enum cudaStreamCaptureMode mode)
     * }
     */
    public static int cudaStreamBeginCapture(MemorySegment stream, int mode) {
        var mh$ = cudaStreamBeginCapture.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamBeginCapture", stream, mode);
            }
            return (int) mh$.invokeExact(stream, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamEndCapture {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamEndCapture");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
     * }
     */
    public static FunctionDescriptor cudaStreamEndCapture$descriptor() {
        return cudaStreamEndCapture.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
     * }
     */
    public static MethodHandle cudaStreamEndCapture$handle() {
        return cudaStreamEndCapture.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
     * }
     */
    public static MemorySegment cudaStreamEndCapture$address() {
        return cudaStreamEndCapture.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *pGraph)
     * }
     */
    public static int cudaStreamEndCapture(MemorySegment stream, MemorySegment pGraph) {
        var mh$ = cudaStreamEndCapture.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamEndCapture", stream, pGraph);
            }
            return (int) mh$.invokeExact(stream, pGraph);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaStreamIsCapturing {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaStreamIsCapturing");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus)
     * }
     */
    public static FunctionDescriptor cudaStreamIsCapturing$descriptor() {
        return cudaStreamIsCapturing.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus)
     * }
     */
    public static MethodHandle cudaStreamIsCapturing$handle() {
        return cudaStreamIsCapturing.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus)
     * }
     */
    public static MemorySegment cudaStreamIsCapturing$address() {
        return cudaStreamIsCapturing.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaStreamIsCapturing(cudaStream_t stream, enum cudaStreamCaptureStatus *pCaptureStatus)
     * }
     */
    public static int cudaStreamIsCapturing(MemorySegment stream, MemorySegment pCaptureStatus) {
        var mh$ = cudaStreamIsCapturing.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaStreamIsCapturing", stream, pCaptureStatus);
            }
            return (int) mh$.invokeExact(stream, pCaptureStatus);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGraphInstantiate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_LONG_LONG
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGraphInstantiate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphInstantiate(
     *     cudaGraphExec_t *pGraphExec,
     *     cudaGraph_t graph,
     *     unsigned long long flags)
     * }
     */
    public static FunctionDescriptor cudaGraphInstantiate$descriptor() {
        return cudaGraphInstantiate.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphInstantiate(
     *     cudaGraphExec_t *pGraphExec,
     *     cudaGraph_t graph,
     *     unsigned long long flags)
     * }
     */
    public static MethodHandle cudaGraphInstantiate$handle() {
        return cudaGraphInstantiate.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphInstantiate(
     *     cudaGraphExec_t *pGraphExec,
     *     cudaGraph_t graph,
     *     unsigned long long flags)
     * }
     */
    public static MemorySegment cudaGraphInstantiate$address() {
        return cudaGraphInstantiate.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGraphInstantiate(
     *     cudaGraphExec_t *pGraphExec,
     *     cudaGraph_t graph,
     *     unsigned long long flags)
     * }
     */
    public static int cudaGraphInstantiate(MemorySegment pGraphExec, MemorySegment graph, long flags) {
        var mh$ = cudaGraphInstantiate.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGraphInstantiate", pGraphExec, graph, flags);
            }
            return (int) mh$.invokeExact(pGraphExec, graph, flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGraphExecUpdate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGraphExecUpdate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecUpdate(
     *     cudaGraphExec_t hGraphExec,
     *     cudaGraph_t hGraph,
     *     cudaGraphExecUpdateResultInfo *resultInfo)
     * }
     */
    public static FunctionDescriptor cudaGraphExecUpdate$descriptor() {
        return cudaGraphExecUpdate.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecUpdate(
     *     cudaGraphExec_t hGraphExec,
     *     cudaGraph_t hGraph,
     *     cudaGraphExecUpdateResultInfo *resultInfo)
     * }
     */
    public static MethodHandle cudaGraphExecUpdate$handle() {
        return cudaGraphExecUpdate.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecUpdate(
     *     cudaGraphExec_t hGraphExec,
     *     cudaGraph_t hGraph,
     *     cudaGraphExecUpdateResultInfo *resultInfo)
     * }
     */
    public static MemorySegment cudaGraphExecUpdate$address() {
        return cudaGraphExecUpdate.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecUpdate(
     *     cudaGraphExec_t hGraphExec,
     *     cudaGraph_t hGraph,
     *     cudaGraphExecUpdateResultInfo *resultInfo)
     * }
     */
    public static int cudaGraphExecUpdate(MemorySegment hGraphExec, MemorySegment hGraph, MemorySegment resultInfo) {
        var mh$ = cudaGraphExecUpdate.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGraphExecUpdate", hGraphExec, hGraph, resultInfo);
            }
            return (int) mh$.invokeExact(hGraphExec, hGraph, resultInfo);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGraphLaunch {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGraphLaunch");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
     * }
     */
    public static FunctionDescriptor cudaGraphLaunch$descriptor() {
        return cudaGraphLaunch.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
     * }
     */
    public static MethodHandle cudaGraphLaunch$handle() {
        return cudaGraphLaunch.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
     * }
     */
    public static MemorySegment cudaGraphLaunch$address() {
        return cudaGraphLaunch.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGraphLaunch(cudaGraphExec_t graphExec, cudaStream_t stream)
     * }
     */
    public static int cudaGraphLaunch(MemorySegment graphExec, MemorySegment stream) {
        var mh$ = cudaGraphLaunch.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGraphLaunch", graphExec, stream);
            }
            return (int) mh$.invokeExact(graphExec, stream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGraphExecDestroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGraphExecDestroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
     * }
     */
    public static FunctionDescriptor cudaGraphExecDestroy$descriptor() {
        return cudaGraphExecDestroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
     * }
     */
    public static MethodHandle cudaGraphExecDestroy$handle() {
        return cudaGraphExecDestroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
     * }
     */
    public static MemorySegment cudaGraphExecDestroy$address() {
        return cudaGraphExecDestroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGraphExecDestroy(cudaGraphExec_t graphExec)
     * }
     */
    public static int cudaGraphExecDestroy(MemorySegment graphExec) {
        var mh$ = cudaGraphExecDestroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGraphExecDestroy", graphExec);
            }
            return (int) mh$.invokeExact(graphExec);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cudaGraphDestroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_runtime_h.C_INT,
            cuda_runtime_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_runtime_h.findOrThrow("cudaGraphDestroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphDestroy(cudaGraph_t graph)
     * }
     */
    public static FunctionDescriptor cudaGraphDestroy$descriptor() {
        return cudaGraphDestroy.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphDestroy(cudaGraph_t graph)
     * }
     */
    public static MethodHandle cudaGraphDestroy$handle() {
        return cudaGraphDestroy.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cudaError_t cudaGraphDestroy(cudaGraph_t graph)
     * }
     */
    public static MemorySegment cudaGraphDestroy$address() {
        return cudaGraphDestroy.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cudaError_t cudaGraphDestroy(cudaGraph_t graph)
     * }
     */
    public static int cudaGraphDestroy(MemorySegment graph) {
        var mh$ = cudaGraphDestroy.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cudaGraphDestroy", graph);
            }
            return (int) mh$.invokeExact(graph);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

}
