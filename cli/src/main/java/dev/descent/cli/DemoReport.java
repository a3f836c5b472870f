package dev.descent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's report page, made from the files its steps wrote. */
final class DemoReport {
    private DemoReport() {
    }

    static void write(Path dir, boolean quick, DemoCommand.Plan plan, String dataNote, String backend,
            List<String> commands, double seconds, boolean trainDiverged) throws IOException {
        Report r = new Report("descent: the lecture end to end" + (quick ? " (quick version)" : ""));
        r.paragraph("Made by 'descent demo" + (quick ? " --quick" : "") + "' on " + DemoCommand.timestamp() + " in "
                + Fmt.seconds(seconds) + ", on " + Runtime.getRuntime().availableProcessors() + " cores; backend "
                + backend + ".");
        r.paragraph(dataNote.substring(0, 1).toUpperCase(Locale.ROOT) + dataNote.substring(1) + ".");
        if (quick) {
            r.paragraph("Quick version: the optimizer grid, the sweep and the training use the first "
                    + plan.limit() + " training (and test) samples; the grid runs " + plan.gridEpochs()
                    + " epochs instead of 200, the sweep " + plan.sweepEpochs() + " and the training "
                    + plan.trainEpochs() + " instead of 20. Run 'descent demo' for the full version.");
        }

        // 1. Rosenbrock
        r.heading("1. Rosenbrock: R(w1, w2) = (1 − w1)² + 10(w2 − w1²)² from (0, 1), 1000 steps");
        r.paragraph("sgd is plain gradient descent, momentum is torch's SGD with momentum 0.9 (as in the lecture's "
                + "code), adam is torch's Adam with its default betas. The lecture: at lr 0.04 plain descent stalls, "
                + "momentum diverges and Adam converges.");
        List<List<String>> rows = new ArrayList<>();
        for (String lr : List.of("0.04", "0.01")) {
            Path sub = dir.resolve("rosenbrock-lr" + lr);
            Map<String, Object> s = DemoCommand.readJson(sub.resolve("summary.json"));
            List<String> outcome = new ArrayList<>();
            for (Object o : (List<?>) s.get("runs")) {
                Map<?, ?> run = (Map<?, ?>) o;
                List<?> w = (List<?>) run.get("final_w");
                boolean diverged = Boolean.TRUE.equals(run.get("diverged"));
                String loss = run.get("final_loss") instanceof Number n ? sci(n.doubleValue())
                        : String.valueOf(run.get("final_loss_text"));
                rows.add(List.of(lr, String.valueOf(run.get("optimizer")), num(w.get(0)) + ", " + num(w.get(1)),
                        loss, diverged ? "diverged at step " + intText(run.get("diverged_at_step")) : "no"));
                outcome.add(run.get("optimizer") + (diverged ? " diverged at step "
                        + intText(run.get("diverged_at_step")) : " ends at R = " + loss));
            }
            r.paragraph("Here, at lr " + lr + ": " + String.join(", ", outcome) + ".");
            r.figure("rosenbrock-lr" + lr + "/rosenbrock.png", "Rosenbrock at lr " + lr + ": paths over contours of "
                    + "log(R + 1) and the loss per step (log-log)");
        }
        r.table(List.of("lr", "optimizer", "final (w1, w2)", "final R", "diverged"), rows);
        r.paragraph(lbfgsOutcome(dir.resolve("rosenbrock-lbfgs")));
        r.figure("rosenbrock-lbfgs/rosenbrock.png", "Rosenbrock with LBFGS (strong-Wolfe line search, lr 1, one iteration "
                + "per step): the path and the loss per step");
        r.paragraph("Trajectories: rosenbrock-lr*/trajectory-<optimizer>.csv and rosenbrock-lbfgs/trajectory.csv "
                + "(step,w1,w2,loss).");

        // 2. grid
        r.heading("2. Optimizers × learning rates (full batch, raw pixels, softmax regression from zero)");
        r.figure("compare/compare.png", "Training loss per epoch, one panel per optimizer, one curve per learning "
                + "rate (log-log)");
        Map<String, Object> cmp = DemoCommand.readJson(dir.resolve("compare/summary.json"));
        rows = new ArrayList<>();
        for (Object o : (List<?>) cmp.get("runs")) {
            Map<?, ?> run = (Map<?, ?>) o;
            rows.add(List.of(String.valueOf(run.get("optimizer")), Fmt.number(((Number) run.get("lr")).doubleValue()),
                    String.valueOf(intText(run.get("epochs_completed"))), num(run.get("final_train_loss")),
                    Boolean.TRUE.equals(run.get("diverged")) ? String.valueOf(run.get("divergence")) : "no"));
        }
        r.table(List.of("optimizer", "lr", "epochs", "final train loss", "diverged"), rows);
        r.paragraph("Data: compare/compare.csv (optimizer,lr,epoch,train_loss).");

        // 3. sweep
        r.heading("3. Batch size (Adam, lr 1e-5)");
        r.figure("sweep/sweep.png", "Training loss per epoch and against training time, one curve per batch size");
        Map<String, Object> sw = DemoCommand.readJson(dir.resolve("sweep/summary.json"));
        rows = new ArrayList<>();
        for (Object o : (List<?>) sw.get("runs")) {
            Map<?, ?> run = (Map<?, ?>) o;
            rows.add(List.of(intText(run.get("batch_size")), intText(run.get("epochs_completed")),
                    num(run.get("final_train_loss")), String.format(Locale.ROOT, "%.2f",
                            ((Number) run.get("training_seconds")).doubleValue())));
        }
        r.table(List.of("batch size", "epochs", "final train loss", "training seconds"), rows);
        r.paragraph("Data: sweep/sweep.csv (batch_size,epoch,train_loss,seconds).");

        // 4. training + test
        r.heading("4. Training at batch 16, then the test set");
        r.figure("train/loss.png", "Training and test loss per epoch, and the test accuracy");
        Map<String, Object> tr = DemoCommand.readJson(dir.resolve("train/summary.json"));
        Map<?, ?> fin = (Map<?, ?>) tr.get("final");
        if (trainDiverged) {
            r.paragraph("The training run diverged: " + tr.get("message") + ".");
        }
        List<String> metricLines = Files.readAllLines(dir.resolve("train/metrics.csv"));
        rows = new ArrayList<>();
        for (String line : metricLines.subList(1, metricLines.size())) {
            List<String> cells = new ArrayList<>();
            for (String c : line.split(",", -1)) {
                cells.add(cells.isEmpty() || c.isEmpty() ? c : cell(c));
            }
            rows.add(cells);
        }
        r.table(List.of(metricLines.getFirst().split(",")), rows);
        if (fin.get("test_accuracy") instanceof Number acc) {
            r.paragraph(String.format(Locale.ROOT, "Test accuracy after %s epochs: %.2f%%.", intText(fin.get("epoch")),
                    100 * acc.doubleValue()));
        }
        Path eval = dir.resolve("train/evaluation.json");
        if (Files.isRegularFile(eval)) {
            Map<String, Object> ev = DemoCommand.readJson(eval);
            for (Object o : (List<?>) ev.get("results")) {
                Map<?, ?> res = (Map<?, ?>) o;
                if (res.get("confusion") instanceof List<?> conf) {
                    r.subheading("Confusion matrix on the test set (rows: true class, columns: predicted)");
                    List<String> header = new ArrayList<>();
                    header.add("true \\ predicted");
                    for (int p = 0; p < conf.size(); p++) {
                        header.add(Integer.toString(p));
                    }
                    List<List<String>> crow = new ArrayList<>();
                    for (int t = 0; t < conf.size(); t++) {
                        List<String> row = new ArrayList<>();
                        row.add(Integer.toString(t));
                        for (Object c : (List<?>) conf.get(t)) {
                            row.add(intText(c));
                        }
                        crow.add(row);
                    }
                    r.table(header, crow);
                }
            }
        }
        r.paragraph("Model: train/model.npz and train/model.json (NumPy: np.load(\"train/model.npz\")[\"W\"]); "
                + "settings and timings: train/summary.json.");

        r.heading("Commands");
        r.paragraph("Each step is an ordinary descent command; run one again to vary it:");
        r.code(String.join("\n", commands));
        r.write(dir);
    }

    /** What LBFGS did on Rosenbrock: the first step that got within 1e-8 of the minimum's value, and where it ended. */
    private static String lbfgsOutcome(Path sub) throws IOException {
        List<String> lines = Files.readAllLines(sub.resolve("trajectory.csv"));
        int reached = -1;
        String last = lines.get(lines.size() - 1);
        for (int i = 1; i < lines.size() && reached < 0; i++) {
            String[] f = lines.get(i).split(",");
            double loss = Double.parseDouble(f[3]);
            if (loss <= 1e-8) {
                reached = Integer.parseInt(f[0]);
            }
        }
        String[] end = last.split(",");
        return "For contrast, a quasi-Newton method: torch's LBFGS with its strong-Wolfe line search (lr 1, one "
                + "iteration per step, history 100) "
                + (reached >= 0 ? "gets R below 1e-8 after " + reached + (reached == 1 ? " step" : " steps")
                        : "does not get R below 1e-8")
                + " and ends at (" + num(Double.parseDouble(end[1])) + ", " + num(Double.parseDouble(end[2]))
                + ") with R = " + sci(Double.parseDouble(end[3])) + " after " + end[0] + " steps.";
    }

    private static String num(Object o) {
        if (o instanceof Number n) {
            double v = n.doubleValue();
            if (!Double.isFinite(v)) {
                return Fmt.number(v);
            }
            double a = Math.abs(v);
            if (a != 0 && (a < 1e-3 || a >= 1e6)) {
                return String.format(Locale.ROOT, "%.4g", v);
            }
            return Fmt.number(Double.parseDouble(String.format(Locale.ROOT, "%.6g", v)));
        }
        return o == null ? "NaN" : String.valueOf(o);
    }

    private static String cell(String text) {
        try {
            double v = Double.parseDouble(text);
            return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : text;
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private static String sci(double v) {
        if (!Double.isFinite(v)) {
            return Fmt.number(v);
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6) ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String intText(Object o) {
        return o instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(o);
    }
}
