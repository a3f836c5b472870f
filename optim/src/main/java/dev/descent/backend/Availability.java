package dev.descent.backend;

/**
 * Whether a backend can be used on this machine, and why not. Computed once, never throws.
 *
 * @param available true when the backend can be created
 * @param reason    "ok" plus details (vector width, device) when available, otherwise what is missing
 */
public record Availability(boolean available, String reason) {
    public static Availability ok(String details) {
        return new Availability(true, details == null || details.isBlank() ? "ok" : "ok: " + details);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }

    @Override
    public String toString() {
        return available ? reason : "unavailable: " + reason;
    }
}
