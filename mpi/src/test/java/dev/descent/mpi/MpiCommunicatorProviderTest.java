package dev.descent.mpi;

import dev.descent.dist.CommunicatorException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MpiCommunicatorProviderTest {
    @Test
    void launchersAreRecognisedByTheirEnvironment() {
        assertFalse(MpiCommunicatorProvider.launchedHere(Map.of()));
        assertFalse(MpiCommunicatorProvider.launchedHere(Map.of("PATH", "/usr/bin", "OMPI_MCA_btl", "self")));
        assertTrue(MpiCommunicatorProvider.launchedHere(Map.of("OMPI_COMM_WORLD_SIZE", "2")));
        assertTrue(MpiCommunicatorProvider.launchedHere(Map.of("PMIX_RANK", "0")));
        assertTrue(MpiCommunicatorProvider.launchedHere(Map.of("PMI_SIZE", "4")));
    }

    @Test
    void slurmCountsOnlyForSeveralTasksOfAJobStep() {
        assertTrue(MpiCommunicatorProvider.launchedHere(Map.of("SLURM_NTASKS", "4", "SLURM_PROCID", "1")));
        assertTrue(MpiCommunicatorProvider.launchedHere(Map.of("SLURM_NTASKS", "2", "SLURM_STEP_ID", "0")));
        assertFalse(MpiCommunicatorProvider.launchedHere(Map.of("SLURM_NTASKS", "1", "SLURM_PROCID", "0")));
        assertFalse(MpiCommunicatorProvider.launchedHere(Map.of("SLURM_NTASKS", "4")), "the batch script itself");
        assertFalse(MpiCommunicatorProvider.launchedHere(Map.of("SLURM_NTASKS", "x", "SLURM_PROCID", "0")));
    }

    @Test
    void mpiMustSeeAsManyProcessesAsTheLauncherStarted() {
        assertDoesNotThrow(() -> MpiCommunicatorProvider.checkSize(2, Map.of("OMPI_COMM_WORLD_SIZE", "2")));
        assertDoesNotThrow(() -> MpiCommunicatorProvider.checkSize(1, Map.of()));
        CommunicatorException e = assertThrows(CommunicatorException.class,
                () -> MpiCommunicatorProvider.checkSize(1, Map.of("SLURM_STEP_NUM_TASKS", "4")));
        assertEquals("the launcher started 4 processes (SLURM_STEP_NUM_TASKS=4) but MPI sees 1: start descent with "
                + "srun --mpi=pmix (or pmi2), or with mpirun inside the allocation", e.getMessage());
    }

    @Test
    void nameIsMpi() {
        assertEquals("mpi", new MpiCommunicatorProvider().name());
    }
}
