// Written by hand in the layout jextract 22 generates (jextract is not installable on descent's build machines);
// native-bindings/jextract/generate.sh regenerates this file from cuda.h where jextract is installed.
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
 * The CUDA driver API ({@code libcuda}, {@code cuda.h}): PTX modules, kernel launches, device names, the primary
 * context the runtime uses, and the graph calls that name a module's kernels ({@code cuStreamGetCaptureInfo_v3} for
 * the node a captured launch added, {@code cuGraphExecKernelNodeSetParams_v2} to change its arguments in an
 * executable graph; the runtime's equivalents cannot describe a kernel loaded with {@code cuModuleLoadData}).
 *
 * <p>Static wrappers return the library's status code unchanged; check it with
 * {@link dev.descent.cuda.bindings.CudaErrors}.
 */
@SuppressWarnings({"unused", "restricted"})
public class cuda_h {

    cuda_h() {
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
                + CudaLibraries.driver().location());
    }

    // HAND-WRITTEN: jextract emits SymbolLookup.libraryLookup(System.mapLibraryName(...), LIBRARY_ARENA).
    static final SymbolLookup SYMBOL_LOOKUP = CudaLibraries.driver().lookup();

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
    // typedef int CUdevice; typedef struct CUctx_st *CUcontext; ... (opaque handle types)
    public static final ValueLayout.OfInt CUdevice = cuda_h.C_INT;
    public static final AddressLayout CUcontext = cuda_h.C_POINTER;
    public static final AddressLayout CUmodule = cuda_h.C_POINTER;
    public static final AddressLayout CUfunction = cuda_h.C_POINTER;
    public static final AddressLayout CUstream = cuda_h.C_POINTER;
    public static final AddressLayout CUgraph = cuda_h.C_POINTER;
    public static final AddressLayout CUgraphNode = cuda_h.C_POINTER;
    public static final AddressLayout CUgraphExec = cuda_h.C_POINTER;
    public static final ValueLayout.OfInt CUresult = cuda_h.C_INT;

    private static final int CUDA_SUCCESS = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_SUCCESS = 0
     * }
     */
    public static int CUDA_SUCCESS() {
        return CUDA_SUCCESS;
    }

    private static final int CUDA_ERROR_NOT_INITIALIZED = (int)3L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_ERROR_NOT_INITIALIZED = 3
     * }
     */
    public static int CUDA_ERROR_NOT_INITIALIZED() {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    private static final int CUDA_ERROR_NO_DEVICE = (int)100L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_ERROR_NO_DEVICE = 100
     * }
     */
    public static int CUDA_ERROR_NO_DEVICE() {
        return CUDA_ERROR_NO_DEVICE;
    }

    private static final int CUDA_ERROR_INVALID_PTX = (int)218L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_ERROR_INVALID_PTX = 218
     * }
     */
    public static int CUDA_ERROR_INVALID_PTX() {
        return CUDA_ERROR_INVALID_PTX;
    }

    private static final int CUDA_ERROR_UNSUPPORTED_PTX_VERSION = (int)222L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222
     * }
     */
    public static int CUDA_ERROR_UNSUPPORTED_PTX_VERSION() {
        return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    }

    private static final int CUDA_ERROR_NOT_FOUND = (int)500L;
    /**
     * {@snippet lang=c :
     * enum cudaError_enum.CUDA_ERROR_NOT_FOUND = 500
     * }
     */
    public static int CUDA_ERROR_NOT_FOUND() {
        return CUDA_ERROR_NOT_FOUND;
    }

    private static final int CU_STREAM_CAPTURE_STATUS_NONE = (int)0L;
    /**
     * {@snippet lang=c :
     * enum CUstreamCaptureStatus_enum.CU_STREAM_CAPTURE_STATUS_NONE = 0
     * }
     */
    public static int CU_STREAM_CAPTURE_STATUS_NONE() {
        return CU_STREAM_CAPTURE_STATUS_NONE;
    }

    private static final int CU_STREAM_CAPTURE_STATUS_ACTIVE = (int)1L;
    /**
     * {@snippet lang=c :
     * enum CUstreamCaptureStatus_enum.CU_STREAM_CAPTURE_STATUS_ACTIVE = 1
     * }
     */
    public static int CU_STREAM_CAPTURE_STATUS_ACTIVE() {
        return CU_STREAM_CAPTURE_STATUS_ACTIVE;
    }

    private static class cuGetErrorName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuGetErrorName");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuGetErrorName(CUresult error, const char **pStr)
     * }
     */
    public static FunctionDescriptor cuGetErrorName$descriptor() {
        return cuGetErrorName.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuGetErrorName(CUresult error, const char **pStr)
     * }
     */
    public static MethodHandle cuGetErrorName$handle() {
        return cuGetErrorName.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuGetErrorName(CUresult error, const char **pStr)
     * }
     */
    public static MemorySegment cuGetErrorName$address() {
        return cuGetErrorName.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuGetErrorName(CUresult error, const char **pStr)
     * }
     */
    public static int cuGetErrorName(int error, MemorySegment pStr) {
        var mh$ = cuGetErrorName.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuGetErrorName", error, pStr);
            }
            return (int) mh$.invokeExact(error, pStr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuGetErrorString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuGetErrorString");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuGetErrorString(CUresult error, const char **pStr)
     * }
     */
    public static FunctionDescriptor cuGetErrorString$descriptor() {
        return cuGetErrorString.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuGetErrorString(CUresult error, const char **pStr)
     * }
     */
    public static MethodHandle cuGetErrorString$handle() {
        return cuGetErrorString.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuGetErrorString(CUresult error, const char **pStr)
     * }
     */
    public static MemorySegment cuGetErrorString$address() {
        return cuGetErrorString.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuGetErrorString(CUresult error, const char **pStr)
     * }
     */
    public static int cuGetErrorString(int error, MemorySegment pStr) {
        var mh$ = cuGetErrorString.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuGetErrorString", error, pStr);
            }
            return (int) mh$.invokeExact(error, pStr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuInit {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuInit");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuInit(unsigned int Flags)
     * }
     */
    public static FunctionDescriptor cuInit$descriptor() {
        return cuInit.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuInit(unsigned int Flags)
     * }
     */
    public static MethodHandle cuInit$handle() {
        return cuInit.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuInit(unsigned int Flags)
     * }
     */
    public static MemorySegment cuInit$address() {
        return cuInit.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuInit(unsigned int Flags)
     * }
     */
    public static int cuInit(int Flags) {
        var mh$ = cuInit.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuInit", Flags);
            }
            return (int) mh$.invokeExact(Flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDriverGetVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDriverGetVersion");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDriverGetVersion(int *driverVersion)
     * }
     */
    public static FunctionDescriptor cuDriverGetVersion$descriptor() {
        return cuDriverGetVersion.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDriverGetVersion(int *driverVersion)
     * }
     */
    public static MethodHandle cuDriverGetVersion$handle() {
        return cuDriverGetVersion.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDriverGetVersion(int *driverVersion)
     * }
     */
    public static MemorySegment cuDriverGetVersion$address() {
        return cuDriverGetVersion.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDriverGetVersion(int *driverVersion)
     * }
     */
    public static int cuDriverGetVersion(MemorySegment driverVersion) {
        var mh$ = cuDriverGetVersion.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDriverGetVersion", driverVersion);
            }
            return (int) mh$.invokeExact(driverVersion);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDeviceGet {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDeviceGet");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDeviceGet(CUdevice *device, int ordinal)
     * }
     */
    public static FunctionDescriptor cuDeviceGet$descriptor() {
        return cuDeviceGet.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDeviceGet(CUdevice *device, int ordinal)
     * }
     */
    public static MethodHandle cuDeviceGet$handle() {
        return cuDeviceGet.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDeviceGet(CUdevice *device, int ordinal)
     * }
     */
    public static MemorySegment cuDeviceGet$address() {
        return cuDeviceGet.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDeviceGet(CUdevice *device, int ordinal)
     * }
     */
    public static int cuDeviceGet(MemorySegment device, int ordinal) {
        var mh$ = cuDeviceGet.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDeviceGet", device, ordinal);
            }
            return (int) mh$.invokeExact(device, ordinal);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDeviceGetName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_INT,
            cuda_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDeviceGetName");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
     * }
     */
    public static FunctionDescriptor cuDeviceGetName$descriptor() {
        return cuDeviceGetName.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
     * }
     */
    public static MethodHandle cuDeviceGetName$handle() {
        return cuDeviceGetName.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
     * }
     */
    public static MemorySegment cuDeviceGetName$address() {
        return cuDeviceGetName.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
     * }
     */
    public static int cuDeviceGetName(MemorySegment name, int len, int dev) {
        var mh$ = cuDeviceGetName.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDeviceGetName", name, len, dev);
            }
            return (int) mh$.invokeExact(name, len, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDeviceTotalMem_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_INT
        );

        // HAND-WRITTEN: also found as cuDeviceTotalMem
        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDeviceTotalMem_v2", "cuDeviceTotalMem");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
     * }
     */
    public static FunctionDescriptor cuDeviceTotalMem_v2$descriptor() {
        return cuDeviceTotalMem_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
     * }
     */
    public static MethodHandle cuDeviceTotalMem_v2$handle() {
        return cuDeviceTotalMem_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
     * }
     */
    public static MemorySegment cuDeviceTotalMem_v2$address() {
        return cuDeviceTotalMem_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
     * }
     */
    public static int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        var mh$ = cuDeviceTotalMem_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDeviceTotalMem_v2", bytes, dev);
            }
            return (int) mh$.invokeExact(bytes, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDevicePrimaryCtxRetain {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_INT
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDevicePrimaryCtxRetain");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
     * }
     */
    public static FunctionDescriptor cuDevicePrimaryCtxRetain$descriptor() {
        return cuDevicePrimaryCtxRetain.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
     * }
     */
    public static MethodHandle cuDevicePrimaryCtxRetain$handle() {
        return cuDevicePrimaryCtxRetain.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
     * }
     */
    public static MemorySegment cuDevicePrimaryCtxRetain$address() {
        return cuDevicePrimaryCtxRetain.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
     * }
     */
    public static int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        var mh$ = cuDevicePrimaryCtxRetain.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDevicePrimaryCtxRetain", pctx, dev);
            }
            return (int) mh$.invokeExact(pctx, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuDevicePrimaryCtxRelease_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_INT
        );

        // HAND-WRITTEN: also found as cuDevicePrimaryCtxRelease
        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuDevicePrimaryCtxRelease_v2",
                "cuDevicePrimaryCtxRelease");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
     * }
     */
    public static FunctionDescriptor cuDevicePrimaryCtxRelease_v2$descriptor() {
        return cuDevicePrimaryCtxRelease_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
     * }
     */
    public static MethodHandle cuDevicePrimaryCtxRelease_v2$handle() {
        return cuDevicePrimaryCtxRelease_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
     * }
     */
    public static MemorySegment cuDevicePrimaryCtxRelease_v2$address() {
        return cuDevicePrimaryCtxRelease_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
     * }
     */
    public static int cuDevicePrimaryCtxRelease_v2(int dev) {
        var mh$ = cuDevicePrimaryCtxRelease_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuDevicePrimaryCtxRelease_v2", dev);
            }
            return (int) mh$.invokeExact(dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuCtxGetCurrent {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuCtxGetCurrent");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuCtxGetCurrent(CUcontext *pctx)
     * }
     */
    public static FunctionDescriptor cuCtxGetCurrent$descriptor() {
        return cuCtxGetCurrent.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuCtxGetCurrent(CUcontext *pctx)
     * }
     */
    public static MethodHandle cuCtxGetCurrent$handle() {
        return cuCtxGetCurrent.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuCtxGetCurrent(CUcontext *pctx)
     * }
     */
    public static MemorySegment cuCtxGetCurrent$address() {
        return cuCtxGetCurrent.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuCtxGetCurrent(CUcontext *pctx)
     * }
     */
    public static int cuCtxGetCurrent(MemorySegment pctx) {
        var mh$ = cuCtxGetCurrent.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuCtxGetCurrent", pctx);
            }
            return (int) mh$.invokeExact(pctx);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuCtxSetCurrent {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuCtxSetCurrent");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuCtxSetCurrent(CUcontext ctx)
     * }
     */
    public static FunctionDescriptor cuCtxSetCurrent$descriptor() {
        return cuCtxSetCurrent.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuCtxSetCurrent(CUcontext ctx)
     * }
     */
    public static MethodHandle cuCtxSetCurrent$handle() {
        return cuCtxSetCurrent.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuCtxSetCurrent(CUcontext ctx)
     * }
     */
    public static MemorySegment cuCtxSetCurrent$address() {
        return cuCtxSetCurrent.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuCtxSetCurrent(CUcontext ctx)
     * }
     */
    public static int cuCtxSetCurrent(MemorySegment ctx) {
        var mh$ = cuCtxSetCurrent.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuCtxSetCurrent", ctx);
            }
            return (int) mh$.invokeExact(ctx);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuModuleLoadData {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuModuleLoadData");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuModuleLoadData(CUmodule *module, const void *image)
     * }
     */
    public static FunctionDescriptor cuModuleLoadData$descriptor() {
        return cuModuleLoadData.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuModuleLoadData(CUmodule *module, const void *image)
     * }
     */
    public static MethodHandle cuModuleLoadData$handle() {
        return cuModuleLoadData.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuModuleLoadData(CUmodule *module, const void *image)
     * }
     */
    public static MemorySegment cuModuleLoadData$address() {
        return cuModuleLoadData.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuModuleLoadData(CUmodule *module, const void *image)
     * }
     */
    public static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        var mh$ = cuModuleLoadData.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuModuleLoadData", module, image);
            }
            return (int) mh$.invokeExact(module, image);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuModuleGetFunction {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuModuleGetFunction");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
     * }
     */
    public static FunctionDescriptor cuModuleGetFunction$descriptor() {
        return cuModuleGetFunction.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
     * }
     */
    public static MethodHandle cuModuleGetFunction$handle() {
        return cuModuleGetFunction.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
     * }
     */
    public static MemorySegment cuModuleGetFunction$address() {
        return cuModuleGetFunction.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
     * }
     */
    public static int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        var mh$ = cuModuleGetFunction.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuModuleGetFunction", hfunc, hmod, name);
            }
            return (int) mh$.invokeExact(hfunc, hmod, name);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuModuleUnload {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuModuleUnload");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuModuleUnload(CUmodule hmod)
     * }
     */
    public static FunctionDescriptor cuModuleUnload$descriptor() {
        return cuModuleUnload.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuModuleUnload(CUmodule hmod)
     * }
     */
    public static MethodHandle cuModuleUnload$handle() {
        return cuModuleUnload.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuModuleUnload(CUmodule hmod)
     * }
     */
    public static MemorySegment cuModuleUnload$address() {
        return cuModuleUnload.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuModuleUnload(CUmodule hmod)
     * }
     */
    public static int cuModuleUnload(MemorySegment hmod) {
        var mh$ = cuModuleUnload.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuModuleUnload", hmod);
            }
            return (int) mh$.invokeExact(hmod);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuLaunchKernel {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuLaunchKernel");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuLaunchKernel(
     *     CUfunction f,
     *     unsigned int gridDimX,
     *     unsigned int gridDimY,
     *     unsigned int gridDimZ,
     *     unsigned int blockDimX,
     *     unsigned int blockDimY,
     *     unsigned int blockDimZ,
     *     unsigned int sharedMemBytes,
     *     CUstream hStream,
     *     void **kernelParams,
     *     void **extra)
     * }
     */
    public static FunctionDescriptor cuLaunchKernel$descriptor() {
        return cuLaunchKernel.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuLaunchKernel(
     *     CUfunction f,
     *     unsigned int gridDimX,
     *     unsigned int gridDimY,
     *     unsigned int gridDimZ,
     *     unsigned int blockDimX,
     *     unsigned int blockDimY,
     *     unsigned int blockDimZ,
     *     unsigned int sharedMemBytes,
     *     CUstream hStream,
     *     void **kernelParams,
     *     void **extra)
     * }
     */
    public static MethodHandle cuLaunchKernel$handle() {
        return cuLaunchKernel.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuLaunchKernel(
     *     CUfunction f,
     *     unsigned int gridDimX,
     *     unsigned int gridDimY,
     *     unsigned int gridDimZ,
     *     unsigned int blockDimX,
     *     unsigned int blockDimY,
     *     unsigned int blockDimZ,
     *     unsigned int sharedMemBytes,
     *     CUstream hStream,
     *     void **kernelParams,
     *     void **extra)
     * }
     */
    public static MemorySegment cuLaunchKernel$address() {
        return cuLaunchKernel.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuLaunchKernel(
     *     CUfunction f,
     *     unsigned int gridDimX,
     *     unsigned int gridDimY,
     *     unsigned int gridDimZ,
     *     unsigned int blockDimX,
     *     unsigned int blockDimY,
     *     unsigned int blockDimZ,
     *     unsigned int sharedMemBytes,
     *     CUstream hStream,
     *     void **kernelParams,
     *     void **extra)
     * }
     */
    public static int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX,
            int blockDimY, int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams,
            MemorySegment extra) {
        var mh$ = cuLaunchKernel.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuLaunchKernel", f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
                        sharedMemBytes, hStream, kernelParams, extra);
            }
            return (int) mh$.invokeExact(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
                    sharedMemBytes, hStream, kernelParams, extra);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuStreamGetCaptureInfo_v3 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuStreamGetCaptureInfo_v3");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuStreamGetCaptureInfo_v3(
     *     CUstream hStream,
     *     CUstreamCaptureStatus *captureStatus_out,
     *     cuuint64_t *id_out,
     *     CUgraph *graph_out,
     *     const CUgraphNode **dependencies_out,
     *     const CUgraphEdgeData **edgeData_out,
     *     size_t *numDependencies_out)
     * }
     */
    public static FunctionDescriptor cuStreamGetCaptureInfo_v3$descriptor() {
        return cuStreamGetCaptureInfo_v3.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuStreamGetCaptureInfo_v3(
     *     CUstream hStream,
     *     CUstreamCaptureStatus *captureStatus_out,
     *     cuuint64_t *id_out,
     *     CUgraph *graph_out,
     *     const CUgraphNode **dependencies_out,
     *     const CUgraphEdgeData **edgeData_out,
     *     size_t *numDependencies_out)
     * }
     */
    public static MethodHandle cuStreamGetCaptureInfo_v3$handle() {
        return cuStreamGetCaptureInfo_v3.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuStreamGetCaptureInfo_v3(
     *     CUstream hStream,
     *     CUstreamCaptureStatus *captureStatus_out,
     *     cuuint64_t *id_out,
     *     CUgraph *graph_out,
     *     const CUgraphNode **dependencies_out,
     *     const CUgraphEdgeData **edgeData_out,
     *     size_t *numDependencies_out)
     * }
     */
    public static MemorySegment cuStreamGetCaptureInfo_v3$address() {
        return cuStreamGetCaptureInfo_v3.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuStreamGetCaptureInfo_v3(
     *     CUstream hStream,
     *     CUstreamCaptureStatus *captureStatus_out,
     *     cuuint64_t *id_out,
     *     CUgraph *graph_out,
     *     const CUgraphNode **dependencies_out,
     *     const CUgraphEdgeData **edgeData_out,
     *     size_t *numDependencies_out)
     * }
     */
    public static int cuStreamGetCaptureInfo_v3(MemorySegment hStream, MemorySegment captureStatus_out,
            MemorySegment id_out, MemorySegment graph_out, MemorySegment dependencies_out, MemorySegment edgeData_out,
            MemorySegment numDependencies_out) {
        var mh$ = cuStreamGetCaptureInfo_v3.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuStreamGetCaptureInfo_v3", hStream, captureStatus_out, id_out, graph_out,
                        dependencies_out, edgeData_out, numDependencies_out);
            }
            return (int) mh$.invokeExact(hStream, captureStatus_out, id_out, graph_out, dependencies_out, edgeData_out,
                    numDependencies_out);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cuGraphExecKernelNodeSetParams_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cuda_h.C_INT,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER,
            cuda_h.C_POINTER
        );

        public static final MemorySegment ADDR = cuda_h.findOrThrow("cuGraphExecKernelNodeSetParams_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * CUresult cuGraphExecKernelNodeSetParams_v2(
     *     CUgraphExec hGraphExec,
     *     CUgraphNode hNode,
     *     const CUDA_KERNEL_NODE_PARAMS_v2 *nodeParams)
     * }
     */
    public static FunctionDescriptor cuGraphExecKernelNodeSetParams_v2$descriptor() {
        return cuGraphExecKernelNodeSetParams_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * CUresult cuGraphExecKernelNodeSetParams_v2(
     *     CUgraphExec hGraphExec,
     *     CUgraphNode hNode,
     *     const CUDA_KERNEL_NODE_PARAMS_v2 *nodeParams)
     * }
     */
    public static MethodHandle cuGraphExecKernelNodeSetParams_v2$handle() {
        return cuGraphExecKernelNodeSetParams_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * CUresult cuGraphExecKernelNodeSetParams_v2(
     *     CUgraphExec hGraphExec,
     *     CUgraphNode hNode,
     *     const CUDA_KERNEL_NODE_PARAMS_v2 *nodeParams)
     * }
     */
    public static MemorySegment cuGraphExecKernelNodeSetParams_v2$address() {
        return cuGraphExecKernelNodeSetParams_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * CUresult cuGraphExecKernelNodeSetParams_v2(
     *     CUgraphExec hGraphExec,
     *     CUgraphNode hNode,
     *     const CUDA_KERNEL_NODE_PARAMS_v2 *nodeParams)
     * }
     */
    public static int cuGraphExecKernelNodeSetParams_v2(MemorySegment hGraphExec, MemorySegment hNode,
            MemorySegment nodeParams) {
        var mh$ = cuGraphExecKernelNodeSetParams_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cuGraphExecKernelNodeSetParams_v2", hGraphExec, hNode, nodeParams);
            }
            return (int) mh$.invokeExact(hGraphExec, hNode, nodeParams);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }
}
