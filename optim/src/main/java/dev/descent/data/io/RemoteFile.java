package dev.descent.data.io;

import java.net.URI;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A file to download and how to verify it.
 *
 * @param uri      where to fetch it (http or https)
 * @param fileName the name it gets in the cache
 * @param size     its exact size in bytes, or -1 when unknown
 * @param md5      its MD5 as 32 hex digits, or null when unknown
 * @param sha256   its SHA-256 as 64 hex digits, or null when unknown
 */
public record RemoteFile(URI uri, String fileName, long size, String md5, String sha256) {
    /** Validates the name and the checksum formats; lower-cases the checksums. */
    public RemoteFile {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fileName, "fileName");
        if (fileName.isEmpty() || fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
            throw new IllegalArgumentException("bad cache file name '" + fileName + "'");
        }
        if (size < -1) {
            throw new IllegalArgumentException("size must be >= 0 or -1 (unknown), got " + size);
        }
        md5 = hex(md5, 32, "md5");
        sha256 = hex(sha256, 64, "sha256");
    }

    private static String hex(String s, int digits, String what) {
        if (s == null) {
            return null;
        }
        String h = s.trim().toLowerCase(Locale.ROOT);
        if (h.length() != digits || !h.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException(what + " must be " + digits + " hex digits, got '" + s + "'");
        }
        return h;
    }

    /** A file known only by its address. */
    public static RemoteFile of(String url, String fileName) {
        return new RemoteFile(URI.create(url), fileName, -1, null, null);
    }

    /** Whether the file can be verified beyond its HTTP length (a size or a checksum is known). */
    public boolean verifiable() {
        return size >= 0 || md5 != null || sha256 != null;
    }

    /** The same file fetched from {@code base} + file name instead (a mirror or a loopback test server). */
    public RemoteFile withBase(String base) {
        String b = base.endsWith("/") ? base : base + "/";
        return new RemoteFile(URI.create(b + fileName), fileName, size, md5, sha256);
    }
}
