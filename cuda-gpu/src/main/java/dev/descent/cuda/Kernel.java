package dev.descent.cuda;

/**
 * Every entry point of {@code descent_kernels.cu} that the backend launches, with its parameter list in launch order:
 * {@code L} long long, {@code I} int, {@code U} unsigned int, {@code F} float, {@code D} double, {@code P} pointer.
 * A test checks each name and parameter list against the committed PTX.
 */
enum Kernel {
    AXPY("axpy_f32", "LFPP"),
    SCALE("scale_f32", "LFP"),
    FILL("fill_u32", "LUP"),
    MUL("mul_f32", "LPPP"),
    CLAMP("clamp_f32", "LFFP"),
    RELU("relu_f32", "LPP"),
    RELU_BACKWARD("relu_backward_f32", "LPPP"),
    REDUCE_PARTIALS("reduce_partials_f64", "LIPPP"),
    REDUCE_FINAL("reduce_final_f64", "IPP"),
    MAXABS_PARTIALS("maxabs_partials_f32", "LPP"),
    MAXABS_FINAL("maxabs_final_f32", "IPP"),
    GATHER_ROWS("gather_rows_u32", "LIIPPIPP"),
    ARGMAX_ROWS("argmax_rows_f32", "LIPP"),
    ADD_ROW_VECTOR("add_row_vector_f32", "LIPP"),
    COLUMN_SUMS("column_sums_f32", "LIFPFP"),
    SOFTMAX_CE("softmax_ce_f32", "LIPPPFPP"),
    BCE_LOGITS("bce_logits_f32", "LPPPFP"),
    MSE("mse_f32", "LPPPFP"),
    MAE("mae_f32", "LPPPFP"),
    LOSS_FINAL("loss_final_f32", "IPDPI"),
    SGD("sgd_f32", "LPPPFFFFI"),
    ADAM("adam_f32", "LPPPPPFFFFFFFFFI"),
    RMSPROP("rmsprop_f32", "LPPPPPFFFFFFI"),
    ADAGRAD("adagrad_f32", "LPPPFFFI"),
    NADAM("nadam_f32", "LPPPPFFFFFFFFFI"),
    RADAM("radam_f32", "LPPPPFFFFFFFFFFI"),
    ADAMAX("adamax_f32", "LPPPPFFFFFFI"),
    ADADELTA("adadelta_f32", "LPPPPFFFFFI"),
    UNARY("unary_f32", "LIFPP"),
    UNARY_BACKWARD("unary_backward_f32", "LIFPPPFP"),
    BINARY("binary_f32", "LIIPIIPIIP"),
    BINARY_BACKWARD("binary_backward_f32", "LIIIPIIPIIPPFPIP"),
    REDUCE_ROWS("reduce_rows_f32", "LIIPP"),
    REDUCE_COLUMNS("reduce_columns_f32", "LIIPP"),
    REDUCE_ALL_PARTIALS("reduce_all_partials_f32", "LIPP"),
    REDUCE_ALL_FINAL("reduce_all_final_f32", "IIPDFPP"),
    REDUCE_BACKWARD("reduce_backward_f32", "LIIPFFP"),
    MAX_BACKWARD_ROWS("max_backward_rows_f32", "LIPPFP"),
    MAX_BACKWARD_COLUMNS("max_backward_columns_f32", "LIPPFP"),
    MAX_BACKWARD_ALL("max_backward_all_f32", "LPPFP"),
    SOFTMAX_ROWS("softmax_rows_f32", "LIPPI"),
    SOFTMAX_ROWS_BACKWARD("softmax_rows_backward_f32", "LIPPIFP"),
    GATHER_COLUMNS("gather_columns_f32", "LIPPPP"),
    SCATTER_ADD_COLUMNS("scatter_add_columns_f32", "LIPPFPP"),
    TRANSPOSE("transpose_f32", "LIPFP"),
    COPY_BLOCK("copy_block_u32", "LIPIPIFI");

    /** The unmangled entry name in the PTX. */
    final String entry;
    /** Parameter kinds in order (see the class comment). */
    final String params;

    Kernel(String entry, String params) {
        this.entry = entry;
        this.params = params;
    }

    /** The PTX parameter type nvcc emits for each kind: .u64 .u32 .u32 .f32 .f64 .u64. */
    static String ptxType(char kind) {
        return switch (kind) {
            case 'L', 'P' -> "u64";
            case 'I', 'U' -> "u32";
            case 'F' -> "f32";
            case 'D' -> "f64";
            default -> throw new IllegalArgumentException("unknown parameter kind " + kind);
        };
    }
}
