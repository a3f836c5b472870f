package dev.descent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: lists the subcommands. */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = DescentCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        header = "Gradient-based optimization and minibatch training on the JVM (CPU Vector API, CUDA).",
        description = {
            "",
            "Start with:  descent demo --quick     (the lecture end to end, into out/demo: open out/demo/report.html)",
            "Every command takes --help. Output folders default to out/<command>.",
            ""},
        subcommands = {
            RosenbrockCommand.class,
            MinimizeCommand.class,
            TrainCommand.class,
            CompareCommand.class,
            SweepCommand.class,
            EvaluateCommand.class,
            ExportCommand.class,
            PredictCommand.class,
            DemoCommand.class,
            BackendsCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class},
        footer = {
            "",
            "Exit status: 0 success; 2 usage error or bad input; 3 a train run that diverged; 130 interrupted; "
                    + "1 other failures."})
final class DescentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DescentCommand.class.getPackage().getImplementationVersion();
            return new String[] {"descent " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
