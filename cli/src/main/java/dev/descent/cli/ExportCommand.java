package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.cli.io.Json;
import dev.descent.data.SafeText;
import dev.descent.onnx.OnnxExport;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code descent export}: a saved model as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Export a saved model for serving: an ONNX file with the model's feature scaling inside.",
        description = {
            "Writes the model that 'descent train' saved (model.json + model.npz) as an ONNX file (IR version "
                    + OnnxExport.IR_VERSION + ", opset " + OnnxExport.OPSET + ") for ONNX Runtime and other "
                    + "consumers: input 'input', float32 [N, features], the raw features (the training run's "
                    + "--scale is applied inside the graph); outputs 'logits', 'probabilities' and 'label' for a "
                    + "classifier, 'prediction' for linear regression.",
            "The file is DIR/model.onnx unless --out says otherwise; it is written atomically, replacing an earlier "
                    + "export.",
            ""},
        footer = {"", "Example:", "  descent export --model out/train --format onnx"})
final class ExportCommand extends BaseCommand {
    /** The file written into a folder. */
    static final String FILE = "model.onnx";

    @Option(names = "--model", paramLabel = "PATH", required = true,
            description = "The model: the output folder of 'descent train', or its model.json.")
    Path model;

    @Option(names = "--format", paramLabel = "onnx", defaultValue = "onnx",
            description = "The file format: onnx (the only one, the default).")
    String format;

    @Option(names = "--out", paramLabel = "FILE|DIR",
            description = "Where to write: a file name ending in .onnx, or a folder to hold " + FILE
                    + " (default: the model's folder).")
    Path out;

    @Override
    int run() throws Exception {
        String f = format.trim().toLowerCase(Locale.ROOT);
        if (!f.equals("onnx")) {
            throw usage("unknown --format '" + SafeText.of(format) + "'; known: onnx");
        }
        if (!Files.exists(model)) {
            throw new NoSuchFileException(model.toString(), null,
                    "no such model (give the folder a 'descent train' run wrote, or its model.json)");
        }
        Path json = Files.isDirectory(model) ? model.resolve(ModelFiles.JSON)
                : model.getFileName().toString().endsWith(".npz") ? model.resolveSibling(ModelFiles.JSON) : model;
        if (Files.isRegularFile(json)) {
            Object kind = Json.readObject(json).get("kind");
            if (kind != null && !OnnxExport.KINDS.contains(String.valueOf(kind))) {
                throw usage(json + ": cannot export a '" + SafeText.of(String.valueOf(kind)) + "' model to ONNX "
                        + "(supported: " + String.join(", ", OnnxExport.KINDS) + ")");
            }
        }
        Path target = target();
        // The folder that receives the file is held first, as every command holds its --out (and one this command
        // makes is removed again if the export fails).
        try (OutputFolder held = OutputFolder.claim(target.toAbsolutePath().getParent(), spec.name());
             Backend backend = Backends.select("cpu", new BackendOptions(1, 0)).backend();
             ModelFiles.Loaded loaded = ModelFiles.load(model, backend)) {
            note("model: " + loaded.model().describe() + " from " + loaded.json() + "; scaling: "
                    + loaded.transform().description());
            Map<String, String> metadata = new LinkedHashMap<>();
            if (loaded.meta().get("data") instanceof Map<?, ?> data && data.get("source") != null) {
                metadata.put("descent.source", String.valueOf(data.get("source")));
            }
            OnnxExport.write(loaded.model(), loaded.transform(), metadata, target);
        }
        note("wrote " + target + " (ONNX IR " + OnnxExport.IR_VERSION + ", opset " + OnnxExport.OPSET + ")");
        out().println(target);
        return ExitCodes.OK;
    }

    /** The file to write: {@code --out} when it names a .onnx file, else {@value #FILE} in its folder or the model's. */
    private Path target() {
        if (out == null) {
            Path dir = Files.isDirectory(model) ? model : model.getParent();
            return dir == null ? Path.of(FILE) : dir.resolve(FILE);
        }
        if (!Files.isDirectory(out) && out.getFileName() != null
                && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            return out;
        }
        return out.resolve(FILE);
    }
}
