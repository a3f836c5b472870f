package dev.descent.cuda.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

class CudaErrorsTest {

    @Test
    void messageNamesCallCodeNameAndText() {
        assertEquals("cudaMalloc(1073741824 bytes) failed: cudaErrorMemoryAllocation (2): out of memory",
                CudaCallException.format("cudaMalloc(1073741824 bytes)", 2, "cudaErrorMemoryAllocation",
                        "out of memory"));
        assertEquals("cuInit(0) failed: error 999", CudaCallException.format("cuInit(0)", 999, null, null));
        assertEquals("cublasSgemm_v2 failed: CUBLAS_STATUS_INVALID_VALUE (7)",
                CudaCallException.format("cublasSgemm_v2", 7, "CUBLAS_STATUS_INVALID_VALUE", ""));
        CudaException e = new CudaException("cudaFree", 1, "cudaErrorInvalidValue", "invalid argument");
        assertEquals("cudaFree", e.call());
        assertEquals(1, e.code());
        assertEquals("cudaErrorInvalidValue", e.errorName());
        assertEquals("invalid argument", e.errorText());
    }

    @Test
    void runtimeNamesComeFromTheRealRuntime() {
        assumeTrue(CudaLibraries.cudartResult().ok(), CudaLibraries.cudartResult().failure());
        assertEquals("cudaMalloc(1073741824 bytes) failed: cudaErrorMemoryAllocation (2): out of memory",
                CudaErrors.cuda(2, "cudaMalloc(1073741824 bytes)").getMessage());
        CudaException e = assertThrows(CudaException.class, () -> CudaErrors.checkCuda(35, "cudaGetDeviceCount"));
        assertEquals("cudaGetDeviceCount failed: cudaErrorInsufficientDriver (35): "
                + "CUDA driver version is insufficient for CUDA runtime version", e.getMessage());
        CudaErrors.checkCuda(0, "never fails");
    }

    @Test
    void withoutADriverTheRuntimeReportsInsufficientDriver() {
        // This machine class: libcudart.so.13 installed with the toolkit, no libcuda.so.1 (no NVIDIA driver).
        assumeTrue(CudaLibraries.cudartResult().ok(), CudaLibraries.cudartResult().failure());
        assumeFalse(CudaLibraries.driverResult().ok(), "a CUDA driver is installed here");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(cuda_runtime_h.C_INT);
            count.set(cuda_runtime_h.C_INT, 0, -1);
            int rc = cuda_runtime_h.cudaGetDeviceCount(count);
            assertEquals(cuda_runtime_h.cudaErrorInsufficientDriver(), rc);
            MemorySegment version = arena.allocate(cuda_runtime_h.C_INT);
            assertEquals(0, cuda_runtime_h.cudaDriverGetVersion(version));
            assertEquals(0, version.get(cuda_runtime_h.C_INT, 0), "no driver: version 0");
            assertEquals(0, cuda_runtime_h.cudaRuntimeGetVersion(version));
            int runtime = version.get(cuda_runtime_h.C_INT, 0);
            assertTrue(runtime >= 12000, "runtime " + runtime);
        }
    }

    @Test
    void driverAndCublasNamesDegradeGracefully() {
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CudaErrors.cublasStatusName(7));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CudaErrors.cublas(13, "cublasSgemm_v2").errorName());
        if (!CudaLibraries.driverResult().ok()) {
            assertNull(CudaErrors.driverErrorName(1));
            assertEquals("cuInit(0) failed: error 100", CudaErrors.driver(100, "cuInit(0)").getMessage());
        } else {
            assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.driverErrorName(100));
        }
    }

    @Test
    void headerClassesDescribeTheirFunctionsLikeJextract() {
        assumeTrue(CudaLibraries.cudartResult().ok(), CudaLibraries.cudartResult().failure());
        assertEquals(FunctionDescriptor.of(cuda_runtime_h.C_INT, cuda_runtime_h.C_POINTER, cuda_runtime_h.C_LONG),
                cuda_runtime_h.cudaMalloc$descriptor());
        assertEquals(MethodType.methodType(int.class, MemorySegment.class, long.class),
                cuda_runtime_h.cudaMalloc$handle().type());
        assertEquals(CudaLibraries.cudart().lookup().find("cudaMalloc").orElseThrow(),
                cuda_runtime_h.cudaMalloc$address());
        assertEquals(8, cuda_runtime_h.C_SIZE_T.byteSize());
    }
}
