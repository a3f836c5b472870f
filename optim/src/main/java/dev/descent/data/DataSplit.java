package dev.descent.data;

/**
 * A training set and a validation set cut from one data set, reproducibly from a seed.
 *
 * <p>The rows are drawn with the same generator as the epoch orders ({@link EpochOrder}, "epoch 0" of the seed, which
 * training never uses). Without stratification the validation set is the first {@code round(n · fraction)} rows of that
 * permutation. With stratification the samples of each class {@code c} (in row order) are permuted
 * separately, by the epoch-0 order of seed {@code seed ^ EpochOrder.mix64(c + 1)}, and the class contributes {@code round(n_c · fraction)} rows. In both cases each part keeps
 * the original row order of the data set, and both parts are non-empty.
 *
 * @param train      the rows used for training
 * @param validation the held-out rows
 */
public record DataSplit(Dataset train, Dataset validation) {

    /**
     * Holds out {@code validationFraction} of {@code data}'s rows as a validation set: stratified by class for
     * classification data (each class keeps its share), a plain random draw for regression data.
     *
     * <pre>{@code
     * DataSplit split = DataSplit.of(data.train(), 0.1, 42);
     * try (DeviceDataset train = split.train().upload(backend);
     *      DeviceDataset val = split.validation().upload(backend); ...)
     * }</pre>
     *
     * @throws IllegalArgumentException when the fraction is outside (0, 1) or a part would be empty
     */
    public static DataSplit of(Dataset data, double validationFraction, long seed) {
        return of(data, validationFraction, seed, data.isClassification());
    }

    /**
     * Splits {@code data}.
     *
     * @param validationFraction share of rows held out, in {@code (0, 1)}
     * @param seed               seed of the draw
     * @param stratified         keep each class's share (classification data only)
     * @throws IllegalArgumentException when a part would be empty, or stratification is asked of regression data
     */
    public static DataSplit of(Dataset data, double validationFraction, long seed, boolean stratified) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validationFraction);
        }
        int n = data.samples();
        boolean[] held = new boolean[n];
        int heldCount = 0;
        if (!stratified) {
            int m = (int) Math.round(n * validationFraction);
            int[] order = EpochOrder.permutation(seed, 0, n);
            for (int i = 0; i < m; i++) {
                held[order[i]] = true;
            }
            heldCount = m;
        } else {
            if (!data.isClassification()) {
                throw new IllegalArgumentException("a stratified split needs class labels; " + data.source()
                        + " has real-valued targets");
            }
            int[] counts = data.labelCounts();
            int[][] byClass = new int[counts.length][];
            for (int c = 0; c < counts.length; c++) {
                byClass[c] = new int[counts[c]];
            }
            int[] fill = new int[counts.length];
            int[] labels = data.labels();
            for (int i = 0; i < n; i++) {
                byClass[labels[i]][fill[labels[i]]++] = i;
            }
            for (int c = 0; c < counts.length; c++) {
                int nc = counts[c];
                int m = (int) Math.round(nc * validationFraction);
                int[] order = new int[nc];
                EpochOrder.fill(seed ^ EpochOrder.mix64(c + 1L), 0, true, order, nc);
                for (int i = 0; i < m; i++) {
                    held[byClass[c][order[i]]] = true;
                }
                heldCount += m;
            }
        }
        if (heldCount == 0 || heldCount == n) {
            throw new IllegalArgumentException("a validation fraction of " + validationFraction + " of " + n
                    + " samples leaves " + (heldCount == 0 ? "no validation" : "no training") + " sample");
        }
        int[] trainRows = new int[n - heldCount];
        int[] validRows = new int[heldCount];
        int t = 0;
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (held[i]) {
                validRows[v++] = i;
            } else {
                trainRows[t++] = i;
            }
        }
        Dataset train = data.subset(trainRows).withSource(data.source() + " (train part)");
        Dataset valid = data.subset(validRows).withSource(data.source() + " (validation part)");
        return new DataSplit(train, valid);
    }

    @Override
    public String toString() {
        return "DataSplit[train " + train.samples() + ", validation " + validation.samples() + "]";
    }
}
