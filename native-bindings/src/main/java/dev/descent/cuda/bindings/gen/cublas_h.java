// Written by hand in the layout jextract 22 generates (jextract is not installable on descent's build machines);
// native-bindings/jextract/generate.sh regenerates this file from cublas_api.h where jextract is installed.
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
 * cuBLAS ({@code libcublas}, {@code cublas_api.h}): handles, streams, math mode, workspace and SGEMM.
 *
 * <p>{@code cublasSgemm_v2} is looked up only under that name: libcublas also exports the legacy {@code cublas.h}
 * {@code cublasSgemm}, whose signature differs (no handle, {@code char} transposes).
 *
 * <p>Static wrappers return the library's status code unchanged; check it with
 * {@link dev.descent.cuda.bindings.CudaErrors}.
 */
@SuppressWarnings({"unused", "restricted"})
public class cublas_h {

    cublas_h() {
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
                + CudaLibraries.cublas().location());
    }

    // HAND-WRITTEN: jextract emits SymbolLookup.libraryLookup(System.mapLibraryName(...), LIBRARY_ARENA).
    static final SymbolLookup SYMBOL_LOOKUP = CudaLibraries.cublas().lookup();

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
    // typedef struct cublasContext *cublasHandle_t;
    public static final AddressLayout cublasHandle_t = cublas_h.C_POINTER;
    public static final ValueLayout.OfInt cublasStatus_t = cublas_h.C_INT;

    private static final int CUBLAS_STATUS_SUCCESS = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_SUCCESS = 0
     * }
     */
    public static int CUBLAS_STATUS_SUCCESS() {
        return CUBLAS_STATUS_SUCCESS;
    }

    private static final int CUBLAS_STATUS_NOT_INITIALIZED = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_NOT_INITIALIZED = 1
     * }
     */
    public static int CUBLAS_STATUS_NOT_INITIALIZED() {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }

    private static final int CUBLAS_STATUS_ALLOC_FAILED = (int)3L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_ALLOC_FAILED = 3
     * }
     */
    public static int CUBLAS_STATUS_ALLOC_FAILED() {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }

    private static final int CUBLAS_STATUS_INVALID_VALUE = (int)7L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE = 7
     * }
     */
    public static int CUBLAS_STATUS_INVALID_VALUE() {
        return CUBLAS_STATUS_INVALID_VALUE;
    }

    private static final int CUBLAS_STATUS_ARCH_MISMATCH = (int)8L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_ARCH_MISMATCH = 8
     * }
     */
    public static int CUBLAS_STATUS_ARCH_MISMATCH() {
        return CUBLAS_STATUS_ARCH_MISMATCH;
    }

    private static final int CUBLAS_STATUS_MAPPING_ERROR = (int)11L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_MAPPING_ERROR = 11
     * }
     */
    public static int CUBLAS_STATUS_MAPPING_ERROR() {
        return CUBLAS_STATUS_MAPPING_ERROR;
    }

    private static final int CUBLAS_STATUS_EXECUTION_FAILED = (int)13L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_EXECUTION_FAILED = 13
     * }
     */
    public static int CUBLAS_STATUS_EXECUTION_FAILED() {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }

    private static final int CUBLAS_STATUS_INTERNAL_ERROR = (int)14L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_INTERNAL_ERROR = 14
     * }
     */
    public static int CUBLAS_STATUS_INTERNAL_ERROR() {
        return CUBLAS_STATUS_INTERNAL_ERROR;
    }

    private static final int CUBLAS_STATUS_NOT_SUPPORTED = (int)15L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_NOT_SUPPORTED = 15
     * }
     */
    public static int CUBLAS_STATUS_NOT_SUPPORTED() {
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }

    private static final int CUBLAS_STATUS_LICENSE_ERROR = (int)16L;
    /**
     * {@snippet lang=c :
     * enum cublasStatus_t.CUBLAS_STATUS_LICENSE_ERROR = 16
     * }
     */
    public static int CUBLAS_STATUS_LICENSE_ERROR() {
        return CUBLAS_STATUS_LICENSE_ERROR;
    }

    private static final int CUBLAS_OP_N = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cublasOperation_t.CUBLAS_OP_N = 0
     * }
     */
    public static int CUBLAS_OP_N() {
        return CUBLAS_OP_N;
    }

    private static final int CUBLAS_OP_T = (int)1L;
    /**
     * {@snippet lang=c :
     * enum cublasOperation_t.CUBLAS_OP_T = 1
     * }
     */
    public static int CUBLAS_OP_T() {
        return CUBLAS_OP_T;
    }

    private static final int CUBLAS_OP_C = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cublasOperation_t.CUBLAS_OP_C = 2
     * }
     */
    public static int CUBLAS_OP_C() {
        return CUBLAS_OP_C;
    }

    private static final int CUBLAS_DEFAULT_MATH = (int)0L;
    /**
     * {@snippet lang=c :
     * enum cublasMath_t.CUBLAS_DEFAULT_MATH = 0
     * }
     */
    public static int CUBLAS_DEFAULT_MATH() {
        return CUBLAS_DEFAULT_MATH;
    }

    private static final int CUBLAS_PEDANTIC_MATH = (int)2L;
    /**
     * {@snippet lang=c :
     * enum cublasMath_t.CUBLAS_PEDANTIC_MATH = 2
     * }
     */
    public static int CUBLAS_PEDANTIC_MATH() {
        return CUBLAS_PEDANTIC_MATH;
    }

    private static final int CUBLAS_TF32_TENSOR_OP_MATH = (int)3L;
    /**
     * {@snippet lang=c :
     * enum cublasMath_t.CUBLAS_TF32_TENSOR_OP_MATH = 3
     * }
     */
    public static int CUBLAS_TF32_TENSOR_OP_MATH() {
        return CUBLAS_TF32_TENSOR_OP_MATH;
    }

    private static final int MAJOR_VERSION = (int)0L;
    /**
     * {@snippet lang=c :
     * enum libraryPropertyType_t.MAJOR_VERSION = 0
     * }
     */
    public static int MAJOR_VERSION() {
        return MAJOR_VERSION;
    }

    private static final int MINOR_VERSION = (int)1L;
    /**
     * {@snippet lang=c :
     * enum libraryPropertyType_t.MINOR_VERSION = 1
     * }
     */
    public static int MINOR_VERSION() {
        return MINOR_VERSION;
    }

    private static final int PATCH_LEVEL = (int)2L;
    /**
     * {@snippet lang=c :
     * enum libraryPropertyType_t.PATCH_LEVEL = 2
     * }
     */
    public static int PATCH_LEVEL() {
        return PATCH_LEVEL;
    }

    private static class cublasCreate_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER
        );

        // HAND-WRITTEN: also found as cublasCreate
        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasCreate_v2", "cublasCreate");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
     * }
     */
    public static FunctionDescriptor cublasCreate_v2$descriptor() {
        return cublasCreate_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
     * }
     */
    public static MethodHandle cublasCreate_v2$handle() {
        return cublasCreate_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
     * }
     */
    public static MemorySegment cublasCreate_v2$address() {
        return cublasCreate_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
     * }
     */
    public static int cublasCreate_v2(MemorySegment handle) {
        var mh$ = cublasCreate_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasCreate_v2", handle);
            }
            return (int) mh$.invokeExact(handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasDestroy_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER
        );

        // HAND-WRITTEN: also found as cublasDestroy
        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasDestroy_v2", "cublasDestroy");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
     * }
     */
    public static FunctionDescriptor cublasDestroy_v2$descriptor() {
        return cublasDestroy_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
     * }
     */
    public static MethodHandle cublasDestroy_v2$handle() {
        return cublasDestroy_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
     * }
     */
    public static MemorySegment cublasDestroy_v2$address() {
        return cublasDestroy_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
     * }
     */
    public static int cublasDestroy_v2(MemorySegment handle) {
        var mh$ = cublasDestroy_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasDestroy_v2", handle);
            }
            return (int) mh$.invokeExact(handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasSetStream_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_POINTER
        );

        // HAND-WRITTEN: also found as cublasSetStream
        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasSetStream_v2", "cublasSetStream");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
     * }
     */
    public static FunctionDescriptor cublasSetStream_v2$descriptor() {
        return cublasSetStream_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
     * }
     */
    public static MethodHandle cublasSetStream_v2$handle() {
        return cublasSetStream_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
     * }
     */
    public static MemorySegment cublasSetStream_v2$address() {
        return cublasSetStream_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
     * }
     */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        var mh$ = cublasSetStream_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasSetStream_v2", handle, streamId);
            }
            return (int) mh$.invokeExact(handle, streamId);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasSetMathMode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_INT
        );

        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasSetMathMode");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
     * }
     */
    public static FunctionDescriptor cublasSetMathMode$descriptor() {
        return cublasSetMathMode.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
     * }
     */
    public static MethodHandle cublasSetMathMode$handle() {
        return cublasSetMathMode.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
     * }
     */
    public static MemorySegment cublasSetMathMode$address() {
        return cublasSetMathMode.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
     * }
     */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        var mh$ = cublasSetMathMode.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasSetMathMode", handle, mode);
            }
            return (int) mh$.invokeExact(handle, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasSetWorkspace_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_POINTER,
            cublas_h.C_LONG
        );

        // HAND-WRITTEN: also found as cublasSetWorkspace
        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasSetWorkspace_v2", "cublasSetWorkspace");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
     * }
     */
    public static FunctionDescriptor cublasSetWorkspace_v2$descriptor() {
        return cublasSetWorkspace_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
     * }
     */
    public static MethodHandle cublasSetWorkspace_v2$handle() {
        return cublasSetWorkspace_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
     * }
     */
    public static MemorySegment cublasSetWorkspace_v2$address() {
        return cublasSetWorkspace_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace, size_t workspaceSizeInBytes)
     * }
     */
    public static int cublasSetWorkspace_v2(MemorySegment handle, MemorySegment workspace, long workspaceSizeInBytes) {
        var mh$ = cublasSetWorkspace_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasSetWorkspace_v2", handle, workspace, workspaceSizeInBytes);
            }
            return (int) mh$.invokeExact(handle, workspace, workspaceSizeInBytes);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasGetProperty {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_INT,
            cublas_h.C_POINTER
        );

        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasGetProperty");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)
     * }
     */
    public static FunctionDescriptor cublasGetProperty$descriptor() {
        return cublasGetProperty.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)
     * }
     */
    public static MethodHandle cublasGetProperty$handle() {
        return cublasGetProperty.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)
     * }
     */
    public static MemorySegment cublasGetProperty$address() {
        return cublasGetProperty.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasGetProperty(libraryPropertyType type, int *value)
     * }
     */
    public static int cublasGetProperty(int type, MemorySegment value) {
        var mh$ = cublasGetProperty.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasGetProperty", type, value);
            }
            return (int) mh$.invokeExact(type, value);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasGetStatusName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_POINTER,
            cublas_h.C_INT
        );

        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasGetStatusName");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *cublasGetStatusName(cublasStatus_t status)
     * }
     */
    public static FunctionDescriptor cublasGetStatusName$descriptor() {
        return cublasGetStatusName.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *cublasGetStatusName(cublasStatus_t status)
     * }
     */
    public static MethodHandle cublasGetStatusName$handle() {
        return cublasGetStatusName.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *cublasGetStatusName(cublasStatus_t status)
     * }
     */
    public static MemorySegment cublasGetStatusName$address() {
        return cublasGetStatusName.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *cublasGetStatusName(cublasStatus_t status)
     * }
     */
    public static MemorySegment cublasGetStatusName(int status) {
        var mh$ = cublasGetStatusName.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasGetStatusName", status);
            }
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasGetStatusString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_POINTER,
            cublas_h.C_INT
        );

        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasGetStatusString");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * const char *cublasGetStatusString(cublasStatus_t status)
     * }
     */
    public static FunctionDescriptor cublasGetStatusString$descriptor() {
        return cublasGetStatusString.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * const char *cublasGetStatusString(cublasStatus_t status)
     * }
     */
    public static MethodHandle cublasGetStatusString$handle() {
        return cublasGetStatusString.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * const char *cublasGetStatusString(cublasStatus_t status)
     * }
     */
    public static MemorySegment cublasGetStatusString$address() {
        return cublasGetStatusString.ADDR;
    }

    /**
     * {@snippet lang=c :
     * const char *cublasGetStatusString(cublasStatus_t status)
     * }
     */
    public static MemorySegment cublasGetStatusString(int status) {
        var mh$ = cublasGetStatusString.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasGetStatusString", status);
            }
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class cublasSgemm_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_INT,
            cublas_h.C_INT,
            cublas_h.C_INT,
            cublas_h.C_INT,
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_POINTER,
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_INT,
            cublas_h.C_POINTER,
            cublas_h.C_POINTER,
            cublas_h.C_INT
        );

        public static final MemorySegment ADDR = cublas_h.findOrThrow("cublasSgemm_v2");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSgemm_v2(
     *     cublasHandle_t handle,
     *     cublasOperation_t transa,
     *     cublasOperation_t transb,
     *     int m,
     *     int n,
     *     int k,
     *     const float *alpha,
     *     const float *A,
     *     int lda,
     *     const float *B,
     *     int ldb,
     *     const float *beta,
     *     float *C,
     *     int ldc)
     * }
     */
    public static FunctionDescriptor cublasSgemm_v2$descriptor() {
        return cublasSgemm_v2.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSgemm_v2(
     *     cublasHandle_t handle,
     *     cublasOperation_t transa,
     *     cublasOperation_t transb,
     *     int m,
     *     int n,
     *     int k,
     *     const float *alpha,
     *     const float *A,
     *     int lda,
     *     const float *B,
     *     int ldb,
     *     const float *beta,
     *     float *C,
     *     int ldc)
     * }
     */
    public static MethodHandle cublasSgemm_v2$handle() {
        return cublasSgemm_v2.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * cublasStatus_t cublasSgemm_v2(
     *     cublasHandle_t handle,
     *     cublasOperation_t transa,
     *     cublasOperation_t transb,
     *     int m,
     *     int n,
     *     int k,
     *     const float *alpha,
     *     const float *A,
     *     int lda,
     *     const float *B,
     *     int ldb,
     *     const float *beta,
     *     float *C,
     *     int ldc)
     * }
     */
    public static MemorySegment cublasSgemm_v2$address() {
        return cublasSgemm_v2.ADDR;
    }

    /**
     * {@snippet lang=c :
     * cublasStatus_t cublasSgemm_v2(
     *     cublasHandle_t handle,
     *     cublasOperation_t transa,
     *     cublasOperation_t transb,
     *     int m,
     *     int n,
     *     int k,
     *     const float *alpha,
     *     const float *A,
     *     int lda,
     *     const float *B,
     *     int ldb,
     *     const float *beta,
     *     float *C,
     *     int ldc)
     * }
     */
    public static int cublasSgemm_v2(MemorySegment handle, int transa, int transb, int m, int n, int k,
            MemorySegment alpha, MemorySegment A, int lda, MemorySegment B, int ldb, MemorySegment beta,
            MemorySegment C, int ldc) {
        var mh$ = cublasSgemm_v2.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("cublasSgemm_v2", handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
            }
            return (int) mh$.invokeExact(handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

}
