package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.loss.Loss;
import dev.descent.loss.LossSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
    @Test
    void defaultsPerKind() {
        ModelSpec lin = ModelSpec.builder("linear-regression").inputs(3).build();
        assertEquals("linear", lin.kind());
        assertEquals(1, lin.outputs());
        assertEquals(Loss.MSE, lin.loss());
        assertTrue(lin.bias());
        assertEquals(Init.ZERO, lin.init());
        assertEquals(0, lin.classes());

        ModelSpec log = ModelSpec.builder("logreg").inputs(5).build();
        assertEquals("logistic", log.kind());
        assertEquals(Loss.BINARY_CROSS_ENTROPY, log.loss());
        assertEquals(2, log.classes());

        ModelSpec soft = ModelSpec.builder("softmax").inputs(784).classes(24).build();
        assertFalse(soft.bias(), "the lecture's softmax regression has no bias");
        assertEquals(Init.ZERO, soft.init());
        assertEquals(Loss.CROSS_ENTROPY, soft.loss());
        assertEquals("softmax 784-24, no bias, ce, init zero", soft.describe());

        ModelSpec mlp = ModelSpec.builder("MLP").inputs(784).hidden(256, 128).classes(10).seed(42).build();
        assertEquals(Init.TORCH, mlp.init());
        assertTrue(mlp.bias());
        assertEquals(List.of(256, 128), mlp.hidden());
        assertArrayEquals(new int[] {784, 256, 128, 10}, mlp.widths());
        assertEquals("mlp 784-256-128-10, relu, bias, ce, init torch (seed 42)", mlp.describe());
    }

    @Test
    void rejectsInconsistentSpecs() {
        assertEquals("unknown model 'svm'; known: linear, logistic, softmax, mlp",
                assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("svm")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("softmax").inputs(4).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("softmax").inputs(4).classes(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("linear").inputs(4).loss(Loss.CROSS_ENTROPY).build());
        assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("logistic").inputs(4).outputs(2).build());
        assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("softmax").inputs(4).classes(3).hidden(5).build());
        assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("mlp").inputs(4).classes(3).hidden(5).init(Init.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("mlp").classes(3).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("linear").inputs(0).build());
        assertEquals(Loss.MAE, ModelSpec.builder("linear").inputs(2).loss(Loss.MAE).build().loss());
    }

    @Test
    void lossesWithSettings() {
        ModelSpec huber = ModelSpec.builder("linear").inputs(3).loss(LossSpec.huber(0.5)).build();
        assertEquals(LossSpec.huber(0.5), huber.loss());
        assertEquals("linear 3-1, bias, huber(delta=0.5), init zero", huber.describe());
        assertEquals(LossSpec.smoothL1(2),
                ModelSpec.builder("linear").inputs(3).loss(LossSpec.parse("smooth-l1(beta=2)")).build().loss());
        ModelSpec ce = ModelSpec.builder("softmax").inputs(4).classes(3)
                .loss(LossSpec.crossEntropy(0.1, 1f, 2f, 3f)).build();
        assertEquals("softmax 4-3, no bias, ce(label_smoothing=0.1, weight=[1.0, 2.0, 3.0]), init zero", ce.describe());
        assertEquals(LossSpec.nll(), ModelSpec.builder("mlp").inputs(4).hidden(3).classes(2).loss(LossSpec.nll())
                .build().loss());

        assertEquals("linear model trains with mse, mae, huber or smooth-l1, not nll",
                assertThrows(IllegalArgumentException.class,
                        () -> ModelSpec.builder("linear").inputs(4).loss(LossSpec.nll()).build()).getMessage());
        assertEquals("softmax model trains with ce or nll, not huber",
                assertThrows(IllegalArgumentException.class,
                        () -> ModelSpec.builder("softmax").inputs(4).classes(3).loss(LossSpec.huber(1)).build())
                        .getMessage());
        assertEquals("logistic model trains with bce, not ce",
                assertThrows(IllegalArgumentException.class,
                        () -> ModelSpec.builder("logistic").inputs(4).loss(LossSpec.crossEntropy(0.1)).build())
                        .getMessage());
        assertEquals("mlp model: ce has 2 class weights for 3 classes",
                assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("mlp").inputs(4).classes(3)
                        .loss(LossSpec.crossEntropy(0, 1f, 2f)).build()).getMessage());
        assertEquals("softmax model: nll has 4 class weights for 3 classes",
                assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("softmax").inputs(4).classes(3)
                        .loss(LossSpec.nll(1f, 1f, 1f, 1f)).build()).getMessage());
    }

    @Test
    void parsesHiddenSizes() {
        assertArrayEquals(new int[] {256, 128}, ModelSpec.parseHidden("256,128"));
        assertArrayEquals(new int[] {256, 128}, ModelSpec.parseHidden("256-128"));
        assertArrayEquals(new int[0], ModelSpec.parseHidden(" "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.parseHidden("256,abc"));
        assertEquals("hidden layer sizes '256,abc': entry 2 ('abc') is not an integer", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.parseHidden("0"));
    }

    @Test
    void initNames() {
        assertEquals(Init.ZERO, Init.fromName("zeros"));
        assertEquals(Init.TORCH, Init.fromName("kaiming-uniform"));
        assertThrows(IllegalArgumentException.class, () -> Init.fromName("xavier"));
    }

    /** A layer beyond an array's reach is refused by the spec (it was a NegativeArraySizeException when created). */
    @Test
    void layersAreBoundedByWhatAnArrayHolds() {
        ModelSpec mlp = ModelSpec.builder("mlp").inputs(784).hidden(256, 128).classes(10).build();
        assertEquals(784L * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, mlp.parameterCount());
        assertEquals(784L * 24, ModelSpec.builder("softmax").inputs(784).classes(24).build().parameterCount());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("mlp").inputs(4).hidden(2_000_000_000).classes(3).build());
        assertEquals("mlp model: layer 1's weights would be 4 x 2000000000 (8000000000 elements), more than an array "
                + "holds (2147483639)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("softmax").inputs(100_000).classes(100_000).build());
        assertTrue(e.getMessage().startsWith("softmax model: layer 1's weights would be 100000 x 100000"),
                e.getMessage());
        assertEquals(46_000L * 46_000 + 46_000 * 3,
                ModelSpec.builder("mlp").inputs(46_000).hidden(46_000).classes(3).bias(false).build()
                        .parameterCount(), "the largest layer an array holds is allowed");
    }
}
