package dev.descent.data.io;

import com.sun.net.httpserver.HttpServer;
import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataSourcesTest {
    @TempDir
    Path dir;

    HttpServer server;

    @AfterEach
    void cleanUp() {
        System.clearProperty("descent.data.baseUrl.sign-language-mnist");
        System.clearProperty("descent.data.baseUrl.fashion-mnist");
        System.clearProperty("descent.data.localDir.fashion-mnist");
        if (server != null) {
            server.stop(0);
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void registryKnowsTheNamedDataSets() {
        assertEquals("sign-language-mnist, mnist, fashion-mnist", DatasetRegistry.names());
        assertSame(DatasetRegistry.get("mnist"), DatasetRegistry.get(" MNIST "));
        assertSame(DatasetRegistry.get("fashion-mnist"), DatasetRegistry.get("fashion_mnist"));
        assertNull(DatasetRegistry.get("cifar"));
        NamedDataset sl = DatasetRegistry.get("sign-language-mnist");
        assertEquals(25, sl.classes());
        assertEquals("https://raw.githubusercontent.com/PhilChodrow/ml-notes/main/data/sign-language-mnist/"
                + "sign_mnist_test.csv", sl.file("sign_mnist_test.csv").uri().toString());
        assertEquals("DESCENT_DATA_BASEURL_SIGN_LANGUAGE_MNIST", sl.baseUrlEnv());
        RemoteFile m = DatasetRegistry.get("mnist").file("train-images-idx3-ubyte.gz");
        assertEquals("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", m.uri().toString());
        assertEquals(9912422, m.size());
        assertEquals("f68b3c2dcbeaaa9fbdd348bbdeb94873", m.md5());
        NamedDataset fashion = DatasetRegistry.get("fashion-mnist");
        assertEquals(List.of(Path.of("/usr/share/datasets/fashion-mnist")), fashion.localDirs());
        System.setProperty("descent.data.baseUrl.fashion-mnist", "http://127.0.0.1:9/mirror");
        assertEquals("http://127.0.0.1:9/mirror/t10k-labels-idx1-ubyte.gz",
                fashion.file("t10k-labels-idx1-ubyte.gz").uri().toString());
        assertEquals("bb300cfdad3c16e7a12a480ee83cd310", fashion.file("t10k-labels-idx1-ubyte.gz").md5());
    }

    @Test
    void namedCsvDataSetIsDownloadedOnceFromAnOverriddenBase() throws IOException {
        Map<String, String> files = Map.of(
                "/sl/sign_mnist_train.csv", "label,pixel1,pixel2\n0,10,20\n24,30,40\n10,50,60\n",
                "/sl/sign_mnist_test.csv", "label,pixel1,pixel2\n3,1,2\n");
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            try (ex) {
                String body = files.get(ex.getRequestURI().getPath());
                if (body == null) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] b = body.getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        });
        server.start();
        System.setProperty("descent.data.baseUrl.sign-language-mnist",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/sl");
        try (Downloader d = new Downloader(dir.resolve("cache"))) {
            DataOptions opts = DataOptions.defaults().withDownloader(d);
            LoadedData data = DataSources.load("sign-language-mnist", opts);
            assertEquals(2, requests.get());
            assertEquals(3, data.train().samples());
            assertEquals(2, data.train().featureCount());
            assertEquals(25, data.train().classes());
            assertEquals(25, data.test().classes());
            assertArrayEquals(new int[] {0, 24, 10}, data.train().labels());
            assertTrue(Files.isRegularFile(dir.resolve("cache/sign-language-mnist/sign_mnist_train.csv")));
            assertTrue(data.description().startsWith("sign-language-mnist from "), data.description());
            DataSources.load("sign-language-mnist", opts);
            assertEquals(2, requests.get(), "reused from the cache");
        }
        System.setProperty("descent.data.baseUrl.sign-language-mnist",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/elsewhere");
        try (Downloader d = new Downloader(dir.resolve("cache2"))) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> DataSources.load("sign-language-mnist", DataOptions.defaults().withDownloader(d)));
            assertTrue(e.getMessage().contains("/elsewhere/sign_mnist_train.csv: HTTP 404"), e.getMessage());
        }
    }

    /** A cached download with no checksum to check (Sign Language MNIST) that does not parse says it is the cache's. */
    @Test
    void aDamagedCachedCsvIsNamedAsTheCachesCopy() throws IOException {
        System.setProperty("descent.data.baseUrl.sign-language-mnist", "http://127.0.0.1:9/never-used");
        Path cacheDir = dir.resolve("cache");
        Path cached = Files.createDirectories(cacheDir.resolve("sign-language-mnist"));
        Path trainCsv = Files.writeString(cached.resolve("sign_mnist_train.csv"), "label,pixel1\n0,1\n1,2,3\n");
        Files.writeString(cached.resolve("sign_mnist_test.csv"), "label,pixel1\n3,1\n");
        try (Downloader d = new Downloader(cacheDir)) {
            DataFormatException e = assertThrows(DataFormatException.class,
                    () -> DataSources.load("sign-language-mnist", DataOptions.defaults().withDownloader(d)));
            assertEquals(trainCsv + " line 3: expected 2 columns, found 3 (this file is the download cache's copy of "
                    + "sign-language-mnist, and it is damaged: delete it and run again to download it afresh)",
                    e.getMessage());
            assertEquals("line 3", e.location());
        }
        // a file given by path is not the cache's: no such advice
        DataFormatException plain = assertThrows(DataFormatException.class,
                () -> DataSources.load(trainCsv.toString(), DataOptions.defaults()));
        assertFalse(plain.getMessage().contains("download cache"), plain.getMessage());
    }

    @Test
    void namedIdxDataSetFromALocalFolder() throws IOException {
        Path local = Files.createDirectories(dir.resolve("fm"));
        Files.write(local.resolve("train-images-idx3-ubyte.gz"), CsvReaderTest.gzip(IdxReaderTest.images(4, 2, 2)));
        Files.write(local.resolve("train-labels-idx1-ubyte.gz"), CsvReaderTest.gzip(IdxReaderTest.labels(0, 9, 3, 3)));
        Files.write(local.resolve("t10k-images-idx3-ubyte.gz"), IdxReaderTest.images(2, 2, 2));
        Files.write(local.resolve("t10k-labels-idx1-ubyte.gz"), IdxReaderTest.labels(1, 2));
        System.setProperty("descent.data.localDir.fashion-mnist", local.toString());
        // a base URL nobody serves: the files must come from the local folder
        System.setProperty("descent.data.baseUrl.fashion-mnist", "http://127.0.0.1:9/");
        LoadedData data = DataSources.load("fashion-mnist", DataOptions.defaults()
                .withDownloader(new Downloader(dir.resolve("unused"))));
        assertEquals(4, data.train().samples());
        assertEquals(4, data.train().featureCount());
        assertEquals(10, data.train().classes());
        assertEquals(2, data.test().samples());
        assertFalse(Files.exists(dir.resolve("unused")));
        // an incomplete local folder means a download, which fails here with a clear message
        Files.delete(local.resolve("t10k-labels-idx1-ubyte.gz"));
        try (Downloader d = new Downloader(dir.resolve("c"))) {
            DownloadException e = assertThrows(DownloadException.class, () -> DataSources.load("fashion-mnist",
                    DataOptions.defaults().withDownloader(d)));
            assertTrue(e.getMessage().startsWith("could not download http://127.0.0.1:9/train-images-idx3-ubyte.gz: "),
                    e.getMessage());
            assertFalse(Files.exists(dir.resolve("c/fashion-mnist/train-images-idx3-ubyte.gz")));
        }
    }

    @Test
    void pathsToCsvAndIdxFiles() throws IOException {
        Path train = write("train.csv", "y,a,b\n1,2,3\n0,4,5\n2,6,7\n");
        Path test = write("test.csv", "y,a,b\n2,1,1\n");
        LoadedData d = DataSources.load(train.toString(), DataOptions.defaults().withLabelColumn("y")
                .withTest(test.toString(), null));
        assertEquals(3, d.train().classes());
        assertEquals(3, d.test().classes(), "the test set takes the training set's class count");
        assertArrayEquals(new int[] {2}, d.test().labels());

        Path bad = write("bad-test.csv", "y,a,b\n3,1,1\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataSources.load(train.toString(),
                DataOptions.defaults().withLabelColumn("y").withTest(bad.toString(), null)));
        assertEquals(bad + " line 2: column 'y' (index 0): label 3 is out of range for 3 classes (labels must be in "
                + "0..2)", e.getMessage());
        Path narrow = write("narrow.csv", "y,a\n1,1\n");
        DataFormatException w = assertThrows(DataFormatException.class, () -> DataSources.load(train.toString(),
                DataOptions.defaults().withLabelColumn("y").withTest(narrow.toString(), null)));
        assertTrue(w.getMessage().contains("has 1 features but the training data"), w.getMessage());

        LoadedData reg = DataSources.load(train.toString(), DataOptions.defaults().withTargetColumns(List.of("b")));
        assertArrayEquals(new float[] {3, 5, 7}, reg.train().targets());
        assertNull(reg.test());

        Path img = Files.write(dir.resolve("digits-images-idx3-ubyte.gz"),
                CsvReaderTest.gzip(IdxReaderTest.images(3, 2, 2)));
        Files.write(dir.resolve("digits-labels-idx1-ubyte.gz"), IdxReaderTest.labels(1, 2, 0));
        Dataset idx = DataSources.load(img.toString(), DataOptions.defaults()).train();
        assertArrayEquals(new int[] {1, 2, 0}, idx.labels());
        Path other = Files.write(dir.resolve("mine.lbl"), IdxReaderTest.labels(0, 0, 0));
        assertArrayEquals(new int[] {0, 0, 0}, DataSources.load(img.toString(), DataOptions.defaults()
                .withLabels(other).withClasses(4)).train().labels());
        Path lone = Files.write(dir.resolve("lone.idx"), IdxReaderTest.images(1, 1, 1));
        assertThrows(DataFormatException.class, () -> DataSources.load(lone.toString(), DataOptions.defaults()));
        assertThrows(DataFormatException.class, () -> DataSources.load(img.toString(), DataOptions.defaults()
                .withTargetColumns(List.of("x"))));
    }

    @Test
    void unknownSource() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> DataSources.load("cifar-10", DataOptions.defaults()));
        assertEquals("cifar-10: no such file, and not a known data set (known: sign-language-mnist, mnist, "
                + "fashion-mnist)", e.getMessage());
        assertNotNull(DataOptions.defaults().csvOptions());
        assertThrows(IllegalArgumentException.class, () -> DataSources.load(" ", DataOptions.defaults()));
    }
}
