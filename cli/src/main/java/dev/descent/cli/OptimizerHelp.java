package dev.descent.cli;

import dev.descent.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * The "Optimizers" section of the help of every command that takes {@code --optimizer} or {@code --optimizers}: each
 * optimizer descent knows, what it is, and its defaults written as the options that set them. The defaults are read
 * from the library ({@link Optimizers#defaults}), so the help cannot drift from what runs.
 */
final class OptimizerHelp {
    static final String SECTION = "optimizers";

    private OptimizerHelp() {
    }

    /** Adds the section, before the footer, to the subcommands of {@code top} that choose an optimizer. */
    static void install(CommandLine top) {
        for (CommandLine sub : top.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            if (spec.findOption("--optimizer") == null && spec.findOption("--optimizers") == null) {
                continue;
            }
            sub.getHelpSectionMap().put(SECTION, help -> text());
            List<String> keys = new ArrayList<>(sub.getHelpSectionKeys());
            int footer = keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
            keys.add(footer < 0 ? keys.size() : footer, SECTION);
            sub.setHelpSectionKeys(keys);
        }
    }

    /** What each name is. */
    static String what(String name) {
        return switch (name) {
            case "sgd" -> "torch.optim.SGD";
            case "momentum" -> "torch.optim.SGD with momentum";
            case "ema-momentum" -> "textbook v ← βv + (1−β)g, w ← w − lr·v";
            case "adam" -> "torch.optim.Adam";
            case "adamw" -> "torch.optim.AdamW (decoupled weight decay)";
            case "rmsprop" -> "torch.optim.RMSprop";
            case "adagrad" -> "torch.optim.Adagrad";
            case "nadam" -> "torch.optim.NAdam";
            case "radam" -> "torch.optim.RAdam";
            case "adamax" -> "torch.optim.Adamax";
            case "adadelta" -> "torch.optim.Adadelta";
            case "lbfgs" -> "torch.optim.LBFGS (full batch: one step per epoch)";
            default -> "";
        };
    }

    /** The defaults of {@code name} as command-line options, e.g. {@code --lr 0.001 --betas 0.9,0.999 --eps 1e-8}. */
    static String defaults(String name) {
        Map<String, Double> s = Optimizers.defaults(name).settings();
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : s.entrySet()) {
            String key = e.getKey();
            double v = e.getValue();
            switch (key) {
                case "beta1" -> sb.append(" --betas ").append(Fmt.number(v)).append(',')
                        .append(Fmt.number(s.get("beta2")));
                case "beta2" -> {
                }
                case "beta" -> sb.append(" --momentum ").append(Fmt.number(v));
                case "initial_accumulator_value" -> sb.append(" --initial-accumulator ").append(Fmt.number(v));
                case "line_search" -> sb.append(" --line-search ").append(v != 0 ? "strong-wolfe" : "none");
                case "nesterov", "amsgrad", "centered", "maximize" -> {
                    if (v != 0) {
                        sb.append(" --").append(key);
                    }
                }
                default -> sb.append(" --").append(key.replace('_', '-')).append(' ').append(Fmt.number(v));
            }
        }
        return sb.toString().trim();
    }

    /** The section: a heading, then each optimizer: its name and what it is, then its defaults (wrapped at 79). */
    static String text() {
        String indent = " ".repeat(16);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%nOptimizers (torch 1.13's rules; an option left out takes the default shown):%n"));
        for (String n : Optimizers.names()) {
            sb.append(String.format(Locale.ROOT, "  %-14s%s%n", n, what(n)));
            StringBuilder line = new StringBuilder(indent);
            for (String word : defaults(n).split(" (?=--)")) {
                if (line.length() > indent.length() && line.length() + 1 + word.length() > 79) {
                    sb.append(line).append(System.lineSeparator());
                    line = new StringBuilder(indent);
                }
                line.append(line.length() > indent.length() ? " " : "").append(word);
            }
            sb.append(line).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
