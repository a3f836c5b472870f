package dev.descent.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C (SIGINT) and SIGTERM: the first one asks the running command to stop at the next step boundary (a training
 * run writes a checkpoint first); a second one exits at once. Commands poll {@link #stopRequested()}.
 */
public final class Interrupts {
    private static final AtomicBoolean STOP = new AtomicBoolean();
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile boolean graceful;

    private Interrupts() {
    }

    /** Installs the handlers (once, from {@link Main#main}); in-process tests do not install them. */
    static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        // sun.misc.Signal (module jdk.unsupported) through reflection, so that the build has no internal-API warning.
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handler);
            Method getName = signal.getMethod("getName");
            Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                    (self, method, args) -> {
                        if (method.getName().equals("handle") && args != null && args.length == 1) {
                            onSignal((String) getName.invoke(args[0]));
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(self);
                            case "equals" -> self == args[0];
                            case "toString" -> "descent signal handler";
                            default -> null;
                        };
                    });
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // The signal is not available here (or the JVM reserves it): keep the default behaviour.
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // No sun.misc.Signal: Ctrl-C keeps the JVM's default behaviour (exit without a checkpoint).
        }
    }

    private static void onSignal(String name) {
        int n = COUNT.incrementAndGet();
        if (n > 1) {
            System.err.println();
            System.err.println("descent: interrupted again (SIG" + name + "), exiting now");
            System.err.flush();
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        }
        if (!graceful) {
            System.err.println();
            System.err.println("descent: interrupted (SIG" + name + ")");
            System.err.flush();
            System.exit(ExitCodes.INTERRUPTED);
        }
        STOP.set(true);
        System.err.println();
        System.err.println("descent: SIG" + name + " received: stopping at the next step boundary "
                + "(press Ctrl-C again to exit at once)");
        System.err.flush();
    }

    /**
     * Declares that the running command stops gracefully when asked (a training loop that polls
     * {@link #stopRequested()}); until then a signal exits at once.
     */
    public static void setGraceful(boolean on) {
        graceful = on;
    }

    /** Whether Ctrl-C or SIGTERM asked the command to stop. */
    public static boolean stopRequested() {
        return STOP.get();
    }

    /** Sets the stop flag (used by tests and by MPI ranks told to stop). */
    public static void requestStop() {
        STOP.set(true);
    }

    /** Clears the flag (between in-process runs). */
    public static void reset() {
        STOP.set(false);
        COUNT.set(0);
    }
}
