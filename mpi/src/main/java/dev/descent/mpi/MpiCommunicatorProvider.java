package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.CommunicatorException;
import dev.descent.dist.CommunicatorProvider;

import java.util.Map;

/**
 * The Open MPI communicator, chosen by {@link dev.descent.dist.Communicators#detect()} when a launcher started this
 * process. {@link #launchedHere()} reads environment variables only; libmpi is loaded by {@link #create()} alone, so
 * a run without a launcher never touches it.
 */
public final class MpiCommunicatorProvider implements CommunicatorProvider {
    @Override
    public String name() {
        return "mpi";
    }

    /**
     * True when one of these is set: {@code OMPI_COMM_WORLD_SIZE} (Open MPI's mpirun), {@code PMIX_RANK} (a PMIx
     * launcher: prterun, {@code srun --mpi=pmix}), {@code PMI_SIZE} (a PMI-1/2 launcher: {@code srun --mpi=pmi2}),
     * or {@code SLURM_NTASKS} above 1 inside a Slurm job step ({@code SLURM_PROCID} or {@code SLURM_STEP_ID} set, i.e.
     * started by {@code srun}, not the batch script itself).
     */
    @Override
    public boolean launchedHere() {
        return launchedHere(System.getenv());
    }

    static boolean launchedHere(Map<String, String> env) {
        if (env.containsKey("OMPI_COMM_WORLD_SIZE") || env.containsKey("PMIX_RANK") || env.containsKey("PMI_SIZE")) {
            return true;
        }
        int slurmTasks = parse(env.get("SLURM_NTASKS"));
        return slurmTasks > 1 && (env.containsKey("SLURM_PROCID") || env.containsKey("SLURM_STEP_ID"));
    }

    /**
     * Loads libmpi, initialises MPI and checks that MPI sees as many processes as the launcher started.
     *
     * @throws CommunicatorException when libmpi cannot be loaded or is not Open MPI, or when MPI sees fewer processes
     *                               than the launcher started (e.g. {@code srun} without a PMI plugin)
     */
    @Override
    public Communicator create() {
        MpiCommunicator comm = MpiCommunicator.create();
        checkSize(comm.size(), System.getenv());
        return comm;
    }

    static void checkSize(int mpiSize, Map<String, String> env) {
        String[] vars = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"};
        for (String var : vars) {
            int expected = parse(env.get(var));
            if (expected > 0) {
                if (expected != mpiSize) {
                    throw new CommunicatorException("the launcher started " + expected + " processes (" + var + "="
                            + expected + ") but MPI sees " + mpiSize + (var.startsWith("SLURM")
                            ? ": start descent with srun --mpi=pmix (or pmi2), or with mpirun inside the allocation"
                            : ": libmpi does not match the launcher (mpirun and libmpi from different MPI installs?)"));
                }
                return;
            }
        }
    }

    private static int parse(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
