/**
 * The {@code descent} command line (Picocli), run as {@code ./descent <command>} from the repository root.
 *
 * <p>Commands and what they write (scripts rely on these names):
 * <ul>
 *   <li>{@code rosenbrock}: {@code trajectory.csv} ({@code step,w1,w2,loss}; row k the parameters after k steps and
 *       R there, step 0 the start; non-finite values as {@code NaN}/{@code Infinity}), {@code rosenbrock.png},
 *       {@code summary.json}; with {@code --compare}: {@code trajectory-<name>.csv} each and one figure.</li>
 *   <li>{@code minimize}: {@code trajectory.csv} ({@code step,w1,...,wn,loss}, as rosenbrock's), {@code summary.json},
 *       and for a formula in two variables {@code minimize.png}; with {@code --compare}: {@code trajectory-<name>.csv}
 *       each. The formula's grammar: {@link dev.descent.cli.expr.Formula}.</li>
 *   <li>{@code train}: {@code metrics.csv} ({@code epoch,train_loss[,test_loss,test_accuracy],seconds}; a regression
 *       model has {@code test_mae} in place of {@code test_accuracy}), {@code summary.json}, {@code loss.png},
 *       {@code model.npz} + {@code model.json} (see {@code ModelFiles}), {@code run.json} (the options, for
 *       {@code --resume}), {@code checkpoints/}.</li>
 *   <li>{@code compare}: {@code compare.csv} ({@code optimizer,lr,epoch,train_loss}), {@code compare.png},
 *       {@code summary.json}.</li>
 *   <li>{@code sweep}: {@code sweep.csv} ({@code batch_size,epoch,train_loss,seconds}), {@code sweep.png},
 *       {@code summary.json}.</li>
 *   <li>{@code evaluate}: accuracy and confusion matrix (or MSE/MAE) on standard output; with {@code --out}
 *       {@code evaluation.json} and {@code confusion.csv}.</li>
 *   <li>{@code demo}: every step above into one folder, with {@code report.html} and {@code report.md}.</li>
 *   <li>{@code backends}, {@code bench}: information and a quick throughput comparison.</li>
 * </ul>
 *
 * <p>Exit status ({@link dev.descent.cli.ExitCodes}): 0 success (divergence in {@code rosenbrock}, {@code minimize}
 * and {@code compare} is a result); 2 usage errors and bad input, reported in one line on standard error without a
 * stack trace unless {@code --verbose}; 3 a {@code train} run that diverged; 130 interrupted; 1 anything else.
 *
 * <p>Every file is written atomically ({@link dev.descent.cli.io.AtomicFiles}); progress and notes go to standard
 * error, results and {@code --json} to standard output. Under {@code mpirun} only rank 0 writes files and prints.
 */
package dev.descent.cli;
