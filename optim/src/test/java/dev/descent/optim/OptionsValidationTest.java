package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptionsValidationTest {

    @Test
    void defaultsAreTorchs() {
        assertEquals(new SgdOptions(1e-3, 0, 0, false, 0, false), SgdOptions.defaults());
        assertEquals(0.9, SgdOptions.momentumDefaults().momentum());
        assertEquals(new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false), AdamOptions.defaults());
        assertEquals(0.01, AdamOptions.adamwDefaults().weightDecay());
        assertEquals(new RmspropOptions(1e-2, 0.99, 1e-8, 0, 0, false, false), RmspropOptions.defaults());
        assertEquals(new AdagradOptions(1e-2, 0, 0, 0, 1e-10, false), AdagradOptions.defaults());
        assertEquals(new EmaMomentumOptions(1e-3, 0.9, 0, false), EmaMomentumOptions.defaults());
        assertEquals(new NadamOptions(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3, false), NadamOptions.defaults());
        assertEquals(new RadamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false), RadamOptions.defaults());
        assertEquals(new AdamaxOptions(2e-3, 0.9, 0.999, 1e-8, 0, false), AdamaxOptions.defaults());
        assertEquals(new AdadeltaOptions(1.0, 0.9, 1e-6, 0, false), AdadeltaOptions.defaults());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("sgd: invalid lr -0.1", () -> SgdOptions.defaults().withLr(-0.1)),
                bad("sgd: invalid lr NaN", () -> SgdOptions.defaults().withLr(Double.NaN)),
                bad("sgd: invalid momentum -0.5", () -> SgdOptions.defaults().withMomentum(-0.5)),
                bad("sgd: invalid weight_decay -1", () -> SgdOptions.defaults().withWeightDecay(-1)),
                bad("sgd: nesterov requires momentum > 0 and dampening 0, got momentum 0",
                        () -> SgdOptions.defaults().withNesterov(true)),
                bad("sgd: nesterov requires momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1",
                        () -> SgdOptions.momentumDefaults().withDampening(0.1).withNesterov(true)),
                bad("ema-momentum: invalid beta 1", () -> EmaMomentumOptions.defaults().withBeta(1)),
                bad("ema-momentum: invalid beta -0.1", () -> EmaMomentumOptions.defaults().withBeta(-0.1)),
                bad("ema-momentum: invalid lr -1", () -> EmaMomentumOptions.defaults().withLr(-1)),
                bad("adam: invalid lr -0.001", () -> AdamOptions.defaults().withLr(-0.001)),
                bad("adam: invalid eps -1.0E-8", () -> AdamOptions.defaults().withEps(-1e-8)),
                bad("adam: invalid betas[0] (beta1) 1", () -> AdamOptions.defaults().withBetas(1.0, 0.999)),
                bad("adam: invalid betas[1] (beta2) -0.5", () -> AdamOptions.defaults().withBetas(0.9, -0.5)),
                bad("adam: invalid weight_decay -0.01", () -> AdamOptions.adamwDefaults().withWeightDecay(-0.01)),
                bad("rmsprop: invalid alpha -0.99", () -> RmspropOptions.defaults().withAlpha(-0.99)),
                bad("rmsprop: invalid eps -1", () -> RmspropOptions.defaults().withEps(-1)),
                bad("rmsprop: invalid momentum -0.9", () -> RmspropOptions.defaults().withMomentum(-0.9)),
                bad("rmsprop: invalid weight_decay -2", () -> RmspropOptions.defaults().withWeightDecay(-2)),
                bad("rmsprop: invalid lr Infinity",
                        () -> RmspropOptions.defaults().withLr(Double.POSITIVE_INFINITY)),
                bad("adagrad: invalid lr_decay -0.1", () -> AdagradOptions.defaults().withLrDecay(-0.1)),
                bad("adagrad: invalid initial_accumulator_value -1",
                        () -> AdagradOptions.defaults().withInitialAccumulatorValue(-1)),
                bad("adagrad: invalid eps -1.0E-10", () -> AdagradOptions.defaults().withEps(-1e-10)),
                bad("adagrad: invalid weight_decay -3", () -> AdagradOptions.defaults().withWeightDecay(-3)),
                bad("a parameter group needs at least one parameter", () -> new ParamGroup(List.of(), null, null)),
                bad("gradient clipping: invalid max_norm 0.0", () -> GradientClipping.norm(0)),
                bad("gradient clipping: invalid clip_value -1.0", () -> GradientClipping.value(-1)),
                bad("nadam: invalid momentum_decay -0.004",
                        () -> NadamOptions.defaults().withMomentumDecay(-0.004)),
                bad("nadam: invalid betas[0] (beta1) 1", () -> NadamOptions.defaults().withBetas(1, 0.999)),
                bad("nadam: invalid lr -1", () -> NadamOptions.defaults().withLr(-1)),
                bad("radam: invalid betas[1] (beta2) 1", () -> RadamOptions.defaults().withBetas(0.9, 1)),
                bad("radam: invalid eps -1", () -> RadamOptions.defaults().withEps(-1)),
                bad("radam: invalid weight_decay NaN", () -> RadamOptions.defaults().withWeightDecay(Double.NaN)),
                bad("adamax: invalid betas[1] (beta2) -0.1", () -> AdamaxOptions.defaults().withBetas(0.9, -0.1)),
                bad("adamax: invalid eps -1", () -> AdamaxOptions.defaults().withEps(-1)),
                bad("adadelta: invalid rho 1.5: must be in [0, 1]", () -> AdadeltaOptions.defaults().withRho(1.5)),
                bad("adadelta: invalid rho -0.1", () -> AdadeltaOptions.defaults().withRho(-0.1)),
                bad("adadelta: invalid eps -1", () -> AdadeltaOptions.defaults().withEps(-1)),
                bad("adadelta: invalid lr -1", () -> AdadeltaOptions.defaults().withLr(-1)),
                bad("unknown optimizer 'adabelief'; known: sgd, momentum, ema-momentum, adam, adamw, rmsprop, "
                        + "adagrad, nadam, radam, adamax, adadelta", () -> Optimizers.defaults("adabelief")),
                bad("adadelta: unknown setting 'betas'; known: lr, rho, eps, weight_decay, maximize",
                        () -> Optimizers.parseOptions("adadelta", Map.of("betas", "0.9,0.99"))),
                bad("adam: unknown setting 'momentum'; known: lr, beta1, beta2, eps, weight_decay, amsgrad, "
                        + "maximize, betas", () -> Optimizers.parseOptions("adam", Map.of("momentum", "0.9"))),
                bad("sgd: setting lr 'fast' is not a number",
                        () -> Optimizers.parseOptions("sgd", Map.of("lr", "fast"))),
                bad("sgd: setting nesterov 'maybe' is not a boolean",
                        () -> Optimizers.parseOptions("sgd", Map.of("nesterov", "maybe"))),
                bad("adam: setting betas '0.9' must be two numbers",
                        () -> Optimizers.parseOptions("adam", Map.of("betas", "0.9"))),
                bad("adam: invalid betas[1] (beta2) 1",
                        () -> Optimizers.parseOptions("adam", Map.of("betas", "0.9,1"))),
                bad("optimizer 'adam' takes AdamOptions, got SgdOptions",
                        () -> Optimizers.create("adam", SgdOptions.defaults(), List.of())));
    }

    private static Arguments bad(String message, Supplier<Object> make) {
        return Arguments.of(message, make);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsWithAMessageNamingTheSetting(String message, Supplier<Object> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().startsWith(message), () -> "message: " + e.getMessage() + "\nexpected: " + message);
    }

    @Test
    void parameterGroupRejectsNegativeSettings() {
        RecordingBackend b = new RecordingBackend();
        Parameter p = new Parameter("w", b.allocate(2), b.allocate(2));
        assertEquals("parameter group: invalid lr -1: must be a finite number >= 0",
                assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(p).withLr(-1)).getMessage());
        assertEquals("parameter group: invalid weight_decay -0.5: must be a finite number >= 0",
                assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(p).withWeightDecay(-0.5))
                        .getMessage());
    }

    @Test
    void textSettingsApplyInAnyOrder() {
        // nesterov before momentum in the map: the record is built once from all settings
        OptimizerOptions o = Optimizers.parseOptions("sgd",
                new java.util.LinkedHashMap<>(Map.of("nesterov", "true", "momentum", "0.9", "lr", "0.1")));
        assertEquals(new SgdOptions(0.1, 0.9, 0, true, 0, false), o);
        assertEquals(new AdamOptions(1e-3, 0.8, 0.99, 1e-8, 0.01, true, false),
                Optimizers.parseOptions("adamw", Map.of("betas", "(0.8, 0.99)", "amsgrad", "yes")));
        assertEquals(new AdamOptions(1e-3, 0.5, 0.999, 1e-8, 0, false, true),
                Optimizers.parseOptions("ADAM", Map.of("beta1", "0.5", "maximize", "1")));
        assertEquals(new RmspropOptions(1e-2, 0.9, 1e-8, 0, 0.5, true, false),
                Optimizers.parseOptions("rmsprop", Map.of("alpha", "0.9", "momentum", "0.5", "centered", "true")));
        assertEquals(new AdagradOptions(0.1, 0.01, 0, 0.5, 1e-10, false), Optimizers.parseOptions("adagrad",
                Map.of("lr", "0.1", "lr-decay", "0.01", "initial_accumulator_value", "0.5")));
        assertEquals(new EmaMomentumOptions(0.5, 0.8, 0, false),
                Optimizers.parseOptions("ema_momentum", Map.of("lr", "0.5", "beta", "0.8")));
        assertEquals(SgdOptions.momentumDefaults(), Optimizers.parseOptions("momentum", Map.of()));
        assertEquals(new NadamOptions(2e-3, 0.8, 0.99, 1e-8, 0.1, 0.01, false), Optimizers.parseOptions("nadam",
                Map.of("betas", "0.8,0.99", "momentum-decay", "0.01", "weight_decay", "0.1")));
        assertEquals(new RadamOptions(0.01, 0.9, 0.95, 1e-6, 0, true),
                Optimizers.parseOptions("radam", Map.of("lr", "0.01", "beta2", "0.95", "eps", "1e-6", "maximize",
                        "true")));
        assertEquals(new AdamaxOptions(2e-3, 0.5, 0.9, 1e-8, 0, false),
                Optimizers.parseOptions("adamax", Map.of("betas", "0.5,0.9")));
        assertEquals(new AdadeltaOptions(0.5, 0.95, 1e-5, 0.01, false),
                Optimizers.parseOptions("adadelta", Map.of("lr", "0.5", "rho", "0.95", "eps", "1e-5",
                        "weight_decay", "0.01")));
        assertEquals(1.0, new AdadeltaOptions(1, 1, 0, 0, false).rho(), "rho = 1 is allowed, as in torch");
    }

    @Test
    void settingsRoundTrip() {
        for (String name : Optimizers.names()) {
            OptimizerOptions d = Optimizers.defaults(name);
            Map<String, String> text = new java.util.LinkedHashMap<>();
            d.settings().forEach((k, v) -> text.put(k, Double.toString(v)));
            assertEquals(d, Optimizers.parseOptions(name, text), name);
            assertFalse(d.settings().isEmpty());
        }
    }

    @Test
    void emaMomentumTorchEquivalent() {
        SgdOptions s = new EmaMomentumOptions(0.1, 0.9, 0.01, true).torchEquivalent();
        assertEquals(0.1 * (1 - 0.9), s.lr(), 0);
        assertEquals(0.9, s.momentum());
        assertEquals(0, s.dampening());
        assertEquals(0.01, s.weightDecay());
        assertTrue(s.maximize());
    }

    @Test
    void clippingParses() {
        assertEquals(GradientClipping.none(), GradientClipping.parse("none"));
        assertEquals(GradientClipping.norm(1.5), GradientClipping.parse("norm:1.5"));
        assertEquals(GradientClipping.value(0.25), GradientClipping.parse("VALUE=0.25"));
        assertEquals("gradient clipping 'norm:x': 'x' is not a number",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.parse("norm:x")).getMessage());
        assertEquals("gradient clipping 'max:1': unknown kind 'max', expected none, norm or value",
                assertThrows(IllegalArgumentException.class, () -> GradientClipping.parse("max:1")).getMessage());
    }
}
