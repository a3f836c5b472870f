package dev.descent.dist;

import java.util.ServiceLoader;

/** Picks the communicator for this process: the first provider whose launcher started it, else a single process. */
public final class Communicators {
    private Communicators() {
    }

    /** The communicator for this process; {@link Communicator#single()} when no launcher is around. */
    public static Communicator detect() {
        for (CommunicatorProvider p : ServiceLoader.load(CommunicatorProvider.class, Communicators.class.getClassLoader())) {
            if (p.launchedHere()) {
                return p.create();
            }
        }
        return Communicator.single();
    }
}
