package dev.descent.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds {@link BackendProvider}s with {@link ServiceLoader} and selects one by name: {@code auto}, {@code cpu},
 * {@code cuda}.
 *
 * <pre>{@code
 * Backends.Selection sel = Backends.select("auto", BackendOptions.defaults());
 * System.err.println(sel.explanation());   // "backend: cpu (cuda unavailable: no CUDA driver ...)"
 * try (Backend backend = sel.backend()) { ... }
 * }</pre>
 */
public final class Backends {
    private Backends() {
    }

    /**
     * System property: the training workload this JVM is about to run, a hint for backends that fix a setting once
     * per process (the CPU backend's vector width, from its measured plan). Set it with {@link #hintWorkload} before
     * the first backend is selected; a backend that has already fixed its settings ignores it.
     */
    public static final String WORKLOAD_PROPERTY = "descent.workload";

    /**
     * Says which workload this JVM runs (see {@link #WORKLOAD_PROPERTY}), unless one was set already (by the user with
     * {@code -Ddescent.workload=...} or an earlier call): {@code model=softmax|mlp,classes=N,batch=N}, batch 0 for a
     * full batch.
     *
     * @param hiddenLayers the model's hidden layers (0: softmax regression)
     * @param classes      the output width
     * @param batch        the batch size, 0 for the full batch
     */
    public static void hintWorkload(int hiddenLayers, int classes, int batch) {
        if (System.getProperty(WORKLOAD_PROPERTY) == null) {
            System.setProperty(WORKLOAD_PROPERTY, "model=" + (hiddenLayers == 0 ? "softmax" : "mlp") + ",classes="
                    + classes + ",batch=" + batch);
        }
    }

    /** A created backend and a one-line explanation of why it was chosen. */
    public record Selection(Backend backend, String explanation) {
    }

    /** Every provider on the class path, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            list.add(p);
        }
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        return list;
    }

    /** The provider with this name, or null. */
    public static BackendProvider provider(String name) {
        for (BackendProvider p : providers()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Selects and creates a backend.
     *
     * @param name {@code auto} (the best available), or a provider name
     * @throws BackendUnavailableException when the named backend is unknown or unavailable, or none is available
     */
    public static Selection select(String name, BackendOptions options) {
        String wanted = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        List<BackendProvider> all = providers();
        if (wanted.equals("auto")) {
            List<String> skipped = new ArrayList<>();
            for (BackendProvider p : all) {
                Availability a = p.availability();
                if (a.available()) {
                    String why = skipped.isEmpty() ? "highest-priority available backend"
                            : String.join("; ", skipped);
                    return new Selection(p.create(options), "backend: " + p.name() + " (auto: " + why + ")");
                }
                skipped.add(p.name() + " " + a);
            }
            throw new BackendUnavailableException("no backend is available: "
                    + (skipped.isEmpty() ? "no provider on the class path" : String.join("; ", skipped)));
        }
        for (BackendProvider p : all) {
            if (p.name().equals(wanted)) {
                Availability a = p.availability();
                if (!a.available()) {
                    throw new BackendUnavailableException("backend '" + wanted + "' was requested but is " + a);
                }
                return new Selection(p.create(options), "backend: " + p.name() + " (requested)");
            }
        }
        List<String> names = new ArrayList<>();
        for (BackendProvider p : all) {
            names.add(p.name());
        }
        throw new BackendUnavailableException("unknown backend '" + name + "'; known: auto, " + String.join(", ", names));
    }
}
