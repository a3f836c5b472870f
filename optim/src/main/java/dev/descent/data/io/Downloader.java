package dev.descent.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Downloads files into a cache folder, atomically and verified.
 *
 * <p>The cache folder is, by precedence: the system property {@value #CACHE_DIR_PROPERTY}, the environment variable
 * {@value #CACHE_DIR_ENV}, {@code $XDG_CACHE_HOME/descent}, {@code ~/.cache/descent}. A file lands at
 * {@code <cache>/<group>/<fileName>} (the group is the data set's name).
 *
 * <p>A download is written to a temporary file in the same folder, checked (the announced length, then the catalogue's
 * size and MD5/SHA-256 where known) and only then renamed into place atomically, so a crash, a refused checksum or a
 * transfer cut short leave no file, not even the temporary one. A file already in the cache is reused when it verifies
 * (a file with neither size nor checksum known is reused when it is non-empty); one that does not verify is fetched
 * again (the listener hears why, {@link DownloadListener#replacing}), and is kept as it is when that fails: the error
 * then says that the cached file fails its check (what it has, what was expected) and to delete or replace it, not
 * that the file is missing. Connection and response-header timeouts come from {@link HttpClient}; a body that stops arriving for the
 * stall timeout is abandoned.
 *
 * <p>Failures are {@link DownloadException}s with a one-line message naming the URL and the error, and saying how to
 * use local files instead.
 */
public final class Downloader implements AutoCloseable {
    /** System property naming the cache folder. */
    public static final String CACHE_DIR_PROPERTY = "descent.cache.dir";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_DIR_ENV = "DESCENT_CACHE_DIR";

    private static final int REPORT_EVERY = 64 * 1024;

    private final Path cacheDir;
    private final Duration timeout;
    private final Duration stallTimeout;
    private HttpClient client;

    /** A downloader with a 30 s connect/response timeout and a 60 s stall timeout. */
    public Downloader(Path cacheDir) {
        this(cacheDir, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /**
     * A downloader with explicit timeouts.
     *
     * @param cacheDir     the cache folder (created when needed)
     * @param timeout      limit for connecting and for the response headers
     * @param stallTimeout limit for a pause in the body
     */
    public Downloader(Path cacheDir, Duration timeout, Duration stallTimeout) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath();
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
    }

    /** A downloader on {@link #defaultCacheDir()}. */
    public static Downloader defaults() {
        return new Downloader(defaultCacheDir());
    }

    /** The cache folder from the system property, the environment, {@code XDG_CACHE_HOME} or the home folder. */
    public static Path defaultCacheDir() {
        return defaultCacheDir(System::getProperty, System.getenv());
    }

    static Path defaultCacheDir(Function<String, String> properties, Map<String, String> env) {
        String p = properties.apply(CACHE_DIR_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String e = env.get(CACHE_DIR_ENV);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "descent");
        }
        return Path.of(properties.apply("user.home"), ".cache", "descent");
    }

    /** The cache folder. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Where {@code file} of group {@code group} lives in the cache. */
    public Path cachedPath(String group, RemoteFile file) {
        return cacheDir.resolve(group).resolve(file.fileName());
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        }
        return client;
    }

    /**
     * The cached file, downloading it first when it is missing or does not verify.
     *
     * @param group    sub-folder of the cache (the data set's name)
     * @param file     what to fetch
     * @param listener progress receiver
     * @return the path of the verified file in the cache
     * @throws DownloadException when the download fails or the result does not verify
     */
    public Path fetch(String group, RemoteFile file, DownloadListener listener) throws IOException {
        DownloadListener l = listener == null ? DownloadListener.NONE : listener;
        Path target = cachedPath(group, file);
        String cachedProblem = null;
        if (Files.isRegularFile(target)) {
            cachedProblem = verify(target, file);
            if (cachedProblem == null) {
                l.reused(file, target);
                return target;
            }
            l.replacing(file, target, failsItsCheck(cachedProblem));
        }
        try {
            return download(group, file, target, l);
        } catch (DownloadException e) {
            if (cachedProblem == null) {
                throw e;
            }
            // The file is there but damaged: saying "put it at <target>" would send the user looking for a missing
            // file. Say what is wrong with the one in the cache, and what to do about it.
            throw new DownloadException(oneLine("the cached file " + target + " " + failsItsCheck(cachedProblem)
                    + ", and downloading it again failed (" + e.reason() + "). Delete it and run again to download it "
                    + "afresh, or replace it with a good copy of " + file.uri() + ", or pass local file paths as the "
                    + "data source"), e.getCause());
        }
    }

    /** "fails its checksum: it has MD5 …, expected …", "has the wrong size: it has …", "is empty". */
    static String failsItsCheck(String verifyProblem) {
        if (verifyProblem.startsWith("has MD5") || verifyProblem.startsWith("has SHA-256")) {
            return "fails its checksum: it " + verifyProblem;
        }
        if (verifyProblem.startsWith("has ")) {
            return "has the wrong size: it " + verifyProblem;
        }
        return verifyProblem;
    }

    private Path download(String group, RemoteFile file, Path target, DownloadListener l) throws IOException {
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure(group, file, target, "cannot create the cache folder " + dir + " (" + e + ")", e);
        }
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + file.fileName() + ".", ".part");
        } catch (IOException e) {
            throw failure(group, file, target, "cannot write in the cache folder " + dir + " (" + e + ")", e);
        }
        try {
            transfer(group, file, target, tmp, l);
            String problem = verify(tmp, file);
            if (problem != null) {
                throw failure(group, file, target, "the downloaded file " + problem, null);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void transfer(String group, RemoteFile file, Path target, Path tmp, DownloadListener l)
            throws IOException {
        HttpRequest request = HttpRequest.newBuilder(file.uri()).timeout(timeout).GET()
                .header("User-Agent", "descent").build();
        HttpResponse<InputStream> response;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + file.uri() + " interrupted");
        } catch (IOException e) {
            throw failure(group, file, target, describe(e), e);
        }
        Thread self = Thread.currentThread();
        Watchdog dog = new Watchdog(self, stallTimeout.toNanos());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status != 200) {
                throw failure(group, file, target, "HTTP " + status + statusText(status), null);
            }
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
            if (file.size() >= 0 && announced >= 0 && announced != file.size()) {
                throw failure(group, file, target, "the server announces " + announced + " bytes, expected "
                        + file.size(), null);
            }
            long total = file.size() >= 0 ? file.size() : announced;
            l.progress(file, 0, total);
            long received = 0;
            long reported = 0;
            Thread watchdog = Thread.ofPlatform().daemon().name("descent-download-watchdog").start(dog);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                int r;
                while ((r = body.read(buf)) >= 0) {
                    dog.touch();
                    out.write(buf, 0, r);
                    received += r;
                    if (total >= 0 && received > total) {
                        throw failure(group, file, target, "the server sent more than the " + total
                                + " bytes expected", null);
                    }
                    if (received - reported >= REPORT_EVERY) {
                        l.progress(file, received, total);
                        reported = received;
                    }
                }
            } catch (IOException e) {
                if (e instanceof DownloadException) {
                    throw e;
                }
                String why = dog.fired() ? "no data for " + human(stallTimeout) + " after " + received
                        + " bytes" : "transfer broken after " + received + (total >= 0 ? " of " + total : "")
                        + " bytes (" + describe(e) + ")";
                throw failure(group, file, target, why, e);
            } finally {
                dog.stop();
                watchdog.interrupt();
                boolean interrupted = false;
                while (true) {
                    try {
                        watchdog.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                // the watchdog's interrupt was meant for the blocked read, not for our caller
                boolean ours = Thread.interrupted() || interrupted;
                if (ours && !dog.fired()) {
                    Thread.currentThread().interrupt();
                }
            }
            if (total >= 0 && received != total) {
                throw failure(group, file, target, "transfer ended after " + received + " of " + total + " bytes",
                        null);
            }
            l.progress(file, received, total);
        }
    }

    private static String human(Duration d) {
        return d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    private static String statusText(int status) {
        return switch (status) {
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 410 -> " Gone";
            case 429 -> " Too Many Requests";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            default -> "";
        };
    }

    private static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no response in time";
        }
        if (e instanceof ConnectException) {
            return "connection refused or network unreachable";
        }
        String m = e.getMessage();
        Throwable c = e.getCause();
        if ((m == null || m.isBlank()) && c != null) {
            m = c.getMessage();
        }
        String name = e.getClass().getSimpleName();
        return m == null || m.isBlank() ? name : name + ": " + m;
    }

    private DownloadException failure(String group, RemoteFile file, Path target, String why, Throwable cause) {
        String reason = oneLine(file.uri() + ": " + why);
        String msg = "could not download " + reason + ". To work offline, put " + file.fileName()
                + " at " + target + " (or set " + CACHE_DIR_ENV + " or -D" + CACHE_DIR_PROPERTY
                + " to a folder holding " + group + "/" + file.fileName() + "), or pass local file paths as the data "
                + "source";
        return new DownloadException(oneLine(msg), reason, cause);
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Checks a file against the catalogue's size and checksums.
     *
     * @return null when it verifies, otherwise what is wrong ("has 12 bytes, expected 34", "has MD5 …, expected …")
     */
    public static String verify(Path path, RemoteFile file) throws IOException {
        long size = Files.size(path);
        if (file.size() >= 0 && size != file.size()) {
            return "has " + size + " bytes, expected " + file.size();
        }
        if (!file.verifiable() && size == 0) {
            return "is empty";
        }
        if (file.md5() == null && file.sha256() == null) {
            return null;
        }
        MessageDigest md5 = file.md5() != null ? digest("MD5") : null;
        MessageDigest sha = file.sha256() != null ? digest("SHA-256") : null;
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                if (md5 != null) {
                    md5.update(buf, 0, r);
                }
                if (sha != null) {
                    sha.update(buf, 0, r);
                }
            }
        }
        if (md5 != null) {
            String got = HexFormat.of().formatHex(md5.digest());
            if (!got.equals(file.md5())) {
                return "has MD5 " + got + ", expected " + file.md5();
            }
        }
        if (sha != null) {
            String got = HexFormat.of().formatHex(sha.digest());
            if (!got.equals(file.sha256())) {
                return "has SHA-256 " + got + ", expected " + file.sha256();
            }
        }
        return null;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    /** Releases the HTTP client, aborting any exchange a failed download left open. */
    @Override
    public synchronized void close() {
        if (client != null) {
            client.shutdownNow();
            client = null;
        }
    }

    @Override
    public String toString() {
        return "Downloader[" + cacheDir + "]";
    }

    /** Interrupts the downloading thread when no data arrives for the stall timeout. */
    private static final class Watchdog implements Runnable {
        private final Thread reader;
        private final long limitNanos;
        private volatile long last = System.nanoTime();
        private volatile boolean stopped;
        private volatile boolean fired;

        Watchdog(Thread reader, long limitNanos) {
            this.reader = reader;
            this.limitNanos = limitNanos;
        }

        void touch() {
            last = System.nanoTime();
        }

        void stop() {
            stopped = true;
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void run() {
            long step = Math.max(1_000_000L, Math.min(1_000_000_000L, limitNanos / 4));
            while (!stopped) {
                try {
                    Thread.sleep(Duration.ofNanos(step));
                } catch (InterruptedException e) {
                    return;
                }
                if (!stopped && System.nanoTime() - last > limitNanos) {
                    fired = true;
                    reader.interrupt();
                    return;
                }
            }
        }
    }
}
