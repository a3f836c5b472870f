package dev.descent.optim.schedule;

import java.util.Map;

/** The constant schedule: every group keeps its base learning rate. */
public record ConstantLr() implements Schedule {
    static final ConstantLr INSTANCE = new ConstantLr();

    @Override
    public Scheduler start(double[] baseLrs) {
        return new Running(this, baseLrs);
    }

    @Override
    public String spec() {
        return "constant";
    }

    private static final class Running extends Scheduler {
        private final ConstantLr schedule;

        Running(ConstantLr schedule, double[] baseLrs) {
            super(baseLrs);
            this.schedule = schedule;
        }

        @Override
        public Schedule schedule() {
            return schedule;
        }

        @Override
        public void step() {
        }

        @Override
        public void endEpoch(double metric) {
        }

        @Override
        void startAtZero() {
            System.arraycopy(base, 0, lr, 0, lr.length);
        }

        @Override
        void save(String prefix, Map<String, Double> out) {
            saveLrs(prefix, out);
        }

        @Override
        void load(String prefix, Map<String, Double> in) {
            loadLrs(prefix, in);
        }
    }
}
