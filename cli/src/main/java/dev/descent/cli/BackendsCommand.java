package dev.descent.cli;

import dev.descent.backend.Availability;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import dev.descent.backend.HostCpu;
import dev.descent.cli.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descent backends}: each backend, available or not, and why. */
@Command(name = "backends", mixinStandardHelpOptions = true, sortOptions = false,
        header = "List the compute backends, available or not, and why.",
        description = {"Lists each compute backend, whether it can be used here and why (vector width and why that "
                + "width, cores, CUDA device and driver), and which one --backend auto picks. --plan measures and saves "
                + "the fastest vector width for this machine."})
final class BackendsCommand extends BaseCommand {
    @Option(names = "--json", description = "Print the list as JSON on standard output.")
    boolean json;

    @Option(names = "--plan", description = {"Measure which settings train fastest on this machine (the CPU backend: "
            + "each vector width the CPU offers, in JVMs of their own, on the lecture's workloads, on all cores and on "
            + "one thread in turn, three rounds, the median kept; about three minutes on 2 cores) and save them in "
            + "descent's cache folder, so that every later run on this machine uses them. "
            + "-Ddescent.vector.bits=N (DESCENT_JAVA_OPTS) still overrides the plan."})
    boolean plan;

    @Override
    int run() throws java.io.IOException {
        if (plan) {
            for (BackendProvider p : Backends.providers()) {
                if (safeAvailability(p).available()) {
                    note(p.name() + ": measuring ...");
                    out().println(p.tune(line -> note(p.name() + ": " + line)));
                    out().flush();
                }
            }
            return ExitCodes.OK;
        }
        List<BackendProvider> providers = Backends.providers();
        List<Map<String, Object>> rows = new ArrayList<>();
        String auto = null;
        for (BackendProvider p : providers) {
            Availability a = safeAvailability(p);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", p.name());
            row.put("priority", p.priority());
            row.put("available", a.available());
            row.put("reason", a.reason());
            rows.add(row);
            if (auto == null && a.available()) {
                auto = p.name();
            }
        }
        Map<String, Object> system = new LinkedHashMap<>();
        system.put("cpu", HostCpu.model());
        system.put("vector_isa", HostCpu.vectorIsa());
        system.put("cores", Runtime.getRuntime().availableProcessors());
        system.put("java", Runtime.version().toString());
        system.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        system.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        String mpi = mpiLauncher();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("backends", rows);
            doc.put("auto", auto);
            doc.put("system", system);
            doc.put("mpi", mpi);
            out().print(Json.write(doc));
            return ExitCodes.OK;
        }
        if (providers.isEmpty()) {
            out().println("no backend on the class path (expected descent-vector-cpu and descent-cuda-gpu)");
        }
        int width = 4;
        for (BackendProvider p : providers) {
            width = Math.max(width, p.name().length());
        }
        for (Map<String, Object> r : rows) {
            boolean ok = (Boolean) r.get("available");
            out().printf("%-" + width + "s  %-11s  %s%n", r.get("name"), ok ? "available" : "unavailable",
                    r.get("reason"));
        }
        out().println();
        out().println("auto picks: " + (auto == null ? "nothing (no backend is available)" : auto));
        out().printf("machine: %s (%s), %s cores, %s, Java %s, max heap %d MiB%n", system.get("cpu"),
                system.get("vector_isa"), system.get("cores"), system.get("os"), system.get("java"),
                (Long) system.get("max_heap_mib"));
        out().println("mpi: " + mpi);
        return ExitCodes.OK;
    }

    static Availability safeAvailability(BackendProvider p) {
        try {
            return p.availability();
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability check failed: " + e);
        }
    }

    private static String mpiLauncher() {
        String size = System.getenv("OMPI_COMM_WORLD_SIZE");
        if (size != null) {
            return "started by Open MPI's mpirun (rank " + System.getenv("OMPI_COMM_WORLD_RANK") + " of " + size + ")";
        }
        return "not started by mpirun (run 'mpirun -np N ./descent train ...' for data-parallel training)";
    }
}
