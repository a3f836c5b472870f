package dev.descent.dist;

/** The communicator of a run with one process: every collective leaves the data as it is. */
final class SingleProcessCommunicator implements Communicator {
    static final SingleProcessCommunicator INSTANCE = new SingleProcessCommunicator();

    private SingleProcessCommunicator() {
    }

    @Override public int rank() { return 0; }
    @Override public int size() { return 1; }
    @Override public void broadcast(float[] buf, int offset, int length, int root) { check(root); }
    @Override public void allreduceSum(float[] buf, int offset, int length) { }
    @Override public void allreduceSum(double[] buf, int offset, int length) { }
    @Override public void barrier() { }
    @Override public void abort(int code) { System.exit(code); }
    @Override public String description() { return "single process"; }
    @Override public void close() { }

    private static void check(int root) {
        if (root != 0) {
            throw new IllegalArgumentException("root " + root + " out of range for 1 process");
        }
    }
}
