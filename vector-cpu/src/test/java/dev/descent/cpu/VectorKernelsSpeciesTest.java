package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import org.junit.jupiter.api.Test;

/**
 * The rule that keeps the Vector API kernels free of boxed vectors at every width (see {@link VectorKernels}): all
 * their species and shuffles have the one vector shape of {@link VectorKernels#F}. A second float species in the JVM
 * (a half-width one, say) pollutes the receiver profile of {@code FloatVector.intoArray}, which every kernel shares,
 * and C2 then boxes vectors in whichever kernels it compiles after that.
 */
class VectorKernelsSpeciesTest {

    @Test
    void everySpeciesAndShuffleHasTheShapeOfF() throws IllegalAccessException {
        List<String> seen = new ArrayList<>();
        for (Field field : VectorKernels.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            Object value = field.get(null);
            VectorSpecies<?> species = value instanceof VectorSpecies<?> s ? s
                    : value instanceof VectorShuffle<?> sh ? sh.vectorSpecies() : null;
            if (species == null) {
                continue;
            }
            seen.add(field.getName());
            assertEquals(VectorKernels.F.vectorShape(), species.vectorShape(),
                    "VectorKernels." + field.getName() + " is " + species + ", not of F's shape "
                            + VectorKernels.F.vectorShape());
        }
        assertFalse(seen.isEmpty(), "found no species fields in VectorKernels");
    }

    @Test
    void floatSpeciesIsTheOnlyFloatSpecies() throws IllegalAccessException {
        for (Field field : VectorKernels.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && VectorSpecies.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                VectorSpecies<?> species = (VectorSpecies<?>) field.get(null);
                if (species.elementType() == float.class) {
                    assertEquals(VectorKernels.F, species, "VectorKernels." + field.getName()
                            + " is a second float species");
                }
            }
        }
    }
}
