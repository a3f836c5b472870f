package dev.descent.data.io;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The download path against a loopback HTTP server. */
class DownloaderTest {
    @TempDir
    Path cache;

    HttpServer server;
    ExecutorService handlers;
    final AtomicInteger requests = new AtomicInteger();
    final Map<String, Integer> perPath = new ConcurrentHashMap<>();
    byte[] payload;

    static String hex(String algorithm, byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    }

    @BeforeEach
    void start() throws IOException {
        payload = new byte[300_000];
        new SplittableRandom(7).nextBytes(payload);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        handlers.shutdownNow(); // wakes the stalling handler
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        String path = ex.getRequestURI().getPath();
        perPath.merge(path, 1, Integer::sum);
        try (ex) {
            switch (path) {
                case "/data.bin" -> {
                    ex.sendResponseHeaders(200, payload.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(payload);
                    }
                }
                case "/chunked.bin" -> {
                    ex.sendResponseHeaders(200, 0); // no Content-Length
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(payload);
                    }
                }
                case "/cut.bin" -> {
                    // announces the whole payload, sends a third, then the connection closes
                    ex.sendResponseHeaders(200, payload.length);
                    OutputStream out = ex.getResponseBody();
                    out.write(payload, 0, payload.length / 3);
                    out.flush();
                    // closing short of the announced length throws "insufficient bytes written to stream"; the
                    // exception leaving the handler makes the server drop the connection
                    out.close();
                }
                case "/stall.bin" -> {
                    ex.sendResponseHeaders(200, payload.length);
                    OutputStream out = ex.getResponseBody();
                    out.write(payload, 0, 1000);
                    out.flush();
                    try {
                        Thread.sleep(4000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private RemoteFile file(String path, long size, String md5, String sha256) {
        return new RemoteFile(URI.create(url(path)), "payload.bin", size, md5, sha256);
    }

    private List<Path> cacheContents() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(cache)) {
            s.filter(Files::isRegularFile).forEach(all::add);
        }
        return all;
    }

    record Call(long bytes, long total) {
    }

    @Test
    void downloadsVerifiesAndReuses() throws Exception {
        List<Call> calls = new ArrayList<>();
        List<Path> reused = new ArrayList<>();
        DownloadListener listener = new DownloadListener() {
            @Override
            public void progress(RemoteFile f, long bytes, long total) {
                calls.add(new Call(bytes, total));
            }

            @Override
            public void reused(RemoteFile f, Path cached) {
                reused.add(cached);
            }
        };
        RemoteFile f = file("/data.bin", payload.length, hex("MD5", payload), hex("SHA-256", payload));
        try (Downloader d = new Downloader(cache)) {
            Path p = d.fetch("group", f, listener);
            assertEquals(cache.resolve("group").resolve("payload.bin"), p);
            assertArrayEquals(payload, Files.readAllBytes(p));
            assertEquals(1, requests.get());
            assertEquals(List.of(p), cacheContents(), "no temporary file left");
            // progress: starts at 0, grows, ends at the total
            assertEquals(new Call(0, payload.length), calls.getFirst());
            assertEquals(new Call(payload.length, payload.length), calls.getLast());
            for (int i = 1; i < calls.size(); i++) {
                assertTrue(calls.get(i).bytes() >= calls.get(i - 1).bytes());
                assertEquals(payload.length, calls.get(i).total());
            }
            assertTrue(calls.size() >= 3, "intermediate progress for 300 kB: " + calls);

            calls.clear();
            Path again = d.fetch("group", f, listener);
            assertEquals(p, again);
            assertEquals(1, requests.get(), "the second call makes no request");
            assertEquals(List.of(p), reused);
            assertTrue(calls.isEmpty());
        }
    }

    @Test
    void unknownSizeAndReplacingABadCachedCopy() throws Exception {
        List<Call> calls = new ArrayList<>();
        try (Downloader d = new Downloader(cache)) {
            Path p = d.fetch("g", file("/chunked.bin", -1, null, null), (f, b, t) -> calls.add(new Call(b, t)));
            assertArrayEquals(payload, Files.readAllBytes(p));
            assertEquals(new Call(0, -1), calls.getFirst());
            assertEquals(new Call(payload.length, -1), calls.getLast());
            // a cached copy that fails its checksum is fetched again
            Files.write(p, new byte[] {1, 2, 3});
            Path q = d.fetch("g", file("/data.bin", payload.length, hex("MD5", payload), null), null);
            assertArrayEquals(payload, Files.readAllBytes(q));
            assertEquals(2, requests.get());
        }
    }

    /**
     * A damaged file in the cache that cannot be fetched again is reported as damaged (what it has, what was expected,
     * what to do), not as missing; it is left as it was.
     */
    @Test
    void aDamagedCachedCopyThatCannotBeFetchedAgainIsReportedAsSuch() throws Exception {
        Path cached = cache.resolve("g").resolve("payload.bin");
        Files.createDirectories(cached.getParent());
        byte[] damaged = payload.clone();
        damaged[1234] ^= 1;
        Files.write(cached, damaged);
        List<String> replacing = new ArrayList<>();
        DownloadListener listener = new DownloadListener() {
            @Override
            public void progress(RemoteFile f, long bytes, long total) {
            }

            @Override
            public void replacing(RemoteFile f, Path at, String problem) {
                replacing.add(at + " " + problem);
            }
        };
        String md5 = hex("MD5", payload);
        try (Downloader d = new Downloader(cache)) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/missing.bin", payload.length, md5, null), listener));
            assertEquals("the cached file " + cached + " fails its checksum: it has MD5 " + hex("MD5", damaged)
                    + ", expected " + md5 + ", and downloading it again failed (" + url("/missing.bin")
                    + ": HTTP 404 Not Found). Delete it and run again to download it afresh, or replace it with a good "
                    + "copy of " + url("/missing.bin") + ", or pass local file paths as the data source",
                    e.getMessage());
            assertFalse(e.getMessage().contains("To work offline, put"), "not reported as missing");
            assertEquals(List.of(cached + " fails its checksum: it has MD5 " + hex("MD5", damaged) + ", expected "
                    + md5), replacing);
            assertArrayEquals(damaged, Files.readAllBytes(cached), "left as it was");
            assertEquals(List.of(cached), cacheContents(), "no temporary file");

            Files.write(cached, new byte[] {1, 2, 3});
            DownloadException size = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/missing.bin", payload.length, md5, null), null));
            assertTrue(size.getMessage().startsWith("the cached file " + cached + " has the wrong size: it has 3 "
                    + "bytes, expected " + payload.length + ", and downloading it again failed ("), size.getMessage());

            Files.write(cached, new byte[0]);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            RemoteFile refused = new RemoteFile(URI.create("http://127.0.0.1:" + port + "/x.bin"), "payload.bin", -1,
                    null, null);
            DownloadException empty = assertThrows(DownloadException.class, () -> d.fetch("g", refused, null));
            assertTrue(empty.getMessage().startsWith("the cached file " + cached + " is empty, and downloading it "
                    + "again failed (http://127.0.0.1:" + port + "/x.bin: connection refused or network unreachable)"
                    + ". Delete it"), empty.getMessage());

            // with the server reachable, the damaged copy is replaced
            Files.write(cached, damaged);
            replacing.clear();
            assertArrayEquals(payload, Files.readAllBytes(d.fetch("g", file("/data.bin", payload.length, md5, null),
                    listener)));
            assertEquals(1, replacing.size(), replacing.toString());
        }
    }

    @Test
    void checksumMismatchLeavesNothing() throws Exception {
        String wrongMd5 = "0123456789abcdef0123456789abcdef";
        try (Downloader d = new Downloader(cache)) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/data.bin", payload.length, wrongMd5, null), null));
            assertTrue(e.getMessage().startsWith("could not download " + url("/data.bin") + ": the downloaded file "
                    + "has MD5 " + hex("MD5", payload) + ", expected " + wrongMd5), e.getMessage());
            assertOneLineWithHint(e);
            assertEquals(List.of(), cacheContents());
            String wrongSha = "ab".repeat(32);
            DownloadException s = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/data.bin", -1, null, wrongSha), null));
            assertTrue(s.getMessage().contains("has SHA-256 " + hex("SHA-256", payload) + ", expected " + wrongSha),
                    s.getMessage());
            DownloadException size = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/data.bin", 1234, null, null), null));
            assertTrue(size.getMessage().contains("the server announces " + payload.length + " bytes, expected 1234"),
                    size.getMessage());
            DownloadException chunkedSize = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/chunked.bin", payload.length + 1L, null, null), null));
            assertTrue(chunkedSize.getMessage().contains("transfer ended after " + payload.length + " of "
                    + (payload.length + 1) + " bytes"), chunkedSize.getMessage());
            assertEquals(List.of(), cacheContents());
        }
    }

    private void assertOneLineWithHint(Exception e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("To work offline, put payload.bin at "
                + cache.resolve("g").resolve("payload.bin")), e.getMessage());
        assertTrue(e.getMessage().contains("DESCENT_CACHE_DIR"), e.getMessage());
        assertTrue(e.getMessage().contains("-Ddescent.cache.dir"), e.getMessage());
    }

    @Test
    void notFound() throws IOException {
        try (Downloader d = new Downloader(cache)) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/missing.bin", -1, null, null), null));
            assertTrue(e.getMessage().startsWith("could not download " + url("/missing.bin") + ": HTTP 404 Not Found. "),
                    e.getMessage());
            assertOneLineWithHint(e);
            assertEquals(List.of(), cacheContents());
        }
    }

    @Test
    void interruptedTransferLeavesNoFile() throws IOException {
        try (Downloader d = new Downloader(cache)) {
            List<Call> calls = new ArrayList<>();
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/cut.bin", -1, null, null), (f, b, t) -> calls.add(new Call(b, t))));
            assertTrue(e.getMessage().contains("transfer broken after"), e.getMessage());
            assertTrue(e.getMessage().contains(" of " + payload.length + " bytes"), e.getMessage());
            assertOneLineWithHint(e);
            assertEquals(List.of(), cacheContents(), "neither the file nor a temporary file");
            assertEquals(new Call(0, payload.length), calls.getFirst());
            assertTrue(calls.getLast().bytes() < payload.length);
            assertFalse(Thread.currentThread().isInterrupted());
        }
    }

    @Test
    void stalledTransferIsAbandoned() throws IOException {
        try (Downloader d = new Downloader(cache, Duration.ofSeconds(10), Duration.ofMillis(500))) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.fetch("g", file("/stall.bin", -1, null, null), null));
            assertTrue(e.getMessage().contains("no data for 500 ms after 1000 bytes"), e.getMessage());
            assertEquals(List.of(), cacheContents());
            assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt does not leak");
        }
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RemoteFile f = new RemoteFile(URI.create("http://127.0.0.1:" + port + "/x.bin"), "payload.bin", -1, null,
                null);
        try (Downloader d = new Downloader(cache, Duration.ofSeconds(5), Duration.ofSeconds(5))) {
            DownloadException e = assertThrows(DownloadException.class, () -> d.fetch("g", f, null));
            assertTrue(e.getMessage().startsWith("could not download http://127.0.0.1:" + port + "/x.bin: "),
                    e.getMessage());
            assertOneLineWithHint(e);
            assertEquals(List.of(), cacheContents());
        }
    }

    @Test
    void verifyReportsWhatIsWrong() throws Exception {
        Path p = Files.write(cache.resolve("f"), new byte[] {1, 2, 3});
        assertNull(Downloader.verify(p, new RemoteFile(URI.create("http://x/f"), "f", 3,
                hex("MD5", new byte[] {1, 2, 3}), hex("SHA-256", new byte[] {1, 2, 3}))));
        assertEquals("has 3 bytes, expected 4", Downloader.verify(p, new RemoteFile(URI.create("http://x/f"), "f", 4,
                null, null)));
        Path empty = Files.write(cache.resolve("e"), new byte[0]);
        assertEquals("is empty", Downloader.verify(empty, RemoteFile.of("http://x/e", "e")));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile(URI.create("http://x"), "../evil", -1, null,
                null));
        assertThrows(IllegalArgumentException.class, () -> new RemoteFile(URI.create("http://x"), "f", -1, "xyz",
                null));
    }

    @Test
    void cacheFolderPrecedence() {
        Map<String, String> props = new java.util.HashMap<>(Map.of("user.home", "/home/u"));
        Map<String, String> env = new java.util.HashMap<>();
        assertEquals(Path.of("/home/u/.cache/descent"), Downloader.defaultCacheDir(props::get, env));
        env.put("XDG_CACHE_HOME", "relative/ignored");
        assertEquals(Path.of("/home/u/.cache/descent"), Downloader.defaultCacheDir(props::get, env));
        env.put("XDG_CACHE_HOME", "/xdg");
        assertEquals(Path.of("/xdg/descent"), Downloader.defaultCacheDir(props::get, env));
        env.put("DESCENT_CACHE_DIR", "/env/cache");
        assertEquals(Path.of("/env/cache"), Downloader.defaultCacheDir(props::get, env));
        props.put("descent.cache.dir", "/prop/cache");
        assertEquals(Path.of("/prop/cache"), Downloader.defaultCacheDir(props::get, env));
    }
}
