package dev.descent.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One long-lived PyTorch process ({@code benchmarks/scripts/torch_workloads.py --serve}) with its own environment: the
 * Java side sends a command line, the script runs the workload, times it itself and answers one line. Keeping the
 * process alive lets the harness alternate descent and PyTorch runs while both stay warm.
 */
final class TorchPeer implements AutoCloseable {
    /** torch_workloads.py's exit code for {@code --device cuda} when torch has no usable CUDA (EXIT_NO_CUDA there). */
    static final int EXIT_NO_CUDA = 3;
    /** torch_workloads.py's exit code when its python cannot import torch or numpy (EXIT_NO_TORCH there). */
    static final int EXIT_NO_TORCH = 4;

    /**
     * A PyTorch configuration: its label in the tables and how its process is started; {@code device} is
     * torch_workloads.py's {@code --device} (cpu or cuda).
     */
    record Config(String id, String label, Map<String, String> setEnv, List<String> unsetEnv, int torchThreads,
            String device) {
        Config(String id, String label, Map<String, String> setEnv, List<String> unsetEnv, int torchThreads) {
            this(id, label, setEnv, unsetEnv, torchThreads, "cpu");
        }

        boolean cuda() {
            return device.equals("cuda");
        }

        /** Whether this peer is only meaningful on OpenBLAS (the fair peer: its setEnv points at OpenBLAS). */
        boolean requiresOpenBlas() {
            return setEnv.getOrDefault("LD_LIBRARY_PATH", "").contains("openblas");
        }
    }

    /**
     * Fails unless a peer that {@linkplain Config#requiresOpenBlas requires OpenBLAS} loaded it ({@code info}'s
     * {@code openblas_core}, set when an OpenBLAS library is mapped): without Debian's libopenblas0-pthread, torch
     * falls back to the reference BLAS of libblas.so.3 (some 5 times slower on these GEMMs), and every speed-up
     * against that peer would be against the wrong one.
     */
    static void checkBlas(Config config, Map<String, String> info) throws UnavailableException {
        if (config.requiresOpenBlas() && !info.containsKey("openblas_core")) {
            String libs = info.getOrDefault("libs", "");
            throw new UnavailableException("OpenBLAS is not loaded (BLAS: " + (libs.isEmpty() ? "none found" : libs)
                    + "); install libopenblas0-pthread (apt-get install -y libopenblas0-pthread), the fair peer's "
                    + "BLAS");
        }
    }

    /**
     * The script said, instead of "ready", that its device is unusable here ({@link #EXIT_NO_CUDA}) or that its python
     * has no torch ({@link #EXIT_NO_TORCH}): the message is its one line. Compare reports torch-cuda as skipped then.
     */
    static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The fair peer: OpenBLAS (pthread build) forced through LD_LIBRARY_PATH, one OpenBLAS thread, one torch thread.
     * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed so that OpenBLAS picks its kernel for this CPU itself.
     */
    static Config openBlasOneThread() {
        return new Config("torch-ob1", "PyTorch, OpenBLAS, 1 thread",
                Map.of("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu/openblas-pthread", "OPENBLAS_NUM_THREADS", "1",
                        "OMP_NUM_THREADS", "1"),
                List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"), 1);
    }

    /** PyTorch as installed: its default BLAS (whatever libblas.so.3 resolves to) and default thread counts. */
    static Config defaults() {
        return new Config("torch-default", "PyTorch, default BLAS and threads", Map.of(),
                List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                        "LD_LIBRARY_PATH"), 0);
    }

    /**
     * PyTorch on device="cuda": the lecture's loops with tensors and model on the GPU, default host threads. The
     * OpenBLAS variables are removed as for {@link #defaults()} (the host side does little BLAS work here).
     */
    static Config cuda() {
        return new Config("torch-cuda", "PyTorch, CUDA", Map.of(),
                List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"), 0,
                "cuda");
    }

    /** The configuration of a {@code --peers} name: ob1, default or cuda. */
    static Config forPeer(String peer) {
        return switch (peer) {
            case "ob1" -> openBlasOneThread();
            case "default" -> defaults();
            case "cuda" -> cuda();
            default -> throw new IllegalArgumentException("unknown peer '" + peer + "' (ob1, default, cuda)");
        };
    }

    private final Config config;
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    TorchPeer(Config config, String python, Path script, Path signData, Path fashionDir, Path log) throws IOException {
        this.config = config;
        List<String> command = new ArrayList<>(List.of(python, "-u", script.toString()));
        if (config.cuda()) {
            command.addAll(List.of("--device", config.device()));
        }
        command.add("--serve");
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        for (String name : config.unsetEnv()) {
            env.remove(name);
        }
        env.putAll(config.setEnv());
        env.put("DESCENT_TORCH_THREADS", Integer.toString(config.torchThreads()));
        env.put("DESCENT_SIGN_DATA", signData.toString());
        env.put("DESCENT_FASHION_DIR", fashionDir.toString());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        process = pb.start();
        in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (!"ready".equals(ready)) {
            close();
            if (!process.isAlive() && (process.exitValue() == EXIT_NO_CUDA || process.exitValue() == EXIT_NO_TORCH)
                    && ready != null && !ready.isBlank()) {
                throw new UnavailableException(ready.strip());
            }
            throw new IOException(config.id() + ": " + python + " " + script + " did not start (said " + ready
                    + "; see " + log + ")");
        }
    }

    Config config() {
        return config;
    }

    /**
     * Runs one command ("W2 batch=8 epochs=1 ...") and returns the answer's key=value fields.
     *
     * @throws IOException when the process died or answered an error
     */
    Map<String, String> run(String command) throws IOException {
        in.write(command);
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException(config.id() + ": the PyTorch process exited while running '" + command + "'");
        }
        String[] fields = line.split("\t");
        if (!fields[0].equals("ok")) {
            throw new IOException(config.id() + ": '" + command + "' failed: "
                    + (fields.length > 1 ? fields[1] : line));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 1; i < fields.length; i++) {
            int eq = fields[i].indexOf('=');
            result.put(fields[i].substring(0, eq), fields[i].substring(eq + 1));
        }
        return result;
    }

    static double[] parseDoubles(String csv) {
        if (csv == null || csv.isEmpty()) {
            return new double[0];
        }
        String[] parts = csv.split(",");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Double.parseDouble(parts[i]);
        }
        return values;
    }

    @Override
    public void close() {
        try {
            in.write("quit");
            in.newLine();
            in.flush();
        } catch (IOException ignored) {
            // the process is gone already
        }
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
        }
    }

    static List<String> describe(Map<String, String> info) {
        List<String> lines = new ArrayList<>();
        info.forEach((k, v) -> lines.add(k + "=" + v));
        return lines;
    }
}
