/**
 * Data sets and the minibatch loader.
 *
 * <p>A {@link dev.descent.data.Dataset} holds features and labels (or real targets) in host memory; readers in
 * {@link dev.descent.data.io} build them from CSV and IDX files or named data sets. A
 * {@link dev.descent.data.FeatureTransform} fitted on the training set (see {@link dev.descent.data.Scaling}) scales every
 * split the same way; {@link dev.descent.data.DataSplit} holds out a validation set. The data set is uploaded once to a
 * backend as a {@link dev.descent.data.DeviceDataset}, and a {@link dev.descent.data.DataLoader} gathers each minibatch
 * there into reusable buffers, in an order that is a pure function of (seed, epoch)
 * ({@link dev.descent.data.EpochOrder}).
 *
 * <pre>{@code
 * LoadedData data = DataSources.load("fashion-mnist", DataOptions.defaults());
 * FeatureTransform scale = Scaling.UNIT.fit(data.train());          // divide by 255
 * Dataset train = scale.apply(data.train());
 * Dataset test = scale.apply(data.test());
 * try (DeviceDataset onDevice = train.upload(backend);
 *      DataLoader loader = new DataLoader(onDevice, LoaderOptions.batches(128).withSeed(1))) {
 *     for (int epoch = 1; epoch <= 10; epoch++) {
 *         loader.startEpoch(epoch);
 *         while (loader.hasNext()) {
 *             Batch b = loader.next();   // b.features() [b.size(), 784], b.labels() [b.size()]
 *             // forward, loss normalised by b.globalSize(), backward, optimizer step
 *         }
 *     }
 * }
 * }</pre>
 */
package dev.descent.data;
