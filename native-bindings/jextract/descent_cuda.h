/*
 * Umbrella header for jextract: the slices of the CUDA runtime, driver API and cuBLAS that descent binds.
 * generate.sh runs jextract on this file once per header class, each time with that class's filters from includes.txt.
 * Needs the CUDA toolkit headers (cuda_runtime_api.h, cuda.h) and cuBLAS's (cublas_api.h, in the toolkit or the
 * libcublas-dev package).
 */
#include <cuda_runtime_api.h>
#include <cuda.h>
#include <library_types.h>
#include <cublas_api.h>
