/**
 * Training: the {@link dev.descent.train.Trainer} (epochs over a {@link dev.descent.data.Loader}, the lecture's
 * per-epoch loss, evaluation on a validation and a test set, divergence detection,
 * {@link dev.descent.train.EarlyStopping early stopping} with the best epoch's weights restored, checkpoints,
 * data-parallel hooks), its
 * {@link dev.descent.train.TrainingListener listeners} and results, the {@link dev.descent.train.Evaluator}
 * (loss, accuracy, {@link dev.descent.train.ConfusionMatrix confusion matrix}, MSE/MAE; with
 * {@link dev.descent.train.EvaluationOptions#detailed()} also log loss, top-k accuracy and R²), the
 * {@link dev.descent.train.ClassificationMetrics} (precision, recall, F1 per class and averaged) and
 * {@link dev.descent.train.Checkpoint checkpoints}.
 *
 * <pre>{@code
 * Model model = ModelSpec.builder("softmax").inputs(784).classes(24).build().create(backend);
 * Optimizer sgd = Optimizers.create("sgd", SgdOptions.defaults().withLr(1e-3), model.parameters());
 * DataSplit split = DataSplit.of(trainSet, 0.1, 7);    // a host Dataset: 10 % held out, stratified by class
 * try (DeviceDataset fit = split.train().upload(backend);
 *      DeviceDataset held = split.validation().upload(backend);
 *      DataLoader train = new DataLoader(fit, LoaderOptions.batches(64).withSeed(7));
 *      DataLoader val = new DataLoader(held, LoaderOptions.batches(1000).withShuffle(false));
 *      DataLoader test = new DataLoader(testData, LoaderOptions.batches(1000).withShuffle(false));
 *      Trainer trainer = Trainer.builder(model, sgd, train)
 *              .epochs(10).seed(7).validationLoader(val).testLoader(test)
 *              .earlyStopping(EarlyStopping.of(3, 0).withMonitor(EarlyStopping.Monitor.VAL_LOSS))
 *              .checkpoints(Path.of("run/ckpt"), 1, 2)
 *              .listener(new TrainingListener() {
 *                  public void onEpochEnd(EpochMetrics m) { System.out.println(m); }
 *              })
 *              .build()) {
 *     Optional<Path> last = Checkpoint.latest(Path.of("run/ckpt"));
 *     TrainingResult r = last.isPresent() ? trainer.resume(Checkpoint.read(last.get())) : trainer.run();
 *     System.out.println(r.message()); // "...; restored the weights of epoch 6 (best val_loss 0.41...)"
 * }
 * }</pre>
 *
 * <p><b>Data-parallel (MPI) runs</b>: every process builds the same model, optimizer and trainer, gives the trainer its
 * {@link dev.descent.dist.Communicator} and a loader over its shard ({@code LoaderOptions.withShard(rank, size)}); the
 * trainer broadcasts rank 0's parameters, allreduce-sums gradients (the loss is normalised by the global batch size,
 * so the sum is the global mean gradient; see {@link dev.descent.train.GradientSynchronizer}), reduces metrics, and
 * lets only rank 0 write checkpoints. Listeners fire on every rank with identical values.
 */
package dev.descent.train;
