package dev.descent.cli;

import picocli.CommandLine.Option;

/** {@code --quiet} and {@code --verbose}, on every command. */
final class CommonOptions {
    @Option(names = {"-q", "--quiet"}, description = "Print no progress or notes (errors and requested output only).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print more detail, and stack traces on errors.")
    boolean verbose;
}
