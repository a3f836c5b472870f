package dev.descent.data.io;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data sets descent knows by name.
 *
 * <ul>
 * <li>{@code sign-language-mnist}: the Sign Language MNIST CSV files ({@code label,pixel1,…,pixel784}; 27,455 train and
 * 7,172 test images of 28×28 pixels in 0..255) from the {@code PhilChodrow/ml-notes} repository. The labels are the
 * letters A–Y as 0–24 with 9 (J) absent: 24 letters occur, and the class count is 25 (the largest label + 1), as
 * torch's cross-entropy needs for targets up to 24; the logit of the absent label is never a target. Use
 * {@link dev.descent.data.LabelMap} for 24 dense classes. No checksum is published: the files are verified by their
 * CSV structure only.</li>
 * <li>{@code mnist}: handwritten digits, IDX gzip files from torchvision's mirror
 * {@code https://ossci-datasets.s3.amazonaws.com/mnist/}, verified by size and torchvision's MD5 sums; 10 classes.</li>
 * <li>{@code fashion-mnist}: Zalando's clothing images, 10 classes. Read from Debian's
 * {@code /usr/share/datasets/fashion-mnist} (package fashion-mnist) when all four files are there, otherwise downloaded
 * from the upstream address {@code http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/}, verified by size and
 * the upstream MD5 sums (Debian recompressed its copies, so those are read without a checksum).</li>
 * </ul>
 *
 * <p>A base URL can be overridden per data set with the system property {@code descent.data.baseUrl.<name>} or the
 * environment variable {@code DESCENT_DATA_BASEURL_<NAME>} ({@code -} becomes {@code _}), for a mirror or a test
 * server; the local folders with {@code descent.data.localDir.<name>}.
 */
public final class DatasetRegistry {
    private static final Map<String, NamedDataset> ALL = new LinkedHashMap<>();

    static {
        String slBase = "https://raw.githubusercontent.com/PhilChodrow/ml-notes/main/data/sign-language-mnist/";
        register(new NamedDataset("sign-language-mnist",
                "Sign Language MNIST: 28×28 grey images of hand signs for 24 letters (labels 0..24, 9 unused), CSV",
                DataFiles.Format.CSV,
                List.of(remote(slBase, "sign_mnist_train.csv", -1, null),
                        remote(slBase, "sign_mnist_test.csv", -1, null)),
                slBase, "sign_mnist_train.csv", null, "sign_mnist_test.csv", null, 25, List.of()));

        String mnistBase = "https://ossci-datasets.s3.amazonaws.com/mnist/";
        register(new NamedDataset("mnist",
                "MNIST: 28×28 grey images of handwritten digits, 10 classes, IDX",
                DataFiles.Format.IDX,
                List.of(remote(mnistBase, "train-images-idx3-ubyte.gz", 9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                        remote(mnistBase, "train-labels-idx1-ubyte.gz", 28881, "d53e105ee54ea40749a09fcbcd1e9432"),
                        remote(mnistBase, "t10k-images-idx3-ubyte.gz", 1648877, "9fb629c4189551a2d022fa330f9573f3"),
                        remote(mnistBase, "t10k-labels-idx1-ubyte.gz", 4542, "ec29112dd5afa0611ce80d1b7f02629c")),
                mnistBase, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz", 10, List.of()));

        String fashionBase = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
        register(new NamedDataset("fashion-mnist",
                "Fashion-MNIST: 28×28 grey images of clothing, 10 classes, IDX",
                DataFiles.Format.IDX,
                List.of(remote(fashionBase, "train-images-idx3-ubyte.gz", 26421880,
                                "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                        remote(fashionBase, "train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe"),
                        remote(fashionBase, "t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79"),
                        remote(fashionBase, "t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310")),
                fashionBase, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz", 10, List.of(Path.of("/usr/share/datasets/fashion-mnist"))));
    }

    private DatasetRegistry() {
    }

    private static RemoteFile remote(String base, String name, long size, String md5) {
        return new RemoteFile(URI.create(base + name), name, size, md5, null);
    }

    private static void register(NamedDataset d) {
        ALL.put(d.name(), d);
    }

    /** The data set called {@code name} (case-insensitive; {@code _} and {@code -} alike), or null. */
    public static NamedDataset get(String name) {
        if (name == null) {
            return null;
        }
        return ALL.get(name.trim().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** Every known data set, in a fixed order. */
    public static List<NamedDataset> all() {
        return new ArrayList<>(ALL.values());
    }

    /** The known names, comma-separated (for messages). */
    public static String names() {
        return String.join(", ", ALL.keySet());
    }
}
