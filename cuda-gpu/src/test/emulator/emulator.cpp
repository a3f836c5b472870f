// Test fixture, not part of descent: a host emulation of the slice of the CUDA runtime, driver API and cuBLAS that
// dev.descent.cuda.CudaBackend calls, so the backend's Java code and descent's real kernel source
// (src/main/cuda/descent_kernels.cu, compiled here by g++ with -ffp-contract=off) run end to end on a machine without
// a GPU. Built by build.sh into target*/cuda-emulator/ as one shared library, linked under the sonames the loader
// looks for (libcudart.so.13, libcublas.so.13, libcuda.so.1); the "emulated" surefire execution points
// descent.cuda.libdir at it and runs the GPU tests against it.
//
// What it checks on the way: kernel names must appear as .entry in the PTX handed to cuModuleLoadData; launches need
// 256-thread blocks; device pointers passed to frees, copies and cuBLAS must be live allocations; new device memory
// is filled with 0xFF bytes (NaN floats) so code relying on zeroed memory fails; cublasSgemm_v2 validates its
// leading dimensions like cuBLAS; operations on a capturing stream are recorded into a graph and replayed by
// cudaGraphLaunch, kernel nodes keep their arguments so cuGraphExecKernelNodeSetParams_v2 really changes what a replay
// runs, and cuStreamGetCaptureInfo_v3 names the node a launch just added; device memory is limited
// (DESCENT_CUDA_EMULATOR_MEMORY bytes, default 512 MiB) so allocation failures can be tested. What it cannot check:
// real concurrency, PTX JIT, cuBLAS's own rounding, timing.
#include "cuda_emulator.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>
#include <ucontext.h>

// ------------------------------------------------------------------------------------------------ kernels

EmuDim3 threadIdx = {0, 0, 0};
EmuDim3 blockIdx = {0, 0, 0};
EmuDim3 blockDim = {1, 1, 1};
EmuDim3 gridDim = {1, 1, 1};

#include "../../main/cuda/descent_kernels.cu"

namespace {

constexpr int kBlock = 256;
constexpr size_t kFiberStack = 64 * 1024;

using Invoke = void (*)(void **params);

struct KernelInfo {
    const char *name;
    Invoke invoke;
    std::vector<size_t> sizes;  // bytes of each parameter
    bool barrier;               // uses __syncthreads
};

template <typename... A, size_t... I>
void call_with(void (*f)(A...), void **p, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>> *>(p[I])...);
}

template <auto F>
struct Trampoline;

template <typename... A, void (*F)(A...)>
struct Trampoline<F> {
    static void invoke(void **p) { call_with(F, p, std::index_sequence_for<A...>{}); }
    static std::vector<size_t> sizes() { return {sizeof(A)...}; }
};

#define KERNEL(name, barrier) {#name, &Trampoline<&name>::invoke, Trampoline<&name>::sizes(), barrier}

const std::vector<KernelInfo> &kernels() {
    static const std::vector<KernelInfo> table = {
        KERNEL(axpy_f32, false), KERNEL(scale_f32, false), KERNEL(fill_u32, false), KERNEL(mul_f32, false),
        KERNEL(clamp_f32, false), KERNEL(relu_f32, false), KERNEL(relu_backward_f32, false),
        KERNEL(reduce_partials_f64, true), KERNEL(reduce_final_f64, true), KERNEL(maxabs_partials_f32, true),
        KERNEL(maxabs_final_f32, true), KERNEL(gather_rows_u32, false), KERNEL(argmax_rows_f32, false),
        KERNEL(add_row_vector_f32, false), KERNEL(column_sums_f32, false), KERNEL(softmax_ce_f32, true),
        KERNEL(bce_logits_f32, true), KERNEL(mse_f32, true), KERNEL(mae_f32, true), KERNEL(loss_final_f32, true),
        KERNEL(sgd_f32, false), KERNEL(adam_f32, false), KERNEL(rmsprop_f32, false), KERNEL(adagrad_f32, false),
        KERNEL(nadam_f32, false), KERNEL(radam_f32, false), KERNEL(adamax_f32, false), KERNEL(adadelta_f32, false),
        KERNEL(unary_f32, false), KERNEL(unary_backward_f32, false), KERNEL(binary_f32, false),
        KERNEL(binary_backward_f32, true), KERNEL(reduce_rows_f32, true), KERNEL(reduce_columns_f32, true),
        KERNEL(reduce_all_partials_f32, true), KERNEL(reduce_all_final_f32, true), KERNEL(reduce_backward_f32, false),
        KERNEL(max_backward_rows_f32, true), KERNEL(max_backward_columns_f32, true),
        KERNEL(max_backward_all_f32, false), KERNEL(softmax_rows_f32, true), KERNEL(softmax_rows_backward_f32, true),
        KERNEL(gather_columns_f32, false), KERNEL(scatter_add_columns_f32, false), KERNEL(transpose_f32, false),
        KERNEL(copy_block_u32, false),
    };
    return table;
}

// Fibers: one per thread of the block being run. On x86-64 a minimal stack switch (callee-saved registers, MXCSR and
// the x87 control word) makes a barrier cost nanoseconds; elsewhere ucontext (two system calls per switch) is used.
const KernelInfo *running = nullptr;
void **running_params = nullptr;
bool fiber_done[kBlock];
char *fiber_stacks = nullptr;
int current_thread = -1;
bool in_fibers = false;

#if defined(__x86_64__)
extern "C" void emu_switch(void **save_sp, void *new_sp);
asm(R"(
    .text
    .globl emu_switch
    .type emu_switch, @function
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch, .-emu_switch
)");

void *scheduler_sp = nullptr;
void *fiber_sp[kBlock];

[[noreturn]] void fiber_start() {
    running->invoke(running_params);
    fiber_done[current_thread] = true;
    void *dead;
    emu_switch(&dead, scheduler_sp);
    __builtin_unreachable();
}

void fiber_init(int t) {
    char *top = fiber_stacks + kFiberStack * (t + 1);
    uint64_t *sp = reinterpret_cast<uint64_t *>(reinterpret_cast<uintptr_t>(top) & ~(uintptr_t) 15);
    *--sp = 0;                                              // keeps the return-address slot 16-byte aligned
    *--sp = reinterpret_cast<uint64_t>(&fiber_start);      // ret of emu_switch lands here
    for (int i = 0; i < 6; i++) {
        *--sp = 0;                                          // rbp rbx r12 r13 r14 r15
    }
    *--sp = (uint64_t) 0x1F80 | ((uint64_t) 0x037F << 32);  // default MXCSR, x87 control word
    fiber_sp[t] = sp;
}

void fiber_resume(int t) { emu_switch(&scheduler_sp, fiber_sp[t]); }
void fiber_yield(int t) { emu_switch(&fiber_sp[t], scheduler_sp); }
#else
ucontext_t scheduler_ctx;
ucontext_t fiber_ctx[kBlock];

void fiber_main() {
    running->invoke(running_params);
    fiber_done[current_thread] = true;
}

void fiber_init(int t) {
    getcontext(&fiber_ctx[t]);
    fiber_ctx[t].uc_stack.ss_sp = fiber_stacks + kFiberStack * t;
    fiber_ctx[t].uc_stack.ss_size = kFiberStack;
    fiber_ctx[t].uc_link = &scheduler_ctx;
    makecontext(&fiber_ctx[t], fiber_main, 0);
}

void fiber_resume(int t) { swapcontext(&scheduler_ctx, &fiber_ctx[t]); }
void fiber_yield(int t) { swapcontext(&fiber_ctx[t], &scheduler_ctx); }
#endif

void run_kernel(const KernelInfo &k, unsigned grid, void **params) {
    gridDim = {grid, 1, 1};
    blockDim = {kBlock, 1, 1};
    for (unsigned b = 0; b < grid; b++) {
        blockIdx = {b, 0, 0};
        if (!k.barrier) {
            for (int t = 0; t < kBlock; t++) {
                threadIdx = {(unsigned) t, 0, 0};
                k.invoke(params);
            }
            continue;
        }
        if (fiber_stacks == nullptr) {
            fiber_stacks = static_cast<char *>(malloc(kFiberStack * kBlock));
        }
        running = &k;
        running_params = params;
        in_fibers = true;
        for (int t = 0; t < kBlock; t++) {
            fiber_init(t);
            fiber_done[t] = false;
        }
        int alive = kBlock;
        while (alive > 0) {
            alive = 0;
            for (int t = 0; t < kBlock; t++) {
                if (fiber_done[t]) {
                    continue;
                }
                current_thread = t;
                threadIdx = {(unsigned) t, 0, 0};
                fiber_resume(t);
                if (!fiber_done[t]) {
                    alive++;
                }
            }
        }
        in_fibers = false;
        current_thread = -1;
    }
}

}  // namespace

void emu_syncthreads() {
    if (!in_fibers) {
        fprintf(stderr, "cuda emulator: __syncthreads() in a kernel not marked as using barriers\n");
        abort();
    }
    fiber_yield(current_thread);
    // resumed by the scheduler, which has set threadIdx for this thread again
}

// ------------------------------------------------------------------------------------------------ state

namespace {

std::recursive_mutex lock;
#define LOCKED std::lock_guard<std::recursive_mutex> guard(lock)

// One recorded operation: a kernel launch (kernel, grid and a copy of its arguments, which an executable graph's
// node may have replaced) or any other work (copies, memsets, cuBLAS calls) as a closure.
struct Node {
    std::function<void()> op;
    const KernelInfo *kernel = nullptr;
    unsigned grid = 0;
    std::vector<std::vector<unsigned char>> args;

    void run() const {
        if (kernel == nullptr) {
            op();
            return;
        }
        std::vector<void *> ptrs;
        for (auto &a : args) ptrs.push_back(const_cast<unsigned char *>(a.data()));
        run_kernel(*kernel, grid, ptrs.data());
    }
};

// A graph (what a capture produced) or an executable graph (what cudaGraphInstantiate made of one). Stream capture
// on one stream makes a chain, so the nodes run in order.
struct Graph {
    std::vector<std::unique_ptr<Node>> nodes;
    bool executable = false;
    const Graph *source = nullptr;      // executable: the graph it was instantiated from
    std::vector<const Node *> origin;   // executable: the source graph's node behind each node
};

struct Stream {
    Graph *capture = nullptr;
    unsigned long long capture_id = 0;
};

struct Event {
    double ms = 0;
};

struct Module {
    std::string ptx;
};

struct Cublas {
    Stream *stream = nullptr;
    int math = 0;
};

}  // namespace

// Call counters a test reads (NoHostSyncTest) to prove a training step never waits for the device or allocates.
extern "C" {
struct DescentEmulatorCounters {
    long long stream_syncs, event_syncs, device_syncs, mallocs, frees, host_mallocs, host_frees, launches;
    // graphs: executable graphs launched, kernel nodes whose parameters were set, graphs and executable graphs alive
    long long graph_launches, kernel_node_updates, graphs_live, execs_live;
};
DescentEmulatorCounters descent_emulator_counters = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
}

namespace {

std::map<uintptr_t, size_t> device_allocations;
std::map<uintptr_t, size_t> host_allocations;
size_t device_used = 0;
int last_error = 0;
int primary_retains = 0;
unsigned long long next_capture_id = 1;
std::set<const Graph *> live_graphs;  // graphs (not executable ones) not yet destroyed

size_t memory_limit() {
    static size_t limit = [] {
        const char *v = getenv("DESCENT_CUDA_EMULATOR_MEMORY");
        return v ? (size_t) strtoull(v, nullptr, 10) : (size_t) 512 << 20;
    }();
    return limit;
}

int fail(int code) {
    last_error = code;
    return code;
}

// The allocation containing [p, p + bytes), or false.
bool is_device(const void *p, size_t bytes) {
    uintptr_t a = (uintptr_t) p;
    auto it = device_allocations.upper_bound(a);
    if (it == device_allocations.begin()) {
        return false;
    }
    --it;
    return a >= it->first && a + bytes <= it->first + it->second;
}

bool is_host_pinned(const void *p, size_t bytes) {
    uintptr_t a = (uintptr_t) p;
    auto it = host_allocations.upper_bound(a);
    if (it == host_allocations.begin()) {
        return false;
    }
    --it;
    return a >= it->first && a + bytes <= it->first + it->second;
}

// Runs now, or records into the stream's capture.
void submit(Stream *s, std::function<void()> op) {
    if (s != nullptr && s->capture != nullptr) {
        auto n = std::make_unique<Node>();
        n->op = std::move(op);
        s->capture->nodes.push_back(std::move(n));
    } else {
        op();
    }
}

// A kernel launch: runs now, or becomes a kernel node of the stream's capture.
void submit_kernel(Stream *s, const KernelInfo *f, unsigned grid, std::vector<std::vector<unsigned char>> args) {
    auto n = std::make_unique<Node>();
    n->kernel = f;
    n->grid = grid;
    n->args = std::move(args);
    if (s != nullptr && s->capture != nullptr) {
        s->capture->nodes.push_back(std::move(n));
    } else {
        n->run();
    }
}

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

const char *runtime_name(int e) {
    switch (e) {
        case 0: return "cudaSuccess";
        case 1: return "cudaErrorInvalidValue";
        case 2: return "cudaErrorMemoryAllocation";
        case 35: return "cudaErrorInsufficientDriver";
        case 100: return "cudaErrorNoDevice";
        case 101: return "cudaErrorInvalidDevice";
        case 400: return "cudaErrorInvalidResourceHandle";
        case 900: return "cudaErrorStreamCaptureUnsupported";
        case 901: return "cudaErrorStreamCaptureInvalidated";
        case 910: return "cudaErrorGraphExecUpdateFailure";
        default: return "cudaErrorUnknown";
    }
}

const char *runtime_text(int e) {
    switch (e) {
        case 0: return "no error";
        case 1: return "invalid argument";
        case 2: return "out of memory";
        case 35: return "CUDA driver version is insufficient for CUDA runtime version";
        case 100: return "no CUDA-capable device is detected";
        case 101: return "invalid device ordinal";
        case 400: return "invalid resource handle";
        case 900: return "operation not permitted when stream is capturing";
        case 901: return "operation failed due to a previous error during capture";
        case 910: return "the graph update was not performed because it included changes which violated constraints "
                         "specific to instantiated graph update";
        default: return "unknown error";
    }
}

}  // namespace

// ------------------------------------------------------------------------------------------------ runtime API

extern "C" {

const char *cudaGetErrorName(int e) { return runtime_name(e); }
const char *cudaGetErrorString(int e) { return runtime_text(e); }

int cudaGetLastError(void) {
    LOCKED;
    int e = last_error;
    last_error = 0;
    return e;
}

int cudaDriverGetVersion(int *v) { *v = 13000; return 0; }
int cudaRuntimeGetVersion(int *v) { *v = 13000; return 0; }
int cudaGetDeviceCount(int *count) { *count = 1; return 0; }

int cudaDeviceGetAttribute(int *value, int attr, int device) {
    if (device != 0) return fail(101);
    switch (attr) {
        case 1: *value = 1024; return 0;   // max threads per block
        case 16: *value = 4; return 0;     // multiprocessors
        case 41: *value = 1; return 0;     // unified addressing
        case 75: *value = 8; return 0;     // compute capability 8.6 (4 MiB cuBLAS workspace)
        case 76: *value = 6; return 0;
        default: return fail(1);
    }
}

int cudaSetDevice(int device) { return device == 0 ? 0 : fail(101); }
int cudaGetDevice(int *device) { *device = 0; return 0; }
int cudaDeviceSynchronize(void) { descent_emulator_counters.device_syncs++; return 0; }

int cudaMemGetInfo(size_t *free_bytes, size_t *total) {
    LOCKED;
    *total = memory_limit();
    *free_bytes = memory_limit() - device_used;
    return 0;
}

int cudaMalloc(void **p, size_t size) {
    LOCKED;
    if (size == 0) {
        *p = nullptr;
        return 0;
    }
    descent_emulator_counters.mallocs++;
    if (device_used + size > memory_limit()) {
        return fail(2);
    }
    void *m = malloc(size);
    if (m == nullptr) return fail(2);
    memset(m, 0xFF, size < ((size_t) 16 << 20) ? size : ((size_t) 16 << 20));  // NaN floats, -1 ints
    device_allocations[(uintptr_t) m] = size;
    device_used += size;
    *p = m;
    return 0;
}

int cudaFree(void *p) {
    LOCKED;
    if (p == nullptr) return 0;
    descent_emulator_counters.frees++;
    auto it = device_allocations.find((uintptr_t) p);
    if (it == device_allocations.end()) return fail(1);
    device_used -= it->second;
    device_allocations.erase(it);
    free(p);
    return 0;
}

int cudaMallocHost(void **p, size_t size) {
    LOCKED;
    descent_emulator_counters.host_mallocs++;
    void *m = malloc(size == 0 ? 1 : size);
    if (m == nullptr) return fail(2);
    host_allocations[(uintptr_t) m] = size;
    *p = m;
    return 0;
}

int cudaFreeHost(void *p) {
    LOCKED;
    descent_emulator_counters.host_frees++;
    auto it = host_allocations.find((uintptr_t) p);
    if (it == host_allocations.end()) return fail(1);
    host_allocations.erase(it);
    free(p);
    return 0;
}

static int check_copy(void *dst, const void *src, size_t count, int kind) {
    bool ok;
    switch (kind) {
        case 1: ok = is_device(dst, count) && is_host_pinned(src, count); break;   // host to device
        case 2: ok = is_host_pinned(dst, count) && is_device(src, count); break;   // device to host
        case 3: ok = is_device(dst, count) && is_device(src, count); break;
        default: ok = true;
    }
    return count == 0 || ok ? 0 : 1;
}

int cudaMemcpyAsync(void *dst, const void *src, size_t count, int kind, Stream *stream) {
    LOCKED;
    if (check_copy(dst, src, count, kind) != 0) {
        fprintf(stderr, "cuda emulator: cudaMemcpyAsync kind %d of %zu bytes with an invalid pointer "
                        "(descent stages host copies through pinned memory)\n", kind, count);
        return fail(1);
    }
    if (stream != nullptr && stream->capture != nullptr && kind != 3 && kind != 1) {
        return fail(900);  // device-to-host copies into a graph make no sense for descent
    }
    submit(stream, [=] { memmove(dst, src, count); });
    return 0;
}

int cudaMemcpy(void *dst, const void *src, size_t count, int kind) {
    descent_emulator_counters.device_syncs++;  // synchronous copy
    return cudaMemcpyAsync(dst, src, count, kind, nullptr);
}

int cudaMemsetAsync(void *p, int value, size_t count, Stream *stream) {
    LOCKED;
    if (count > 0 && !is_device(p, count)) return fail(1);
    submit(stream, [=] { memset(p, value, count); });
    return 0;
}

int cudaMemset(void *p, int value, size_t count) {
    descent_emulator_counters.device_syncs++;  // synchronous
    return cudaMemsetAsync(p, value, count, nullptr);
}

int cudaStreamCreateWithFlags(Stream **s, unsigned int) { *s = new Stream(); return 0; }
int cudaStreamCreate(Stream **s) { *s = new Stream(); return 0; }

int cudaStreamDestroy(Stream *s) {
    LOCKED;
    if (s == nullptr) return fail(400);
    delete s->capture;
    delete s;
    return 0;
}

int cudaStreamSynchronize(Stream *s) {
    LOCKED;
    descent_emulator_counters.stream_syncs++;
    if (s != nullptr && s->capture != nullptr) return fail(900);
    return 0;
}

int cudaEventCreate(Event **e) { *e = new Event(); return 0; }
int cudaEventCreateWithFlags(Event **e, unsigned int) { *e = new Event(); return 0; }
int cudaEventDestroy(Event *e) { delete e; return 0; }

int cudaEventRecord(Event *e, Stream *s) {
    LOCKED;
    if (s != nullptr && s->capture != nullptr) return fail(900);
    e->ms = now_ms();
    return 0;
}

int cudaEventSynchronize(Event *) { descent_emulator_counters.event_syncs++; return 0; }
int cudaEventElapsedTime(float *ms, Event *start, Event *end) { *ms = (float) (end->ms - start->ms); return 0; }

int cudaStreamBeginCapture(Stream *s, int mode) {
    LOCKED;
    if (s == nullptr || mode < 0 || mode > 2) return fail(1);
    if (s->capture != nullptr) return fail(900);
    s->capture = new Graph();
    s->capture_id = next_capture_id++;
    return 0;
}

int cudaStreamEndCapture(Stream *s, Graph **graph) {
    LOCKED;
    if (s == nullptr || s->capture == nullptr) {
        *graph = nullptr;
        return fail(1);
    }
    *graph = s->capture;
    s->capture = nullptr;
    live_graphs.insert(*graph);
    descent_emulator_counters.graphs_live++;
    return 0;
}

int cudaStreamIsCapturing(Stream *s, int *status) { *status = s != nullptr && s->capture != nullptr ? 1 : 0; return 0; }

int cudaGraphInstantiate(Graph **exec, Graph *graph, unsigned long long) {
    LOCKED;
    if (graph == nullptr || graph->executable || live_graphs.count(graph) == 0) return fail(1);
    Graph *e = new Graph();
    e->executable = true;
    e->source = graph;
    for (auto &n : graph->nodes) {
        e->nodes.push_back(std::make_unique<Node>(*n));
        e->origin.push_back(n.get());
    }
    *exec = e;
    descent_emulator_counters.execs_live++;
    return 0;
}

// Same number of nodes of the same kinds in the same order: the executable graph takes the new graph's parameters
// (its nodes keep their identity: they are still named by the nodes of the graph it was instantiated from).
int cudaGraphExecUpdate(Graph *exec, Graph *graph, void *info) {
    LOCKED;
    if (exec == nullptr || graph == nullptr || !exec->executable || graph->executable) return fail(1);
    bool same = exec->nodes.size() == graph->nodes.size();
    for (size_t i = 0; same && i < graph->nodes.size(); i++) {
        same = (exec->nodes[i]->kernel == nullptr) == (graph->nodes[i]->kernel == nullptr);
    }
    if (!same) {
        memset(info, 0, 24);
        return fail(910);
    }
    for (size_t i = 0; i < graph->nodes.size(); i++) {
        *exec->nodes[i] = *graph->nodes[i];
    }
    return 0;
}

int cudaGraphLaunch(Graph *exec, Stream *s) {
    LOCKED;
    if (exec == nullptr || !exec->executable) return fail(400);
    if (s != nullptr && s->capture != nullptr) return fail(900);
    descent_emulator_counters.graph_launches++;
    for (auto &n : exec->nodes) n->run();
    return 0;
}

int cudaGraphExecDestroy(Graph *exec) {
    LOCKED;
    if (exec == nullptr || !exec->executable) return fail(400);
    descent_emulator_counters.execs_live--;
    delete exec;
    return 0;
}

int cudaGraphDestroy(Graph *graph) {
    LOCKED;
    if (graph == nullptr || graph->executable || live_graphs.erase(graph) == 0) return fail(400);
    descent_emulator_counters.graphs_live--;
    delete graph;
    return 0;
}

// ------------------------------------------------------------------------------------------------ driver API

static const char *driver_name(int e) {
    switch (e) {
        case 0: return "CUDA_SUCCESS";
        case 1: return "CUDA_ERROR_INVALID_VALUE";
        case 100: return "CUDA_ERROR_NO_DEVICE";
        case 218: return "CUDA_ERROR_INVALID_PTX";
        case 500: return "CUDA_ERROR_NOT_FOUND";
        default: return nullptr;
    }
}

int cuGetErrorName(int e, const char **s) { *s = driver_name(e); return *s ? 0 : 1; }
int cuGetErrorString(int e, const char **s) {
    *s = driver_name(e) ? (e == 0 ? "no error" : e == 1 ? "invalid argument" : e == 100 ? "no CUDA-capable device is detected" : e == 218 ? "a PTX JIT compilation failed" : "named symbol not found") : nullptr;
    return *s ? 0 : 1;
}
int cuInit(unsigned int) { return 0; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuDeviceGet(int *d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
int cuDeviceGetName(char *name, int len, int) { snprintf(name, len, "descent CUDA emulator (host)"); return 0; }
int cuDeviceTotalMem_v2(size_t *bytes, int) { *bytes = memory_limit(); return 0; }

static int primary_context_token;
static void *current_context = nullptr;

int cuDevicePrimaryCtxRetain(void **ctx, int) { LOCKED; primary_retains++; *ctx = &primary_context_token; return 0; }
int cuDevicePrimaryCtxRelease_v2(int) { LOCKED; if (primary_retains == 0) return 1; primary_retains--; return 0; }
int cuCtxSetCurrent(void *ctx) { current_context = ctx; return 0; }
int cuCtxGetCurrent(void **ctx) { *ctx = current_context; return 0; }

int cuModuleLoadData(Module **m, const void *image) {
    const char *text = static_cast<const char *>(image);
    if (strncmp(text, "//\n// Generated by NVIDIA NVVM Compiler", 39) != 0 || strstr(text, ".entry ") == nullptr) {
        return 218;
    }
    *m = new Module{text};
    return 0;
}

int cuModuleGetFunction(const KernelInfo **f, Module *m, const char *name) {
    std::string entry = std::string(".entry ") + name + "(";
    if (m->ptx.find(entry) == std::string::npos) return 500;
    for (const KernelInfo &k : kernels()) {
        if (strcmp(k.name, name) == 0) {
            *f = &k;
            return 0;
        }
    }
    return 500;
}

int cuModuleUnload(Module *m) { delete m; return 0; }

int cuLaunchKernel(const KernelInfo *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, Stream *stream, void **params, void **extra) {
    LOCKED;
    if (f == nullptr || gx == 0 || gy != 1 || gz != 1 || bx != kBlock || by != 1 || bz != 1 || shared != 0
        || extra != nullptr || params == nullptr) {
        fprintf(stderr, "cuda emulator: unexpected launch of %s: grid %u %u %u block %u %u %u\n",
                f ? f->name : "?", gx, gy, gz, bx, by, bz);
        return 1;
    }
    descent_emulator_counters.launches++;
    // copy the arguments now, as the driver does
    std::vector<std::vector<unsigned char>> args;
    for (size_t i = 0; i < f->sizes.size(); i++) {
        const unsigned char *p = static_cast<const unsigned char *>(params[i]);
        args.emplace_back(p, p + f->sizes[i]);
    }
    submit_kernel(stream, f, gx, std::move(args));
    return 0;
}

// CUresult cuStreamGetCaptureInfo_v3(CUstream, CUstreamCaptureStatus *, cuuint64_t *, CUgraph *,
//     const CUgraphNode **, const CUgraphEdgeData **, size_t *): a capture on one stream is a chain, so the stream's
// dependencies are the last node recorded (none before the first).
int cuStreamGetCaptureInfo_v3(Stream *s, int *status, unsigned long long *id, Graph **graph, const Node *const **deps,
                              const void **edges, size_t *count) {
    LOCKED;
    static const Node *last[1];
    static const unsigned char no_edge_data[8] = {0};
    if (s == nullptr || status == nullptr || (edges != nullptr && deps == nullptr)) return 1;
    if (s->capture == nullptr) {
        *status = 0;  // CU_STREAM_CAPTURE_STATUS_NONE
        return 0;
    }
    *status = 1;      // CU_STREAM_CAPTURE_STATUS_ACTIVE
    if (id != nullptr) *id = s->capture_id;
    if (graph != nullptr) *graph = s->capture;
    size_t n = s->capture->nodes.empty() ? 0 : 1;
    last[0] = n == 0 ? nullptr : s->capture->nodes.back().get();
    if (deps != nullptr) *deps = last;
    if (edges != nullptr) *edges = no_edge_data;
    if (count != nullptr) *count = n;
    return 0;
}

// CUDA_KERNEL_NODE_PARAMS_v2 (cuda.h, CUDA 12+).
struct KernelNodeParamsV2 {
    const KernelInfo *func;
    unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ, sharedMemBytes;
    void **kernelParams;
    void **extra;
    void *kern;
    void *ctx;
};
static_assert(sizeof(KernelNodeParamsV2) == 72, "CUDA_KERNEL_NODE_PARAMS_v2 is 72 bytes");

// CUresult cuGraphExecKernelNodeSetParams_v2(CUgraphExec, CUgraphNode, const CUDA_KERNEL_NODE_PARAMS_v2 *): the
// node is named by the graph the executable graph was instantiated from, which must still exist here (descent keeps
// it); the arguments are copied now, as the driver does, and the next launch runs with them.
int cuGraphExecKernelNodeSetParams_v2(Graph *exec, const Node *node, const KernelNodeParamsV2 *p) {
    LOCKED;
    if (exec == nullptr || !exec->executable || node == nullptr || p == nullptr) return 1;
    if (live_graphs.count(exec->source) == 0) {
        fprintf(stderr, "cuda emulator: cuGraphExecKernelNodeSetParams_v2 after the source graph was destroyed\n");
        return 1;
    }
    size_t i = 0;
    while (i < exec->origin.size() && exec->origin[i] != node) i++;
    if (i == exec->origin.size() || exec->nodes[i]->kernel == nullptr) return 1;  // not a kernel node of this graph
    const KernelInfo *f = p->func;
    if (f == nullptr || p->gridDimX == 0 || p->gridDimY != 1 || p->gridDimZ != 1 || p->blockDimX != kBlock
        || p->blockDimY != 1 || p->blockDimZ != 1 || p->sharedMemBytes != 0 || p->extra != nullptr
        || p->kernelParams == nullptr) {
        fprintf(stderr, "cuda emulator: unexpected kernel node parameters for %s\n", f ? f->name : "?");
        return 1;
    }
    Node &n = *exec->nodes[i];
    n.kernel = f;
    n.grid = p->gridDimX;
    n.args.clear();
    for (size_t a = 0; a < f->sizes.size(); a++) {
        const unsigned char *v = static_cast<const unsigned char *>(p->kernelParams[a]);
        n.args.emplace_back(v, v + f->sizes[a]);
    }
    descent_emulator_counters.kernel_node_updates++;
    return 0;
}

// ------------------------------------------------------------------------------------------------ cuBLAS

int cublasCreate_v2(Cublas **h) { *h = new Cublas(); return 0; }
int cublasDestroy_v2(Cublas *h) { if (h == nullptr) return 1; delete h; return 0; }
int cublasSetStream_v2(Cublas *h, Stream *s) { h->stream = s; return 0; }
int cublasSetMathMode(Cublas *h, int mode) { h->math = mode; return 0; }
int cublasSetWorkspace_v2(Cublas *, void *ws, size_t bytes) { LOCKED; return bytes == 0 || is_device(ws, bytes) ? 0 : 7; }
int cublasGetProperty(int type, int *value) { *value = type == 0 ? 13 : 0; return 0; }

const char *cublasGetStatusName(int s) {
    switch (s) {
        case 0: return "CUBLAS_STATUS_SUCCESS";
        case 7: return "CUBLAS_STATUS_INVALID_VALUE";
        case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
        default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

const char *cublasGetStatusString(int s) { return s == 0 ? "success" : s == 7 ? "an invalid value was used as an argument" : "unknown error"; }

// Column-major C = alpha op(A) op(B) + beta C, op(A) m x k, op(B) k x n; beta == 0 ignores C (BLAS convention).
int cublasSgemm_v2(Cublas *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A, int lda,
                   const float *B, int ldb, const float *beta, float *C, int ldc) {
    LOCKED;
    if (h == nullptr) return 1;
    if (m < 0 || n < 0 || k < 0 || ta < 0 || ta > 1 || tb < 0 || tb > 1) return 7;
    int rowsA = ta == 0 ? m : k;
    int rowsB = tb == 0 ? k : n;
    if (lda < (rowsA > 1 ? rowsA : 1) || ldb < (rowsB > 1 ? rowsB : 1) || ldc < (m > 1 ? m : 1)) return 7;
    if (m == 0 || n == 0) return 0;
    size_t colsA = ta == 0 ? k : m, colsB = tb == 0 ? n : k;
    if (!is_device(C, sizeof(float) * ((size_t) ldc * (n - 1) + m))
        || (k > 0 && (!is_device(A, sizeof(float) * ((size_t) lda * (colsA - 1) + rowsA))
                      || !is_device(B, sizeof(float) * ((size_t) ldb * (colsB - 1) + rowsB))))) {
        fprintf(stderr, "cuda emulator: cublasSgemm_v2 with a pointer outside device memory\n");
        return 13;
    }
    float a = *alpha, b = *beta;  // host pointer mode: read at call time
    submit(h->stream, [=] {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float acc = 0.0f;
                for (int p = 0; p < k; p++) {
                    float av = ta == 0 ? A[i + (size_t) p * lda] : A[p + (size_t) i * lda];
                    float bv = tb == 0 ? B[p + (size_t) j * ldb] : B[j + (size_t) p * ldb];
                    acc += av * bv;
                }
                float *c = &C[i + (size_t) j * ldc];
                *c = b == 0.0f ? a * acc : a * acc + b * *c;
            }
        }
    });
    return 0;
}

}  // extern "C"
