package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.data.DataSplit;
import dev.descent.data.Dataset;
import dev.descent.data.FeatureTransform;
import dev.descent.data.LoaderOptions;
import dev.descent.data.Scaling;
import dev.descent.data.io.DataSources;
import dev.descent.data.io.DatasetRegistry;
import dev.descent.data.io.LoadedData;
import dev.descent.dist.Communicator;
import dev.descent.model.Init;
import dev.descent.model.ModelSpec;
import dev.descent.optim.GradientClipping;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The pieces every command assembles from its options: backend, optimizer, data, model, loader settings. */
final class Engine {
    private Engine() {
    }

    /**
     * Selects the backend named by {@code --backend} and says which one on the note channel (with {@code verbose}, also
     * why the others were not chosen).
     */
    static Backends.Selection backend(ComputeOptions c, Consumer<String> note, boolean verbose) {
        c.validate();
        Backends.Selection s = Backends.select(c.backend, new BackendOptions(c.threads, 0));
        note.accept("backend: " + s.backend().description() + (verbose ? " [" + s.explanation() + "]" : ""));
        return s;
    }

    /**
     * Tells the backends which training workload this JVM is about to run, before the first is selected: the CPU
     * backend then takes its measured plan's fastest vector width for it (see {@link Backends#hintWorkload}).
     * Regression models give no hint.
     *
     * @param batch the batch size, 0 for the full batch
     */
    static void hintWorkload(ModelSpec spec, int batch) {
        if (spec.classes() >= 2) {
            Backends.hintWorkload(spec.widths().length - 2, spec.classes(), batch);
        }
    }

    /**
     * An optimizer builder: the name's torch defaults, the learning rate (NaN: the optimizer's default), the settings
     * given on the command line, the schedule and the clipping.
     *
     * @throws UsageException for an unknown name or a bad value
     */
    static Optimizers.Builder optimizer(String name, double lr, OptimizerSettings s) {
        if (name == null || name.isBlank()) {
            throw new UsageException("missing --optimizer NAME (one of " + OptimizerSettings.NAMES + ")");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!Optimizers.names().contains(n) && !n.equals("ema")) {
            throw new UsageException("unknown optimizer '" + name + "'; known: " + OptimizerSettings.NAMES);
        }
        if (!Double.isNaN(lr) && !(lr >= 0)) {
            throw new UsageException("--lr must be >= 0, got " + Fmt.number(lr));
        }
        if (!Double.isNaN(lr) && !Double.isFinite(lr)) {
            throw new UsageException("--lr must be finite, got " + lr);
        }
        Optimizers.Builder b = Optimizers.builder(n).settings(s.given(n));
        if (!Double.isNaN(lr)) {
            b.set("lr", Double.toString(lr));
        }
        if (s.schedule != null && !s.schedule.isBlank()) {
            try {
                b.schedule(Schedule.parse(s.schedule));
            } catch (IllegalArgumentException e) {
                // "schedule 'TEXT': what" or "warmup schedule: what": say which option it came from
                String m = e.getMessage();
                throw new UsageException(m.startsWith("schedule '") ? "--" + m : "--schedule: " + m, e);
            }
        }
        try {
            if (s.clip != null && !s.clip.isBlank()) {
                GradientClipping clipping = GradientClipping.parse(s.clip);
                b.clipping(clipping);
                if (Optimizers.needsClosure(n) && clipping.kind() != GradientClipping.Kind.NONE) {
                    throw new UsageException("--clip: " + n + " does not clip gradients (torch.optim.LBFGS has no "
                            + "clipping)");
                }
            }
            b.resolvedOptions(); // validates every setting now
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        return b;
    }

    /**
     * A short description of an optimizer's settings, e.g. {@code adam(lr=1e-5, beta1=0.9, beta2=0.999, eps=1e-8)}:
     * flags that are off and a zero weight decay are left out.
     */
    static String describe(String name, Optimizers.Builder b) {
        StringBuilder sb = new StringBuilder(name).append('(');
        boolean first = true;
        for (Map.Entry<String, Double> e : b.resolvedOptions().settings().entrySet()) {
            double v = e.getValue();
            String k = e.getKey();
            boolean flag = OptimizerSettings.isFlag(k);
            if (v == 0 && (flag || k.equals("weight_decay") || k.equals("dampening") || k.equals("lr_decay")
                    || k.equals("initial_accumulator_value"))) {
                continue;
            }
            sb.append(first ? "" : ", ").append(k).append('=').append(OptimizerSettings.format(k, v));
            first = false;
        }
        return sb.append(')').toString();
    }

    /** The data after reading, limiting, holding out a validation set and scaling. */
    record Data(Dataset train, Dataset test, FeatureTransform transform, String description, String trainSource,
            String testSource, Dataset validation, String validationSource) {
        boolean hasTest() {
            return test != null;
        }

        boolean hasValidation() {
            return validation != null;
        }
    }

    /** Whether a source names a known data set rather than a file. */
    static boolean isNamed(String source) {
        return DatasetRegistry.get(source) != null && !Files.exists(Path.of(source));
    }

    /**
     * Reads {@code --data} (training split of a named data set) and {@code --test} (its test split), applies
     * {@code --limit} and fits {@code --scale} on the training data.
     *
     * @param regressionTargets target columns when the model is a regression model, else null
     */
    static Data loadData(DataOptions d, List<String> regressionTargets, Consumer<String> note) throws IOException {
        return loadData(d, regressionTargets, note, null, 0);
    }

    /**
     * As {@link #loadData(DataOptions, List, Consumer)}, with a validation set: {@code --val} read like
     * {@code --test}, or {@code --val-split} held out of the training data (after {@code --limit}, drawn with
     * {@code seed}, stratified for classes; the scaling is fitted on the rest).
     *
     * @param v the validation options, or null for none
     */
    static Data loadData(DataOptions d, List<String> regressionTargets, Consumer<String> note, ValidationOptions v,
            long seed) throws IOException {
        d.validate();
        if (d.data == null) {
            throw new UsageException("missing --data SOURCE (a CSV or IDX file, or one of " + DatasetRegistry.names()
                    + ")");
        }
        Scaling scaling;
        try {
            scaling = Scaling.parse(d.scale);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--scale: " + e.getMessage());
        }
        dev.descent.data.io.DataOptions options = dev.descent.data.io.DataOptions.defaults();
        if (regressionTargets != null) {
            options = options.withTargetColumns(regressionTargets);
        } else if (d.labelColumn != null) {
            options = options.withLabelColumn(d.labelColumn);
        }
        if (d.classes != null) {
            options = options.withClasses(d.classes);
        }
        Map<String, LoadedData> named = new HashMap<>();
        Dataset train;
        String description;
        if (isNamed(d.data)) {
            LoadedData l = loadNamed(d.data, options, named, note);
            train = l.train();
            description = l.description();
        } else {
            train = DataSources.readFile(Path.of(d.data), null, options, d.classes != null ? d.classes : 0);
            description = "data: " + train;
        }
        Dataset test = null;
        if (d.test != null) {
            test = heldOut(d.test, d.data, train, options, named, note);
            if (!isNamed(d.test) || !d.test.equals(d.data)) {
                description += "; test: " + test;
            }
        }
        String valSource = v != null ? v.val : null;
        Dataset validation = null;
        if (valSource != null) {
            validation = heldOut(valSource, d.data, train, options, named, note);
            description += "; validation: " + validation;
        }
        if (d.limit != null && (d.limit < train.samples() || test != null && d.limit < test.samples()
                || validation != null && d.limit < validation.samples())) {
            train = limit(train, d.limit);
            if (test != null) {
                test = limit(test, d.limit);
            }
            if (validation != null) {
                validation = limit(validation, d.limit);
            }
            description += " (--limit: the first " + d.limit + " samples of each)";
        }
        if (v != null && v.valSplit != null) {
            int n = train.samples();
            boolean stratified = train.isClassification();
            DataSplit split;
            try {
                split = DataSplit.of(train, v.valSplit, seed);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--val-split " + Fmt.number(v.valSplit) + ": " + e.getMessage(), e);
            }
            train = split.train();
            validation = split.validation();
            valSource = d.data + " (--val-split " + Fmt.number(v.valSplit) + ")";
            description += "; validation: " + validation.samples() + " of the " + n + " training samples held out"
                    + (stratified ? ", stratified by class" : "") + " (--val-split " + Fmt.number(v.valSplit)
                    + ", seed " + seed + ")";
        }
        FeatureTransform transform = scaling.fit(train);
        train = transform.apply(train);
        if (test != null) {
            test = transform.apply(test);
        }
        if (validation != null) {
            validation = transform.apply(validation);
        }
        if (!transform.isIdentity()) {
            description += "; scaling: " + transform.description();
        }
        return new Data(train, test, transform, description, d.data, d.test, validation, valSource);
    }

    /**
     * A held-out data set ({@code --test}, {@code --val}): a named data set's test split, or a file read with the
     * training data's columns and classes.
     */
    private static Dataset heldOut(String source, String trainSource, Dataset train,
            dev.descent.data.io.DataOptions options, Map<String, LoadedData> named, Consumer<String> note)
            throws IOException {
        Dataset held;
        if (isNamed(source)) {
            held = loadNamed(source, options, named, note).test();
        } else {
            held = DataSources.readFile(Path.of(source), null, options,
                    train.isClassification() ? train.classes() : 0);
        }
        if (held.featureCount() != train.featureCount()) {
            throw new UsageException(source + " has " + held.featureCount() + " features but the training data "
                    + trainSource + " has " + train.featureCount());
        }
        if (held.isClassification() != train.isClassification()) {
            throw new UsageException(source + " does not have the training data's label/target columns");
        }
        if (train.isClassification() && held.classes() != train.classes()) {
            held = held.withClasses(Math.max(held.classes(), train.classes()));
        }
        return held;
    }

    private static LoadedData loadNamed(String name, dev.descent.data.io.DataOptions options,
            Map<String, LoadedData> cache, Consumer<String> note) throws IOException {
        String key = DatasetRegistry.get(name).name();
        LoadedData l = cache.get(key);
        if (l == null) {
            l = DataSources.load(name, options.withListener(new DownloadNotes(note)));
            cache.put(key, l);
        }
        return l;
    }

    static Dataset limit(Dataset data, int n) {
        if (n >= data.samples()) {
            return data;
        }
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return data.subset(rows);
    }

    /** The model specification for the options and the training data. */
    static ModelSpec modelSpec(ModelOptions m, Dataset train, long seed) {
        return modelSpec(m, train, seed, null);
    }

    /**
     * The model specification for the options and the training data, whose number of classes was set by
     * {@code --classes classesOption} (null: from the data).
     *
     * @throws UsageException for options that do not fit the data, or a layer too large for an array
     */
    static ModelSpec modelSpec(ModelOptions m, Dataset train, long seed, Integer classesOption) {
        m.validate();
        ModelSpec.Builder b = ModelSpec.builder(m.model).inputs(train.featureCount()).seed(seed);
        switch (m.model) {
            case "linear" -> {
                if (train.isClassification()) {
                    throw new UsageException("--model linear needs real-valued targets; " + train.source()
                            + " was read as class labels");
                }
                b.outputs(train.targetCount());
            }
            case "logistic" -> {
                if (!train.isClassification() || train.classes() > 2) {
                    throw new UsageException("--model logistic needs labels 0 and 1; " + train.source() + " has "
                            + (train.isClassification() ? train.classes() + " classes" : "real-valued targets")
                            + " (use --model softmax for several classes)");
                }
                b.outputs(1);
            }
            default -> {
                if (!train.isClassification()) {
                    throw new UsageException("--model " + m.model + " needs class labels");
                }
                if (train.classes() < 2) {
                    throw new UsageException(train.source() + " has a single class; --model " + m.model
                            + " needs at least 2 (set --classes)");
                }
                b.classes(train.classes());
                if (m.model.equals("mlp")) {
                    b.hidden(m.hiddenWidths().stream().mapToInt(Integer::intValue).toArray());
                }
            }
        }
        b.loss(m.lossSpec(train));
        if (m.bias != null) {
            b.bias(m.bias);
        }
        if (m.init != null) {
            b.init(Init.fromName(m.init));
        }
        checkWeights(m, train, classesOption);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ sizes, bounded before anything is allocated

    /** The most elements descent puts in one array: what a Java array holds, less the VM's header words. */
    static final long MAX_ARRAY = ModelSpec.MAX_TENSOR_ELEMENTS;

    /** The options that set the model's size, for error messages: "--hidden 30000,30000: ", or "". */
    private static String sizeOptions(ModelOptions m, Integer classesOption) {
        List<String> o = new ArrayList<>();
        if (m.model.equals("mlp") && m.hidden != null) {
            o.add("--hidden " + m.hidden.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (classesOption != null && !m.model.equals("linear") && !m.model.equals("logistic")) {
            o.add("--classes " + classesOption);
        }
        return o.isEmpty() ? "" : String.join(" with ", o) + ": ";
    }

    /** Layer widths, input to output, as the model will have them. */
    private static int[] widths(ModelOptions m, Dataset train) {
        List<Integer> w = new ArrayList<>();
        w.add(train.featureCount());
        w.addAll(m.hiddenWidths());
        w.add(switch (m.model) {
            case "linear" -> train.targetCount();
            case "logistic" -> 1;
            default -> train.classes();
        });
        return w.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String describe(String kind, int[] widths) {
        return kind + " " + Arrays.stream(widths).mapToObj(String::valueOf).collect(Collectors.joining("-"));
    }

    /** Refuses a layer whose weight matrix would not fit in a Java array, naming the options that make it so. */
    private static void checkWeights(ModelOptions m, Dataset train, Integer classesOption) {
        int[] w = widths(m, train);
        for (int l = 0; l + 1 < w.length; l++) {
            long elements = (long) w[l] * w[l + 1];
            if (elements > MAX_ARRAY) {
                throw new UsageException(sizeOptions(m, classesOption) + "layer " + (l + 1) + " of the "
                        + describe(m.model, w) + " model (" + train.featureCount() + " features in " + train.source()
                        + ") would have " + w[l] + " x " + w[l + 1] + " = " + elements + " weights, more than an array "
                        + "holds (" + MAX_ARRAY + ")");
            }
        }
    }

    /**
     * {@code backend}, once it is clear that the model and a batch of {@code rows} rows fit: no activation matrix may
     * exceed an array, and on a backend that keeps its tensors in the JVM's heap (the CPU's) the parameters, their
     * gradients and one batch's activations, a lower bound of what training needs, must fit in the heap's maximum
     * ({@link Runtime#maxMemory()}). Otherwise the backend is closed and the run refused, naming the options and the
     * memory it would need; the JVM would fail part-way (an exception from the backend, or out of memory).
     *
     * @param m             the model options (named in the message when they set the size)
     * @param classesOption {@code --classes}, or null
     * @param batchOption   the option that sets the batch: "--batch-size 512", "--full-batch"
     * @param rows          rows of the largest batch this process runs the model on
     */
    static Backend fitting(Backend backend, ModelSpec spec, ModelOptions m, Integer classesOption, String batchOption,
            int rows) {
        try {
            checkFits(spec, sizeOptions(m, classesOption), batchOption, rows, backend.name().equals("cpu"),
                    Runtime.getRuntime().maxMemory());
            return backend;
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** The checks of {@link #fitting}, with the heap's maximum given. */
    static void checkFits(ModelSpec spec, String sizeOptions, String batchOption, int rows, boolean heapResident,
            long maxHeap) {
        int[] w = spec.widths();
        long activations = 0;
        for (int l = 1; l < w.length; l++) {
            long elements = (long) rows * w[l];
            if (elements > MAX_ARRAY) {
                throw new UsageException(batchOption + (sizeOptions.isEmpty() ? ": " : " with " + sizeOptions)
                        + "a batch of " + rows + " rows would have " + rows + " x " + w[l] + " = " + elements
                        + " activations in layer " + l + " of the " + describe(spec.kind(), w) + " model, more than an "
                        + "array holds (" + MAX_ARRAY + "); use a smaller batch");
            }
            activations += elements * (l + 1 < w.length ? 2 : 1); // outputs and gradients; the last layer's: one
        }
        if (!heapResident) {
            return;
        }
        long params = spec.parameterCount();
        long bytes = Float.BYTES * (2 * params + activations);
        if (bytes > maxHeap) {
            throw new UsageException(sizeOptions + "the " + describe(spec.kind(), w) + " model has " + params
                    + " parameters; training it on the CPU needs at least " + bytesText(bytes) + " of memory (the "
                    + "parameters, their gradients and a batch's activations), more than the JVM's maximum heap of "
                    + bytesText(maxHeap) + "; use a smaller model or batch, or give the JVM more memory, e.g. "
                    + "DESCENT_JAVA_OPTS=-Xmx" + Math.max(2, (bytes >> 30) * 2) + "g");
        }
    }

    /** A byte count as MiB or GiB, e.g. "6.7 GiB". */
    static String bytesText(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** Target columns for a regression model ({@code --label-column}, comma-separated; default {@code target}). */
    static List<String> regressionTargets(ModelOptions m, DataOptions d) {
        if (!m.model.equals("linear")) {
            return null;
        }
        String spec = d.labelColumn != null ? d.labelColumn : "target";
        return Arrays.stream(spec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Loader settings: a batch size (0 = full batch), the seed, shuffling, and this process's shard. */
    static LoaderOptions loaderOptions(int batchSize, long seed, boolean shuffle, Communicator comm) {
        return loaderOptions(batchSize, seed, shuffle, false, comm);
    }

    /** As above, with drop-last: an epoch's final batch, when smaller than the batch size, is left out. */
    static LoaderOptions loaderOptions(int batchSize, long seed, boolean shuffle, boolean dropLast,
            Communicator comm) {
        LoaderOptions o = batchSize == 0 ? LoaderOptions.fullBatch() : LoaderOptions.batches(batchSize);
        o = o.withSeed(seed).withShuffle(shuffle && batchSize != 0).withDropLast(dropLast && batchSize != 0);
        if (comm.size() > 1) {
            o = o.withShard(comm.rank(), comm.size());
        }
        return o;
    }

    /** Prints download progress of named data sets as notes (a line per file, and every 10%). */
    private static final class DownloadNotes implements dev.descent.data.io.DownloadListener {
        private final Consumer<String> note;
        private int lastDecile = -1;

        DownloadNotes(Consumer<String> note) {
            this.note = note;
        }

        @Override
        public void progress(dev.descent.data.io.RemoteFile file, long bytes, long total) {
            if (bytes == 0) {
                lastDecile = -1;
                note.accept("downloading " + file + (total > 0 ? " (" + (total >> 10) + " KiB)" : ""));
                return;
            }
            if (total > 0) {
                int decile = (int) (10 * bytes / total);
                if (decile > lastDecile && decile < 10) {
                    lastDecile = decile;
                }
                if (bytes == total) {
                    note.accept("downloaded " + file);
                }
            }
        }

        @Override
        public void reused(dev.descent.data.io.RemoteFile file, Path cached) {
            // quiet: a cached copy is the normal case
        }

        @Override
        public void replacing(dev.descent.data.io.RemoteFile file, Path cached, String problem) {
            note.accept("the cached file " + cached + " " + problem + "; downloading it again");
        }
    }
}
